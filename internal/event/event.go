package event

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tsunagu/tsunagu/internal/audience"
	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/notify"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/jobs"
)

// Formats of an event.
const (
	Online  = "online"
	Offline = "offline"
	Hybrid  = "hybrid"
)

// Formats lists the formats in the order forms show them.
var Formats = []string{Offline, Online, Hybrid}

// Status of an event.
const (
	StatusProposed         = "proposed"
	StatusChangesRequested = "changes_requested"
	StatusDeclined         = "declined"
	StatusPublished        = "published"
	StatusCancelled        = "cancelled"
)

// Status of a registration.
const (
	Registered = "registered"
	Waitlisted = "waitlisted"
	Cancelled  = "cancelled"
)

// Job kinds.
const (
	KindRemind   = "event.remind"
	KindFeedback = "event.feedback"
)

// DefaultTZ is the zone of a new event.
const DefaultTZ = "Asia/Tokyo"

// Errors the web layer turns into messages.
var (
	ErrNotFound          = errors.New("event not found")
	ErrNotOpen           = errors.New("event not open for registration")
	ErrDeadlinePassed    = errors.New("registration deadline passed")
	ErrAlreadyRegistered = errors.New("already registered")
	ErrNotRegistered     = errors.New("not registered")
	ErrStarted           = errors.New("event already started")
	ErrConductRequired   = errors.New("code of conduct not accepted")
	ErrForbidden         = errors.New("not allowed")
	ErrNotEnded          = errors.New("event has not ended")
	ErrFeedbackClosed    = errors.New("feedback closed")
	ErrFeedbackGiven     = errors.New("feedback already given")
	ErrNotReviewable     = errors.New("event is not waiting for review")
)

// Mailer writes the letters the event capability sends directly. *email.Outbox implements it.
type Mailer interface {
	EventPromoted(ctx context.Context, exec db.Querier, o org.Organization, to, name, lang, title, when, link string) error
	EventReminder(ctx context.Context, exec db.Querier, o org.Organization, to, name, lang, title, when, link string, hourBefore bool) error
}

// Config tunes the service.
type Config struct {
	BaseURL string
	Now     func() time.Time
}

// Service runs events.
type Service struct {
	db     *db.DB
	orgs   *org.Store
	jobs   *jobs.Queue
	notify *notify.Service
	mail   Mailer
	cfg    Config
}

// New builds the service and registers its jobs.
func New(d *db.DB, orgs *org.Store, q *jobs.Queue, n *notify.Service, m Mailer, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = db.Now
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	s := &Service{db: d, orgs: orgs, jobs: q, notify: n, mail: m, cfg: cfg}
	q.Register(KindRemind, 5, s.remind)
	q.Register(KindFeedback, 5, s.askFeedback)
	return s
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

// Link is the absolute URL of a path inside the organization.
func (s *Service) Link(o org.Organization, rest string) string {
	return s.cfg.BaseURL + "/o/" + o.Slug + rest
}

// Event is one event.
type Event struct {
	ID, OrgID     int64
	Status        string
	Title         string
	Description   string // Markdown
	Format        string
	TZ            string
	StartsAt      time.Time // UTC
	EndsAt        time.Time
	Venue         string
	OnlineURL     string
	Capacity      int // 0: unlimited
	DeadlineAt    time.Time
	Audience      audience.Audience
	Alcohol       bool
	Conduct       string // empty: the standard code of conduct
	Sequence      int
	ReviewMessage string
	CreatedBy     int64
	ReviewedBy    int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
	CancelledAt   time.Time
	// Counts of registrations, filled by Get and List.
	RegisteredCount, WaitlistedCount int
}

// Location is the event's time zone.
func (e Event) Location() *time.Location {
	if loc, err := time.LoadLocation(e.TZ); err == nil {
		return loc
	}
	return time.UTC
}

// InPerson says whether people meet at a venue (offline or hybrid), so the
// offline policy applies.
func (e Event) InPerson() bool { return e.Format == Offline || e.Format == Hybrid }

// HasOnline says whether the event has an online URL.
func (e Event) HasOnline() bool { return e.Format == Online || e.Format == Hybrid }

// Full says whether new registrations go to the waitlist.
func (e Event) Full() bool { return e.Capacity > 0 && e.RegisteredCount >= e.Capacity }

// Published says whether members can see and register.
func (e Event) Published() bool { return e.Status == StatusPublished }

// RegistrationCloses is the deadline, or the start when none was set.
func (e Event) RegistrationCloses() time.Time {
	if e.DeadlineAt.IsZero() {
		return e.StartsAt
	}
	return e.DeadlineAt
}

// Registration is one member's place at an event.
type Registration struct {
	ID, OrgID, EventID, UserID int64
	Status                     string
	CheckinCode                string
	CheckedInAt                time.Time
	ConductAcceptedAt          time.Time
	QueuedAt                   time.Time
	PromotedAt                 time.Time
	CancelledAt                time.Time
	CreatedAt                  time.Time
	// Of the member, for lists.
	Name  org.Name
	Email string
}

// Active says whether the registration holds a seat or a place in the waitlist.
func (r Registration) Active() bool { return r.Status == Registered || r.Status == Waitlisted }

const eventColumns = `e.id, e.org_id, e.status, e.title, e.description, e.format, e.tz, e.starts_at, e.ends_at, e.venue, e.online_url,
	e.capacity, e.deadline_at, e.audience, e.audience_group_id, e.alcohol, e.conduct, e.sequence, e.review_message,
	e.created_by, e.reviewed_by, e.created_at, e.updated_at, e.cancelled_at,
	(SELECT COUNT(*) FROM event_registrations r WHERE r.org_id = e.org_id AND r.event_id = e.id AND r.status = 'registered'),
	(SELECT COUNT(*) FROM event_registrations r WHERE r.org_id = e.org_id AND r.event_id = e.id AND r.status = 'waitlisted')`

func scanEvent(row interface{ Scan(...any) error }) (Event, error) {
	var e Event
	var deadline, cancelled sql.NullTime
	var group, createdBy, reviewedBy sql.NullInt64
	var aud string
	err := row.Scan(&e.ID, &e.OrgID, &e.Status, &e.Title, &e.Description, &e.Format, &e.TZ, &e.StartsAt, &e.EndsAt, &e.Venue, &e.OnlineURL,
		&e.Capacity, &deadline, &aud, &group, &e.Alcohol, &e.Conduct, &e.Sequence, &e.ReviewMessage,
		&createdBy, &reviewedBy, &e.CreatedAt, &e.UpdatedAt, &cancelled, &e.RegisteredCount, &e.WaitlistedCount)
	if errors.Is(err, sql.ErrNoRows) {
		return e, ErrNotFound
	}
	e.DeadlineAt, e.CancelledAt = deadline.Time.UTC(), cancelled.Time.UTC()
	e.StartsAt, e.EndsAt, e.CreatedAt, e.UpdatedAt = e.StartsAt.UTC(), e.EndsAt.UTC(), e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	e.Audience = audience.Audience{Kind: audience.Kind(aud), GroupID: group.Int64}
	e.CreatedBy, e.ReviewedBy = createdBy.Int64, reviewedBy.Int64
	return e, err
}

// Get returns an event of orgID whatever its status; callers check who may see it (CanSee).
func (s *Service) Get(ctx context.Context, orgID, id int64) (Event, error) {
	return s.get(ctx, s.db.Read(), orgID, id, false)
}

func (s *Service) get(ctx context.Context, q db.Querier, orgID, id int64, lock bool) (Event, error) {
	query := `SELECT ` + eventColumns + ` FROM events e WHERE e.org_id = $1 AND e.id = $2`
	if lock && s.db.Dialect == db.Postgres {
		// Registrations of one event queue behind each other here, so the
		// seat count read next cannot be stale. (SQLite has one writer.)
		if _, err := q.ExecContext(ctx, `SELECT id FROM events WHERE org_id = $1 AND id = $2 FOR UPDATE`, orgID, id); err != nil {
			return Event{}, err
		}
	}
	return scanEvent(q.QueryRowContext(ctx, query, orgID, id))
}

// inGroup says whether userID is a member of groupID.
func inGroup(ctx context.Context, q db.Querier, orgID, groupID, userID int64) (bool, error) {
	if groupID == 0 {
		return false, nil
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM group_members WHERE org_id = $1 AND group_id = $2 AND user_id = $3 AND state = 'member'`,
		orgID, groupID, userID).Scan(&n)
	return n > 0, err
}

// CanSee says whether m may see e: staff see everything; the proposer sees
// their proposal; members see published and cancelled events of their audience.
func (s *Service) CanSee(ctx context.Context, m org.Member, e Event) (bool, error) {
	return s.canSee(ctx, s.db.Read(), m, e)
}

func (s *Service) canSee(ctx context.Context, q db.Querier, m org.Member, e Event) (bool, error) {
	if m.OrgID != e.OrgID {
		return false, nil
	}
	if m.Role.Staff() || e.CreatedBy == m.UserID {
		return true, nil
	}
	if e.Status != StatusPublished && e.Status != StatusCancelled {
		return false, nil
	}
	g := false
	if e.Audience.Kind == audience.Group {
		var err error
		if g, err = inGroup(ctx, q, e.OrgID, e.Audience.GroupID, m.UserID); err != nil {
			return false, err
		}
	}
	return e.Audience.Allows(m.Role, g), nil
}

// CanManage says whether m edits e and sees its participants: staff, and the
// member who created it.
func CanManage(m org.Member, e Event) bool {
	return m.OrgID == e.OrgID && (m.Role.Staff() || e.CreatedBy == m.UserID)
}

// List returns the published (and cancelled) events m may see, upcoming
// first when upcoming, else the past ones newest first.
func (s *Service) List(ctx context.Context, m org.Member, upcoming bool, limit int) ([]Event, error) {
	order, cmp := "e.starts_at ASC", "e.ends_at >= $4"
	if !upcoming {
		order, cmp = "e.starts_at DESC", "e.ends_at < $4"
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+eventColumns+` FROM events e
		WHERE e.org_id = $1 AND e.status IN ('published', 'cancelled') AND `+cmp+` AND `+audience.SQL("e", "$1", "$2", "$3")+`
		ORDER BY `+order+`, e.id LIMIT $5`, m.OrgID, string(m.Role), m.UserID, s.now(), limit)
	if err != nil {
		return nil, err
	}
	return collectEvents(rows)
}

// Proposals lists events waiting for review (staff) or m's own proposals.
func (s *Service) Proposals(ctx context.Context, m org.Member) ([]Event, error) {
	q := `SELECT ` + eventColumns + ` FROM events e WHERE e.org_id = $1 AND e.status IN ('proposed', 'changes_requested', 'declined')`
	args := []any{m.OrgID}
	if !m.Role.Staff() {
		q += ` AND e.created_by = $2`
		args = append(args, m.UserID)
	}
	rows, err := s.db.Read().QueryContext(ctx, q+` ORDER BY e.updated_at DESC, e.id DESC LIMIT 200`, args...)
	if err != nil {
		return nil, err
	}
	return collectEvents(rows)
}

func collectEvents(rows *sql.Rows) ([]Event, error) {
	defer rows.Close()
	var out []Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

const regColumns = `r.id, r.org_id, r.event_id, r.user_id, r.status, r.checkin_code, r.checked_in_at, r.conduct_accepted_at,
	r.queued_at, r.promoted_at, r.cancelled_at, r.created_at,
	u.family_name, u.given_name, u.family_kana, u.given_kana, u.family_romaji, u.given_romaji, u.name_order_en = 'family_first', u.email`

func scanReg(row interface{ Scan(...any) error }) (Registration, error) {
	var r Registration
	var checked, accepted, promoted, cancelled sql.NullTime
	err := row.Scan(&r.ID, &r.OrgID, &r.EventID, &r.UserID, &r.Status, &r.CheckinCode, &checked, &accepted,
		&r.QueuedAt, &promoted, &cancelled, &r.CreatedAt,
		&r.Name.Family, &r.Name.Given, &r.Name.FamilyKana, &r.Name.GivenKana, &r.Name.FamilyRomaji, &r.Name.GivenRomaji, &r.Name.EnglishFamilyFirst, &r.Email)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotRegistered
	}
	r.CheckedInAt, r.ConductAcceptedAt, r.PromotedAt, r.CancelledAt = checked.Time, accepted.Time, promoted.Time, cancelled.Time
	return r, err
}

// Registrations lists every registration of an event (cancelled ones too),
// registered first, then the waitlist in order.
func (s *Service) Registrations(ctx context.Context, orgID, eventID int64) ([]Registration, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+regColumns+` FROM event_registrations r
		JOIN users u ON u.org_id = r.org_id AND u.id = r.user_id
		WHERE r.org_id = $1 AND r.event_id = $2
		ORDER BY CASE r.status WHEN 'registered' THEN 0 WHEN 'waitlisted' THEN 1 ELSE 2 END, r.queued_at, r.id`, orgID, eventID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Registration
	for rows.Next() {
		r, err := scanReg(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RegistrationOf returns userID's registration for an event, or ErrNotRegistered.
func (s *Service) RegistrationOf(ctx context.Context, orgID, eventID, userID int64) (Registration, error) {
	return s.registrationOf(ctx, s.db.Read(), orgID, eventID, userID)
}

func (s *Service) registrationOf(ctx context.Context, q db.Querier, orgID, eventID, userID int64) (Registration, error) {
	return scanReg(q.QueryRowContext(ctx, `SELECT `+regColumns+` FROM event_registrations r
		JOIN users u ON u.org_id = r.org_id AND u.id = r.user_id
		WHERE r.org_id = $1 AND r.event_id = $2 AND r.user_id = $3`, orgID, eventID, userID))
}

// newCode makes a check-in code: 24 characters of base32 (120 random bits), unguessable.
func newCode() string {
	b := make([]byte, 15)
	_, _ = rand.Read(b)
	return base32.StdEncoding.EncodeToString(b)
}

// Register gives m a seat, or a place on the waitlist when the event is
// full. acceptConduct must be true for offline and hybrid events.
func (s *Service) Register(ctx context.Context, o org.Organization, m org.Member, eventID int64, acceptConduct bool) (Registration, error) {
	var reg Registration
	now := s.now()
	err := s.db.Tx(ctx, func(tx db.Tx) error {
		e, err := s.get(ctx, tx, o.ID, eventID, true)
		if err != nil {
			return err
		}
		if ok, err := s.canSee(ctx, tx, m, e); err != nil {
			return err
		} else if !ok {
			return ErrNotFound
		}
		if e.Status != StatusPublished {
			return ErrNotOpen
		}
		if !now.Before(e.StartsAt) {
			return ErrStarted
		}
		if !now.Before(e.RegistrationCloses()) {
			return ErrDeadlinePassed
		}
		if e.InPerson() && !acceptConduct {
			return ErrConductRequired
		}
		status := Registered
		if e.Full() {
			status = Waitlisted
		}
		var accepted any
		if e.InPerson() {
			accepted = now
		}
		existing, err := s.registrationOf(ctx, tx, o.ID, eventID, m.UserID)
		switch {
		case err == nil && existing.Active():
			return ErrAlreadyRegistered
		case err == nil:
			_, err = tx.ExecContext(ctx, `UPDATE event_registrations SET status = $1, conduct_accepted_at = $2, queued_at = $3,
				cancelled_at = NULL, promoted_at = NULL, updated_at = $3 WHERE org_id = $4 AND id = $5`,
				status, accepted, now, o.ID, existing.ID)
		case errors.Is(err, ErrNotRegistered):
			_, err = tx.ExecContext(ctx, `INSERT INTO event_registrations (org_id, event_id, user_id, status, checkin_code,
				conduct_accepted_at, queued_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7)`,
				o.ID, eventID, m.UserID, status, newCode(), accepted, now)
			if db.IsUniqueViolation(err) {
				return ErrAlreadyRegistered
			}
		}
		if err != nil {
			return err
		}
		reg, err = s.registrationOf(ctx, tx, o.ID, eventID, m.UserID)
		return err
	})
	return reg, err
}

// Cancel gives up m's seat or waitlist place before the start. A freed seat
// goes to the first person on the waitlist.
func (s *Service) Cancel(ctx context.Context, o org.Organization, m org.Member, eventID int64) error {
	now := s.now()
	return s.db.Tx(ctx, func(tx db.Tx) error {
		e, err := s.get(ctx, tx, o.ID, eventID, true)
		if err != nil {
			return err
		}
		if ok, err := s.canSee(ctx, tx, m, e); err != nil {
			return err
		} else if !ok {
			return ErrNotFound
		}
		if !now.Before(e.StartsAt) {
			return ErrStarted
		}
		r, err := s.registrationOf(ctx, tx, o.ID, eventID, m.UserID)
		if err != nil {
			return err
		}
		if !r.Active() {
			return ErrNotRegistered
		}
		if _, err := tx.ExecContext(ctx, `UPDATE event_registrations SET status = 'cancelled', cancelled_at = $1, updated_at = $1
			WHERE org_id = $2 AND id = $3`, now, o.ID, r.ID); err != nil {
			return err
		}
		return s.promote(ctx, tx, o, eventID)
	})
}

// promote fills free seats from the waitlist, in order, within tx (which
// holds the event's lock), notifying and emailing each promoted person.
func (s *Service) promote(ctx context.Context, tx db.Tx, o org.Organization, eventID int64) error {
	e, err := s.get(ctx, tx, o.ID, eventID, false)
	if err != nil {
		return err
	}
	if e.Status != StatusPublished {
		return nil
	}
	free := e.WaitlistedCount
	if e.Capacity > 0 {
		free = min(free, e.Capacity-e.RegisteredCount)
	}
	if free <= 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, user_id FROM event_registrations WHERE org_id = $1 AND event_id = $2 AND status = 'waitlisted'
		ORDER BY queued_at, id LIMIT $3`, o.ID, eventID, free)
	if err != nil {
		return err
	}
	type pick struct{ id, user int64 }
	var picks []pick
	for rows.Next() {
		var p pick
		if err := rows.Scan(&p.id, &p.user); err != nil {
			rows.Close()
			return err
		}
		picks = append(picks, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	now := s.now()
	link := eventPath(eventID)
	for _, p := range picks {
		if _, err := tx.ExecContext(ctx, `UPDATE event_registrations SET status = 'registered', promoted_at = $1, updated_at = $1
			WHERE org_id = $2 AND id = $3`, now, o.ID, p.id); err != nil {
			return err
		}
		if err := s.notify.Notify(ctx, tx, notify.Notification{OrgID: o.ID, UserID: p.user, Kind: "event_promoted",
			Category: notify.Events, Args: map[string]string{"title": e.Title}, Link: link}); err != nil {
			return err
		}
		if err := audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorLabel: "system", Action: "event.promote",
			Target: fmt.Sprintf("event:%d user:%d", eventID, p.user)}); err != nil {
			return err
		}
		m, send, err := s.directMailTo(ctx, o.ID, p.user)
		if err != nil {
			return err
		}
		if !send {
			continue
		}
		lang := langOf(m)
		if err := s.mail.EventPromoted(ctx, tx, o, m.Email, m.Name.Display(lang), lang, e.Title, When(e, lang), s.Link(o, link)); err != nil {
			return err
		}
	}
	return nil
}

// directMailTo says whether the event service must email userID itself:
// notify emails an events notification at once when the member's
// preference is "instantly" (the default), and then a second letter would
// be a duplicate; with a digest or "never", a seat or a reminder would come
// too late or not at all, so the service sends it.
func (s *Service) directMailTo(ctx context.Context, orgID, userID int64) (org.Member, bool, error) {
	m, err := s.orgs.Member(ctx, orgID, userID)
	if errors.Is(err, org.ErrNotFound) {
		return m, false, nil
	} else if err != nil {
		return m, false, err
	}
	prefs, err := s.notify.Preferences(ctx, orgID, userID, m.Role.Staff())
	if err != nil {
		return m, false, err
	}
	for _, p := range prefs {
		if p.Category == notify.Events && p.Email == notify.Instant {
			return m, false, nil
		}
	}
	return m, true, nil
}

func langOf(m org.Member) string {
	if m.Locale == "en" {
		return "en"
	}
	return "ja"
}

// When formats the event's time in its own zone with the zone's name, for
// people in any zone: "2026年12月1日(火) 19:00〜21:00 JST (Asia/Tokyo)".
func When(e Event, lang string) string {
	loc := e.Location()
	start, end := e.StartsAt.In(loc), e.EndsAt.In(loc)
	to, sep := dayTime(end, lang), "〜"
	if lang == "en" {
		sep = " – "
	}
	if start.Format(time.DateOnly) == end.Format(time.DateOnly) {
		to = end.Format("15:04")
		if lang == "en" {
			sep = "–"
		}
	}
	return dayTime(start, lang) + sep + to + " " + zoneName(e, start)
}

// FormatTime formats t in the event's zone with the zone's name.
func FormatTime(e Event, t time.Time, lang string) string {
	t = t.In(e.Location())
	return dayTime(t, lang) + " " + zoneName(e, t)
}

// dayTime is a date with its weekday and the time: "2026年12月1日(火) 19:00", "Tue 1 Dec 2026 19:00".
func dayTime(t time.Time, lang string) string {
	if lang == "en" {
		return t.Format("Mon 2 Jan 2006 15:04")
	}
	return fmt.Sprintf("%d年%d月%d日(%s) %s", t.Year(), t.Month(), t.Day(), []string{"日", "月", "火", "水", "木", "金", "土"}[t.Weekday()], t.Format("15:04"))
}

// zoneName is the abbreviation of the event's zone at t, with the IANA
// name when they differ: "JST (Asia/Tokyo)", "UTC".
func zoneName(e Event, t time.Time) string {
	zone := t.Format("MST")
	if zone != e.TZ {
		zone += " (" + e.TZ + ")"
	}
	return zone
}

// Mine lists the upcoming events m holds a seat or a waitlist place for,
// soonest first, with the registration's status.
func (s *Service) Mine(ctx context.Context, m org.Member) ([]Event, []string, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+eventColumns+`, r.status FROM events e
		JOIN event_registrations r ON r.org_id = e.org_id AND r.event_id = e.id AND r.user_id = $2
		WHERE e.org_id = $1 AND e.status IN ('published', 'cancelled') AND e.ends_at >= $3 AND r.status IN ('registered', 'waitlisted')
		ORDER BY e.starts_at, e.id LIMIT 100`, m.OrgID, m.UserID, s.now())
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var evs []Event
	var statuses []string
	for rows.Next() {
		var st string
		e, err := scanEvent(scanWith{rows, &st})
		if err != nil {
			return nil, nil, err
		}
		evs, statuses = append(evs, e), append(statuses, st)
	}
	return evs, statuses, rows.Err()
}
