// Package checkin lets staff and an event's organizer check participants in
// at the door: each registration's secret check-in code is shown to its
// participant as a QR code, scanned (or typed) on the staff page, and the
// attendance is recorded and audited.
package checkin

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/text/width"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/event"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// Errors of CheckIn, each shown to the staff member as its own message.
var (
	ErrNotFound    = errors.New("checkin: not found")
	ErrEmptyCode   = errors.New("checkin: no code")
	ErrUnknownCode = errors.New("checkin: no registration has this code")
	ErrOtherEvent  = errors.New("checkin: the code belongs to another event")
	ErrCancelled   = errors.New("checkin: the registration was cancelled")
	ErrWaitlisted  = errors.New("checkin: the participant is on the waitlist")
)

// MaxCodeLen bounds what is looked up; real codes are far shorter.
const MaxCodeLen = 100

// Event is what check-in needs of an event.
type Event struct {
	ID, OrgID int64
	Title     string
	Status    string
	StartsAt  time.Time
	CreatedBy int64
}

// Manages reports whether m runs the door (and the breakout groups) of e:
// whoever manages the event (event.CanManage).
func (e Event) Manages(m *org.Member) bool {
	return m != nil && event.CanManage(*m, event.Event{OrgID: e.OrgID, CreatedBy: e.CreatedBy})
}

// Service checks people in.
type Service struct {
	db  *db.DB
	now func() time.Time
}

// New returns a Service on the injected clock.
func New(d *db.DB, now func() time.Time) *Service {
	if now == nil {
		now = db.Now
	}
	return &Service{db: d, now: now}
}

// Event returns a published event of orgID, or ErrNotFound.
func (s *Service) Event(ctx context.Context, orgID, eventID int64) (Event, error) {
	e := Event{OrgID: orgID}
	var by sql.NullInt64
	err := s.db.Read().QueryRowContext(ctx, `SELECT id, title, status, starts_at, created_by FROM events
		WHERE org_id = $1 AND id = $2 AND status = 'published'`, orgID, eventID).Scan(&e.ID, &e.Title, &e.Status, &e.StartsAt, &by)
	if errors.Is(err, sql.ErrNoRows) {
		return e, ErrNotFound
	}
	e.CreatedBy = by.Int64
	return e, err
}

// Ticket is a participant's own registration as the ticket page shows it.
type Ticket struct {
	Code        string
	CheckedInAt time.Time // zero until checked in
}

// Ticket returns userID's ticket for a published event, or ErrNotFound
// unless they hold a confirmed (not waitlisted, not cancelled) place.
func (s *Service) Ticket(ctx context.Context, orgID, eventID, userID int64) (Ticket, error) {
	var t Ticket
	var at sql.NullTime
	err := s.db.Read().QueryRowContext(ctx, `SELECT r.checkin_code, r.checked_in_at FROM event_registrations r
		JOIN events e ON e.org_id = r.org_id AND e.id = r.event_id AND e.status = 'published'
		WHERE r.org_id = $1 AND r.event_id = $2 AND r.user_id = $3 AND r.status = 'registered'`, orgID, eventID, userID).Scan(&t.Code, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return t, ErrNotFound
	}
	if at.Valid {
		t.CheckedInAt = at.Time
	}
	return t, err
}

// QR renders a check-in code as a PNG QR code of about size pixels.
func QR(code string, size int) ([]byte, error) {
	q, err := qrcode.New(code, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := q.Write(size, &b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Staff is who checks people in.
type Staff struct {
	UserID int64
	Email  string
	IP     string
}

// Attendee is the participant a code let in.
type Attendee struct {
	UserID      int64
	Name        org.Name
	CheckedInAt time.Time
	Already     bool // they had been checked in before this scan
}

// normalize forgives what people do when typing a code: full-width
// letters and digits (a Japanese keyboard's default), spaces, hyphens and
// lower case. Codes are upper-case base32 (see the event package), so
// upper-casing never turns one code into another.
func normalize(code string) string {
	code = width.Fold.String(strings.TrimSpace(code))
	return strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(code))
}

// CheckIn records that the holder of code arrived at eventID. A second
// scan of the same code is not an error: it returns the first time with
// Already set, and writes nothing.
func (s *Service) CheckIn(ctx context.Context, orgID, eventID int64, code string, by Staff) (Attendee, error) {
	var a Attendee
	raw := strings.TrimSpace(code)
	if raw == "" {
		return a, ErrEmptyCode
	}
	if len(raw) > MaxCodeLen {
		return a, ErrUnknownCode
	}
	err := s.db.Tx(ctx, func(tx db.Tx) error {
		var regID, regEvent int64
		var status string
		var at sql.NullTime
		// Exactly as scanned first (a QR code is never mistyped), then as a person would have meant it.
		q := `SELECT id, event_id, user_id, status, checked_in_at FROM event_registrations WHERE org_id = $1 AND checkin_code = $2`
		err := tx.QueryRowContext(ctx, q, orgID, raw).Scan(&regID, &regEvent, &a.UserID, &status, &at)
		if errors.Is(err, sql.ErrNoRows) && normalize(raw) != raw {
			err = tx.QueryRowContext(ctx, q, orgID, normalize(raw)).Scan(&regID, &regEvent, &a.UserID, &status, &at)
		}
		if errors.Is(err, sql.ErrNoRows) {
			return ErrUnknownCode
		}
		if err != nil {
			return err
		}
		if regEvent != eventID {
			return ErrOtherEvent
		}
		switch status {
		case "cancelled":
			return ErrCancelled
		case "waitlisted":
			return ErrWaitlisted
		}
		if err := tx.QueryRowContext(ctx, `SELECT family_name, given_name, family_kana, given_kana, family_romaji, given_romaji, name_order_en = 'family_first'
			FROM users WHERE org_id = $1 AND id = $2`, orgID, a.UserID).Scan(&a.Name.Family, &a.Name.Given, &a.Name.FamilyKana, &a.Name.GivenKana,
			&a.Name.FamilyRomaji, &a.Name.GivenRomaji, &a.Name.EnglishFamilyFirst); err != nil {
			return err
		}
		if at.Valid {
			a.CheckedInAt, a.Already = at.Time, true
			return nil
		}
		now := s.now()
		res, err := tx.ExecContext(ctx, `UPDATE event_registrations SET checked_in_at = $1, checked_in_by = $2, updated_at = $1
			WHERE org_id = $3 AND id = $4 AND checked_in_at IS NULL`, now, by.UserID, orgID, regID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errors.New("checkin: registration changed while checking in")
		}
		a.CheckedInAt = now
		return audit.Log(ctx, tx, audit.Entry{OrgID: orgID, ActorUserID: by.UserID, ActorLabel: by.Email, Action: "checkin.checked_in",
			Target: fmt.Sprintf("event:%d", eventID), IP: by.IP, Detail: map[string]string{"user": fmt.Sprint(a.UserID), "registration": fmt.Sprint(regID)}})
	})
	return a, err
}

// Counts are the door's running totals.
type Counts struct {
	CheckedIn, Registered int
}

// Count returns how many of eventID's confirmed participants are in.
func (s *Service) Count(ctx context.Context, orgID, eventID int64) (Counts, error) {
	var c Counts
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*), COUNT(checked_in_at) FROM event_registrations
		WHERE org_id = $1 AND event_id = $2 AND status = 'registered'`, orgID, eventID).Scan(&c.Registered, &c.CheckedIn)
	return c, err
}
