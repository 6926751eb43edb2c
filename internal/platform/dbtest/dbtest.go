// Package dbtest gives each test a throwaway database: a fresh SQLite file by
// default, or a fresh PostgreSQL database when TSUNAGU_TEST_DATABASE holds a
// postgres:// URL of a server the tests may create databases on. The same
// tests thus run against both dialects.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// EnvVar names the environment variable that selects the test database.
const EnvVar = "TSUNAGU_TEST_DATABASE"

// Dialect is the dialect the suite runs against in this process.
func Dialect() db.Dialect {
	if strings.HasPrefix(os.Getenv(EnvVar), "postgres") {
		return db.Postgres
	}
	return db.SQLite
}

// URL returns a database URL for a new, empty, migrated database that is
// dropped when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	server := os.Getenv(EnvVar)
	if !strings.HasPrefix(server, "postgres") {
		return filepath.Join(t.TempDir(), "tsunagu.db")
	}
	return postgresURL(t, server)
}

// New opens a fresh migrated database for one test.
func New(t testing.TB) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, URL(t), db.Options{})
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(ctx); err != nil {
		t.Fatalf("migrate test database: %v", err)
	}
	return d
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// postgresURL creates a database cloned from a migrated template, so that a
// test pays for CREATE DATABASE, not for every migration.
func postgresURL(t testing.TB, server string) string {
	t.Helper()
	ctx := context.Background()
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatalf("%s: %v", EnvVar, err)
	}
	defer admin.Close()
	tmpl := ensureTemplate(t, admin, server)
	name := randomName("tsunagu_test_")
	if _, err := admin.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, tmpl)); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", server)
		if err != nil {
			return
		}
		defer a.Close()
		if _, err := a.Exec(fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	return withDatabase(t, server, name)
}

func withDatabase(t testing.TB, server, name string) string {
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("%s: %v", EnvVar, err)
	}
	u.Path = "/" + name
	return u.String()
}

// ensureTemplate builds the template database once per set of migrations.
// Test binaries of several packages run at once, so an advisory lock
// serialises the building.
func ensureTemplate(t testing.TB, admin *sql.DB, server string) string {
	t.Helper()
	ctx := context.Background()
	name := "tsunagu_template_" + db.MigrationsFingerprint()[:16]
	conn, err := admin.Conn(ctx)
	if err != nil {
		t.Fatalf("connect to %s: %v", EnvVar, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(727272)`); err != nil {
		t.Fatalf("lock: %v", err)
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock(727272)`)
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		t.Fatalf("look up template: %v", err)
	}
	if exists {
		return name
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s`, name)); err != nil {
		t.Fatalf("create template: %v", err)
	}
	d, err := db.Open(ctx, withDatabase(t, server, name), db.Options{MaxReadConns: 1})
	if err != nil {
		t.Fatalf("open template: %v", err)
	}
	err = d.Migrate(ctx)
	d.Close()
	if err != nil {
		_, _ = conn.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE %s`, name))
		t.Fatalf("migrate template: %v", err)
	}
	return name
}
