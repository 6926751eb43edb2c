package offboard

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/email"
	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/form"
	"github.com/tsunagu/tsunagu/internal/platform/jobs"
	"github.com/tsunagu/tsunagu/internal/platform/tz"
)

// Departure states.
const (
	Pending   = "pending"
	Converted = "converted"
	Cancelled = "cancelled"
)

// KindConvert is the scheduled job that converts a leaver on their last day.
const KindConvert = "offboard.convert"

// ConvertHour is when, in Japan, the last-day job runs: 09:00 on the last
// day. The leaver is still at work that day and gets the card in the
// morning; writing closed at midnight, so colleagues had the whole day
// before. HR teams expect "on the last day", not the day after, because the
// work mailbox stops working at the end of that day.
const ConvertHour = 9

// Errors the web layer maps to messages.
var (
	ErrNotFound = errors.New("offboard: not found")
	// ErrNotPending: the departure was already converted or cancelled.
	ErrNotPending = errors.New("offboard: departure is not pending")
	// ErrClosed: writing on the card has closed (the day before the last day ended).
	ErrClosed = errors.New("offboard: card closed")
	// ErrTooMany: the anonymous writing cap was reached.
	ErrTooMany = errors.New("offboard: too many messages")
)

// FieldError is one problem with a form field (form.Problem).
type FieldError = form.Problem

// Errors are all the problems of one form; nothing was written (form.Problems).
type Errors = form.Problems

// RowError is the problems of one line of a bulk entry.
type RowError struct {
	Line   int
	Text   string
	Errors Errors
}

// BulkError lists every bad line; nothing was written.
type BulkError []RowError

func (e BulkError) Error() string { return fmt.Sprintf("offboard: %d bad lines", len(e)) }

// Actor is who acts, for the audit log.
type Actor struct {
	UserID int64
	Email  string
	IP     string
}

// Departure is one person's leaving.
type Departure struct {
	ID, OrgID, UserID int64
	LastDay           string // YYYY-MM-DD, in Japan
	Department        string
	JobTitle          string
	HiredOn           string // YYYY-MM-DD or ""
	TenureYears       int    // as entered when the hiring date is unknown
	PersonalEmail     string
	Lang              string
	State             string
	Source            string
	CardID            string
	CardAnonymous     bool
	CardManagerID     int64
	CreatedAt         time.Time
	ConvertedAt       time.Time

	// Of the person, for lists.
	Name         org.Name
	Email        string
	ManagerEmail string
}

// Tenure is the whole years from the hiring date to the last day, or the
// years HR entered when the hiring date is unknown.
func (d Departure) Tenure() int {
	if d.HiredOn == "" {
		return d.TenureYears
	}
	return yearsBetween(d.HiredOn, d.LastDay)
}

func yearsBetween(from, to string) int {
	a, err1 := time.Parse(time.DateOnly, from)
	b, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil || b.Before(a) {
		return 0
	}
	y := b.Year() - a.Year()
	if b.Month() < a.Month() || (b.Month() == a.Month() && b.Day() < a.Day()) {
		y--
	}
	return y
}

// Input is the departure form, as typed.
type Input struct {
	Member            string // email or employee number (recording only)
	LastDay           string
	HiredOn           string
	TenureYears       string
	Department        string
	JobTitle          string
	RehireEligibility string
	RehireConditions  string
	Notes             string
	PersonalEmail     string
	Lang              string
	CardAnonymous     bool
	CardManager       string // email of an employee or staff member, optional
}

// Config builds a Service.
type Config struct {
	DB      *db.DB
	Orgs    *org.Store
	Outbox  *email.Outbox
	Jobs    *jobs.Queue
	BaseURL string
	Now     func() time.Time
	// Reindex rebuilds a member's search document inside a transaction
	// (member.Store.Reindex): a role change must reach the directory.
	Reindex func(ctx context.Context, exec db.Querier, orgID, userID int64) error
	// InviteTTL is how long the leaver's join link works: 14 days.
	InviteTTL time.Duration
}

// Service records departures, runs the cards and converts leavers.
type Service struct {
	db      *db.DB
	orgs    *org.Store
	outbox  *email.Outbox
	jobs    *jobs.Queue
	baseURL string
	now     func() time.Time
	reindex func(ctx context.Context, exec db.Querier, orgID, userID int64) error
	ttl     time.Duration
}

// New builds the service and registers its job.
func New(c Config) *Service {
	if c.Now == nil {
		c.Now = db.Now
	}
	if c.InviteTTL == 0 {
		c.InviteTTL = 14 * 24 * time.Hour
	}
	s := &Service{db: c.DB, orgs: c.Orgs, outbox: c.Outbox, jobs: c.Jobs, baseURL: strings.TrimRight(c.BaseURL, "/"),
		now: c.Now, reindex: c.Reindex, ttl: c.InviteTTL}
	c.Jobs.Register(KindConvert, 10, s.runConvert)
	return s
}

// Today is the calendar day in Japan.
func (s *Service) Today() string { return s.now().In(tz.Japan).Format(time.DateOnly) }

// dayStart is 00:00 in Japan of day.
func dayStart(day string) time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, day, tz.Japan)
	return t
}

// ConvertAt is when the last-day job runs for day.
func ConvertAt(day string) time.Time { return dayStart(day).Add(ConvertHour * time.Hour) }

// WritingClosesAt is the end of the day before the last day.
func WritingClosesAt(day string) time.Time { return dayStart(day) }

// parseDay accepts 2026-04-01 and 2026/4/1 and returns the ISO form.
func parseDay(s string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.DateOnly, "2006/1/2", "2006-1-2"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.DateOnly), true
		}
	}
	return "", false
}

func newCardID() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Limits on what HR types.
const (
	maxText  = 200
	maxLong  = 2000
	maxNotes = 4000
)

// clean is a validated Input.
type clean struct {
	userID        int64
	lastDay       string
	hiredOn       string
	tenure        int
	dept, title   string
	internal      member.Internal // the rehire fields only admins see
	personalEmail string
	lang          string
	anonymous     bool
	managerID     int64
	// withInternal: the form carried the rehire fields, so they are saved;
	// bulk entries and directory departures leave them as they were.
	withInternal bool
}

// validate checks in; recording (userID == 0) also resolves the member.
// The error is a database failure, never a problem with the input.
func (s *Service) validate(ctx context.Context, q db.Querier, orgID int64, in Input, userID int64, oldLastDay string) (clean, Errors, error) {
	var errs Errors
	add := func(field, key string, args ...any) {
		errs = append(errs, FieldError{Field: field, Key: key, Args: args})
	}
	c := clean{userID: userID, dept: strings.TrimSpace(in.Department), title: strings.TrimSpace(in.JobTitle),
		internal: member.Internal{RehireEligibility: in.RehireEligibility, RehireConditions: strings.TrimSpace(in.RehireConditions),
			Notes: strings.TrimSpace(in.Notes)},
		anonymous: in.CardAnonymous, lang: in.Lang, withInternal: true}
	if userID == 0 {
		who := strings.TrimSpace(in.Member)
		if who == "" {
			add("member", "form.required")
		} else if id, key, err := findEmployee(ctx, q, orgID, who); err != nil {
			return c, nil, err
		} else if key != "" {
			add("member", key)
		} else {
			c.userID = id
		}
	}
	if strings.TrimSpace(in.LastDay) == "" {
		add("last_day", "form.required")
	} else if d, ok := parseDay(in.LastDay); !ok {
		add("last_day", "offboard.error.date")
	} else if d < s.Today() && d != oldLastDay {
		add("last_day", "offboard.error.past")
	} else {
		c.lastDay = d
	}
	if strings.TrimSpace(in.HiredOn) != "" {
		if d, ok := parseDay(in.HiredOn); !ok {
			add("hired_on", "offboard.error.date")
		} else if c.lastDay != "" && d > c.lastDay {
			add("hired_on", "offboard.error.hired_after")
		} else {
			c.hiredOn = d
		}
	}
	if t := strings.TrimSpace(in.TenureYears); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 || n > 70 {
			add("tenure_years", "offboard.error.tenure")
		} else {
			c.tenure = n
		}
	}
	for field, v := range map[string]string{"department": c.dept, "job_title": c.title} {
		if utf8.RuneCountInString(v) > maxText {
			add(field, "form.too_long", "max", maxText)
		}
	}
	if !slices.Contains(member.RehireEligibilities, c.internal.RehireEligibility) {
		add("rehire_eligibility", "form.choose")
	}
	if utf8.RuneCountInString(c.internal.RehireConditions) > maxLong {
		add("rehire_conditions", "form.too_long", "max", maxLong)
	}
	if utf8.RuneCountInString(c.internal.Notes) > maxNotes {
		add("notes", "form.too_long", "max", maxNotes)
	}
	if pe := strings.TrimSpace(in.PersonalEmail); pe != "" {
		e, _, err := org.NormalizeEmail(pe)
		if err != nil {
			add("personal_email", "form.email_invalid")
		} else {
			c.personalEmail = e
		}
	}
	if c.lang == "" {
		c.lang = "ja"
	}
	if c.lang != "ja" && c.lang != "en" {
		add("lang", "form.choose")
	}
	if m := strings.TrimSpace(in.CardManager); m != "" {
		id, role, err := memberByEmail(ctx, q, orgID, m)
		switch {
		case errors.Is(err, sql.ErrNoRows) || (err == nil && role == org.Alumni):
			add("card_manager", "offboard.error.manager")
		case err != nil:
			return c, nil, err
		case id == c.userID:
			add("card_manager", "offboard.error.manager_self")
		default:
			c.managerID = id
		}
	}
	return c, errs, nil
}

// memberByEmail finds an active member of orgID by email, within q (the
// caller's transaction); sql.ErrNoRows when there is none.
func memberByEmail(ctx context.Context, q db.Querier, orgID int64, email string) (id int64, role org.Role, err error) {
	err = q.QueryRowContext(ctx, `SELECT u.id, m.role FROM users u JOIN memberships m ON m.org_id = u.org_id AND m.user_id = u.id
		AND m.ended_at IS NULL WHERE u.org_id = $1 AND u.email_lower = $2`, orgID, strings.ToLower(email)).Scan(&id, &role)
	return id, role, err
}

// findEmployee resolves an email or employee number to a current employee
// without a pending departure; key says what is wrong otherwise.
func findEmployee(ctx context.Context, q db.Querier, orgID int64, who string) (id int64, key string, err error) {
	var role org.Role
	if strings.Contains(who, "@") {
		id, role, err = memberByEmail(ctx, q, orgID, who)
	} else {
		err = q.QueryRowContext(ctx, `SELECT u.id, m.role FROM member_internal i JOIN users u ON u.org_id = i.org_id AND u.id = i.user_id
			JOIN memberships m ON m.org_id = u.org_id AND m.user_id = u.id AND m.ended_at IS NULL
			WHERE i.org_id = $1 AND i.employee_number = $2`, orgID, who).Scan(&id, &role)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "offboard.error.no_member", nil
	}
	if err != nil {
		return 0, "", err
	}
	if role != org.Employee {
		return 0, "offboard.error.not_employee", nil
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM departures WHERE org_id = $1 AND user_id = $2 AND state = 'pending'`,
		orgID, id).Scan(&n); err != nil {
		return 0, "", err
	}
	if n > 0 {
		return 0, "offboard.error.already_pending", nil
	}
	return id, "", nil
}

// Record records one departure and schedules its conversion.
func (s *Service) Record(ctx context.Context, o org.Organization, in Input, by Actor) (Departure, error) {
	var d Departure
	err := s.db.Tx(ctx, func(tx db.Tx) error {
		c, errs, err := s.validate(ctx, tx, o.ID, in, 0, "")
		if err != nil {
			return err
		}
		if len(errs) > 0 {
			return errs
		}
		d, err = s.insert(ctx, tx, o.ID, c, "manual", by)
		return err
	})
	return d, err
}

func (s *Service) insert(ctx context.Context, tx db.Tx, orgID int64, c clean, source string, by Actor) (Departure, error) {
	now := s.now()
	d := Departure{OrgID: orgID, UserID: c.userID, LastDay: c.lastDay, Department: c.dept, JobTitle: c.title, HiredOn: c.hiredOn,
		TenureYears: c.tenure, PersonalEmail: c.personalEmail, Lang: c.lang, State: Pending, Source: source, CardID: newCardID(),
		CardAnonymous: c.anonymous, CardManagerID: c.managerID, CreatedAt: now}
	err := tx.QueryRowContext(ctx, `INSERT INTO departures (org_id, user_id, last_day, department, job_title, hired_on, tenure_years,
		personal_email, lang, state, source, card_id, card_anonymous, card_manager_id, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $11, $12, $13, $14, $15, $15) RETURNING id`,
		orgID, d.UserID, d.LastDay, d.Department, d.JobTitle, d.HiredOn, d.TenureYears, d.PersonalEmail, d.Lang, source, d.CardID,
		d.CardAnonymous, nullID(d.CardManagerID), nullID(by.UserID), now).Scan(&d.ID)
	if db.IsUniqueViolation(err) {
		return d, Errors{{Field: "member", Key: "offboard.error.already_pending"}}
	}
	if err != nil {
		return d, err
	}
	if c.withInternal {
		if err := s.saveInternal(ctx, tx, orgID, d.UserID, c, by.UserID); err != nil {
			return d, err
		}
	}
	if err := s.schedule(ctx, tx, d); err != nil {
		return d, err
	}
	return d, audit.Log(ctx, tx, audit.Entry{OrgID: orgID, ActorUserID: by.UserID, ActorLabel: by.Email, IP: by.IP,
		Action: "offboard.recorded", Target: fmt.Sprintf("user:%d", d.UserID),
		Detail: map[string]string{"departure": fmt.Sprint(d.ID), "last_day": d.LastDay, "source": source}})
}

// saveInternal keeps HR's admin-only fields on member_internal, leaving the
// columns other capabilities own (employee number, import source) as they are.
func (s *Service) saveInternal(ctx context.Context, tx db.Tx, orgID, userID int64, c clean, by int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO member_internal (org_id, user_id, rehire_eligibility, rehire_conditions, notes,
		hired_on, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (org_id, user_id) DO UPDATE SET rehire_eligibility = excluded.rehire_eligibility,
		rehire_conditions = excluded.rehire_conditions, notes = excluded.notes,
		hired_on = CASE WHEN excluded.hired_on <> '' THEN excluded.hired_on ELSE member_internal.hired_on END,
		updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		orgID, userID, c.internal.RehireEligibility, c.internal.RehireConditions, c.internal.Notes, c.hiredOn, s.now(), nullID(by))
	return err
}

// convertJob is the payload of the last-day job. The last day is part of
// it: a job for a day that is no longer the departure's does nothing, so a
// rescheduled departure never converts on the old date.
type convertJob struct {
	DepartureID int64  `json:"departure_id"`
	LastDay     string `json:"last_day"`
}

func (s *Service) schedule(ctx context.Context, exec db.Querier, d Departure) error {
	_, err := s.jobs.Enqueue(ctx, exec, d.OrgID, KindConvert, convertJob{DepartureID: d.ID, LastDay: d.LastDay}, ConvertAt(d.LastDay))
	return err
}

// maxBulkLines bounds one bulk entry.
const maxBulkLines = 500

// bulkSeparators reads a tab (pasted from Excel) or a full-width comma
// (typed with a Japanese input method) as a comma.
var bulkSeparators = strings.NewReplacer("\t", ",", "，", ",")

// RecordBulk records several departures from lines of
// "email or employee number, last day[, personal email]", with the other
// fields common to all. All or nothing: one bad line writes nothing, and
// every bad line is reported.
func (s *Service) RecordBulk(ctx context.Context, o org.Organization, text string, common Input, by Actor) (int, error) {
	var n int
	err := s.db.Tx(ctx, func(tx db.Tx) error {
		var bad BulkError
		var rows []clean
		seen := map[int64]int{}
		lineNo := 0
		for raw := range strings.SplitSeq(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
			lineNo++
			line := strings.TrimSpace(raw)
			if line == "" {
				continue
			}
			if len(rows)+len(bad) >= maxBulkLines {
				return Errors{{Field: "lines", Key: "offboard.error.bulk_too_many", Args: []any{"max", maxBulkLines}}}
			}
			parts := strings.Split(bulkSeparators.Replace(line), ",")
			in := common
			in.Member = strings.TrimSpace(parts[0])
			in.LastDay, in.PersonalEmail = "", ""
			if len(parts) > 1 {
				in.LastDay = parts[1]
			}
			if len(parts) > 2 {
				in.PersonalEmail = parts[2]
			}
			if len(parts) > 3 {
				bad = append(bad, RowError{Line: lineNo, Text: line, Errors: Errors{{Field: "line", Key: "offboard.error.bulk_columns"}}})
				continue
			}
			c, errs, err := s.validate(ctx, tx, o.ID, in, 0, "")
			if err != nil {
				return err
			}
			c.withInternal = false
			if len(errs) == 0 {
				if first, dup := seen[c.userID]; dup {
					errs = Errors{{Field: "member", Key: "offboard.error.bulk_duplicate", Args: []any{"line", first}}}
				}
				seen[c.userID] = lineNo
			}
			if len(errs) > 0 {
				bad = append(bad, RowError{Line: lineNo, Text: line, Errors: errs})
				continue
			}
			rows = append(rows, c)
		}
		if len(bad) > 0 {
			return bad
		}
		if len(rows) == 0 {
			return Errors{{Field: "lines", Key: "form.required"}}
		}
		for _, c := range rows {
			if _, err := s.insert(ctx, tx, o.ID, c, "bulk", by); err != nil {
				return err
			}
		}
		n = len(rows)
		return nil
	})
	return n, err
}

// Update changes a pending departure. A new last day schedules a new job;
// the old one finds the day changed and does nothing.
func (s *Service) Update(ctx context.Context, o org.Organization, id int64, in Input, by Actor) error {
	return s.db.Tx(ctx, func(tx db.Tx) error {
		d, err := s.get(ctx, tx, o.ID, id)
		if err != nil {
			return err
		}
		if d.State != Pending {
			return ErrNotPending
		}
		c, errs, err := s.validate(ctx, tx, o.ID, in, d.UserID, d.LastDay)
		if err != nil {
			return err
		}
		if len(errs) > 0 {
			return errs
		}
		if _, err := tx.ExecContext(ctx, `UPDATE departures SET last_day = $3, department = $4, job_title = $5, hired_on = $6,
			tenure_years = $7, personal_email = $8, lang = $9, card_anonymous = $10, card_manager_id = $11, updated_at = $12
			WHERE org_id = $1 AND id = $2`, o.ID, id, c.lastDay, c.dept, c.title, c.hiredOn, c.tenure, c.personalEmail, c.lang,
			c.anonymous, nullID(c.managerID), s.now()); err != nil {
			return err
		}
		if err := s.saveInternal(ctx, tx, o.ID, d.UserID, c, by.UserID); err != nil {
			return err
		}
		detail := map[string]string{"departure": fmt.Sprint(id)}
		if c.lastDay != d.LastDay {
			detail["last_day_from"], detail["last_day_to"] = d.LastDay, c.lastDay
			d.LastDay = c.lastDay
			if err := s.schedule(ctx, tx, d); err != nil {
				return err
			}
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorUserID: by.UserID, ActorLabel: by.Email, IP: by.IP,
			Action: "offboard.updated", Target: fmt.Sprintf("user:%d", d.UserID), Detail: detail})
	})
}

// Cancel withdraws a pending departure: the person stays an employee, and
// the scheduled job finds nothing to do.
func (s *Service) Cancel(ctx context.Context, o org.Organization, id int64, by Actor) error {
	return s.db.Tx(ctx, func(tx db.Tx) error {
		d, err := s.get(ctx, tx, o.ID, id)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE departures SET state = 'cancelled', updated_at = $3 WHERE org_id = $1 AND id = $2 AND state = 'pending'`,
			o.ID, id, s.now())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotPending
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorUserID: by.UserID, ActorLabel: by.Email, IP: by.IP,
			Action: "offboard.cancelled", Target: fmt.Sprintf("user:%d", d.UserID), Detail: map[string]string{"departure": fmt.Sprint(id), "last_day": d.LastDay}})
	})
}

const departureSelect = `SELECT d.id, d.org_id, d.user_id, d.last_day, d.department, d.job_title, d.hired_on, d.tenure_years,
	d.personal_email, d.lang, d.state, d.source, d.card_id, d.card_anonymous, COALESCE(d.card_manager_id, 0), d.created_at, d.converted_at,
	u.email, u.family_name, u.given_name, u.family_kana, u.given_kana, u.family_romaji, u.given_romaji, u.name_order_en = 'family_first',
	COALESCE(mg.email, '')
	FROM departures d JOIN users u ON u.org_id = d.org_id AND u.id = d.user_id
	LEFT JOIN users mg ON mg.org_id = d.org_id AND mg.id = d.card_manager_id`

func scanDeparture(row interface{ Scan(...any) error }) (Departure, error) {
	var d Departure
	var conv sql.NullTime
	n := &d.Name
	err := row.Scan(&d.ID, &d.OrgID, &d.UserID, &d.LastDay, &d.Department, &d.JobTitle, &d.HiredOn, &d.TenureYears, &d.PersonalEmail,
		&d.Lang, &d.State, &d.Source, &d.CardID, &d.CardAnonymous, &d.CardManagerID, &d.CreatedAt, &conv,
		&d.Email, &n.Family, &n.Given, &n.FamilyKana, &n.GivenKana, &n.FamilyRomaji, &n.GivenRomaji, &n.EnglishFamilyFirst, &d.ManagerEmail)
	if errors.Is(err, sql.ErrNoRows) {
		return d, ErrNotFound
	}
	if conv.Valid {
		d.ConvertedAt = conv.Time
	}
	return d, err
}

func (s *Service) get(ctx context.Context, q db.Querier, orgID, id int64) (Departure, error) {
	return scanDeparture(q.QueryRowContext(ctx, departureSelect+` WHERE d.org_id = $1 AND d.id = $2`, orgID, id))
}

// Get returns one departure of orgID.
func (s *Service) Get(ctx context.Context, orgID, id int64) (Departure, error) {
	return s.get(ctx, s.db.Read(), orgID, id)
}

// List returns the organization's departures: pending ones by last day,
// then the rest, newest first.
func (s *Service) List(ctx context.Context, orgID int64, limit int) (upcoming, past []Departure, err error) {
	rows, err := s.db.Read().QueryContext(ctx, departureSelect+` WHERE d.org_id = $1
		ORDER BY CASE WHEN d.state = 'pending' THEN 0 ELSE 1 END, CASE WHEN d.state = 'pending' THEN d.last_day END ASC,
		d.last_day DESC, d.id DESC LIMIT $2`, orgID, limit)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDeparture(rows)
		if err != nil {
			return nil, nil, err
		}
		if d.State == Pending {
			upcoming = append(upcoming, d)
		} else {
			past = append(past, d)
		}
	}
	return upcoming, past, rows.Err()
}

// Employee is a current employee HR may pick.
type Employee struct {
	UserID         int64
	Email          string
	Name           org.Name
	EmployeeNumber string
}

// Employees lists current employees without a pending departure, for the
// form's picker.
func (s *Service) Employees(ctx context.Context, orgID int64, limit int) ([]Employee, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT u.id, u.email, u.family_name, u.given_name, u.family_kana, u.given_kana,
		u.family_romaji, u.given_romaji, COALESCE(i.employee_number, '')
		FROM users u JOIN memberships m ON m.org_id = u.org_id AND m.user_id = u.id AND m.ended_at IS NULL AND m.role = 'employee'
		LEFT JOIN member_internal i ON i.org_id = u.org_id AND i.user_id = u.id
		WHERE u.org_id = $1 AND NOT EXISTS (SELECT 1 FROM departures d WHERE d.org_id = u.org_id AND d.user_id = u.id AND d.state = 'pending')
		ORDER BY u.family_kana, u.given_kana, u.id LIMIT $2`, orgID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Employee
	for rows.Next() {
		var e Employee
		n := &e.Name
		if err := rows.Scan(&e.UserID, &e.Email, &n.Family, &n.Given, &n.FamilyKana, &n.GivenKana, &n.FamilyRomaji, &n.GivenRomaji, &e.EmployeeNumber); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
