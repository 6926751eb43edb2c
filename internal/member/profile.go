// Package member is what members know about each other: profiles with a
// visibility per field, internal fields only admins see, freshness, and the
// directory. Visibility is applied here, on the server, so every page,
// export and API response gets the same answer.
package member

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tsunagu/tsunagu/internal/org"
)

// Visibility says who may see a field.
type Visibility string

const (
	OnlyAdmins Visibility = "admins"
	Members    Visibility = "members"
	Public     Visibility = "public" // also shown on the virtual ID card
)

// Visibilities lists the choices, narrowest first.
var Visibilities = []Visibility{OnlyAdmins, Members, Public}

// Valid reports whether v is a known level.
func (v Visibility) Valid() bool { return v == OnlyAdmins || v == Members || v == Public }

// Field groups that carry their own visibility.
const (
	FieldPhoto     = "photo"
	FieldYears     = "years"    // joined and left
	FieldCareer    = "career"   // departments and roles held at the company
	FieldWork      = "work"     // current company, industry, role
	FieldLocation  = "location" // prefecture or country
	FieldSkills    = "skills"
	FieldInterests = "interests"
	FieldBio       = "bio"
	FieldLinks     = "links"
	FieldOpenTo    = "open_to"
)

// Fields lists every field group in display order.
var Fields = []string{FieldPhoto, FieldYears, FieldCareer, FieldWork, FieldLocation, FieldSkills, FieldInterests, FieldBio, FieldLinks, FieldOpenTo}

// OpenTo says what a member is open to.
type OpenTo struct {
	Rehire, SideWork, Referrals, Mentoring, Speaking bool
}

// Any reports whether any flag is set.
func (o OpenTo) Any() bool { return o.Rehire || o.SideWork || o.Referrals || o.Mentoring || o.Speaking }

// Profile is everything a member tells the network about themselves.
type Profile struct {
	OrgID, UserID  int64
	Name           org.Name
	Email          string
	Role           org.Role
	PhotoKey       string
	JoinedYear     int
	LeftYear       int
	Departments    []string
	RolesHeld      []string
	CurrentCompany string
	Industry       string // key from Industries
	CurrentRole    string
	Location       string // prefecture or country
	Skills         []string
	Interests      []string
	Bio            string // Markdown; rendered with RenderBio
	Links          []string
	OpenTo         OpenTo
	Visibility     map[string]Visibility
	ConfirmedAt    time.Time // zero: never confirmed
	UpdatedAt      time.Time
	Joined         bool // has set a password (accepted the invitation)
}

// Viewer is who is looking at a profile.
type Viewer struct {
	UserID int64
	Role   org.Role // "" for an outside viewer (the public ID card)
}

// level is the widest audience a viewer belongs to.
func (v Viewer) sees(vis Visibility, ownerID int64) bool {
	switch {
	case v.UserID != 0 && v.UserID == ownerID:
		return true // your own profile, all of it
	case v.Role == org.Admin:
		return true
	case v.Role != "":
		return vis == Members || vis == Public
	default:
		return vis == Public
	}
}

// Visible reports whether viewer may see field of p.
func (p Profile) Visible(v Viewer, field string) bool {
	vis, ok := p.Visibility[field]
	if !ok {
		vis = Members
	}
	return v.sees(vis, p.UserID)
}

// For returns a copy of p with every field viewer may not see emptied, so
// that a template, an export or a JSON encoder cannot show it by mistake.
func (p Profile) For(v Viewer) Profile {
	out := p
	if !p.Visible(v, FieldPhoto) {
		out.PhotoKey = ""
	}
	if !p.Visible(v, FieldYears) {
		out.JoinedYear, out.LeftYear = 0, 0
	}
	if !p.Visible(v, FieldCareer) {
		out.Departments, out.RolesHeld = nil, nil
	}
	if !p.Visible(v, FieldWork) {
		out.CurrentCompany, out.Industry, out.CurrentRole = "", "", ""
	}
	if !p.Visible(v, FieldLocation) {
		out.Location = ""
	}
	if !p.Visible(v, FieldSkills) {
		out.Skills = nil
	}
	if !p.Visible(v, FieldInterests) {
		out.Interests = nil
	}
	if !p.Visible(v, FieldBio) {
		out.Bio = ""
	}
	if !p.Visible(v, FieldLinks) {
		out.Links = nil
	}
	if !p.Visible(v, FieldOpenTo) {
		out.OpenTo = OpenTo{}
	}
	if v.Role != org.Admin && v.UserID != p.UserID {
		// Members see each other's names and years, not email addresses.
		out.Email = ""
		out.Visibility = nil
	}
	return out
}

// Limits on what people type.
const (
	MaxShort     = 100 // a company, a role, a location, one list item
	MaxListItems = 30  // departments, skills, interests
	MaxLinks     = 10
	MaxBio       = 4000 // characters of Markdown
	MaxURL       = 500
)

// FieldError says which input is wrong and why, as a message key.
type FieldError struct {
	Field string // form field name
	Key   string // i18n key
	Args  []any
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Key) }

// ValidationErrors collects every problem of one form, so the person fixes
// them all at once.
type ValidationErrors []*FieldError

func (v ValidationErrors) Error() string {
	var b []string
	for _, e := range v {
		b = append(b, e.Error())
	}
	return "invalid profile: " + strings.Join(b, "; ")
}

// ErrInvalid is wrapped by every validation failure.
var ErrInvalid = errors.New("invalid profile")

func (v ValidationErrors) Unwrap() error { return ErrInvalid }

// SplitList turns a textarea (one item per line, or separated by 、 or
// commas) into clean items.
func SplitList(s string) []string {
	f := func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == '、' || r == '，' }
	var out []string
	seen := map[string]bool{}
	for _, item := range strings.FieldsFunc(s, f) {
		item = strings.TrimSpace(item)
		if item == "" || seen[item] {
			continue
		}
		seen[item] = true
		out = append(out, item)
	}
	return out
}

// Validate checks a profile as its owner submitted it.
func (p *Profile) Validate(thisYear int) error {
	var errs ValidationErrors
	add := func(field, key string, args ...any) {
		errs = append(errs, &FieldError{Field: field, Key: key, Args: args})
	}
	if strings.TrimSpace(p.Name.Family) == "" {
		add("family_name", "form.required")
	}
	for field, v := range map[string]string{"family_name": p.Name.Family, "given_name": p.Name.Given, "family_kana": p.Name.FamilyKana,
		"given_kana": p.Name.GivenKana, "family_romaji": p.Name.FamilyRomaji, "given_romaji": p.Name.GivenRomaji} {
		if utf8.RuneCountInString(v) > org.MaxNameLen {
			add(field, "form.too_long", "max", org.MaxNameLen)
		}
	}
	short := func(field, v string) {
		if utf8.RuneCountInString(v) > MaxShort {
			add(field, "form.too_long", "max", MaxShort)
		}
	}
	list := func(field string, items []string, maxItems int) {
		if len(items) > maxItems {
			add(field, "profile.too_many", "max", maxItems)
			return
		}
		for _, it := range items {
			if utf8.RuneCountInString(it) > MaxShort {
				add(field, "profile.item_too_long", "max", MaxShort)
				return
			}
		}
	}
	if p.JoinedYear != 0 && (p.JoinedYear < 1900 || p.JoinedYear > thisYear) {
		add("joined_year", "profile.year_range", "max", thisYear)
	}
	if p.LeftYear != 0 && (p.LeftYear < 1900 || p.LeftYear > thisYear+1) {
		add("left_year", "profile.year_range", "max", thisYear+1)
	}
	if p.JoinedYear != 0 && p.LeftYear != 0 && p.LeftYear < p.JoinedYear {
		add("left_year", "profile.left_before_joined")
	}
	short("current_company", p.CurrentCompany)
	short("current_role", p.CurrentRole)
	short("location", p.Location)
	if p.Industry != "" && !ValidIndustry(p.Industry) {
		add("industry", "form.choose")
	}
	list("departments", p.Departments, MaxListItems)
	list("roles_held", p.RolesHeld, MaxListItems)
	list("skills", p.Skills, MaxListItems)
	list("interests", p.Interests, MaxListItems)
	if utf8.RuneCountInString(p.Bio) > MaxBio {
		add("bio", "form.too_long", "max", MaxBio)
	}
	if len(p.Links) > MaxLinks {
		add("links", "profile.too_many", "max", MaxLinks)
	} else {
		for _, l := range p.Links {
			if !validLink(l) {
				add("links", "profile.bad_link", "link", l)
				break
			}
		}
	}
	for _, f := range Fields {
		if v, ok := p.Visibility[f]; ok && !v.Valid() {
			add("vis_"+f, "form.choose")
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// validLink accepts absolute http(s) URLs with a host: no javascript:, no
// relative paths, nothing that would turn into a different link when shown.
func validLink(s string) bool {
	if len(s) > MaxURL || strings.ContainsAny(s, " \t\"<>") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return false
	}
	return true
}
