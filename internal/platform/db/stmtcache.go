package db

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// maxCachedStatements bounds the statement cache: queries are constant
// strings apart from a few built with a varying number of placeholders, so a
// working application stays far below it; past it, queries are prepared for
// each call as before.
const maxCachedStatements = 1000

// Pool is a connection pool whose queries run through statements prepared
// once per query text. On SQLite, parsing SQL was the largest single cost of
// a page's reads (about a fifth of a feed page's CPU): the driver parses
// every query it is not given as a prepared statement. pgx caches statements
// per connection itself, so on PostgreSQL the pool passes queries through.
// Everything else is the *sql.DB it embeds.
type Pool struct {
	*sql.DB
	cache bool
	stmts sync.Map // query text -> *sql.Stmt
	n     atomic.Int32
	mu    sync.Mutex // serialises preparing, so that a statement is prepared once
}

func newPool(d *sql.DB, cache bool) *Pool { return &Pool{DB: d, cache: cache} }

// QueryContext runs a query that returns rows.
func (p *Pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query that returns at most one row.
func (p *Pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, query, args...)
}

// stmt returns the prepared statement for query, or nil when the pool does
// not cache, the cache is full or the query does not prepare (it is then run
// directly, which reports the same error as it always did).
func (p *Pool) stmt(ctx context.Context, query string) *sql.Stmt {
	if !p.cache {
		return nil
	}
	if st, ok := p.stmts.Load(query); ok {
		return st.(*sql.Stmt)
	}
	if p.n.Load() >= maxCachedStatements {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if st, ok := p.stmts.Load(query); ok {
		return st.(*sql.Stmt)
	}
	st, err := p.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	p.stmts.Store(query, st)
	p.n.Add(1)
	return st
}

// Close closes the cached statements and the pool.
func (p *Pool) Close() error {
	p.stmts.Range(func(_, st any) bool {
		_ = st.(*sql.Stmt).Close()
		return true
	})
	return p.DB.Close()
}
