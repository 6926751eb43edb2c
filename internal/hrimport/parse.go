package hrimport

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"

	"github.com/tsunagu/tsunagu/internal/org"
)

// Person is one valid row, normalized.
type Person struct {
	Row            int
	EmployeeNumber string
	Email          string // as written; "" when not given
	EmailLower     string
	Name           org.Name
	HiredOn        string // YYYY-MM-DD or ""
	LeftOn         string
	Department     string
	JobTitle       string
	Rehire         string // member.RehireEligibilities value or "" (keep)
	Notes          string
	Status         org.Role // employee or alumni; "" = derive from LeftOn
}

// RowError is one problem in one row, shown next to its row and column.
type RowError struct {
	Row    int
	Field  Field  // "" for the row as a whole
	Column string // the header of the column, when there is one
	Key    string // i18n key
	Value  string // the offending value, cut short
}

func (e RowError) Error() string { return fmt.Sprintf("row %d %s: %s", e.Row, e.Field, e.Key) }

// Limits on cell lengths, as the profile and internal fields allow.
const (
	maxShort = 100
	maxNotes = 4000
)

var spaces = strings.NewReplacer("\u3000", " ", "\t", " ", "\u00a0", " ")

// cleanName keeps the characters of a name as written (NFKC would change
// some kanji people care about) but unifies spaces and trims.
func cleanName(s string) string {
	return strings.Join(strings.Fields(spaces.Replace(s)), " ")
}

// cleanKana widens half-width katakana (ﾀﾅｶ from old HR systems).
func cleanKana(s string) string { return cleanName(width.Widen.String(width.Fold.String(s))) }

// clean is for codes, dates and addresses: full-width digits and letters
// become ASCII (NFKC).
func clean(s string) string { return strings.TrimSpace(spaces.Replace(norm.NFKC.String(s))) }

func cut(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	return s
}

// Parse validates one record against the mapping. today is the JST
// calendar day, for deriving the status from the leaving date.
func Parse(rec []string, row int, m Mapping, header []string) (Person, []RowError) {
	p := Person{Row: row}
	var errs []RowError
	cell := func(f Field) string {
		c, ok := m[f]
		if !ok || c >= len(rec) {
			return ""
		}
		return rec[c]
	}
	fail := func(f Field, key, value string) {
		col := ""
		if c, ok := m[f]; ok && c < len(header) {
			col = header[c]
		}
		errs = append(errs, RowError{Row: row, Field: f, Column: col, Key: key, Value: cut(value)})
	}
	short := func(f Field, s string) string {
		if utf8.RuneCountInString(s) > maxShort {
			fail(f, "hrimport.err.too_long", s)
			return ""
		}
		return s
	}
	p.EmployeeNumber = short(FieldEmployeeNumber, clean(cell(FieldEmployeeNumber)))
	if raw := clean(cell(FieldEmail)); raw != "" {
		if e, lower, err := org.NormalizeEmail(raw); err != nil {
			fail(FieldEmail, "hrimport.err.email", raw)
		} else {
			p.Email, p.EmailLower = e, lower
		}
	}
	if p.EmployeeNumber == "" && p.Email == "" && !hasField(errs, FieldEmail) {
		fail(FieldEmployeeNumber, "hrimport.err.need_key", "")
	}
	p.Name.Family = short(FieldFamily, cleanName(cell(FieldFamily)))
	p.Name.Given = short(FieldGiven, cleanName(cell(FieldGiven)))
	if full := cleanName(cell(FieldFullName)); full != "" && p.Name.Family == "" {
		fam, giv, _ := strings.Cut(full, " ")
		p.Name.Family, p.Name.Given = short(FieldFullName, fam), short(FieldFullName, giv)
	}
	if p.Name.Family == "" && !hasField(errs, FieldFamily) && !hasField(errs, FieldFullName) {
		f := FieldFamily
		if _, ok := m[FieldFamily]; !ok {
			f = FieldFullName
		}
		fail(f, "hrimport.err.need_name", "")
	}
	p.Name.FamilyKana = short(FieldFamilyKana, cleanKana(cell(FieldFamilyKana)))
	p.Name.GivenKana = short(FieldGivenKana, cleanKana(cell(FieldGivenKana)))
	if full := cleanKana(cell(FieldFullKana)); full != "" && p.Name.FamilyKana == "" {
		fam, giv, _ := strings.Cut(full, " ")
		p.Name.FamilyKana, p.Name.GivenKana = short(FieldFullKana, fam), short(FieldFullKana, giv)
	}
	p.Name.FamilyRomaji = short(FieldFamilyRomaji, clean(cell(FieldFamilyRomaji)))
	p.Name.GivenRomaji = short(FieldGivenRomaji, clean(cell(FieldGivenRomaji)))
	date := func(f Field) string {
		raw := clean(cell(f))
		if raw == "" {
			return ""
		}
		d, ok := ParseDate(raw)
		if !ok {
			fail(f, "hrimport.err.date", raw)
		}
		return d
	}
	p.HiredOn, p.LeftOn = date(FieldHiredOn), date(FieldLeftOn)
	if p.HiredOn != "" && p.LeftOn != "" && p.LeftOn < p.HiredOn {
		fail(FieldLeftOn, "hrimport.err.left_before_hired", cell(FieldLeftOn))
	}
	p.Department = short(FieldDepartment, cleanName(cell(FieldDepartment)))
	p.JobTitle = short(FieldJobTitle, cleanName(cell(FieldJobTitle)))
	if raw := clean(cell(FieldRehire)); raw != "" {
		if r, ok := parseRehire(raw); ok {
			p.Rehire = r
		} else {
			fail(FieldRehire, "hrimport.err.rehire", raw)
		}
	}
	p.Notes = strings.TrimSpace(cell(FieldNotes))
	if utf8.RuneCountInString(p.Notes) > maxNotes {
		fail(FieldNotes, "hrimport.err.too_long", p.Notes)
		p.Notes = ""
	}
	if raw := clean(cell(FieldStatus)); raw != "" {
		if s, ok := parseStatus(raw); ok {
			p.Status = s
		} else {
			fail(FieldStatus, "hrimport.err.status", raw)
		}
	}
	return p, errs
}

func hasField(errs []RowError, f Field) bool {
	for _, e := range errs {
		if e.Field == f {
			return true
		}
	}
	return false
}

// Role is the membership the person should have on day today (YYYY-MM-DD):
// alumni once the leaving day has passed, unless the file says otherwise.
func (p Person) Role(today string) org.Role {
	if p.Status != "" {
		return p.Status
	}
	if p.LeftOn != "" && p.LeftOn < today {
		return org.Alumni
	}
	return org.Employee
}

func parseRehire(s string) (string, bool) {
	switch strings.ToLower(strings.ReplaceAll(s, " ", "")) {
	case "可", "可能", "○", "〇", "◯", "yes", "y", "eligible", "ok", "true", "1":
		return "eligible", true
	case "条件付", "条件付き", "条件付可", "条件付き可", "条件あり", "△", "conditional", "conditionally", "maybe":
		return "conditional", true
	case "不可", "×", "✕", "no", "n", "noteligible", "not_eligible", "ineligible", "false", "0":
		return "not_eligible", true
	}
	return "", false
}

func parseStatus(s string) (org.Role, bool) {
	switch strings.ToLower(strings.ReplaceAll(s, " ", "")) {
	case "在籍", "在職", "在籍中", "社員", "従業員", "employee", "active", "current":
		return org.Employee, true
	case "退職", "退職済", "退職者", "離職", "アルムナイ", "alumni", "alumnus", "former", "left", "inactive":
		return org.Alumni, true
	}
	return "", false
}

var (
	reYMD   = regexp.MustCompile(`^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})(?: \d{1,2}:\d{2}(?::\d{2})?)?$`)
	reKanji = regexp.MustCompile(`^(\d{4})年(\d{1,2})月(\d{1,2})日$`)
	reEra   = regexp.MustCompile(`^(令和|平成|昭和|[RHSrhs])(元|\d{1,2})[年./-](\d{1,2})[月./-](\d{1,2})日?$`)
	reDigit = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
)

// eraStart is the Gregorian year of year 1 (元年) of each era.
var eraStart = map[string]int{"令和": 2019, "R": 2019, "平成": 1989, "H": 1989, "昭和": 1926, "S": 1926}

// ParseDate reads 2024/04/01, 2024-04-01, 2024.4.1, 20240401, 2024年4月1日,
// 令和6年4月1日, R6.4.1 and 平成/昭和 forms (after NFKC, so ㋿ and full-width
// digits work) and returns YYYY-MM-DD.
func ParseDate(s string) (string, bool) {
	s = clean(s)
	var y, mo, d string
	if m := reYMD.FindStringSubmatch(s); m != nil {
		y, mo, d = m[1], m[2], m[3]
	} else if m := reKanji.FindStringSubmatch(s); m != nil {
		y, mo, d = m[1], m[2], m[3]
	} else if m := reDigit.FindStringSubmatch(s); m != nil {
		y, mo, d = m[1], m[2], m[3]
	} else if m := reEra.FindStringSubmatch(s); m != nil {
		n := 1
		if m[2] != "元" {
			n, _ = strconv.Atoi(m[2])
		}
		if n < 1 {
			return "", false
		}
		y, mo, d = strconv.Itoa(eraStart[strings.ToUpper(m[1])]+n-1), m[3], m[4]
	} else {
		return "", false
	}
	yi, _ := strconv.Atoi(y)
	mi, _ := strconv.Atoi(mo)
	di, _ := strconv.Atoi(d)
	t := time.Date(yi, time.Month(mi), di, 0, 0, 0, 0, time.UTC)
	if yi < 1900 || yi > 2200 || t.Year() != yi || int(t.Month()) != mi || t.Day() != di {
		return "", false
	}
	return t.Format("2006-01-02"), true
}
