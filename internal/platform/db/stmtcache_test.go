package db_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/dbtest"
)

func TestReadPoolReusesStatements(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	r := d.Read()
	caches := d.Dialect == db.SQLite // pgx caches statements itself
	count := func() int {
		var n int
		if err := r.QueryRowContext(ctx, `SELECT COUNT(*) FROM organizations WHERE slug LIKE $1`, "s%").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := r.CachedStatements()
	ins := `INSERT INTO organizations (slug, name_ja, name_en, created_at) VALUES ($1, $2, $3, $4)`
	for i := range 3 {
		if got := count(); got != i {
			t.Fatalf("count through the cached statement = %d, want %d (stale result?)", got, i)
		}
		if _, err := d.Write().ExecContext(ctx, ins, fmt.Sprintf("s%d", i), "エス", "S", db.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if want := before + map[bool]int{true: 1, false: 0}[caches]; r.CachedStatements() != want {
		t.Fatalf("cached statements = %d, want %d", r.CachedStatements(), want)
	}

	// The same statement used twice at once (rows of the first still open)
	// answers both correctly.
	q := `SELECT slug FROM organizations WHERE slug LIKE $1 ORDER BY slug`
	outer, err := r.QueryContext(ctx, q, "s%")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for outer.Next() {
		var s string
		if err := outer.Scan(&s); err != nil {
			t.Fatal(err)
		}
		inner, err := r.QueryContext(ctx, q, s)
		if err != nil {
			t.Fatal(err)
		}
		for inner.Next() {
			var x string
			if err := inner.Scan(&x); err != nil {
				t.Fatal(err)
			}
			got = append(got, s+"="+x)
		}
		inner.Close()
	}
	outer.Close()
	if fmt.Sprint(got) != "[s0=s0 s1=s1 s2=s2]" {
		t.Fatalf("nested use of one statement: %v", got)
	}

	// A query that does not prepare reports its error, and is not kept.
	n := r.CachedStatements()
	if _, err := r.QueryContext(ctx, `SELECT nope FROM organizations`); err == nil {
		t.Fatal("a query of a missing column succeeded")
	}
	if err := r.QueryRowContext(ctx, `SELEC 1`).Scan(new(int)); err == nil {
		t.Fatal("a syntax error succeeded")
	}
	if r.CachedStatements() != n {
		t.Fatalf("failed queries were cached: %d, was %d", r.CachedStatements(), n)
	}
}

func TestReadPoolStopsCachingWhenFull(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	if d.Dialect != db.SQLite {
		t.Skip("only the SQLite read pool caches statements")
	}
	r := d.Read()
	for i := 0; r.CachedStatements() < db.MaxCachedStatements; i++ {
		if err := r.QueryRowContext(ctx, fmt.Sprintf(`SELECT %d + $1`, i), 1).Scan(new(int)); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := r.QueryRowContext(ctx, `SELECT 41 + $1 AS past_the_bound`, 1).Scan(&n); err != nil || n != 42 {
		t.Fatalf("a query past the cache's bound: %d, %v", n, err)
	}
	if r.CachedStatements() != db.MaxCachedStatements {
		t.Fatalf("cache grew past its bound: %d", r.CachedStatements())
	}
}
