package hrimport

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Field is a Tsunagu field a column can be mapped to.
type Field string

const (
	FieldEmployeeNumber Field = "employee_number"
	FieldEmail          Field = "email"
	FieldFullName       Field = "full_name" // split on the first space
	FieldFamily         Field = "family"
	FieldGiven          Field = "given"
	FieldFullKana       Field = "full_kana"
	FieldFamilyKana     Field = "family_kana"
	FieldGivenKana      Field = "given_kana"
	FieldFamilyRomaji   Field = "family_romaji"
	FieldGivenRomaji    Field = "given_romaji"
	FieldHiredOn        Field = "hired_on"
	FieldLeftOn         Field = "left_on"
	FieldDepartment     Field = "department"
	FieldJobTitle       Field = "job_title"
	FieldRehire         Field = "rehire_eligibility"
	FieldNotes          Field = "notes"
	FieldStatus         Field = "status"
)

// Fields lists the fields in the order the mapping form shows them.
var Fields = []Field{FieldEmployeeNumber, FieldEmail, FieldFullName, FieldFamily, FieldGiven, FieldFullKana, FieldFamilyKana,
	FieldGivenKana, FieldFamilyRomaji, FieldGivenRomaji, FieldHiredOn, FieldLeftOn, FieldDepartment, FieldJobTitle,
	FieldRehire, FieldNotes, FieldStatus}

// ValidField reports whether f is one of Fields.
func ValidField(f Field) bool {
	for _, x := range Fields {
		if x == f {
			return true
		}
	}
	return false
}

// headerAliases are the headers HR systems and Excel sheets use, normalized
// (NFKC, lower case, without spaces, dots, underscores and hyphens).
var headerAliases = map[Field][]string{
	FieldEmployeeNumber: {"社員番号", "従業員番号", "社員no", "社員コード", "従業員コード", "職員番号", "社員id", "employeenumber", "employeeno", "employeeid", "empno", "staffid"},
	FieldEmail:          {"メールアドレス", "メール", "eメール", "電子メール", "email", "emailaddress", "mail"},
	FieldFullName:       {"氏名", "名前", "氏名漢字", "社員名", "fullname", "name"},
	FieldFamily:         {"姓", "氏", "苗字", "名字", "familyname", "lastname", "surname"},
	FieldGiven:          {"名", "givenname", "firstname"},
	FieldFullKana:       {"フリガナ", "ふりがな", "氏名カナ", "氏名フリガナ", "カナ氏名", "よみがな", "kana", "furigana"},
	FieldFamilyKana:     {"セイ", "姓カナ", "姓フリガナ", "せい", "familykana", "lastnamekana"},
	FieldGivenKana:      {"メイ", "名カナ", "名フリガナ", "めい", "givenkana", "firstnamekana"},
	FieldFamilyRomaji:   {"姓ローマ字", "姓英字", "familyromaji", "lastnameromaji", "lastnameen"},
	FieldGivenRomaji:    {"名ローマ字", "名英字", "givenromaji", "firstnameromaji", "firstnameen"},
	FieldHiredOn:        {"入社日", "入社年月日", "雇用開始日", "hiredon", "hiredate", "startdate", "joined", "joindate"},
	FieldLeftOn:         {"退職日", "退職年月日", "離職日", "雇用終了日", "leftdate", "lefton", "leavingdate", "enddate", "terminationdate"},
	FieldDepartment:     {"部署", "所属", "部門", "所属部署", "部署名", "department", "dept"},
	FieldJobTitle:       {"役職", "職位", "役職名", "職種", "jobtitle", "title", "position"},
	FieldRehire:         {"再雇用可否", "再雇用", "再入社可否", "rehire", "rehireeligibility", "rehireeligible"},
	FieldNotes:          {"備考", "メモ", "notes", "note", "remarks", "memo"},
	FieldStatus:         {"在籍区分", "在籍状況", "区分", "ステータス", "status", "employmentstatus"},
}

func normalizeHeader(h string) string {
	h = strings.ToLower(norm.NFKC.String(h))
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '.', '_', '-', '・', '　', '(', ')':
			return -1
		}
		return r
	}, h)
}

// Mapping says which column (0-based) holds each field; an absent field is
// not imported.
type Mapping map[Field]int

// Suggest maps headers to fields by their usual names; each column and each
// field is used once, the first match winning.
func Suggest(header []string) Mapping {
	m := Mapping{}
	used := map[int]bool{}
	for _, f := range Fields {
		for i, h := range header {
			if used[i] {
				continue
			}
			n := normalizeHeader(h)
			for _, a := range headerAliases[f] {
				if n == a {
					m[f] = i
					used[i] = true
					break
				}
			}
			if _, ok := m[f]; ok {
				break
			}
		}
	}
	// A full name and split names would fight; the split columns win.
	if _, ok := m[FieldFamily]; ok {
		delete(m, FieldFullName)
	}
	if _, ok := m[FieldFamilyKana]; ok {
		delete(m, FieldFullKana)
	}
	return m
}

// ParseMapping reads "field=Header,field=Header" (the CLI's -map) against a
// header, starting from base.
func ParseMapping(spec string, header []string, base Mapping) (Mapping, error) {
	m := Mapping{}
	for k, v := range base {
		m[k] = v
	}
	if strings.TrimSpace(spec) == "" {
		return m, nil
	}
	for _, part := range strings.Split(spec, ",") {
		f, h, ok := strings.Cut(part, "=")
		f, h = strings.TrimSpace(f), strings.TrimSpace(h)
		if !ok || !ValidField(Field(f)) {
			return nil, &MappingError{Field: f, Problem: "unknown field"}
		}
		if h == "" {
			delete(m, Field(f))
			continue
		}
		col := -1
		for i, x := range header {
			if strings.TrimSpace(x) == h || normalizeHeader(x) == normalizeHeader(h) {
				col = i
				break
			}
		}
		if col < 0 {
			return nil, &MappingError{Field: f, Problem: "no column " + h}
		}
		m[Field(f)] = col
	}
	return m, nil
}

// MappingError is a mapping that cannot work.
type MappingError struct {
	Field   string
	Problem string
	Key     string // i18n key for the page
}

func (e *MappingError) Error() string { return "mapping " + e.Field + ": " + e.Problem }

// Check says whether the mapping can import anything: a key (employee
// number or email), a family name (or a full name), and no column used
// twice.
func (m Mapping) Check(columns int) error {
	_, num := m[FieldEmployeeNumber]
	_, mail := m[FieldEmail]
	if !num && !mail {
		return &MappingError{Field: string(FieldEmployeeNumber), Problem: "map the employee number or the email", Key: "hrimport.map.need_key"}
	}
	_, fam := m[FieldFamily]
	_, full := m[FieldFullName]
	if !fam && !full {
		return &MappingError{Field: string(FieldFamily), Problem: "map the family name or the full name", Key: "hrimport.map.need_name"}
	}
	seen := map[int]Field{}
	for _, f := range Fields {
		c, ok := m[f]
		if !ok {
			continue
		}
		if c < 0 || c >= columns {
			return &MappingError{Field: string(f), Problem: "no such column", Key: "hrimport.map.bad_column"}
		}
		if g, dup := seen[c]; dup {
			return &MappingError{Field: string(f), Problem: "column also mapped to " + string(g), Key: "hrimport.map.twice"}
		}
		seen[c] = f
	}
	return nil
}
