// Package form carries what is wrong with a submitted form from the
// capability that checked it to the page that shows it: each problem names
// its field and a catalog key (with arguments), so that the page says it in
// the reader's language next to the field. A capability returns every
// problem of a form at once, so that the person fixes them all in one go,
// and writes nothing when there is any.
package form

import (
	"strings"
	"unicode"
)

// Problem is one thing wrong with one field.
type Problem struct {
	Field string // the form field's name
	Key   string // the catalog key that says what is wrong and what to do
	Args  []any  // the key's placeholders, as name, value pairs
}

// Problems are everything wrong with one form. As an error, it is what a
// capability returns when it refuses a form.
type Problems []Problem

func (p Problems) Error() string {
	parts := make([]string, len(p))
	for i, e := range p {
		parts[i] = e.Field + ": " + e.Key
	}
	return "invalid form: " + strings.Join(parts, "; ")
}

// Add notes a problem with field.
func (p *Problems) Add(field, key string, args ...any) {
	*p = append(*p, Problem{Field: field, Key: key, Args: args})
}

// Has says whether field has a problem.
func (p Problems) Has(field string) bool {
	for _, e := range p {
		if e.Field == field {
			return true
		}
	}
	return false
}

// Text is what a person typed, as it is kept: valid UTF-8, line ends as \n,
// no control characters but line breaks and tabs (a stray NUL or escape
// from a paste would otherwise be stored and shown), and no surrounding
// space.
func Text(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\n' || r == '\t' || !unicode.IsControl(r):
			return r
		}
		return -1
	}, s)
	return strings.TrimSpace(s)
}
