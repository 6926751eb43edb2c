package search_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tsunagu/tsunagu/internal/search"
)

// fuzzSeeds are odd inputs: FTS5 and SQL syntax, and Unicode that
// normalisation has to think about.
var fuzzSeeds = []string{
	"田中", "田中 太郎", "ﾀﾅｶ", "ＮＴＴデータ", "tanaka",
	`"`, `""`, `"田中" OR "佐藤"`, `田中*`, `*`, `NEAR(田中 佐藤, 3)`, `name:田中`, `{name body}: 田中`,
	`^田中`, `-田中`, `田中 NOT 佐藤`, `a AND b OR NOT c`, `(田中`, `田中)`, `'; DROP TABLE users; --`,
	`$1`, `?`, `%`, `_`, `\`, `\"`, "\x00", "\xff\xfe\xfd", "田\x80中", "e\u0301", "\u0301", "ｶﾞ", "ﾞ", "゛",
	"ヷ", "ヴ", "İ", "ß", "ẞ", "ﬁ", "㍿", "㈱", "①②", "½", "\u200b田\u200d中\ufeff", "🇯🇵", "👨‍👩‍👧",
	"𠮷野家", "\U0010FFFF", "\uFFFD", "\uE000", "ᄀ\u1161", "ꭰ", "Ꭰ", "ǅ", "ΐ", "\u0345", "ﷺ", "Å", "Ω",
	strings.Repeat("あ", 201), strings.Repeat("a ", 11), strings.Repeat("田中", 50),
}

func FuzzNormalize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := search.Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q: invalid UTF-8", s, n)
		}
		if again := search.Normalize(n); again != n {
			t.Fatalf("Normalize(%q) = %q, but Normalize of that = %q", s, n, again)
		}
		if strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") || strings.Contains(n, "  ") {
			t.Fatalf("Normalize(%q) = %q: stray spaces", s, n)
		}
		for _, r := range n {
			if r != ' ' && (r < 0x20 || r == 0x7f || 'A' <= r && r <= 'Z' || 0x30A1 <= r && r <= 0x30FA) {
				t.Fatalf("Normalize(%q) = %q: contains %U", s, n, r)
			}
		}
	})
}

// FuzzParseQuery parses any input, indexes it as a member's name and body,
// and checks that Search and Filter answer every accepted query exactly as
// the rule does over the fixture, and that the new member is found by each
// word of its own text.
func FuzzParseQuery(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	fx := newFixture(f)
	ctx := context.Background()
	a := fx.orgs["a"]
	id := createUser(f, fx.db, a)
	fx.fixture[id] = 999
	f.Fuzz(func(t *testing.T, raw string) {
		doc := search.Document{OrgID: a, UserID: id, Name: []string{raw}, Body: []string{"プロフィール " + raw}}
		if err := fx.ix.Upsert(ctx, fx.db.Write(), doc); err != nil {
			t.Fatalf("Upsert(%q): %v", raw, err)
		}
		docs := maps.Clone(fx.docs)
		docs[id] = doc

		check := func(raw string) {
			q, err := search.ParseQuery(raw)
			if errors.Is(err, search.ErrEmptyQuery) || errors.Is(err, search.ErrQueryTooLong) {
				return
			}
			if err != nil {
				t.Fatalf("ParseQuery(%q): unexpected error %v", raw, err)
			}
			for _, w := range q.Words() {
				if w == "" || strings.ContainsAny(w, " \n") {
					t.Fatalf("ParseQuery(%q): word %q", raw, w)
				}
			}
			ids, total, err := fx.ix.Search(ctx, a, q, 0, 0)
			if err != nil {
				t.Fatalf("Search(%q): %v", raw, err)
			}
			named, others := oracle(docs, a, q.Words())
			want := append(named, others...)
			if total != len(want) || !slices.Equal(ids, want) {
				t.Fatalf("Search(%q) (words %q) = %v, the rule says %v", raw, q.Words(), fx.fixtureIDs(ids), fx.fixtureIDs(want))
			}
			fx.checkFilter(t, a, q, want)
		}
		check(raw)
		// Every word of the member's own text, and a piece of it, finds them.
		for i, w := range strings.Fields(search.Normalize(raw)) {
			if i == 3 {
				break
			}
			check(w)
			if rs := []rune(w); len(rs) > 2 {
				check(string(rs[1 : len(rs)-1]))
			}
			q, err := search.ParseQuery(w)
			if err != nil {
				continue // too long
			}
			if ids, _, _ := fx.ix.Search(ctx, a, q, 0, 0); !slices.Contains(ids, id) {
				t.Fatalf("%q (from %q) does not find its own member", w, raw)
			}
		}
	})
}
