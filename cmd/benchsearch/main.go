// Command benchsearch measures Japanese member search (internal/search) at
// scale: it generates realistic alumni profiles, indexes them in a fresh
// database, and times a mix of queries through the index next to the same
// queries answered by a LIKE '%word%' scan of the normalised texts. It also
// checks that both give the same answers.
//
//	go run ./cmd/benchsearch -n 100000                      # SQLite in a temp dir
//	go run ./cmd/benchsearch -n 100000 -postgres-server URL # creates and drops its own database
//	go run ./cmd/benchsearch -n 100000 -database-url URL    # an EMPTY PostgreSQL database
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/search"
)

type config struct {
	n, queries, batch int
	seed              uint64
	databaseURL       string
	postgresServer    string
	keep, optimize    bool
	baseline          bool
}

func main() {
	var c config
	flag.IntVar(&c.n, "n", 100000, "number of profiles to generate and index")
	flag.IntVar(&c.queries, "queries", 2000, "number of queries in the measured mix (at least 1000 for the documented figures)")
	flag.IntVar(&c.batch, "batch", 1000, "documents indexed per transaction")
	flag.Uint64Var(&c.seed, "seed", 1, "random seed for profiles and queries")
	flag.StringVar(&c.databaseURL, "database-url", "", "database to use: an empty PostgreSQL database (postgres://...) or a new SQLite file; default: SQLite in a temp dir")
	flag.StringVar(&c.postgresServer, "postgres-server", "", "postgres:// URL of a server on which to create (and afterwards drop) a database")
	flag.BoolVar(&c.keep, "keep", false, "keep the SQLite file or PostgreSQL database afterwards")
	flag.BoolVar(&c.optimize, "optimize", false, "merge FTS5 segments (SQLite) after indexing, before measuring")
	flag.BoolVar(&c.baseline, "baseline", true, "also measure the LIKE scan and compare answers")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "Usage: benchsearch [flags]\n\nBenchmarks Japanese member search against a LIKE scan.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if c.n < 1 || c.queries < 1 || c.batch < 1 {
		fmt.Fprintln(os.Stderr, "benchsearch: -n, -queries and -batch must be positive")
		os.Exit(2)
	}
	if c.databaseURL != "" && c.postgresServer != "" {
		fmt.Fprintln(os.Stderr, "benchsearch: give -database-url or -postgres-server, not both")
		os.Exit(2)
	}
	if err := run(context.Background(), c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchsearch:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config, out io.Writer) error {
	d, cleanup, err := openDatabase(ctx, c)
	if err != nil {
		return err
	}
	defer cleanup()
	if err := d.Migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "Japanese search benchmark: %s, %d profiles, %d queries, seed %d\n", d.Dialect, c.n, c.queries, c.seed)
	fmt.Fprintf(out, "machine: %s/%s, %d CPUs, %s, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), time.Now().UTC().Format("2006-01-02"))

	people := generate(c.seed, c.n)
	t0 := time.Now()
	orgID, docs, err := load(ctx, d, people, c.seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "users and profiles: %d rows each in %s\n", len(docs), time.Since(t0).Round(time.Millisecond))

	ix := search.NewIndex(d)
	t0 = time.Now()
	for start := 0; start < len(docs); start += c.batch {
		batch := docs[start:min(start+c.batch, len(docs))]
		err := d.Tx(ctx, func(tx db.Tx) error {
			for _, doc := range batch {
				if err := ix.Upsert(ctx, tx, doc); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	build := time.Since(t0)
	fmt.Fprintf(out, "index build: %d documents in %s (%s per 1k documents, %d per transaction)\n",
		len(docs), build.Round(time.Millisecond), (build * 1000 / time.Duration(len(docs))).Round(time.Microsecond), c.batch)
	if err := settle(ctx, d, c, out); err != nil {
		return err
	}
	if sz, err := sizes(ctx, d); err == nil {
		fmt.Fprintf(out, "index size: %s\n", sz)
	} else {
		fmt.Fprintf(out, "index size: unknown (%v)\n", err)
	}

	mix := queryMix(c.seed, people, c.queries)
	return measure(ctx, d, ix, orgID, mix, c.baseline, out)
}

// settle does what a database does after a bulk load before it is queried.
func settle(ctx context.Context, d *db.DB, c config, out io.Writer) error {
	t0 := time.Now()
	if d.Dialect == db.Postgres {
		// Autovacuum would get there: flush the GIN pending list, gather statistics.
		if _, err := d.Write().ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
			return err
		}
		fmt.Fprintf(out, "VACUUM ANALYZE: %s\n", time.Since(t0).Round(time.Millisecond))
		return nil
	}
	if c.optimize {
		if _, err := d.Write().ExecContext(ctx, `INSERT INTO member_search (member_search) VALUES ('optimize')`); err != nil {
			return err
		}
		fmt.Fprintf(out, "FTS5 optimize: %s\n", time.Since(t0).Round(time.Millisecond))
		t0 = time.Now()
	}
	if _, err := d.Write().ExecContext(ctx, `ANALYZE`); err != nil {
		return err
	}
	if _, err := d.Write().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return err
	}
	fmt.Fprintf(out, "ANALYZE and WAL checkpoint: %s\n", time.Since(t0).Round(time.Millisecond))
	return nil
}

func sizes(ctx context.Context, d *db.DB) (string, error) {
	if d.Dialect == db.Postgres {
		var table, index int64
		err := d.Read().QueryRowContext(ctx, `SELECT pg_table_size('member_search'), pg_indexes_size('member_search')`).Scan(&table, &index)
		if err != nil {
			return "", err
		}
		var gin int64
		if err := d.Read().QueryRowContext(ctx, `SELECT pg_relation_size('member_search_terms')`).Scan(&gin); err != nil {
			return "", err
		}
		return fmt.Sprintf("table member_search %s (texts and term arrays, with TOAST), GIN index %s, primary key %s",
			mib(table), mib(gin), mib(index-gin)), nil
	}
	rows, err := d.Read().QueryContext(ctx, `SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'member_search%' OR name LIKE 'sqlite_autoindex_member_search%' GROUP BY name ORDER BY name`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var total int64
	var parts string
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			return "", err
		}
		total += n
		parts += fmt.Sprintf(", %s %s", name, mib(n))
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s in all%s", mib(total), parts), nil
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// openDatabase returns a fresh database as the flags ask, and what removes it.
func openDatabase(ctx context.Context, c config) (*db.DB, func(), error) {
	switch {
	case c.postgresServer != "":
		kind, _, err := db.ParseURL(c.postgresServer)
		if err != nil {
			return nil, nil, err
		}
		if kind != db.Postgres {
			return nil, nil, errors.New("-postgres-server must be a postgres:// URL")
		}
		admin, err := sql.Open("pgx", c.postgresServer)
		if err != nil {
			return nil, nil, err
		}
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		name := "tsunagu_bench_" + hex.EncodeToString(b)
		if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
			admin.Close()
			return nil, nil, fmt.Errorf("create database: %w", err)
		}
		u, _ := url.Parse(c.postgresServer)
		u.Path = "/" + name
		d, err := db.Open(ctx, u.String(), db.Options{})
		drop := func() {
			if !c.keep {
				if _, err := admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
					fmt.Fprintln(os.Stderr, "benchsearch: drop database:", err)
				}
			} else {
				fmt.Fprintln(os.Stderr, "benchsearch: kept database", name)
			}
			admin.Close()
		}
		if err != nil {
			drop()
			return nil, nil, err
		}
		return d, func() { d.Close(); drop() }, nil
	case c.databaseURL != "":
		kind, target, err := db.ParseURL(c.databaseURL)
		if err != nil {
			return nil, nil, err
		}
		if kind == db.SQLite {
			if _, err := os.Stat(target); err == nil {
				return nil, nil, fmt.Errorf("%s exists: give a new SQLite file", target)
			}
		}
		d, err := db.Open(ctx, c.databaseURL, db.Options{})
		if err != nil {
			return nil, nil, err
		}
		if kind == db.Postgres {
			var tables int
			if err := d.Read().QueryRowContext(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`).Scan(&tables); err != nil {
				d.Close()
				return nil, nil, err
			}
			if tables > 0 {
				d.Close()
				return nil, nil, fmt.Errorf("database %s has %d tables: -database-url must name an EMPTY database (or use -postgres-server)", d.Redacted, tables)
			}
		}
		return d, func() { d.Close() }, nil
	default:
		dir, err := os.MkdirTemp("", "benchsearch-")
		if err != nil {
			return nil, nil, err
		}
		path := filepath.Join(dir, "bench.db")
		d, err := db.Open(ctx, path, db.Options{})
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
		return d, func() {
			d.Close()
			if c.keep {
				fmt.Fprintln(os.Stderr, "benchsearch: kept", path)
			} else {
				os.RemoveAll(dir)
			}
		}, nil
	}
}

// percentile returns the p-th percentile (0..100) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func summarize(ds []time.Duration) (p50, p95, p99, maxd time.Duration) {
	s := slices.Clone(ds)
	slices.Sort(s)
	return percentile(s, 50), percentile(s, 95), percentile(s, 99), s[len(s)-1]
}
