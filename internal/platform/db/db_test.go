package db_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/dbtest"
)

func TestParseURL(t *testing.T) {
	good := []struct {
		in   string
		want db.Dialect
	}{
		{"/var/lib/tsunagu/tsunagu.db", db.SQLite},
		{"sqlite:///tmp/x.db", db.SQLite},
		{"file:/tmp/x.db", db.SQLite},
		{"postgres://u:p@localhost:5432/tsunagu", db.Postgres},
		{"postgresql://u@db.internal/tsunagu?sslmode=require", db.Postgres},
	}
	for _, c := range good {
		got, _, err := db.ParseURL(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseURL(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	bad := []struct{ in, mention string }{
		{"", "empty"},
		{"   ", "empty"},
		{"mysql://u@h/db", `"mysql" is not supported`},
		{"postgres://", "no host"},
		{"postgres://localhost:99999/db", "invalid port"},
		{"postgres://localhost:abc/db", "not a valid"},
		{"postgres://localhost:5432/", "names no database"},
		{"sqlite://", "names no file"},
	}
	for _, c := range bad {
		_, _, err := db.ParseURL(c.in)
		if err == nil || !strings.Contains(err.Error(), c.mention) {
			t.Errorf("ParseURL(%q) error = %v; want mention of %q", c.in, err, c.mention)
		}
	}
}

func TestOpenUnreachablePostgresFailsClearly(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// Port 1 on loopback: nothing listens there.
	_, err := db.Open(ctx, "postgres://u:secret@127.0.0.1:1/tsunagu?connect_timeout=2", db.Options{})
	if err == nil {
		t.Fatal("Open succeeded against a closed port")
	}
	if !strings.Contains(err.Error(), "not reachable") || strings.Contains(err.Error(), "secret") {
		t.Fatalf("error should say unreachable and hide the password: %v", err)
	}
}

func TestMigrateTwiceAndTxRollback(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	if err := d.Migrate(ctx); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	now := db.Now()
	wantErr := "boom"
	err := d.Tx(ctx, func(tx db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO organizations (slug, name_ja, name_en, created_at) VALUES ($1, $2, $3, $4)`, "x", "エックス", "X", now); err != nil {
			return err
		}
		return errString(wantErr)
	})
	if err == nil || err.Error() != wantErr {
		t.Fatalf("Tx error = %v", err)
	}
	var n int
	if err := d.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM organizations`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("rolled back insert is visible: n=%d err=%v", n, err)
	}
	// Unique violations are recognised on both dialects.
	ins := `INSERT INTO organizations (slug, name_ja, name_en, created_at) VALUES ($1, $2, $3, $4)`
	if _, err := d.Write().ExecContext(ctx, ins, "a", "A", "A", now); err != nil {
		t.Fatal(err)
	}
	_, err = d.Write().ExecContext(ctx, ins, "a", "A", "A", now)
	if !db.IsUniqueViolation(err) {
		t.Fatalf("IsUniqueViolation(%v) = false", err)
	}
	var got time.Time
	if err := d.Read().QueryRowContext(ctx, `SELECT created_at FROM organizations WHERE slug = $1`, "a").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if !got.Equal(now) {
		t.Fatalf("time round trip: got %v want %v", got, now)
	}
}

type errString string

func (e errString) Error() string { return string(e) }
