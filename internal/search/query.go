package search

import (
	"errors"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits on a query. A person looking for a colleague types a few words.
const (
	MaxQueryWords = 10
	MaxQueryRunes = 200
	// maxRawBytes bounds the work done on input before it is normalised.
	maxRawBytes = 4 * 1024
)

var (
	// ErrEmptyQuery means the query has nothing to search for once
	// normalised (only spaces or punctuation): callers list everyone instead.
	ErrEmptyQuery = errors.New("search: empty query")
	// ErrQueryTooLong means more than MaxQueryWords words or MaxQueryRunes
	// characters.
	ErrQueryTooLong = errors.New("search: query too long")
)

// Query is a parsed search: normalised words that must all be found. The
// zero Query is empty and matches everything.
type Query struct {
	words []string
}

// ParseQuery normalises raw (see Normalize) and splits it into words that
// are AND-ed. Nothing in raw has a special meaning: quotes, *, -, (, ), ^
// and : are punctuation and vanish, and words such as AND, OR, NOT or NEAR
// are searched for as text.
func ParseQuery(raw string) (Query, error) {
	if len(raw) > maxRawBytes {
		return Query{}, ErrQueryTooLong
	}
	n := Normalize(raw)
	if n == "" {
		return Query{}, ErrEmptyQuery
	}
	if utf8.RuneCountInString(n) > MaxQueryRunes {
		return Query{}, ErrQueryTooLong
	}
	words := strings.Split(n, " ")
	// A word found inside another word adds nothing: wherever the longer one
	// is, so is the shorter. Longest first, so that each survivor is checked
	// against the longer survivors only.
	slices.SortStableFunc(words, func(a, b string) int { return len(b) - len(a) })
	kept := words[:0]
	for _, w := range words {
		redundant := false
		for _, k := range kept {
			if strings.Contains(k, w) {
				redundant = true
				break
			}
		}
		if !redundant {
			kept = append(kept, w)
		}
	}
	if len(kept) > MaxQueryWords {
		return Query{}, ErrQueryTooLong
	}
	slices.Sort(kept)
	return Query{words: slices.Clip(kept)}, nil
}

// Words returns the normalised words, all of which must match.
func (q Query) Words() []string { return slices.Clone(q.words) }

// Empty reports whether q has no words.
func (q Query) Empty() bool { return len(q.words) == 0 }

// String returns the normalised words separated by spaces.
func (q Query) String() string { return strings.Join(q.words, " ") }

// Matches is the rule the index implements: every word is a substring of the
// normalised name text or of the normalised body text (see Document.Text).
func (q Query) Matches(nameText, bodyText string) bool {
	for _, w := range q.words {
		if !strings.Contains(nameText, w) && !strings.Contains(bodyText, w) {
			return false
		}
	}
	return true
}

// MatchesName reports whether every word is in the name text; such members
// rank before those found only through the rest of their profile.
func (q Query) MatchesName(nameText string) bool {
	for _, w := range q.words {
		if !strings.Contains(nameText, w) {
			return false
		}
	}
	return true
}
