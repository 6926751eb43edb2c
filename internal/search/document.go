package search

import (
	"slices"
	"strings"
)

// Document is what the index knows about one member.
type Document struct {
	OrgID, UserID int64
	// Name holds the ways people write the member's name; Name.Variants
	// gives the usual set. Members found through these rank first.
	Name []string
	// Body holds the other searchable fields: company, industry, job title,
	// skills, prefecture, biography...
	Body []string
}

// lineSep separates variants and fields in the stored texts. Normalize turns
// every newline into a space, so no query word contains it and no match can
// run from one variant or field into the next.
const lineSep = "\n"

// Text returns the normalised name text and body text that the index stores
// and that queries must be substrings of: each non-empty variant or field
// normalised, duplicates dropped, joined by newlines.
func (d Document) Text() (name, body string) {
	return joinNormalized(d.Name), joinNormalized(d.Body)
}

func joinNormalized(parts []string) string {
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if n := Normalize(p); n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return strings.Join(out, lineSep)
}

// Name is a person's name in the three scripts Japanese HR keeps, as far as
// search is concerned (the order a member prefers in English does not
// change what finds them).
type Name struct {
	Family, Given             string // kanji (or as written)
	FamilyKana, GivenKana     string
	FamilyRomaji, GivenRomaji string
}

// Variants returns the forms people type a name in: written family-first
// with and without a space (田中 太郎, 田中太郎), the reading likewise
// (たなか たろう, たなかたろう), and romaji family-first with and without a
// space and given-first (tanaka taro, tanakataro, taro tanaka). Words in
// either order match anyway, since query words are AND-ed; the forms
// without a space are what let 田中太郎 or tanakataro be found. Each of them
// also makes the seam findable (中太 finds 田中太郎), which is why the
// given-first form has no joined twin: "tarotanaka" is rarely typed, and
// "miyukondo" would make yuko find Kondo Miyu.
func (n Name) Variants() []string {
	var out []string
	pair := func(a, b string) {
		a, b = strings.TrimSpace(a), strings.TrimSpace(b)
		switch {
		case a == "" && b == "":
		case a == "" || b == "":
			out = append(out, a+b)
		default:
			out = append(out, a+" "+b, a+b)
		}
	}
	pair(n.Family, n.Given)
	pair(n.FamilyKana, n.GivenKana)
	pair(n.FamilyRomaji, n.GivenRomaji)
	if g, f := strings.TrimSpace(n.GivenRomaji), strings.TrimSpace(n.FamilyRomaji); g != "" && f != "" {
		out = append(out, g+" "+f)
	}
	return out
}
