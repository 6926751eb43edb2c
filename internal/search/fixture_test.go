package search_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/dbtest"
	"github.com/tsunagu/tsunagu/internal/search"
)

// profile is one person of testdata/profiles.json.
type profile struct {
	ID         int       `json:"id"`
	Org        string    `json:"org"`
	Name       [6]string `json:"name"` // family, given, their kana, their romaji
	Company    string    `json:"company"`
	Industry   string    `json:"industry"`
	Title      string    `json:"title"`
	Skills     []string  `json:"skills"`
	Prefecture string    `json:"prefecture"`
	Bio        string    `json:"bio"`
}

func (p profile) document(orgID, userID int64) search.Document {
	n := search.Name{Family: p.Name[0], Given: p.Name[1], FamilyKana: p.Name[2], GivenKana: p.Name[3],
		FamilyRomaji: p.Name[4], GivenRomaji: p.Name[5]}
	body := append([]string{p.Company, p.Industry, p.Title}, p.Skills...)
	body = append(body, p.Prefecture, p.Bio)
	return search.Document{OrgID: orgID, UserID: userID, Name: n.Variants(), Body: body}
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// fixture is a database with the profiles of testdata/profiles.json indexed.
type fixture struct {
	db       *db.DB
	ix       *search.Index
	orgs     map[string]int64 // "a", "b" -> organization id
	user     map[int]int64    // fixture id -> user id
	fixture  map[int64]int    // user id -> fixture id
	docs     map[int64]search.Document
	profiles []profile
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	var profiles []profile
	readJSON(t, "testdata/profiles.json", &profiles)
	f := &fixture{db: dbtest.New(t), orgs: map[string]int64{}, user: map[int]int64{}, fixture: map[int64]int{},
		docs: map[int64]search.Document{}, profiles: profiles}
	f.ix = search.NewIndex(f.db)
	ctx := context.Background()
	for _, p := range profiles {
		if _, ok := f.orgs[p.Org]; !ok {
			f.orgs[p.Org] = createOrg(t, f.db, "org-"+p.Org)
		}
		id := createUser(t, f.db, f.orgs[p.Org])
		f.user[p.ID], f.fixture[id] = id, p.ID
		doc := p.document(f.orgs[p.Org], id)
		f.docs[id] = doc
		if err := f.ix.Upsert(ctx, f.db.Write(), doc); err != nil {
			t.Fatalf("index profile %d: %v", p.ID, err)
		}
	}
	return f
}

func createOrg(t testing.TB, d *db.DB, slug string) int64 {
	t.Helper()
	var id int64
	err := d.Write().QueryRowContext(context.Background(), `INSERT INTO organizations (slug, name_ja, name_en, created_at)
		VALUES ($1, $1, $1, $2) RETURNING id`, slug, db.Now()).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

var userSeq int

func createUser(t testing.TB, d *db.DB, orgID int64) int64 {
	t.Helper()
	userSeq++
	email := "user" + strconv.Itoa(userSeq) + "@example.jp"
	var id int64
	err := d.Write().QueryRowContext(context.Background(), `INSERT INTO users (org_id, email, email_lower, created_at, updated_at)
		VALUES ($1, $2, $2, $3, $3) RETURNING id`, orgID, email, db.Now()).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// oracle lists, in the order Search must give, the members of orgID whose
// documents contain every word of q: name matches first, then by id. It
// knows only the rule, not the index.
func oracle(docs map[int64]search.Document, orgID int64, words []string) (named, others []int64) {
	for id, d := range docs {
		if d.OrgID != orgID {
			continue
		}
		name, body := d.Text()
		all, inName := true, true
		for _, w := range words {
			n := strings.Contains(name, w)
			all = all && (n || strings.Contains(body, w))
			inName = inName && n
		}
		switch {
		case all && inName:
			named = append(named, id)
		case all:
			others = append(others, id)
		}
	}
	slices.Sort(named)
	slices.Sort(others)
	return named, others
}
