package hrimport

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/tz"
)

// batchSize is how many rows a per-row run writes per transaction, and how
// often progress and errors are saved.
const batchSize = 500

// counts are what a run found.
type counts struct {
	created, updated, unchanged, converted, errors, done int
}

// execute runs the queued dry run or run of an import. A second worker that
// picks up the same job finds it no longer queued and does nothing.
func (s *Service) execute(ctx context.Context, orgID, id int64, by Actor) error {
	res, err := s.db.Write().ExecContext(ctx, `UPDATE imports SET state = $3, updated_at = $4 WHERE org_id = $1 AND id = $2 AND state = $5`,
		orgID, id, StateRunning, s.now(), StateQueued)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	defer func() { s.mu.Lock(); delete(s.progress, id); s.mu.Unlock() }()
	i, err := s.Get(ctx, orgID, id)
	if err != nil {
		return err
	}
	if _, err := s.db.Write().ExecContext(ctx, `DELETE FROM import_errors WHERE org_id = $1 AND import_id = $2`, orgID, id); err != nil {
		return s.fail(ctx, i, err)
	}
	r := &runner{s: s, imp: i, by: by, today: s.now().In(tz.Japan).Format("2006-01-02")}
	defer r.stmts.close()
	var c counts
	written := false
	switch {
	case i.Phase == PhaseDryRun:
		c, err = r.check(ctx)
	case i.Mode == ModePerRow:
		c, err = r.perRow(ctx)
		written = c.created+c.updated > 0
	default:
		c, err = r.allOrNothing(ctx)
		written = err == nil && c.errors == 0 && c.created+c.updated > 0
	}
	if err != nil {
		return s.fail(ctx, i, err)
	}
	if i.Phase == PhaseRun && !r.audited {
		if err := r.auditRun(ctx, s.db.Write(), c, written); err != nil {
			return s.fail(ctx, i, err)
		}
	}
	_, err = s.db.Write().ExecContext(ctx, `UPDATE imports SET state = $3, rows_done = $4, created_count = $5, updated_count = $6,
		unchanged_count = $7, converted_count = $8, error_count = $9, written = $10, finished_at = $11, updated_at = $11
		WHERE org_id = $1 AND id = $2`, orgID, id, StateDone, c.done, c.created, c.updated, c.unchanged, c.converted, c.errors,
		written || i.Written, s.now())
	return err
}

// fail records a run that could not finish (a broken file found mid-way, a
// database error). Nothing of an all-or-nothing run is written by then.
func (s *Service) fail(ctx context.Context, i Import, cause error) error {
	key, row := "hrimport.file.failed", 0
	var fe *FileError
	if errors.As(cause, &fe) {
		key, row = fe.Key, fe.Row
	}
	_, err := s.db.Write().ExecContext(ctx, `UPDATE imports SET state = $3, file_problem = $4, file_problem_row = $5, finished_at = $6,
		updated_at = $6 WHERE org_id = $1 AND id = $2`, i.OrgID, i.ID, StateFailed, key, row, s.now())
	if fe != nil {
		return err // the user's file, not a reason to retry
	}
	return errors.Join(cause, err)
}

type runner struct {
	s     *Service
	imp   Import
	by    Actor
	today string
	// audited: the run's entry was written with its rows.
	audited bool
	stmts   stmtCache
}

// walk streams the file and calls fn for each data row with its parsed
// person and the problems found so far (value errors, duplicates within the
// file). The set of keys seen is the only memory that grows with the file.
func (r *runner) walk(ctx context.Context, fn func(p Person, errs []RowError) error) error {
	f, err := os.Open(r.s.path(r.imp))
	if err != nil {
		return err
	}
	defer f.Close()
	rd, err := NewReader(f, r.imp.Encoding)
	if err != nil {
		return &FileError{Key: "hrimport.file.unknown_encoding", Err: err}
	}
	if _, _, err := rd.Read(); err != nil {
		if err == io.EOF {
			return &FileError{Key: "hrimport.file.empty", Err: err}
		}
		return err
	}
	seen := newKeySet()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, row, err := rd.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		p, errs := Parse(rec, row, r.imp.Mapping, r.imp.Header)
		errs = append(errs, seen.check(p)...)
		if err := fn(p, errs); err != nil {
			return err
		}
	}
}

// keySet remembers employee numbers and emails already seen in the file.
type keySet struct{ numbers, emails map[string]int }

func newKeySet() *keySet { return &keySet{numbers: map[string]int{}, emails: map[string]int{}} }

func (k *keySet) check(p Person) []RowError {
	var errs []RowError
	if p.EmployeeNumber != "" {
		if first, ok := k.numbers[p.EmployeeNumber]; ok {
			errs = append(errs, RowError{Row: p.Row, Field: FieldEmployeeNumber, Key: "hrimport.err.dup_number", Value: strconv.Itoa(first)})
		} else {
			k.numbers[p.EmployeeNumber] = p.Row
		}
	}
	if p.EmailLower != "" {
		if first, ok := k.emails[p.EmailLower]; ok {
			errs = append(errs, RowError{Row: p.Row, Field: FieldEmail, Key: "hrimport.err.dup_email", Value: strconv.Itoa(first)})
		} else {
			k.emails[p.EmailLower] = p.Row
		}
	}
	return errs
}

// withColumns fills the column header of errors that name a field.
func (r *runner) withColumns(errs []RowError) []RowError {
	for i := range errs {
		if errs[i].Column == "" {
			if c, ok := r.imp.Mapping[errs[i].Field]; ok && c < len(r.imp.Header) {
				errs[i].Column = r.imp.Header[c]
			}
		}
	}
	return errs
}

func (r *runner) saveErrors(ctx context.Context, exec db.Querier, errs []RowError) error {
	for _, e := range errs {
		if _, err := exec.ExecContext(ctx, `INSERT INTO import_errors (import_id, org_id, row_number, field, column_name, msg_key, value)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.imp.ID, r.imp.OrgID, e.Row, string(e.Field), e.Column, e.Key, e.Value); err != nil {
			return err
		}
	}
	return nil
}

func (r *runner) saveProgress(ctx context.Context, exec db.Querier, done int) error {
	_, err := exec.ExecContext(ctx, `UPDATE imports SET rows_done = $3, updated_at = $4 WHERE org_id = $1 AND id = $2`,
		r.imp.OrgID, r.imp.ID, done, r.s.now())
	return err
}

func (r *runner) memProgress(done int) {
	r.s.mu.Lock()
	r.s.progress[r.imp.ID] = done
	r.s.mu.Unlock()
}

func (c *counts) add(action string) {
	switch action {
	case actionCreate:
		c.created++
	case actionUpdate:
		c.updated++
	default:
		c.unchanged++
	}
}

// check validates every row against the file and the database and counts
// what a run would do, writing nothing but its own report.
func (r *runner) check(ctx context.Context) (counts, error) {
	var c counts
	var pending []RowError
	flush := func() error {
		if err := r.saveErrors(ctx, r.s.db.Write(), pending); err != nil {
			return err
		}
		pending = pending[:0]
		return r.saveProgress(ctx, r.s.db.Write(), c.done)
	}
	err := r.walk(ctx, func(p Person, errs []RowError) error {
		c.done++
		if len(errs) == 0 {
			pl, perrs, err := r.plan(ctx, r.s.db.Read(), p)
			if err != nil {
				return err
			}
			errs = perrs
			if len(errs) == 0 {
				c.add(pl.action)
				if pl.convert {
					c.converted++
				}
			}
		}
		if len(errs) > 0 {
			c.errors++
			pending = append(pending, r.withColumns(errs)...)
		}
		if c.done%batchSize == 0 {
			return flush()
		}
		return nil
	})
	if err != nil {
		return c, err
	}
	return c, flush()
}

// allOrNothing checks the whole file first (so that a file with errors
// never holds the write lock), then writes every row in one transaction,
// rolling all of it back if any row fails after all.
func (r *runner) allOrNothing(ctx context.Context) (counts, error) {
	c, err := r.check(ctx)
	if err != nil || c.errors > 0 {
		return c, err
	}
	var failed []RowError
	var w counts
	err = r.s.db.Tx(ctx, func(tx db.Tx) error {
		err := r.walk(ctx, func(p Person, errs []RowError) error {
			w.done++
			if len(errs) == 0 {
				pl, perrs, err := r.plan(ctx, tx, p)
				if err != nil {
					return err
				}
				if errs = perrs; len(errs) == 0 {
					if errs, err = r.apply(ctx, tx, pl); err != nil {
						return err
					}
					if len(errs) == 0 {
						w.add(pl.action)
						if pl.convert {
							w.converted++
						}
					}
				}
			}
			if len(errs) > 0 {
				failed = r.withColumns(errs)
				return errRollback
			}
			if w.done%batchSize == 0 {
				r.memProgress(w.done)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := r.auditRun(ctx, tx, w, true); err != nil {
			return err
		}
		r.audited = true
		return nil
	})
	if errors.Is(err, errRollback) {
		// The file changed under us or another writer got there first.
		c = counts{done: c.done, errors: 1}
		return c, r.saveErrors(ctx, r.s.db.Write(), failed)
	}
	return w, err
}

var errRollback = errors.New("row failed: rolling back")

// perRow writes valid rows in batches; each row is its own savepoint so
// that one failing write does not take its batch with it.
func (r *runner) perRow(ctx context.Context) (counts, error) {
	var c counts
	type item struct {
		p    Person
		errs []RowError
	}
	batch := make([]item, 0, batchSize)
	flush := func() error {
		err := r.s.db.Tx(ctx, func(tx db.Tx) error {
			var cc = c
			for _, it := range batch {
				cc.done++
				errs := it.errs
				if len(errs) == 0 {
					pl, perrs, err := r.plan(ctx, tx, it.p)
					if err != nil {
						return err
					}
					if errs = perrs; len(errs) == 0 {
						if _, err := tx.ExecContext(ctx, `SAVEPOINT hrimport_row`); err != nil {
							return err
						}
						errs, err = r.apply(ctx, tx, pl)
						if err != nil {
							// The database's words are for the operator's log, not HR's report.
							r.s.log.ErrorContext(ctx, "import row not written", "org_id", r.imp.OrgID, "import_id", r.imp.ID, "row", it.p.Row, "err", err)
							errs = []RowError{{Row: it.p.Row, Key: "hrimport.err.write"}}
						}
						if len(errs) > 0 {
							if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT hrimport_row`); err != nil {
								return err
							}
						} else {
							cc.add(pl.action)
							if pl.convert {
								cc.converted++
							}
						}
						if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT hrimport_row`); err != nil {
							return err
						}
					}
				}
				if len(errs) > 0 {
					cc.errors++
					if err := r.saveErrors(ctx, tx, r.withColumns(errs)); err != nil {
						return err
					}
				}
			}
			if err := r.saveProgress(ctx, tx, cc.done); err != nil {
				return err
			}
			c = cc
			return nil
		})
		batch = batch[:0]
		return err
	}
	err := r.walk(ctx, func(p Person, errs []RowError) error {
		batch = append(batch, item{p, errs})
		if len(batch) == batchSize {
			return flush()
		}
		return nil
	})
	if err != nil {
		return c, err
	}
	return c, flush()
}

// auditRun writes the one audit entry of a run, with its counts: one entry
// per run rather than one per person keeps a 100,000-row import from
// burying the log; people converted to alumni get their own entries.
func (r *runner) auditRun(ctx context.Context, exec db.Querier, c counts, written bool) error {
	return audit.Log(ctx, exec, audit.Entry{OrgID: r.imp.OrgID, ActorUserID: r.by.UserID, ActorLabel: r.by.Label, IP: r.by.IP,
		Action: "hrimport.run", Target: fmt.Sprintf("import:%d", r.imp.ID), Detail: map[string]string{
			"file": r.imp.FileName, "mode": r.imp.Mode, "rows": strconv.Itoa(c.done), "created": strconv.Itoa(c.created),
			"updated": strconv.Itoa(c.updated), "unchanged": strconv.Itoa(c.unchanged), "converted": strconv.Itoa(c.converted),
			"errors": strconv.Itoa(c.errors), "written": strconv.FormatBool(written)}})
}

const (
	actionCreate    = "create"
	actionUpdate    = "update"
	actionUnchanged = "unchanged"
)

// hrRecord is member_internal as an import sees it.
type hrRecord struct {
	number, hiredOn, leftOn, department, jobTitle, rehire, notes, source string
}

type existing struct {
	userID      int64
	email       string
	emailLower  string
	name        org.Name
	activated   bool
	role        org.Role
	hasHR       bool
	hr          hrRecord
	joinedYear  int
	leftYear    int
	departments string
	jobTitles   string
}

const existingSelect = `SELECT u.id, u.email, u.email_lower, u.family_name, u.given_name, u.family_kana, u.given_kana, u.family_romaji,
	u.given_romaji, u.activated_at IS NOT NULL, COALESCE(m.role, ''), mi.user_id IS NOT NULL, COALESCE(mi.employee_number, ''),
	COALESCE(mi.hired_on, ''), COALESCE(mi.left_on, ''), COALESCE(mi.hr_department, ''), COALESCE(mi.hr_job_title, ''),
	COALESCE(mi.rehire_eligibility, ''), COALESCE(mi.notes, ''), COALESCE(mi.hr_source, ''),
	COALESCE(p.joined_year, 0), COALESCE(p.left_year, 0), COALESCE(p.department, ''), COALESCE(p.job_title, '')
	FROM users u
	LEFT JOIN memberships m ON m.org_id = u.org_id AND m.user_id = u.id AND m.ended_at IS NULL
	LEFT JOIN member_internal mi ON mi.org_id = u.org_id AND mi.user_id = u.id
	LEFT JOIN profiles p ON p.org_id = u.org_id AND p.user_id = u.id
	WHERE u.org_id = $1 AND `

func (r *runner) lookup(ctx context.Context, q db.Querier, orgID int64, cond string, arg string) (existing, bool, error) {
	var e existing
	n := &e.name
	row, err := r.stmts.queryRow(ctx, q, existingSelect+cond, orgID, arg)
	if err != nil {
		return e, false, err
	}
	err = row.Scan(&e.userID, &e.email, &e.emailLower, &n.Family, &n.Given,
		&n.FamilyKana, &n.GivenKana, &n.FamilyRomaji, &n.GivenRomaji, &e.activated, &e.role, &e.hasHR, &e.hr.number,
		&e.hr.hiredOn, &e.hr.leftOn, &e.hr.department, &e.hr.jobTitle, &e.hr.rehire, &e.hr.notes, &e.hr.source,
		&e.joinedYear, &e.leftYear, &e.departments, &e.jobTitles)
	if errors.Is(err, sql.ErrNoRows) {
		return e, false, nil
	}
	return e, err == nil, err
}

// plan is what writing one row would do.
type plan struct {
	action  string
	p       Person
	ex      existing
	role    org.Role
	hr      hrRecord
	setHR   bool
	setUser bool
	name    org.Name
	email   string
	setProf bool
	joined  int
	left    int
	dept    string
	title   string
	convert bool
}

func overlay(cur, v string) string {
	if v != "" {
		return v
	}
	return cur
}

func year(date string) int {
	if len(date) < 4 {
		return 0
	}
	y, _ := strconv.Atoi(date[:4])
	return y
}

// plan decides what a valid row does to the database, reading through q.
// Empty cells never clear what is stored: a file without a column (or with
// a blank) leaves that fact alone. HR's own record (member_internal) follows
// the file. The name, email and profile of a person who has joined are
// theirs: the import only fills profile facts they left empty.
func (r *runner) plan(ctx context.Context, q db.Querier, p Person) (plan, []RowError, error) {
	orgID := r.imp.OrgID
	fail := func(f Field, key, value string) (plan, []RowError, error) {
		return plan{}, []RowError{{Row: p.Row, Field: f, Key: key, Value: value}}, nil
	}
	var ex existing
	found := false
	var err error
	if p.EmployeeNumber != "" {
		if ex, found, err = r.lookup(ctx, q, orgID, `mi.employee_number = $2 AND mi.employee_number <> ''`, p.EmployeeNumber); err != nil {
			return plan{}, nil, err
		}
		if found && p.EmailLower != "" && p.EmailLower != ex.emailLower {
			other, taken, err := r.lookup(ctx, q, orgID, `u.email_lower = $2`, p.EmailLower)
			if err != nil {
				return plan{}, nil, err
			}
			if taken && other.userID != ex.userID {
				return fail(FieldEmail, "hrimport.err.email_other", p.Email)
			}
		}
	}
	if !found && p.EmailLower != "" {
		if ex, found, err = r.lookup(ctx, q, orgID, `u.email_lower = $2`, p.EmailLower); err != nil {
			return plan{}, nil, err
		}
		if found && p.EmployeeNumber != "" && ex.hr.number != "" && ex.hr.number != p.EmployeeNumber {
			return fail(FieldEmail, "hrimport.err.number_conflict", ex.hr.number)
		}
	}
	want := p.Role(r.today)
	pl := plan{p: p, ex: ex, role: want}
	if !found {
		if p.Email == "" {
			return fail(FieldEmail, "hrimport.err.need_email", "")
		}
		pl.action = actionCreate
		pl.hr = hrRecord{number: p.EmployeeNumber, hiredOn: p.HiredOn, leftOn: p.LeftOn, department: p.Department,
			jobTitle: p.JobTitle, rehire: p.Rehire, notes: p.Notes, source: "import"}
		pl.setHR, pl.setProf, pl.name, pl.email = true, true, p.Name, p.Email
		pl.joined, pl.dept, pl.title = year(p.HiredOn), p.Department, p.JobTitle
		if want == org.Alumni {
			pl.left = year(p.LeftOn)
		}
		return pl, nil, nil
	}
	if ex.role == "" {
		return fail(FieldEmployeeNumber, "hrimport.err.inactive", "")
	}
	h := ex.hr
	nh := hrRecord{number: overlay(h.number, p.EmployeeNumber), hiredOn: overlay(h.hiredOn, p.HiredOn), leftOn: overlay(h.leftOn, p.LeftOn),
		department: overlay(h.department, p.Department), jobTitle: overlay(h.jobTitle, p.JobTitle), rehire: overlay(h.rehire, p.Rehire),
		notes: overlay(h.notes, p.Notes), source: h.source}
	if nh.hiredOn != "" && nh.leftOn != "" && nh.leftOn < nh.hiredOn {
		return fail(FieldLeftOn, "hrimport.err.left_before_hired", p.LeftOn+" < "+nh.hiredOn)
	}
	if !ex.hasHR || nh != h {
		nh.source = "import"
		pl.setHR = true
	}
	pl.hr = nh
	// The role follows the file only from employee to alumni: admins and
	// supporters are staff, and an alumnus coming back is a rehire HR does
	// on purpose, not by a re-import.
	if p.Status == "" && nh.leftOn != "" && nh.leftOn < r.today {
		want = org.Alumni
	}
	pl.convert = ex.role == org.Employee && want == org.Alumni
	pl.role = ex.role
	if pl.convert {
		pl.role = org.Alumni
	}
	pl.joined, pl.left, pl.dept, pl.title = ex.joinedYear, ex.leftYear, ex.departments, ex.jobTitles
	hiredYear, leftYear := year(nh.hiredOn), 0
	if pl.role == org.Alumni {
		leftYear = year(nh.leftOn)
	}
	if !ex.activated {
		n := ex.name
		n.Family = overlay(n.Family, p.Name.Family)
		n.Given = overlay(n.Given, p.Name.Given)
		n.FamilyKana = overlay(n.FamilyKana, p.Name.FamilyKana)
		n.GivenKana = overlay(n.GivenKana, p.Name.GivenKana)
		n.FamilyRomaji = overlay(n.FamilyRomaji, p.Name.FamilyRomaji)
		n.GivenRomaji = overlay(n.GivenRomaji, p.Name.GivenRomaji)
		pl.name, pl.email = n, ex.email
		if p.Email != "" && p.EmailLower != ex.emailLower {
			pl.email = p.Email
		}
		pl.setUser = n != ex.name || pl.email != ex.email
		pl.joined = overlayInt(pl.joined, hiredYear)
		pl.left = overlayInt(pl.left, leftYear)
		pl.dept, pl.title = overlay(pl.dept, nh.department), overlay(pl.title, nh.jobTitle)
	} else {
		if pl.joined == 0 {
			pl.joined = hiredYear
		}
		if pl.left == 0 {
			pl.left = leftYear
		}
		if pl.dept == "" {
			pl.dept = nh.department
		}
		if pl.title == "" {
			pl.title = nh.jobTitle
		}
	}
	pl.setProf = pl.joined != ex.joinedYear || pl.left != ex.leftYear || pl.dept != ex.departments || pl.title != ex.jobTitles
	pl.action = actionUnchanged
	if pl.setHR || pl.setUser || pl.setProf || pl.convert {
		pl.action = actionUpdate
	}
	return pl, nil, nil
}

func overlayInt(cur, v int) int {
	if v != 0 {
		return v
	}
	return cur
}

// apply writes a plan in tx. Row errors (the email taken meanwhile) are
// returned as such; other errors are the database's.
func (r *runner) apply(ctx context.Context, tx db.Tx, pl plan) ([]RowError, error) {
	if pl.action == actionUnchanged {
		return nil, nil
	}
	orgID := r.imp.OrgID
	now := r.s.now()
	id := pl.ex.userID
	emailTaken := []RowError{{Row: pl.p.Row, Field: FieldEmail, Key: "hrimport.err.email_other", Value: pl.p.Email}}
	if pl.action == actionCreate {
		var err error
		id, err = r.s.orgs.CreateMember(ctx, tx, orgID, org.NewMember{Email: pl.email, Name: pl.name, Role: pl.role})
		if errors.Is(err, org.ErrEmailTaken) {
			return emailTaken, nil
		}
		if errors.Is(err, org.ErrInvalid) {
			return []RowError{{Row: pl.p.Row, Key: "hrimport.err.invalid", Value: cut(err.Error())}}, nil
		}
		if err != nil {
			return nil, err
		}
	}
	if pl.setUser && pl.action == actionUpdate {
		n := pl.name
		_, err := tx.ExecContext(ctx, `UPDATE users SET email = $3, email_lower = $4, family_name = $5, given_name = $6, family_kana = $7,
			given_kana = $8, family_romaji = $9, given_romaji = $10, updated_at = $11 WHERE org_id = $1 AND id = $2 AND activated_at IS NULL`,
			orgID, id, pl.email, strings.ToLower(pl.email), n.Family, n.Given, n.FamilyKana, n.GivenKana, n.FamilyRomaji, n.GivenRomaji, now)
		if db.IsUniqueViolation(err) {
			return emailTaken, nil
		}
		if err != nil {
			return nil, err
		}
	}
	if pl.setProf {
		if _, err := r.stmts.exec(ctx, tx, `UPDATE profiles SET joined_year = $3, left_year = $4, department = $5, job_title = $6
			WHERE org_id = $1 AND user_id = $2`, orgID, id, pl.joined, pl.left, pl.dept, pl.title); err != nil {
			return nil, err
		}
	}
	if pl.setHR {
		h := pl.hr
		_, err := r.stmts.exec(ctx, tx, `INSERT INTO member_internal (org_id, user_id, rehire_eligibility, notes, employee_number,
			hired_on, left_on, hr_department, hr_job_title, hr_source, updated_at, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
			ON CONFLICT (org_id, user_id) DO UPDATE SET rehire_eligibility = excluded.rehire_eligibility, notes = excluded.notes,
			employee_number = excluded.employee_number, hired_on = excluded.hired_on, left_on = excluded.left_on,
			hr_department = excluded.hr_department, hr_job_title = excluded.hr_job_title, hr_source = excluded.hr_source,
			updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			orgID, id, h.rehire, h.notes, h.number, h.hiredOn, h.leftOn, h.department, h.jobTitle, h.source, now, nullID(r.by.UserID))
		if db.IsUniqueViolation(err) {
			return []RowError{{Row: pl.p.Row, Field: FieldEmployeeNumber, Key: "hrimport.err.dup_number_db", Value: h.number}}, nil
		}
		if err != nil {
			return nil, err
		}
	}
	if pl.convert {
		if err := r.s.orgs.SetRole(ctx, tx, orgID, id, org.Alumni); err != nil {
			return nil, err
		}
		if err := audit.Log(ctx, tx, audit.Entry{OrgID: orgID, ActorUserID: r.by.UserID, ActorLabel: r.by.Label, IP: r.by.IP,
			Action: "hrimport.converted", Target: fmt.Sprintf("user:%d", id),
			Detail: map[string]string{"import": strconv.FormatInt(r.imp.ID, 10), "left_on": pl.hr.leftOn}}); err != nil {
			return nil, err
		}
	}
	if pl.setUser || pl.setProf || pl.convert || pl.action == actionCreate {
		if err := r.s.members.Reindex(ctx, tx, orgID, id); err != nil {
			return nil, err
		}
	}
	return nil, nil
}
