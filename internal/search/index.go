package search

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// Index keeps the search index of members' profiles, in the tables of
// migration 00002: on SQLite an FTS5 table of n-gram tokens beside the
// normalised texts, on PostgreSQL the texts and a GIN-indexed array of
// n-gram terms. Both answer exactly Query.Matches.
type Index struct {
	db *db.DB
}

// NewIndex returns the index stored in d.
func NewIndex(d *db.DB) *Index { return &Index{db: d} }

// ErrInvalidDocument means a document without an organization or user id.
var ErrInvalidDocument = errors.New("search: document needs an organization and a user id")

// Upsert indexes doc, replacing what was indexed for the member before. It
// runs in the caller's transaction (exec), so that the index changes with
// the profile; indexing an unchanged document writes nothing. The member
// must exist in users: the index rows reference it and go when it goes.
func (ix *Index) Upsert(ctx context.Context, exec db.Querier, doc Document) error {
	if doc.OrgID <= 0 || doc.UserID <= 0 {
		return ErrInvalidDocument
	}
	name, body := doc.Text()
	if ix.db.Dialect == db.Postgres {
		_, err := exec.ExecContext(ctx, `INSERT INTO member_search (org_id, user_id, name_text, body_text, all_terms)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (org_id, user_id) DO UPDATE
			SET name_text = excluded.name_text, body_text = excluded.body_text, all_terms = excluded.all_terms
			WHERE member_search.name_text <> excluded.name_text OR member_search.body_text <> excluded.body_text`,
			doc.OrgID, doc.UserID, name, body, pgTerms(doc.OrgID, name, body))
		if err != nil {
			return fmt.Errorf("index member %d: %w", doc.UserID, err)
		}
		return nil
	}
	var oldName, oldBody string
	err := exec.QueryRowContext(ctx, `SELECT name_text, body_text FROM member_search_docs WHERE org_id = $1 AND user_id = $2`,
		doc.OrgID, doc.UserID).Scan(&oldName, &oldBody)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = exec.ExecContext(ctx, `INSERT INTO member_search_docs (user_id, org_id, name_text, body_text) VALUES ($1, $2, $3, $4)`,
			doc.UserID, doc.OrgID, name, body)
	case err != nil:
	case oldName == name && oldBody == body:
		return nil
	default:
		// The delete trigger removes the old tokens.
		if _, err = exec.ExecContext(ctx, `DELETE FROM member_search_docs WHERE org_id = $1 AND user_id = $2`, doc.OrgID, doc.UserID); err == nil {
			_, err = exec.ExecContext(ctx, `INSERT INTO member_search_docs (user_id, org_id, name_text, body_text) VALUES ($1, $2, $3, $4)`,
				doc.UserID, doc.OrgID, name, body)
		}
	}
	if err == nil {
		_, err = exec.ExecContext(ctx, `INSERT INTO member_search (rowid, name, body) VALUES ($1, $2, $3)`,
			doc.UserID, ftsTokens(doc.OrgID, name), ftsTokens(doc.OrgID, body))
	}
	if err != nil {
		return fmt.Errorf("index member %d: %w", doc.UserID, err)
	}
	return nil
}

// Delete removes a member from the index. Deleting the user does it too.
func (ix *Index) Delete(ctx context.Context, exec db.Querier, orgID, userID int64) error {
	table := "member_search_docs"
	if ix.db.Dialect == db.Postgres {
		table = "member_search"
	}
	if _, err := exec.ExecContext(ctx, `DELETE FROM `+table+` WHERE org_id = $1 AND user_id = $2`, orgID, userID); err != nil {
		return fmt.Errorf("unindex member %d: %w", userID, err)
	}
	return nil
}

// Filter returns SQL that restricts the table aliased userAlias (one with
// columns org_id and id, such as users) to the members of orgID that match
// q, for embedding in a larger query:
//
//	SELECT ... FROM users u <join> ... WHERE ... AND <where> ORDER BY <rank> DESC, ...
//
// join is a JOIN clause or empty; where is a boolean expression; rank is an
// integer expression, 1 when every word is in the member's name and 0 when
// some word is only in the rest of the profile. args are the values of
// placeholders $firstArg, $firstArg+1, ...: where uses every one of them and
// rank no other, so that a count can run join and where alone with the same
// args. Nothing from the query is put into the SQL text. An empty q matches
// every member of orgID.
func (ix *Index) Filter(orgID int64, q Query, userAlias string, firstArg int) (join, where, rank string, args []any) {
	if !identifier(userAlias) {
		panic(fmt.Sprintf("search: Filter: %q is not an SQL alias", userAlias))
	}
	u := userAlias
	p := newParams(firstArg)
	org := p.add(orgID)
	if q.Empty() {
		// Not a bare 0, which ORDER BY would take for a column number.
		return "", u + ".org_id = " + org, "CAST(0 AS INTEGER)", p.args
	}
	if ix.db.Dialect == db.Postgres {
		s := u + "_search"
		join = "JOIN member_search " + s + " ON " + s + ".org_id = " + u + ".org_id AND " + s + ".user_id = " + u + ".id"
		where, rank = pgConditions(s, org, orgID, q, p)
		return join, where, rank, p.args
	}
	all, _ := ftsMatches(orgID, q)
	m := p.add(all)
	where = u + ".org_id = " + org + " AND " + u + ".id IN (SELECT rowid FROM member_search WHERE member_search MATCH " + m + ")"
	// The name-only expression is built from the same placeholder, so that
	// rank needs no placeholder of its own (see ftsMatches).
	rank = "(CASE WHEN " + u + ".id IN (SELECT rowid FROM member_search WHERE member_search MATCH ('name : (' || " + m + " || ')')) THEN 1 ELSE 0 END)"
	return "", where, rank, p.args
}

// params numbers placeholders from a first one.
type params struct {
	first int
	args  []any
}

func newParams(first int) *params { return &params{first: first} }

func (p *params) add(v any) string {
	p.args = append(p.args, v)
	return "$" + strconv.Itoa(p.first+len(p.args)-1)
}

// pgConditions returns the PostgreSQL condition and rank over the
// member_search row aliased s: the terms of every word are in all_terms
// (through the GIN index), and every word is in the name or body text. For
// a word of at most maxGram characters the second is implied by the first,
// but checking it costs little and lets rank use only placeholders that
// where uses.
func pgConditions(s, org string, orgID int64, q Query, p *params) (where, rank string) {
	var terms []string
	for _, w := range q.words {
		terms = append(terms, pgQueryTerms(orgID, w)...)
	}
	conds := []string{s + ".org_id = " + org, s + ".all_terms @> " + p.add(terms)}
	var inName []string
	for _, w := range q.words {
		pw := p.add(w)
		inName = append(inName, "strpos("+s+".name_text, "+pw+") > 0")
		conds = append(conds, "(strpos("+s+".name_text, "+pw+") > 0 OR strpos("+s+".body_text, "+pw+") > 0)")
	}
	return strings.Join(conds, " AND "), "(CASE WHEN " + strings.Join(inName, " AND ") + " THEN 1 ELSE 0 END)"
}

// ftsMatches returns the FTS5 MATCH expressions for q: all its words in the
// name or the body, and all its words in the name.
func ftsMatches(orgID int64, q Query) (all, name string) {
	phrases := make([]string, len(q.words))
	for i, w := range q.words {
		phrases[i] = ftsPhrase(orgID, w)
	}
	all = strings.Join(phrases, " AND ")
	return all, "name : (" + all + ")"
}

func identifier(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// Search returns the ids of the members of orgID that match q, those found
// by name first and then by id, skipping offset and at most limit of them
// (all when limit <= 0), with the number of all matches. An empty q lists
// every indexed member.
func (ix *Index) Search(ctx context.Context, orgID int64, q Query, limit, offset int) (ids []int64, total int, err error) {
	offset = max(offset, 0)
	if ix.db.Dialect == db.Postgres || q.Empty() {
		ids, total, err = ix.searchSQL(ctx, orgID, q, limit, offset)
	} else {
		ids, total, err = ix.searchFTS(ctx, orgID, q, limit, offset)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("search: %w", err)
	}
	return ids, total, nil
}

// searchSQL runs one query over the index table, counting with a window.
func (ix *Index) searchSQL(ctx context.Context, orgID int64, q Query, limit, offset int) (ids []int64, total int, err error) {
	p := newParams(1)
	org := p.add(orgID)
	var from, rank string
	switch {
	case ix.db.Dialect == db.Postgres && !q.Empty():
		var where string
		where, rank = pgConditions("s", org, orgID, q, p)
		from = " FROM member_search s WHERE " + where
	case ix.db.Dialect == db.Postgres:
		from, rank = " FROM member_search s WHERE s.org_id = "+org, "CAST(0 AS INTEGER)"
	default:
		from, rank = " FROM member_search_docs s WHERE s.org_id = "+org, "CAST(0 AS INTEGER)"
	}
	n := len(p.args)
	var lim any = limit
	if limit <= 0 {
		lim = -1 // SQLite: no limit
		if ix.db.Dialect == db.Postgres {
			lim = nil // LIMIT NULL is LIMIT ALL
		}
	}
	rows, err := ix.db.Read().QueryContext(ctx, `SELECT s.user_id, count(*) OVER ()`+from+
		` ORDER BY `+rank+` DESC, s.user_id LIMIT `+p.add(lim)+` OFFSET `+p.add(offset), p.args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id, &total); err != nil {
			return nil, 0, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(ids) == 0 && offset > 0 {
		// Past the end: the window saw no row to count.
		if err := ix.db.Read().QueryRowContext(ctx, `SELECT count(*)`+from, p.args[:n]...).Scan(&total); err != nil {
			return nil, 0, err
		}
	}
	return ids, total, nil
}

// searchFTS answers from the FTS5 table alone, whose rowids are user ids and
// whose tokens belong to one organization: a count of all matches, then the
// page from the name matches in id order, then, if the page is not full, from
// the other matches. FTS5 yields rowids in order, so a page stops early
// instead of ranking every match.
func (ix *Index) searchFTS(ctx context.Context, orgID int64, q Query, limit, offset int) (ids []int64, total int, err error) {
	all, name := ftsMatches(orgID, q)
	r := ix.db.Read()
	if err := r.QueryRowContext(ctx, `SELECT count(*) FROM member_search WHERE member_search MATCH $1`, all).Scan(&total); err != nil {
		return nil, 0, err
	}
	if total == 0 || limit > 0 && offset >= total {
		return nil, total, nil
	}
	want := total - offset
	if limit > 0 {
		want = min(want, limit)
	}
	page := func(match string, limit int) ([]int64, error) {
		return db.IDs(ctx, r, `SELECT rowid FROM member_search WHERE member_search MATCH $1 ORDER BY rowid LIMIT $2`, match, limit)
	}
	// The name matches up to the end of the page: fewer means that is all
	// of them, and the page goes on with the other matches in id order.
	named, err := page(name, offset+want)
	if err != nil {
		return nil, 0, err
	}
	if len(named) > offset {
		ids = named[offset:]
	}
	if len(ids) < want {
		skip := max(0, offset-len(named)) // other matches on earlier pages
		rest, err := page(all, len(named)+skip+want-len(ids))
		if err != nil {
			return nil, 0, err
		}
		isNamed := make(map[int64]bool, len(named))
		for _, id := range named {
			isNamed[id] = true
		}
		for _, id := range rest {
			switch {
			case isNamed[id]:
			case skip > 0:
				skip--
			case len(ids) < want:
				ids = append(ids, id)
			}
		}
	}
	return ids, total, nil
}
