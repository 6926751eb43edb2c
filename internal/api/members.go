package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/search"
)

// Paging limits of GET /members.
const (
	defaultPerPage = 30
	maxPerPage     = 100
	maxPage        = 100000
)

// Name is a member's name in every script.
type Name struct {
	Family       string `json:"family"`
	Given        string `json:"given,omitempty"`
	FamilyKana   string `json:"family_kana,omitempty"`
	GivenKana    string `json:"given_kana,omitempty"`
	FamilyRomaji string `json:"family_romaji,omitempty"`
	GivenRomaji  string `json:"given_romaji,omitempty"`
}

// Member is one member as the API shows them: what a member of the network
// may see, fields left out when empty or hidden.
type Member struct {
	ID             int64           `json:"id"`
	Name           Name            `json:"name"`
	Role           string          `json:"role"`
	JoinedYear     int             `json:"joined_year,omitempty"`
	LeftYear       int             `json:"left_year,omitempty"`
	Departments    []string        `json:"departments,omitempty"`
	RolesHeld      []string        `json:"roles_held,omitempty"`
	CurrentCompany string          `json:"current_company,omitempty"`
	Industry       string          `json:"industry,omitempty"`
	CurrentRole    string          `json:"current_role,omitempty"`
	Location       string          `json:"location,omitempty"`
	Skills         []string        `json:"skills,omitempty"`
	Interests      []string        `json:"interests,omitempty"`
	Links          []string        `json:"links,omitempty"`
	OpenTo         map[string]bool `json:"open_to,omitempty"`
	BioMarkdown    string          `json:"bio_markdown,omitempty"`
}

// MemberList is the body of GET /members.
type MemberList struct {
	Total   int      `json:"total"`
	Page    int      `json:"page"`
	Pages   int      `json:"pages"`
	Members []Member `json:"members"`
}

// memberViewer is who an API token is: a member of the network, never an
// admin, and nobody in particular (so no profile counts as "your own").
var memberViewer = member.Viewer{Role: org.Alumni}

// memberJSON converts a profile already reduced by Profile.For. It copies
// field by field, so that a field added to Profile (internal or not) never
// reaches the API without being added here and to openapi.yaml.
func memberJSON(p member.Profile) Member {
	m := Member{ID: p.UserID, Role: string(p.Role),
		Name: Name{Family: p.Name.Family, Given: p.Name.Given, FamilyKana: p.Name.FamilyKana, GivenKana: p.Name.GivenKana,
			FamilyRomaji: p.Name.FamilyRomaji, GivenRomaji: p.Name.GivenRomaji},
		JoinedYear: p.JoinedYear, LeftYear: p.LeftYear, Departments: p.Departments, RolesHeld: p.RolesHeld,
		CurrentCompany: p.CurrentCompany, Industry: p.Industry, CurrentRole: p.CurrentRole, Location: p.Location,
		Skills: p.Skills, Interests: p.Interests, Links: p.Links, BioMarkdown: p.Bio}
	flags := map[string]bool{"rehire": p.OpenTo.Rehire, "side_work": p.OpenTo.SideWork, "referrals": p.OpenTo.Referrals,
		"mentoring": p.OpenTo.Mentoring, "speaking": p.OpenTo.Speaking}
	for _, k := range member.OpenToKeys {
		if flags[k] {
			if m.OpenTo == nil {
				m.OpenTo = map[string]bool{}
			}
			m.OpenTo[k] = true
		}
	}
	return m
}

// params reads query parameters and remembers which names were read, so
// that a test can check every one of them is documented.
type params struct {
	v    url.Values
	read map[string]bool
}

func newParams(v url.Values) *params { return &params{v: v, read: map[string]bool{}} }

func (p *params) get(name string) string {
	p.read[name] = true
	return strings.TrimSpace(p.v.Get(name))
}

func (p *params) all(name string) []string {
	p.read[name] = true
	return p.v[name]
}

// badParam is a 400 naming the parameter.
func badParam(name, format string, args ...any) *apiError {
	return &apiError{Code: codeBadRequest, Parameter: name, Message: fmt.Sprintf("Parameter %s: ", name) + fmt.Sprintf(format, args...)}
}

// memberFilters turns the query of GET /members into directory filters. It
// reads every parameter whatever the others hold; unknown parameters are
// ignored.
func memberFilters(p *params) (member.Filters, *apiError) {
	var f member.Filters
	var problems []*apiError
	bad := func(e *apiError) { problems = append(problems, e) }
	intParam := func(name string, lo, hi, def int) int {
		s := p.get(name)
		if s == "" {
			return def
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			bad(badParam(name, "%q is not a whole number.", s))
			return def
		}
		if n < lo || n > hi {
			bad(badParam(name, "must be between %d and %d.", lo, hi))
			return def
		}
		return n
	}
	text := func(name string) string {
		s := p.get(name)
		if utf8.RuneCountInString(s) > member.MaxShort {
			bad(badParam(name, "must be at most %d characters.", member.MaxShort))
			return ""
		}
		return s
	}

	f.Query = p.get("q")
	if _, err := search.ParseQuery(f.Query); errors.Is(err, search.ErrEmptyQuery) {
		f.Query = "" // nothing to search for: no text filter
	} else if errors.Is(err, search.ErrQueryTooLong) {
		bad(badParam("q", "too long: at most %d words and %d characters.", search.MaxQueryWords, search.MaxQueryRunes))
		f.Query = ""
	}
	if f.Industry = p.get("industry"); f.Industry != "" && !member.ValidIndustry(f.Industry) {
		bad(badParam("industry", "unknown industry %q; use one of %s.", f.Industry, strings.Join(member.Industries, ", ")))
	}
	f.Skill = text("skill")
	f.Location = text("location")
	f.LeftFrom = intParam("left_from", 1900, 9999, 0)
	f.LeftTo = intParam("left_to", 1900, 9999, 0)
	if f.LeftFrom != 0 && f.LeftTo != 0 && f.LeftFrom > f.LeftTo {
		bad(badParam("left_from", "must not be after left_to."))
	}
	for _, v := range p.all("open_to") {
		v = strings.TrimSpace(v)
		if !slices.Contains(member.OpenToKeys, v) {
			bad(badParam("open_to", "unknown value %q; use %s.", v, strings.Join(member.OpenToKeys, ", ")))
			continue
		}
		if !slices.Contains(f.OpenTo, v) {
			f.OpenTo = append(f.OpenTo, v)
		}
	}
	if role := p.get("role"); role != "" {
		if f.Role = org.Role(role); !f.Role.Valid() {
			roles := make([]string, len(org.Roles))
			for i, r := range org.Roles {
				roles[i] = string(r)
			}
			bad(badParam("role", "unknown role %q; use one of %s.", role, strings.Join(roles, ", ")))
		}
	}
	if f.Sort = p.get("sort"); f.Sort != "" && !slices.Contains(member.Sorts, f.Sort) {
		bad(badParam("sort", "unknown sort %q; use one of %s.", f.Sort, strings.Join(member.Sorts, ", ")))
	}
	f.Page = intParam("page", 1, maxPage, 1)
	f.PerPage = intParam("per_page", 1, maxPerPage, defaultPerPage)
	if len(problems) > 0 {
		return f, problems[0]
	}
	return f, nil
}

func (a *api) listMembers(w http.ResponseWriter, r *http.Request) {
	f, perr := memberFilters(newParams(r.URL.Query()))
	if perr != nil {
		a.fail(w, r, http.StatusBadRequest, *perr)
		return
	}
	res, err := a.members.Directory(r.Context(), orgFrom(r.Context()), memberViewer, f)
	switch {
	case errors.Is(err, search.ErrQueryTooLong):
		a.fail(w, r, http.StatusBadRequest, *badParam("q", "too long: at most %d words and %d characters.", search.MaxQueryWords, search.MaxQueryRunes))
		return
	case err != nil:
		a.internalError(w, r, err)
		return
	}
	out := MemberList{Total: res.Total, Page: res.Page, Pages: res.Pages, Members: make([]Member, 0, len(res.Profiles))}
	for _, p := range res.Profiles {
		// Directory has reduced each profile for the viewer; reducing again
		// costs nothing and keeps this handler safe on its own.
		out.Members = append(out.Members, memberJSON(p.For(memberViewer)))
	}
	a.writeJSON(w, r, http.StatusOK, out)
}
