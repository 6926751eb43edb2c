// Package db opens Tsunagu's database: an embedded SQLite file by default, or
// PostgreSQL when the URL says postgres://. Both speak the same SQL with $N
// placeholders; where the dialects differ, callers ask DB.Dialect.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names the SQL dialect behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB holds a read pool and a write pool. On SQLite the write pool has a single
// connection, so writers queue in Go instead of failing with SQLITE_BUSY; on
// PostgreSQL both point at the same pool.
type DB struct {
	Dialect Dialect
	read    *Pool
	write   *sql.DB
	// Redacted is the URL with any password removed, for logs.
	Redacted string
}

// Options tune Open. The zero value is sensible.
type Options struct {
	// MaxReadConns caps the read pool (default: 2 x GOMAXPROCS, at least 4).
	MaxReadConns int
}

// Open connects to the database named by rawURL. An empty URL or a plain path
// means SQLite; "sqlite://" or "file:" prefixes are accepted too.
func Open(ctx context.Context, rawURL string, opts Options) (*DB, error) {
	kind, target, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	var d *DB
	switch kind {
	case SQLite:
		d, err = openSQLite(target, opts)
	case Postgres:
		d, err = openPostgres(target, opts)
	}
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.write.PingContext(pingCtx); err != nil {
		d.Close()
		return nil, fmt.Errorf("database %s is not reachable: %w", d.Redacted, err)
	}
	return d, nil
}

// ParseURL tells which dialect a database URL selects and returns the target
// (a file path for SQLite, the URL itself for PostgreSQL). It rejects
// malformed URLs with a message a person can act on.
func ParseURL(raw string) (Dialect, string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", "", errors.New("database URL is empty: use a file path for SQLite or postgres://user:pass@host:5432/dbname")
	}
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		u, err := url.Parse(raw)
		if err != nil {
			return "", "", fmt.Errorf("database URL is not a valid postgres:// URL: %w", err)
		}
		if u.Host == "" || u.Hostname() == "" {
			return "", "", errors.New("database URL has no host: expected postgres://user:pass@host:5432/dbname")
		}
		if p := u.Port(); p != "" {
			var n int
			if _, err := fmt.Sscanf(p, "%d", &n); err != nil || n < 1 || n > 65535 {
				return "", "", fmt.Errorf("database URL has an invalid port %q", p)
			}
		}
		if strings.Trim(u.Path, "/") == "" {
			return "", "", errors.New("database URL names no database: expected postgres://user:pass@host:5432/dbname")
		}
		return Postgres, raw, nil
	case strings.HasPrefix(raw, "sqlite://"):
		p := strings.TrimPrefix(raw, "sqlite://")
		if p == "" {
			return "", "", errors.New("database URL sqlite:// names no file")
		}
		return SQLite, p, nil
	case strings.HasPrefix(raw, "file:"):
		return SQLite, strings.TrimPrefix(raw, "file:"), nil
	case strings.Contains(raw, "://"):
		scheme, _, _ := strings.Cut(raw, "://")
		return "", "", fmt.Errorf("database URL scheme %q is not supported: use a file path (SQLite) or postgres://", scheme)
	default:
		return SQLite, raw, nil
	}
}

func openSQLite(path string, opts Options) (*DB, error) {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
	}
	// busy_timeout comes first so that the pragmas after it wait instead of failing.
	dsn := "file:" + path + "?_time_format=sqlite" +
		"&_pragma=busy_timeout(10000)" +
		"&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(ON)" +
		"&_pragma=synchronous(NORMAL)"
	write, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	read, err := sql.Open("sqlite", dsn+"&_pragma=query_only(ON)")
	if err != nil {
		write.Close()
		return nil, err
	}
	n := opts.MaxReadConns
	if n <= 0 {
		n = max(4, 2*runtime.GOMAXPROCS(0))
	}
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	return &DB{Dialect: SQLite, read: newPool(read, true), write: write, Redacted: path}, nil
}

func openPostgres(raw string, opts Options) (*DB, error) {
	pool, err := sql.Open("pgx", raw)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	n := opts.MaxReadConns
	if n <= 0 {
		n = max(8, 4*runtime.GOMAXPROCS(0))
	}
	pool.SetMaxOpenConns(n)
	pool.SetMaxIdleConns(n)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{Dialect: Postgres, read: newPool(pool, false), write: pool, Redacted: redact(raw)}, nil
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

// Close closes both pools.
func (d *DB) Close() error {
	err := d.write.Close()
	if d.read.DB != d.write {
		err = errors.Join(err, d.read.Close())
	}
	return err
}

// Read is the pool for queries that do not write.
func (d *DB) Read() *Pool { return d.read }

// Write is the pool for statements that write. On SQLite it has one connection.
func (d *DB) Write() *sql.DB { return d.write }

// Ping checks that the database answers, for /healthz.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.read.PingContext(ctx); err != nil {
		return err
	}
	var one int
	return d.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Querier is what both *sql.DB and *sql.Tx offer; stores take it so that a
// caller can run them inside a transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx runs fn in a write transaction, committing when fn returns nil and
// rolling back otherwise, so that a failed step never leaves half a change.
func (d *DB) Tx(ctx context.Context, fn func(tx Tx) error) (err error) {
	tx, err := d.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// IDs runs a query of one integer column and returns its values.
func IDs(ctx context.Context, q Querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// IsUniqueViolation reports whether err is a unique-constraint failure, on either dialect.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var sc interface{ SQLState() string }
	if errors.As(err, &sc) {
		return sc.SQLState() == "23505"
	}
	return false
}

// Now returns the current time the way Tsunagu stores it: UTC, microsecond
// precision (PostgreSQL's), so that values read back compare equal.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Tx is a write transaction.
type Tx = *sql.Tx
