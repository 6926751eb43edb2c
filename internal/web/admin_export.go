package web

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/i18n"
	"github.com/tsunagu/tsunagu/internal/platform/tz"
	"github.com/tsunagu/tsunagu/internal/search"
)

// The members CSV export: every member matching the admin members page's
// filters, with internal fields, for Excel. One audit entry per export.

// filtersQuery is the inverse of filtersFromQuery for the filters (not the
// paging): the query string that selects the same members.
func filtersQuery(f member.Filters) url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	year := func(k string, n int) {
		if n != 0 {
			v.Set(k, strconv.Itoa(n))
		}
	}
	set("q", f.Query)
	set("industry", f.Industry)
	set("skill", f.Skill)
	set("location", f.Location)
	set("rehire", f.Rehire)
	year("left_from", f.LeftFrom)
	year("left_to", f.LeftTo)
	year("at_company", f.AtCompany)
	for _, k := range f.OpenTo {
		v.Add("open_to", k)
	}
	set("role", string(f.Role))
	year("stale", f.Stale)
	set("sort", f.Sort)
	return v
}

// membersCSVURL is the export link of the members page: the page's
// filters (Data["F"] or Data["Filters"], a member.Filters) without its paging.
func membersCSVURL(p *Page) string {
	u := p.OrgURL("/admin/members.csv")
	data, _ := p.Data.(map[string]any)
	var f member.Filters
	if x, ok := data["F"].(member.Filters); ok {
		f = x
	} else if x, ok := data["Filters"].(member.Filters); ok {
		f = x
	}
	if q := filtersQuery(f).Encode(); q != "" {
		u += "?" + q
	}
	return u
}

// csvSafe defuses spreadsheet formulas (OWASP "CSV injection"): a cell that
// starts with =, +, -, @, a tab or a carriage return is prefixed with ' so
// that Excel shows it as text instead of evaluating it.
// excelCSV writes the byte order mark without which Excel does not read a
// file as UTF-8, and returns a CSV writer with the CRLF line ends it expects.
func excelCSV(w io.Writer) *csv.Writer {
	_, _ = io.WriteString(w, "\uFEFF")
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return cw
}

// csvAttachment makes the response a CSV download named name, in ASCII and
// in UTF-8 for the browsers that read that.
func csvAttachment(h http.Header, name string) {
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, name, url.PathEscape(name)))
	h.Set("Cache-Control", "no-store")
}

func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// exportColumns are the catalog keys of the CSV header, in column order.
var exportColumns = []string{"export.col.family", "export.col.given", "export.col.family_kana", "export.col.given_kana",
	"export.col.family_romaji", "export.col.given_romaji", "export.col.email", "export.col.role", "export.col.joined_year",
	"export.col.left_year", "export.col.departments", "export.col.roles_held", "export.col.current_company",
	"export.col.industry", "export.col.current_role", "export.col.location", "export.col.skills", "export.col.interests",
	"export.col.open_to", "export.col.rehire_eligibility", "export.col.rehire_conditions", "export.col.notes",
	"export.col.employee_number", "export.col.confirmed_at"}

func (s *Server) adminMembersCSV(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	ctx := r.Context()
	lang := s.language(r, rc.member)
	f := filtersFromQuery(r)
	f.NoPaging, f.Page, f.PerPage = true, 0, 0
	res, err := s.members.Directory(ctx, rc.org.ID, member.Viewer{UserID: rc.member.UserID, Role: org.Admin}, f)
	if errors.Is(err, search.ErrQueryTooLong) {
		s.errorPage(w, r, http.StatusBadRequest, "export.query_too_long")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// Reading the internal fields records the export in the audit log before
	// a byte leaves: an export that cannot be recorded does not happen.
	internal, err := s.members.InternalAll(ctx, rc.org.ID, s.adminOf(r, rc), "admin.members_exported",
		map[string]string{"count": strconv.Itoa(len(res.Profiles)), "filters": filtersQuery(f).Encode()})
	if err != nil {
		s.serverError(w, r, err)
		return
	}

	var buf bytes.Buffer
	cw := excelCSV(&buf)
	header := make([]string, len(exportColumns))
	for i, k := range exportColumns {
		header[i] = i18n.T(lang, k)
	}
	_ = cw.Write(header)
	sep := ", "
	if lang == "ja" {
		sep = "、"
	}
	list := func(items []string) string { return strings.Join(items, sep) }
	year := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	for _, p := range res.Profiles {
		in := internal[p.UserID]
		var open []string
		for _, k := range member.OpenToKeys {
			if openTo(p.OpenTo, k) {
				open = append(open, label(lang, "open_to.", k))
			}
		}
		industry := label(lang, "industry.", p.Industry)
		eligibility := label(lang, "internal.eligibility_", in.RehireEligibility)
		confirmed := ""
		if !p.ConfirmedAt.IsZero() {
			confirmed = p.ConfirmedAt.In(tz.Japan).Format("2006-01-02")
		}
		row := []string{p.Name.Family, p.Name.Given, p.Name.FamilyKana, p.Name.GivenKana, p.Name.FamilyRomaji, p.Name.GivenRomaji,
			p.Email, i18n.T(lang, "role."+string(p.Role)), year(p.JoinedYear), year(p.LeftYear), list(p.Departments),
			list(p.RolesHeld), p.CurrentCompany, industry, p.CurrentRole, p.Location, list(p.Skills), list(p.Interests),
			strings.Join(open, sep), eligibility, in.RehireConditions, in.Notes, in.EmployeeNumber, confirmed}
		for i := range row {
			row[i] = csvSafe(row[i])
		}
		_ = cw.Write(row)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.serverError(w, r, err)
		return
	}

	name := "members-" + s.auth.Now().In(tz.Japan).Format("20060102") + ".csv"
	h := w.Header()
	csvAttachment(h, name)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = buf.WriteTo(w)
}

// label names a stored key in the language, or shows the key itself when
// the catalog has no label for it ("" stays "").
func label(lang, prefix, key string) string {
	if key == "" || !i18n.Has(lang, prefix+key) {
		return key
	}
	return i18n.T(lang, prefix+key)
}

func openTo(o member.OpenTo, key string) bool {
	switch key {
	case "rehire":
		return o.Rehire
	case "side_work":
		return o.SideWork
	case "referrals":
		return o.Referrals
	case "mentoring":
		return o.Mentoring
	case "speaking":
		return o.Speaking
	}
	return false
}
