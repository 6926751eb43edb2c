package search

import (
	"slices"
	"strconv"
	"strings"
)

// The index stores character n-grams of every word: each character
// (unigram), each pair of adjacent characters (bigram) and each run of three
// (trigram). A query word of up to three characters is itself a term, so
// the index finds it exactly. A longer word is found through its trigrams:
// on PostgreSQL the rows that have them all are checked against the stored
// text (strpos), and on SQLite a phrase of consecutive trigram positions
// proves the word is there (see ftsTokens).
//
// Terms carry the organization's id, so that an index lookup sees only one
// organization's members.

// maxGram is the longest n-gram indexed.
const maxGram = 3

// words calls fn for every word of a normalised text (words are separated by
// spaces or newlines).
func words(text string, fn func(w []rune)) {
	for line := range strings.SplitSeq(text, lineSep) {
		for w := range strings.SplitSeq(line, " ") {
			if w != "" {
				fn([]rune(w))
			}
		}
	}
}

// pgTerms returns the distinct terms of the texts, for PostgreSQL's
// all_terms column: "<org>:<n-gram>". Normalised text has no ':'.
func pgTerms(orgID int64, texts ...string) []string {
	prefix := strconv.FormatInt(orgID, 10) + ":"
	seen := make(map[string]struct{})
	var out []string
	add := func(t string) {
		if _, ok := seen[t]; !ok {
			seen[t] = struct{}{}
			out = append(out, prefix+t)
		}
	}
	for _, text := range texts {
		words(text, func(w []rune) {
			for n := 1; n <= maxGram; n++ {
				for i := 0; i+n <= len(w); i++ {
					add(string(w[i : i+n]))
				}
			}
		})
	}
	slices.Sort(out)
	return out
}

// pgQueryTerms returns the terms a document must have to contain word: the
// word itself when it is at most maxGram characters long, else its n-grams
// of that length.
func pgQueryTerms(orgID int64, word string) []string {
	prefix := strconv.FormatInt(orgID, 10) + ":"
	w := []rune(word)
	n := min(len(w), maxGram)
	var out []string
	for i := 0; i+n <= len(w); i++ {
		t := prefix + string(w[i:i+n])
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// SQLite's FTS5 gets terms as ASCII tokens, so that no tokenizer rule
// (which characters are word characters, case folding, diacritics) can
// split, merge or fold them: "<org>x" followed by each character as four
// base-36 digits (36^4 > 0x10FFFF). The organization part has no 'x', so the
// first 'x' ends it.
const base36 = "0123456789abcdefghijklmnopqrstuvwxyz"

func appendRune36(b []byte, r rune) []byte {
	v := uint32(r)
	return append(b, base36[v/46656%36], base36[v/1296%36], base36[v/36%36], base36[v%36])
}

func ftsPrefix(orgID int64) []byte {
	return append(strconv.AppendInt(nil, orgID, 10), 'x')
}

// ftsTokens returns the token stream of one FTS5 column. For each word it
// emits its trigrams in order, then its bigrams, then its unigrams.
// Consecutive trigram positions thus spell the word, and the FTS5 phrase
// "abc bcd cde" (consecutive tokens) matches exactly where a word holds
// "abcde": the bigrams and unigrams after every word keep a phrase from
// running into the next word. A word of one or two characters is its
// unigram or bigram. So FTS5 alone answers "is the query word a substring",
// with no second check. Trigrams rather than bigrams make the phrase: in
// romaji and kana, bigrams such as "an" or "か" are in most profiles.
func ftsTokens(orgID int64, text string) string {
	prefix := ftsPrefix(orgID)
	var b []byte
	tok := func(rs []rune) {
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, prefix...)
		for _, r := range rs {
			b = appendRune36(b, r)
		}
	}
	words(text, func(w []rune) {
		for n := maxGram; n >= 1; n-- {
			for i := 0; i+n <= len(w); i++ {
				tok(w[i : i+n])
			}
		}
	})
	return string(b)
}

// ftsPhrase returns the FTS5 phrase that finds word: its unigram, bigram or
// trigrams in order (see ftsTokens), as one quoted string. The tokens are
// our own ASCII; quotes would be doubled all the same.
func ftsPhrase(orgID int64, word string) string {
	prefix := ftsPrefix(orgID)
	w := []rune(word)
	n := min(len(w), maxGram)
	var b []byte
	for i := 0; i+n <= len(w); i++ {
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, prefix...)
		for _, r := range w[i : i+n] {
			b = appendRune36(b, r)
		}
	}
	return `"` + strings.ReplaceAll(string(b), `"`, `""`) + `"`
}
