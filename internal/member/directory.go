package member

import (
	"context"
	"fmt"
	"strings"

	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/search"
)

// OpenToKeys name the open-to flags in forms, filters and exports.
var OpenToKeys = []string{"rehire", "side_work", "referrals", "mentoring", "speaking"}

var openToColumn = map[string]string{"rehire": "open_rehire", "side_work": "open_sidework", "referrals": "open_referrals",
	"mentoring": "open_mentoring", "speaking": "open_speaking"}

// Sorts a directory can be ordered by.
var Sorts = []string{"name", "left_desc", "left_asc", "updated"}

// Filters narrow the directory. Zero values filter nothing.
type Filters struct {
	Query     string
	Industry  string
	Skill     string // one skill, matched whole
	Location  string
	LeftFrom  int // year left, inclusive
	LeftTo    int
	AtCompany int // was at the company in this year
	OpenTo    []string
	Role      org.Role
	Stale     int    // only profiles not confirmed for this many months (admins)
	Rehire    string // rehire eligibility, "unset" for not assessed (admins)
	Sort      string
	Page      int // 1-based
	PerPage   int
	NoPaging  bool // the CSV export takes every row
}

// Result is one page of the directory.
type Result struct {
	Profiles []Profile // already reduced to what the viewer may see
	Total    int
	Page     int
	Pages    int
}

// Directory lists the active members of orgID that match f, as viewer may
// see them. A filter on a field only matches members who show that field to
// the viewer, so filtering cannot reveal a hidden value.
func (s *Store) Directory(ctx context.Context, orgID int64, viewer Viewer, f Filters) (Result, error) {
	args := []any{orgID}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	var where []string
	admin := viewer.Role == org.Admin
	// visible(field) is the SQL condition for "the viewer may see this field".
	visible := func(field string) string {
		if admin {
			return "TRUE"
		}
		return fmt.Sprintf("(p.vis_%s IN ('members', 'public') OR u.id = %s)", field, arg(viewer.UserID))
	}
	join, rank := "", "0"
	if strings.TrimSpace(f.Query) != "" {
		q, err := search.ParseQuery(f.Query)
		if err != nil {
			return Result{}, err
		}
		var w string
		var sargs []any
		join, w, rank, sargs = s.index.Filter(orgID, q, "u", len(args)+1)
		args = append(args, sargs...)
		where = append(where, w)
	}
	if f.Industry != "" {
		where = append(where, fmt.Sprintf("p.industry = %s AND %s", arg(f.Industry), visible("work")))
	}
	if f.Skill != "" {
		nl := arg("\n")
		where = append(where, fmt.Sprintf("(%s || p.skills || %s) LIKE %s ESCAPE '\\' AND %s", nl, nl, arg("%\n"+likeEscape(f.Skill)+"\n%"), visible("skills")))
	}
	if f.Location != "" {
		where = append(where, fmt.Sprintf("p.prefecture = %s AND %s", arg(f.Location), visible("location")))
	}
	if f.LeftFrom != 0 {
		where = append(where, fmt.Sprintf("p.left_year >= %s AND p.left_year <> 0 AND %s", arg(f.LeftFrom), visible("years")))
	}
	if f.LeftTo != 0 {
		where = append(where, fmt.Sprintf("p.left_year <= %s AND p.left_year <> 0 AND %s", arg(f.LeftTo), visible("years")))
	}
	if f.AtCompany != 0 {
		y := arg(f.AtCompany)
		where = append(where, fmt.Sprintf("p.joined_year <> 0 AND p.joined_year <= %s AND (p.left_year = 0 OR p.left_year >= %s) AND %s", y, y, visible("years")))
	}
	for _, k := range f.OpenTo {
		col, ok := openToColumn[k]
		if !ok {
			continue
		}
		where = append(where, fmt.Sprintf("p.%s = TRUE AND %s", col, visible("open_to")))
	}
	if f.Role != "" && f.Role.Valid() {
		where = append(where, "m.role = "+arg(string(f.Role)))
	}
	if f.Rehire != "" && admin {
		e := f.Rehire
		if e == "unset" {
			e = ""
		}
		where = append(where, "COALESCE((SELECT mi.rehire_eligibility FROM member_internal mi WHERE mi.org_id = u.org_id AND mi.user_id = u.id), '') = "+arg(e))
	}
	if f.Stale > 0 && admin {
		where = append(where, "COALESCE(p.confirmed_at, p.updated_at) < "+arg(s.now().AddDate(0, -f.Stale, 0)))
	}
	cond := " WHERE u.org_id = $1"
	for _, w := range where {
		cond += " AND " + w
	}
	from := profileFrom + " " + join
	var total int
	if err := s.db.Read().QueryRowContext(ctx, "SELECT COUNT(*)"+from+cond, args...).Scan(&total); err != nil {
		return Result{}, fmt.Errorf("directory count: %w", err)
	}
	order := "u.family_kana, u.given_kana, u.id"
	switch f.Sort {
	case "left_desc":
		order = "p.left_year = 0, p.left_year DESC, " + order
	case "left_asc":
		order = "p.left_year = 0, p.left_year, " + order
	case "updated":
		order = "p.updated_at DESC, u.id"
	}
	if rank != "0" {
		order = "(" + rank + ") DESC, " + order
	}
	per := f.PerPage
	if per <= 0 || per > 100 {
		per = 30
	}
	page := max(f.Page, 1)
	pages := max((total+per-1)/per, 1)
	query := profileColumns + from + cond + " ORDER BY " + order
	if !f.NoPaging {
		query += fmt.Sprintf(" LIMIT %s OFFSET %s", arg(per), arg((page-1)*per))
	}
	rows, err := s.db.Read().QueryContext(ctx, query, args...)
	if err != nil {
		return Result{}, fmt.Errorf("directory: %w", err)
	}
	defer rows.Close()
	res := Result{Total: total, Page: page, Pages: pages}
	for rows.Next() {
		p, err := scanProfile(rows)
		if err != nil {
			return Result{}, err
		}
		res.Profiles = append(res.Profiles, p.For(viewer))
	}
	return res, rows.Err()
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
