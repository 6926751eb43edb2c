package member

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/search"
)

// ErrNotFound means no active member with that id in the organization.
var ErrNotFound = errors.New("member not found")

// Store reads and writes profiles, keeping the search index in step.
type Store struct {
	db    *db.DB
	orgs  *org.Store
	index *search.Index
	now   func() time.Time
	// changed run after a member's profile or membership changed, in the
	// same transaction, once the new facts are written (automatic groups).
	changed []func(ctx context.Context, exec db.Querier, orgID, userID int64) error
}

// OnChanged adds a hook run by UpdateIn and Reindex after a member's facts
// changed, in the same transaction.
func (s *Store) OnChanged(fn func(ctx context.Context, exec db.Querier, orgID, userID int64) error) {
	s.changed = append(s.changed, fn)
}

func (s *Store) runChanged(ctx context.Context, exec db.Querier, orgID, userID int64) error {
	for _, fn := range s.changed {
		if err := fn(ctx, exec, orgID, userID); err != nil {
			return err
		}
	}
	return nil
}

// NewStore returns a Store. now is the clock (db.Now when nil).
func NewStore(d *db.DB, orgs *org.Store, ix *search.Index, now func() time.Time) *Store {
	if now == nil {
		now = db.Now
	}
	return &Store{db: d, orgs: orgs, index: ix, now: now}
}

const profileColumns = `SELECT u.org_id, u.id, u.email, u.family_name, u.given_name, u.family_kana, u.given_kana,
	u.family_romaji, u.given_romaji, u.name_order_en = 'family_first', u.password_hash <> '', m.role,
	p.photo_key, p.joined_year, p.left_year, p.department, p.job_title, p.current_company, p.industry, p.current_title,
	p.prefecture, p.skills, p.interests, p.bio, p.links,
	p.open_rehire, p.open_sidework, p.open_referrals, p.open_mentoring, p.open_speaking,
	p.vis_photo, p.vis_years, p.vis_career, p.vis_work, p.vis_location, p.vis_skills, p.vis_interests, p.vis_bio,
	p.vis_links, p.vis_open_to, p.confirmed_at, p.updated_at`

// profileFrom joins what a profile is made of; only active members appear.
const profileFrom = ` FROM users u
	JOIN memberships m ON m.org_id = u.org_id AND m.user_id = u.id AND m.ended_at IS NULL
	JOIN profiles p ON p.org_id = u.org_id AND p.user_id = u.id`

const profileSelect = profileColumns + profileFrom

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func scanProfile(row interface{ Scan(...any) error }) (Profile, error) {
	var p Profile
	var deps, roles, skills, interests, links string
	var vis [10]Visibility
	var confirmed sql.NullTime
	err := row.Scan(&p.OrgID, &p.UserID, &p.Email, &p.Name.Family, &p.Name.Given, &p.Name.FamilyKana, &p.Name.GivenKana,
		&p.Name.FamilyRomaji, &p.Name.GivenRomaji, &p.Name.EnglishFamilyFirst, &p.Joined, &p.Role,
		&p.PhotoKey, &p.JoinedYear, &p.LeftYear, &deps, &roles, &p.CurrentCompany, &p.Industry, &p.CurrentRole,
		&p.Location, &skills, &interests, &p.Bio, &links,
		&p.OpenTo.Rehire, &p.OpenTo.SideWork, &p.OpenTo.Referrals, &p.OpenTo.Mentoring, &p.OpenTo.Speaking,
		&vis[0], &vis[1], &vis[2], &vis[3], &vis[4], &vis[5], &vis[6], &vis[7], &vis[8], &vis[9], &confirmed, &p.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}
	if err != nil {
		return p, err
	}
	p.Departments, p.RolesHeld, p.Skills, p.Interests, p.Links = lines(deps), lines(roles), lines(skills), lines(interests), lines(links)
	p.Visibility = map[string]Visibility{}
	for i, f := range Fields {
		p.Visibility[f] = vis[i]
	}
	if confirmed.Valid {
		p.ConfirmedAt = confirmed.Time
	}
	return p, nil
}

// Get returns the full profile of an active member of orgID. Callers show
// it through Profile.For.
func (s *Store) Get(ctx context.Context, orgID, userID int64) (Profile, error) {
	return s.GetIn(ctx, s.db.Read(), orgID, userID)
}

// GetIn is Get within q, e.g. a transaction that just created the member.
func (s *Store) GetIn(ctx context.Context, q db.Querier, orgID, userID int64) (Profile, error) {
	return scanProfile(q.QueryRowContext(ctx, profileSelect+` WHERE u.org_id = $1 AND u.id = $2`, orgID, userID))
}

func join(items []string) string { return strings.Join(items, "\n") }

// Update saves a profile as its owner edited it, name included, and
// re-indexes it. The email and role are not changed here. Saving counts as
// confirming that the profile is current.
func (s *Store) Update(ctx context.Context, p Profile) error {
	return s.db.Tx(ctx, func(tx db.Tx) error { return s.UpdateIn(ctx, tx, p, s.now()) })
}

// UpdateIn is Update inside the caller's transaction, with the time the
// profile counts as confirmed (the demo spreads it over the past).
func (s *Store) UpdateIn(ctx context.Context, tx db.Tx, p Profile, confirmed time.Time) error {
	now := s.now()
	if err := p.Validate(now.Year()); err != nil {
		return err
	}
	if err := s.orgs.SetName(ctx, tx, p.OrgID, p.UserID, p.Name); err != nil {
		return err
	}
	vis := func(f string) Visibility {
		if v, ok := p.Visibility[f]; ok {
			return v
		}
		return Members
	}
	{
		res, err := tx.ExecContext(ctx, `UPDATE profiles SET joined_year = $3, left_year = $4, department = $5, job_title = $6,
			current_company = $7, industry = $8, current_title = $9, prefecture = $10, skills = $11, interests = $12, bio = $13,
			links = $14, open_rehire = $15, open_sidework = $16, open_referrals = $17, open_mentoring = $18, open_speaking = $19,
			vis_photo = $20, vis_years = $21, vis_career = $22, vis_work = $23, vis_location = $24, vis_skills = $25,
			vis_interests = $26, vis_bio = $27, vis_links = $28, vis_open_to = $29, confirmed_at = $30, updated_at = $30
			WHERE org_id = $1 AND user_id = $2`,
			p.OrgID, p.UserID, p.JoinedYear, p.LeftYear, join(p.Departments), join(p.RolesHeld), p.CurrentCompany, p.Industry,
			p.CurrentRole, p.Location, join(p.Skills), join(p.Interests), p.Bio, join(p.Links),
			p.OpenTo.Rehire, p.OpenTo.SideWork, p.OpenTo.Referrals, p.OpenTo.Mentoring, p.OpenTo.Speaking,
			vis(FieldPhoto), vis(FieldYears), vis(FieldCareer), vis(FieldWork), vis(FieldLocation), vis(FieldSkills),
			vis(FieldInterests), vis(FieldBio), vis(FieldLinks), vis(FieldOpenTo), confirmed)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if err := s.reindex(ctx, tx, p.OrgID, p.UserID); err != nil {
			return err
		}
		return s.runChanged(ctx, tx, p.OrgID, p.UserID)
	}
}

// SetPhoto records a member's new photo key ("" removes it) and returns the
// old one, for the caller to delete from storage after the commit.
func (s *Store) SetPhoto(ctx context.Context, orgID, userID int64, key string) (old string, err error) {
	err = s.db.Tx(ctx, func(tx db.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT photo_key FROM profiles WHERE org_id = $1 AND user_id = $2`, orgID, userID).Scan(&old); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE profiles SET photo_key = $3, updated_at = $4 WHERE org_id = $1 AND user_id = $2`, orgID, userID, key, s.now())
		return err
	})
	return old, err
}

// Confirm records that the member says their profile is still right.
func (s *Store) Confirm(ctx context.Context, orgID, userID int64) error {
	res, err := s.db.Write().ExecContext(ctx, `UPDATE profiles SET confirmed_at = $3 WHERE org_id = $1 AND user_id = $2`, orgID, userID, s.now())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Freshness counts how old the organization's profiles are, for admins.
type Freshness struct {
	Total, Older6, Older12, Never int
}

// FreshnessOf counts profiles not confirmed within 6 and 12 months. A
// profile never confirmed counts from when it was last updated.
func (s *Store) FreshnessOf(ctx context.Context, orgID int64) (Freshness, error) {
	now := s.now()
	var f Freshness
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN COALESCE(p.confirmed_at, p.updated_at) < $2 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN COALESCE(p.confirmed_at, p.updated_at) < $3 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN p.confirmed_at IS NULL THEN 1 ELSE 0 END), 0)
		FROM profiles p JOIN memberships m ON m.org_id = p.org_id AND m.user_id = p.user_id AND m.ended_at IS NULL
		WHERE p.org_id = $1`, orgID, now.AddDate(0, -6, 0), now.AddDate(0, -12, 0)).Scan(&f.Total, &f.Older6, &f.Older12, &f.Never)
	return f, err
}

// NeedsConfirmation tells whether to ask the member "still at X?": never
// confirmed, or confirmed more than 6 months ago.
func (p Profile) NeedsConfirmation(now time.Time) bool {
	last := p.ConfirmedAt
	if last.IsZero() {
		last = p.UpdatedAt
	}
	return last.Before(now.AddDate(0, -6, 0)) || p.ConfirmedAt.IsZero()
}

// reindex rebuilds the search document of one member from what members may
// see of the profile, so that a search never finds someone by a field they
// hid.
func (s *Store) reindex(ctx context.Context, exec db.Querier, orgID, userID int64) error {
	row := exec.QueryRowContext(ctx, profileSelect+` WHERE u.org_id = $1 AND u.id = $2`, orgID, userID)
	p, err := scanProfile(row)
	if errors.Is(err, ErrNotFound) {
		return s.index.Delete(ctx, exec, orgID, userID)
	}
	if err != nil {
		return err
	}
	return s.index.Upsert(ctx, exec, SearchDocument(p))
}

// Reindex rebuilds one member's search document; callers that change names
// or memberships elsewhere use it in their transaction.
func (s *Store) Reindex(ctx context.Context, exec db.Querier, orgID, userID int64) error {
	if err := s.reindex(ctx, exec, orgID, userID); err != nil {
		return err
	}
	return s.runChanged(ctx, exec, orgID, userID)
}

// ReindexAll rebuilds the whole organization's index, for the demo and after
// upgrades that change what is indexed.
func (s *Store) ReindexAll(ctx context.Context, orgID int64) (int, error) {
	rows, err := s.db.Read().QueryContext(ctx, profileSelect+` WHERE u.org_id = $1`, orgID)
	if err != nil {
		return 0, err
	}
	var docs []search.Document
	for rows.Next() {
		p, err := scanProfile(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		docs = append(docs, SearchDocument(p))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	err = s.db.Tx(ctx, func(tx db.Tx) error {
		for _, d := range docs {
			if err := s.index.Upsert(ctx, tx, d); err != nil {
				return fmt.Errorf("index member %d: %w", d.UserID, err)
			}
		}
		return nil
	})
	return len(docs), err
}

// SearchDocument is what the directory search matches: the name in every
// script and order people type it, and the fields members can see.
func SearchDocument(full Profile) search.Document {
	p := full.For(Viewer{Role: org.Alumni})
	n := p.Name
	d := search.Document{OrgID: p.OrgID, UserID: p.UserID, Name: search.Name{Family: n.Family, Given: n.Given,
		FamilyKana: n.FamilyKana, GivenKana: n.GivenKana, FamilyRomaji: n.FamilyRomaji, GivenRomaji: n.GivenRomaji}.Variants()}
	d.Body = append(d.Body, p.CurrentCompany, p.CurrentRole, p.Location)
	d.Body = append(d.Body, p.Departments...)
	d.Body = append(d.Body, p.RolesHeld...)
	d.Body = append(d.Body, p.Skills...)
	d.Body = append(d.Body, p.Interests...)
	d.Body = append(d.Body, p.Bio)
	return d
}

// Internal holds the fields only admins see and edit.
type Internal struct {
	RehireEligibility string // "", "eligible", "conditional", "not_eligible"
	RehireConditions  string
	Notes             string
	EmployeeNumber    string
	UpdatedAt         time.Time
}

// RehireEligibilities lists the choices, "" meaning not assessed.
var RehireEligibilities = []string{"", "eligible", "conditional", "not_eligible"}

// Admin is the acting admin, for the audit log.
type Admin struct {
	UserID int64
	Email  string
	IP     string
}

// Internal returns a member's internal fields and records that the admin
// looked at them: every view is audited.
func (s *Store) Internal(ctx context.Context, orgID, userID int64, by Admin) (Internal, error) {
	var in Internal
	err := s.db.Read().QueryRowContext(ctx, `SELECT rehire_eligibility, rehire_conditions, notes, employee_number, updated_at
		FROM member_internal WHERE org_id = $1 AND user_id = $2`, orgID, userID).
		Scan(&in.RehireEligibility, &in.RehireConditions, &in.Notes, &in.EmployeeNumber, &in.UpdatedAt)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return in, err
	}
	err = audit.Log(ctx, s.db.Write(), audit.Entry{OrgID: orgID, ActorUserID: by.UserID, ActorLabel: by.Email, IP: by.IP,
		Action: "admin.internal_viewed", Target: fmt.Sprintf("user:%d", userID)})
	return in, err
}

// SetInternal replaces a member's internal fields, with an audit entry that
// names which fields changed (not their values: the log is read by every admin).
func (s *Store) SetInternal(ctx context.Context, orgID, userID int64, in Internal, by Admin) error {
	var errs ValidationErrors
	valid := false
	for _, e := range RehireEligibilities {
		valid = valid || e == in.RehireEligibility
	}
	if !valid {
		errs = append(errs, &FieldError{Field: "rehire_eligibility", Key: "form.choose"})
	}
	if len([]rune(in.RehireConditions)) > 2000 {
		errs = append(errs, &FieldError{Field: "rehire_conditions", Key: "form.too_long", Args: []any{"max", 2000}})
	}
	if len([]rune(in.Notes)) > 4000 {
		errs = append(errs, &FieldError{Field: "notes", Key: "form.too_long", Args: []any{"max", 4000}})
	}
	if len([]rune(in.EmployeeNumber)) > 50 {
		errs = append(errs, &FieldError{Field: "employee_number", Key: "form.too_long", Args: []any{"max", 50}})
	}
	if len(errs) > 0 {
		return errs
	}
	now := s.now()
	return s.db.Tx(ctx, func(tx db.Tx) error {
		var old Internal
		err := tx.QueryRowContext(ctx, `SELECT rehire_eligibility, rehire_conditions, notes, employee_number FROM member_internal
			WHERE org_id = $1 AND user_id = $2`, orgID, userID).Scan(&old.RehireEligibility, &old.RehireConditions, &old.Notes, &old.EmployeeNumber)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND user_id = $2 AND ended_at IS NULL`, orgID, userID).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return ErrNotFound
		}
		// An upsert, not delete and insert: the HR record's other columns
		// (hired_on, left_on, hr_*) are kept.
		if _, err := tx.ExecContext(ctx, `INSERT INTO member_internal (org_id, user_id, rehire_eligibility, rehire_conditions, notes,
			employee_number, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (org_id, user_id) DO UPDATE SET rehire_eligibility = excluded.rehire_eligibility,
			rehire_conditions = excluded.rehire_conditions, notes = excluded.notes, employee_number = excluded.employee_number,
			updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			orgID, userID, in.RehireEligibility, strings.TrimSpace(in.RehireConditions), strings.TrimSpace(in.Notes),
			strings.TrimSpace(in.EmployeeNumber), now, by.UserID); err != nil {
			return err
		}
		var changed []string
		if old.RehireEligibility != in.RehireEligibility {
			changed = append(changed, "rehire_eligibility")
		}
		if old.RehireConditions != strings.TrimSpace(in.RehireConditions) {
			changed = append(changed, "rehire_conditions")
		}
		if old.Notes != strings.TrimSpace(in.Notes) {
			changed = append(changed, "notes")
		}
		if old.EmployeeNumber != strings.TrimSpace(in.EmployeeNumber) {
			changed = append(changed, "employee_number")
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: orgID, ActorUserID: by.UserID, ActorLabel: by.Email, IP: by.IP,
			Action: "admin.internal_changed", Target: fmt.Sprintf("user:%d", userID),
			Detail: map[string]string{"fields": strings.Join(changed, ",")}})
	})
}

// Reminder is a member to ask "still at X?" by email.
type Reminder struct {
	OrgID, UserID  int64
	Email          string
	Name           org.Name
	Locale         string
	CurrentCompany string
}

// ReminderInterval is how long a profile may go unconfirmed before the
// member is asked, and how long between two reminders.
const ReminderInterval = 6 // months

// ClaimReminders picks up to limit members (who have joined) whose profile
// has not been confirmed for ReminderInterval months and who were not
// reminded in that time, marks them reminded, and calls send for each in
// the same transaction. The conditional update is the claim: with several
// app servers sweeping at once, each member is reminded once.
func (s *Store) ClaimReminders(ctx context.Context, limit int, send func(ctx context.Context, exec db.Querier, r Reminder) error) (int, error) {
	now := s.now()
	cutoff := now.AddDate(0, -ReminderInterval, 0)
	rows, err := s.db.Read().QueryContext(ctx, `SELECT u.org_id, u.id, u.email, u.family_name, u.given_name, u.family_kana, u.given_kana,
		u.family_romaji, u.given_romaji, u.name_order_en = 'family_first', u.locale, p.current_company`+profileFrom+`
		WHERE u.password_hash <> '' AND COALESCE(p.confirmed_at, p.updated_at) < $1 AND (p.reminded_at IS NULL OR p.reminded_at < $1)
		ORDER BY u.org_id, u.id LIMIT $2`, cutoff, limit)
	if err != nil {
		return 0, err
	}
	var due []Reminder
	for rows.Next() {
		var r Reminder
		n := &r.Name
		if err := rows.Scan(&r.OrgID, &r.UserID, &r.Email, &n.Family, &n.Given, &n.FamilyKana, &n.GivenKana, &n.FamilyRomaji, &n.GivenRomaji,
			&n.EnglishFamilyFirst, &r.Locale, &r.CurrentCompany); err != nil {
			rows.Close()
			return 0, err
		}
		due = append(due, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	sent := 0
	for _, r := range due {
		err := s.db.Tx(ctx, func(tx db.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE profiles SET reminded_at = $3 WHERE org_id = $1 AND user_id = $2
				AND (reminded_at IS NULL OR reminded_at < $4)`, r.OrgID, r.UserID, now, cutoff)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return nil // another server took it
			}
			sent++
			return send(ctx, tx, r)
		})
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// InternalAll reads the internal fields of every member of orgID in one
// query, for admin lists and exports. It writes the audit entry first (one
// for the list or export, not one per member): there is no way to read
// internal fields in bulk without leaving a record.
func (s *Store) InternalAll(ctx context.Context, orgID int64, by Admin, action string, detail map[string]string) (map[int64]Internal, error) {
	if err := audit.Log(ctx, s.db.Write(), audit.Entry{OrgID: orgID, ActorUserID: by.UserID, ActorLabel: by.Email, IP: by.IP,
		Action: action, Target: "members", Detail: detail}); err != nil {
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT user_id, rehire_eligibility, rehire_conditions, notes, employee_number, updated_at
		FROM member_internal WHERE org_id = $1`, orgID)
	if err != nil {
		return nil, fmt.Errorf("read internal fields: %w", err)
	}
	defer rows.Close()
	out := map[int64]Internal{}
	for rows.Next() {
		var id int64
		var in Internal
		if err := rows.Scan(&id, &in.RehireEligibility, &in.RehireConditions, &in.Notes, &in.EmployeeNumber, &in.UpdatedAt); err != nil {
			return nil, err
		}
		out[id] = in
	}
	return out, rows.Err()
}
