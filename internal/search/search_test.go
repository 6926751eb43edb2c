package search_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/search"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ﾀﾅｶ", "たなか"},        // half-width katakana -> full-width (NFKC) -> hiragana
		{"タナカ", "たなか"},        // katakana -> hiragana
		{"たなか", "たなか"},        // hiragana unchanged
		{"ＮＴＴ", "ntt"},        // full-width ASCII -> ASCII -> lower case
		{"ｿﾌﾄﾊﾞﾝｸ", "そふとばんく"}, // half-width voiced marks compose: ﾊﾞ -> バ -> ば
		{"ﾊﾟﾊﾟ", "ぱぱ"},
		{"TANAKA", "tanaka"},
		{"Tanaka Taro", "tanaka taro"},
		{"ｔａｎａｋａ", "tanaka"},
		{"田中　太郎", "田中 太郎"}, // ideographic space
		{"  田中 \t\n 太郎  ", "田中 太郎"},
		{"①", "1"},                  // NFKC
		{"Ⅻ", "xii"},                // NFKC, then lower case
		{"㈱メルカリ", "株 めるかり"},         // ㈱ is (株); the parentheses are punctuation
		{"㍿", "株式会社"},               // NFKC
		{"株式会社メルカリ", "株式会社めるかり"},    //
		{"サッカー", "さっかー"},            // long-vowel mark kept
		{"ｻｯｶｰ", "さっかー"},            // half-width long-vowel mark too
		{"ヴ", "ゔ"},                  //
		{"ヵヶ", "ゕゖ"},                // small ka and ke
		{"ヽヾ", "ゝゞ"},                // iteration marks
		{"ヷ", "わ\u3099"},            // no precomposed hiragana
		{"「田中」・佐藤、鈴木。", "田中 佐藤 鈴木"}, // Japanese punctuation
		{"〜田中～", "田中"},              // wave dash, full-width tilde
		{"Ｇｏ言語", "go言語"},
		{"ＡＢＣ１２３", "abc123"},
		{"C++ / C#", "c c"},            // symbols are separators
		{"e\u0301", "é"},               // NFKC composes
		{"ﬁle", "file"},                // ligature
		{"\xff田中\xfe", "田中"},           // invalid UTF-8 dropped
		{"\u200b田\u200d中\ufeff", "田中"}, // format characters dropped
		{"\x00田中\x1f太郎\x7f", "田中 太郎"},  // control characters separate
		{"😀田中🇯🇵", "田中"},                // emoji are symbols
		{"𠮷野家", "𠮷野家"},                 // outside the BMP
		{"\"田中\" OR 佐藤*", "田中 or 佐藤"},  // FTS syntax is punctuation or text
		{"NEAR(田中 佐藤, 3)", "near 田中 佐藤 3"},
		{"", ""},
		{"・「」", ""},
	}
	for _, tt := range tests {
		if got := search.Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := search.Normalize(search.Normalize(tt.in)); got != tt.want {
			t.Errorf("Normalize(Normalize(%q)) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseQuery(t *testing.T) {
	tests := []struct {
		in      string
		words   []string
		wantErr error
	}{
		{"田中", []string{"田中"}, nil},
		{"田中 太郎", []string{"太郎", "田中"}, nil},
		{"田中　太郎　田中", []string{"太郎", "田中"}, nil},
		{"田中 田中太郎", []string{"田中太郎"}, nil}, // 田中 is inside 田中太郎
		{"TANAKA tanaka Ｔａｎａｋａ", []string{"tanaka"}, nil},
		{"田中 OR 佐藤", []string{"or", "佐藤", "田中"}, nil},
		{"", nil, search.ErrEmptyQuery},
		{"   ", nil, search.ErrEmptyQuery},
		{"　", nil, search.ErrEmptyQuery},
		{"\"*()-^:", nil, search.ErrEmptyQuery},
		{"a b c d e f g h i j", []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}, nil},
		{"a b c d e f g h i j k", nil, search.ErrQueryTooLong},
		{strings.Repeat("田", 200), []string{strings.Repeat("田", 200)}, nil},
		{strings.Repeat("田", 201), nil, search.ErrQueryTooLong},
		{strings.Repeat(" ", 5000), nil, search.ErrQueryTooLong},
	}
	for _, tt := range tests {
		q, err := search.ParseQuery(tt.in)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("ParseQuery(%.20q) error = %v, want %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && !slices.Equal(q.Words(), tt.words) {
			t.Errorf("ParseQuery(%.20q) = %q, want %q", tt.in, q.Words(), tt.words)
		}
	}
	if !(search.Query{}).Empty() || !(search.Query{}).Matches("", "") {
		t.Error("the zero Query should be empty and match everything")
	}
}

func TestNameVariants(t *testing.T) {
	n := search.Name{Family: "田中", Given: "太郎", FamilyKana: "たなか", GivenKana: "たろう", FamilyRomaji: "Tanaka", GivenRomaji: "Taro"}
	want := []string{"田中 太郎", "田中太郎", "たなか たろう", "たなかたろう", "Tanaka Taro", "TanakaTaro", "Taro Tanaka"}
	if got := n.Variants(); !slices.Equal(got, want) {
		t.Errorf("Variants = %q, want %q", got, want)
	}
	if got := (search.Name{Family: "林"}).Variants(); !slices.Equal(got, []string{"林"}) {
		t.Errorf("Variants of a family name alone = %q", got)
	}
	name, body := search.Document{Name: want, Body: []string{"ＮＴＴ", "", "NTT", "Go"}}.Text()
	if name != "田中 太郎\n田中太郎\nたなか たろう\nたなかたろう\ntanaka taro\ntanakataro\ntaro tanaka" || body != "ntt\ngo" {
		t.Errorf("Text = %q, %q", name, body)
	}
}

// queryCase is one query of testdata/queries.json with its expected hits,
// written by hand as fixture ids.
type queryCase struct {
	Q     string `json:"q"`
	Org   string `json:"org"`
	Want  []int  `json:"want"`
	Names []int  `json:"names"` // the hits that match by name, when given
	Err   string `json:"err"`
	Note  string `json:"note"`
}

// TestSearchQuality runs every query of testdata/queries.json against the
// fixture profiles and checks the hits against the hand-written answer and
// against the rule itself (so that neither can drift), and their order:
// name matches first, then by id.
func TestSearchQuality(t *testing.T) {
	f := newFixture(t)
	var cases []queryCase
	readJSON(t, "testdata/queries.json", &cases)
	if len(cases) < 60 {
		t.Fatalf("only %d queries", len(cases))
	}
	ctx := context.Background()
	for _, c := range cases {
		t.Run(c.Q, func(t *testing.T) {
			q, err := search.ParseQuery(c.Q)
			switch c.Err {
			case "empty":
				if !errors.Is(err, search.ErrEmptyQuery) {
					t.Fatalf("error %v, want ErrEmptyQuery", err)
				}
				return
			case "too long":
				if !errors.Is(err, search.ErrQueryTooLong) {
					t.Fatalf("error %v, want ErrQueryTooLong", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			orgName := c.Org
			if orgName == "" {
				orgName = "a"
			}
			orgID := f.orgs[orgName]
			ids, total, err := f.ix.Search(ctx, orgID, q, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			got := f.fixtureIDs(ids)
			if total != len(ids) {
				t.Errorf("total %d, but %d ids", total, len(ids))
			}
			// (a) the hand-written answer.
			if !sameSet(got, c.Want) {
				t.Errorf("hits %v, want %v", got, c.Want)
			}
			// (b) the rule, applied directly to the fixture.
			named, others := oracle(f.docs, orgID, q.Words())
			if rule := f.fixtureIDs(append(named, others...)); !sameSet(rule, c.Want) {
				t.Errorf("the rule gives %v, but the expectation says %v", rule, c.Want)
			}
			if c.Names != nil && !sameSet(f.fixtureIDs(named), c.Names) {
				t.Errorf("the rule finds %v by name, the expectation says %v", f.fixtureIDs(named), c.Names)
			}
			// (c) name matches first, each group by id.
			if want := append(slices.Clone(named), others...); !slices.Equal(ids, want) {
				t.Errorf("order %v, want %v", got, f.fixtureIDs(want))
			}
			f.checkPages(t, orgID, q, ids)
			f.checkFilter(t, orgID, q, ids)
		})
	}
}

func (f *fixture) fixtureIDs(ids []int64) []int {
	out := []int{}
	for _, id := range ids {
		out = append(out, f.fixture[id])
	}
	return out
}

func sameSet(a, b []int) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// checkPages reads the hits page by page and compares with the whole list.
func (f *fixture) checkPages(t *testing.T, orgID int64, q search.Query, all []int64) {
	t.Helper()
	ctx := context.Background()
	for _, size := range []int{1, 3, 7} {
		var paged []int64
		for offset := 0; offset <= len(all); offset += size {
			ids, total, err := f.ix.Search(ctx, orgID, q, size, offset)
			if err != nil {
				t.Fatal(err)
			}
			if total != len(all) {
				t.Fatalf("page at %d of %d: total %d, want %d", offset, size, total, len(all))
			}
			paged = append(paged, ids...)
		}
		if !slices.Equal(paged, all) {
			t.Errorf("pages of %d give %v, want %v", size, f.fixtureIDs(paged), f.fixtureIDs(all))
		}
	}
}

// checkFilter embeds Filter in directory-like queries over users, with
// placeholders of the caller before and after its own, and compares with
// Search: a count from join and where alone, then the ranked list.
func (f *fixture) checkFilter(t *testing.T, orgID int64, q search.Query, want []int64) {
	t.Helper()
	ctx := context.Background()
	join, where, rank, args := f.ix.Filter(orgID, q, "u", 2)
	args = append([]any{orgID}, args...)
	args = append(args, int64(-1))
	after := fmt.Sprintf(" AND u.id <> $%d", len(args))
	from := ` FROM users u ` + join + ` WHERE u.org_id = $1 AND ` + where + after
	var n int
	if err := f.db.Read().QueryRowContext(ctx, `SELECT count(*)`+from, args...).Scan(&n); err != nil {
		t.Fatalf("count: %v", err)
	}
	if n != len(want) {
		t.Errorf("Filter counts %d, Search finds %d", n, len(want))
	}
	rows, err := f.db.Read().QueryContext(ctx, `SELECT u.id`+from+` ORDER BY `+rank+` DESC, u.id`, args...)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	defer rows.Close()
	var got []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		got = append(got, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Filter gives %v, Search %v", f.fixtureIDs(got), f.fixtureIDs(want))
	}
}

func mustParse(t testing.TB, raw string) search.Query {
	t.Helper()
	q, err := search.ParseQuery(raw)
	if err != nil {
		t.Fatalf("ParseQuery(%q): %v", raw, err)
	}
	return q
}

func (f *fixture) search(t testing.TB, orgID int64, raw string) []int64 {
	t.Helper()
	ids, _, err := f.ix.Search(context.Background(), orgID, mustParse(t, raw), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func (f *fixture) count(t testing.TB, table string) int {
	t.Helper()
	var n int
	if err := f.db.Read().QueryRowContext(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestIndexStaysCurrent changes, re-indexes and deletes a member.
func TestIndexStaysCurrent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.orgs["a"]
	id := f.user[1] // 田中 太郎
	rows := f.count(t, "member_search")
	if !slices.Contains(f.search(t, a, "田中太郎"), id) {
		t.Fatal("田中太郎 not found to begin with")
	}

	// Married and took the name 佐藤, in a transaction with the profile change.
	doc := f.docs[id]
	doc.Name = search.Name{Family: "佐藤", Given: "太郎", FamilyKana: "さとう", GivenKana: "たろう", FamilyRomaji: "Sato", GivenRomaji: "Taro"}.Variants()
	if err := f.db.Tx(ctx, func(tx db.Tx) error { return f.ix.Upsert(ctx, tx, doc) }); err != nil {
		t.Fatal(err)
	}
	for _, old := range []string{"田中太郎", "tanaka taro", "たなか"} {
		if slices.Contains(f.search(t, a, old), id) {
			t.Errorf("%s still finds the member after the change", old)
		}
	}
	for _, now := range []string{"佐藤太郎", "sato taro", "さとう たろう", "ＮＴＴデータ"} {
		if !slices.Contains(f.search(t, a, now), id) {
			t.Errorf("%s does not find the member after the change", now)
		}
	}

	// Indexing the same document again changes nothing and duplicates nothing.
	for range 2 {
		if err := f.ix.Upsert(ctx, f.db.Write(), doc); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.count(t, "member_search"); got != rows {
		t.Errorf("%d index rows after re-indexing, want %d", got, rows)
	}
	if ids := f.search(t, a, "佐藤太郎"); len(ids) != 2 { // and 佐藤 太郎 (61)
		t.Errorf("佐藤太郎 finds %v", f.fixtureIDs(ids))
	}

	// A rolled-back change leaves the index as it was.
	changed := doc
	changed.Body = []string{"ロールバック"}
	rollback := errors.New("rollback")
	if err := f.db.Tx(ctx, func(tx db.Tx) error {
		if err := f.ix.Upsert(ctx, tx, changed); err != nil {
			return err
		}
		return rollback
	}); !errors.Is(err, rollback) {
		t.Fatal(err)
	}
	if ids := f.search(t, a, "ロールバック"); len(ids) != 0 {
		t.Errorf("rolled-back change found: %v", ids)
	}
	if !slices.Contains(f.search(t, a, "ＮＴＴデータ"), id) {
		t.Error("rolled-back change lost the document")
	}

	// Delete removes the member, and deleting twice is harmless.
	for range 2 {
		if err := f.ix.Delete(ctx, f.db.Write(), a, id); err != nil {
			t.Fatal(err)
		}
	}
	if slices.Contains(f.search(t, a, "佐藤太郎"), id) || slices.Contains(f.search(t, a, "ＮＴＴデータ"), id) {
		t.Error("deleted member still found")
	}
	if got := f.count(t, "member_search"); got != rows-1 {
		t.Errorf("%d index rows after delete, want %d", got, rows-1)
	}

	// Deleting the user removes them from the index too.
	victim := f.user[4] // 中田 翔
	if _, err := f.db.Write().ExecContext(ctx, `DELETE FROM users WHERE id = $1`, victim); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(f.search(t, a, "中田"), victim) {
		t.Error("deleted user still found")
	}
	if got := f.count(t, "member_search"); got != rows-2 {
		t.Errorf("%d index rows after deleting a user, want %d", got, rows-2)
	}
	// And indexing them again fails: the index refers to users.
	if err := f.ix.Upsert(ctx, f.db.Write(), f.docs[victim]); err == nil {
		t.Error("indexed a user that does not exist")
	}
}

// TestOrganizationsAreSealed: a member of another organization is never
// returned, whatever the query, and a document cannot claim another
// organization's member.
func TestOrganizationsAreSealed(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, b := f.orgs["a"], f.orgs["b"]
	for _, raw := range []string{"田中太郎", "田中", "林", "go", "ＮＴＴデータ", "メルカリ", "kubernetes", "の", "a", "e"} {
		q := mustParse(t, raw)
		for orgID, other := range map[int64]int64{a: b, b: a} {
			ids, _, err := f.ix.Search(ctx, orgID, q, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range ids {
				if f.docs[id].OrgID != orgID {
					t.Errorf("%s in org %d returned member %d of org %d", raw, orgID, f.fixture[id], other)
				}
			}
			// Filter is sealed on its own, even if the caller forgets u.org_id.
			join, where, _, args := f.ix.Filter(orgID, q, "u", 1)
			var n int
			err = f.db.Read().QueryRowContext(ctx, `SELECT count(*) FROM users u `+join+` WHERE `+where+` AND u.org_id <> `+fmt.Sprint(orgID), args...).Scan(&n)
			if err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("Filter(%s) for org %d matches %d members of other organizations", raw, orgID, n)
			}
		}
	}
	// 田中 太郎 exists in both; each organization sees its own.
	if got := f.fixtureIDs(f.search(t, a, "田中太郎")); !slices.Equal(got, []int{1}) {
		t.Errorf("org a: %v", got)
	}
	if got := f.fixtureIDs(f.search(t, b, "田中太郎")); !slices.Equal(got, []int{75}) {
		t.Errorf("org b: %v", got)
	}
	// Org b's member indexed as org a's is refused.
	doc := f.docs[f.user[75]]
	doc.OrgID = a
	if err := f.ix.Upsert(ctx, f.db.Write(), doc); err == nil {
		t.Error("indexed org b's member under org a")
	}
	if got := f.fixtureIDs(f.search(t, a, "田中太郎")); !slices.Equal(got, []int{1}) {
		t.Errorf("org a after the refused upsert: %v", got)
	}
	if err := f.ix.Upsert(ctx, f.db.Write(), search.Document{OrgID: a}); !errors.Is(err, search.ErrInvalidDocument) {
		t.Errorf("document without a user: %v", err)
	}
}

func TestEmptyQueryListsEveryone(t *testing.T) {
	f := newFixture(t)
	ids, total, err := f.ix.Search(context.Background(), f.orgs["b"], search.Query{}, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if total != 6 || !slices.Equal(f.fixtureIDs(ids), []int{76, 77}) {
		t.Errorf("empty query: %v of %d", f.fixtureIDs(ids), total)
	}
	join, where, rank, args := f.ix.Filter(f.orgs["b"], search.Query{}, "u", 1)
	var n int
	if err := f.db.Read().QueryRowContext(context.Background(), `SELECT count(*) FROM users u `+join+` WHERE `+where+` AND `+rank+` = 0 GROUP BY `+rank+` ORDER BY `+rank+` DESC`, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 6 {
		t.Errorf("Filter with an empty query matches %d", n)
	}
}

func TestFilterRejectsBadAlias(t *testing.T) {
	f := newFixture(t)
	defer func() {
		if recover() == nil {
			t.Error("no panic for an alias that is not an identifier")
		}
	}()
	f.ix.Filter(1, mustParse(t, "田中"), "u; DROP TABLE users", 1)
}

func TestSearchPastTheEnd(t *testing.T) {
	f := newFixture(t)
	ids, total, err := f.ix.Search(context.Background(), f.orgs["a"], mustParse(t, "田中"), 20, 100)
	if err != nil || len(ids) != 0 || total != 7 {
		t.Errorf("past the end: %v, %d, %v", ids, total, err)
	}
}
