package event

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/form"
)

// FeedbackWindow is how long after the end participants may give or edit feedback.
const FeedbackWindow = 14 * 24 * time.Hour

// Feedback is one participant's rating and comment.
type Feedback struct {
	UserID    int64
	Rating    int
	Comment   string
	UpdatedAt time.Time
}

// ErrRating is returned for a rating outside 1–5.
var ErrRating = errors.New("rating must be 1 to 5")

// ErrCommentTooLong is returned for a comment over MaxComment.
var ErrCommentTooLong = errors.New("comment too long")

// CanGiveFeedback says whether m may give (or edit) feedback on e now:
// the event ended less than FeedbackWindow ago and m took part.
func (s *Service) CanGiveFeedback(ctx context.Context, m org.Member, e Event) (bool, error) {
	now := s.now()
	if e.Status != StatusPublished || now.Before(e.EndsAt) || now.After(e.EndsAt.Add(FeedbackWindow)) {
		return false, nil
	}
	var n int
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM event_registrations r WHERE r.org_id = $1 AND r.event_id = $2
		AND r.user_id = $3 AND `+attendanceCondition, e.OrgID, e.ID, m.UserID).Scan(&n)
	return n > 0, err
}

// GiveFeedback records m's feedback: one per participant, editable until
// FeedbackWindow after the end.
func (s *Service) GiveFeedback(ctx context.Context, m org.Member, eventID int64, rating int, comment string) error {
	comment = form.Text(comment)
	if rating < 1 || rating > 5 {
		return ErrRating
	}
	if utf8.RuneCountInString(comment) > MaxComment {
		return ErrCommentTooLong
	}
	e, err := s.Get(ctx, m.OrgID, eventID)
	if err != nil {
		return err
	}
	if ok, err := s.canSee(ctx, s.db.Read(), m, e); err != nil {
		return err
	} else if !ok {
		return ErrNotFound
	}
	if s.now().Before(e.EndsAt) {
		return ErrNotEnded
	}
	if ok, err := s.CanGiveFeedback(ctx, m, e); err != nil {
		return err
	} else if !ok {
		return ErrFeedbackClosed
	}
	now := s.now()
	return s.db.Tx(ctx, func(tx db.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO event_feedback (org_id, event_id, user_id, rating, comment, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6)
			ON CONFLICT (org_id, event_id, user_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment, updated_at = excluded.updated_at`,
			m.OrgID, eventID, m.UserID, rating, comment, now)
		return err
	})
}

// FeedbackOf returns m's feedback on an event, if any.
func (s *Service) FeedbackOf(ctx context.Context, orgID, eventID, userID int64) (Feedback, bool, error) {
	f := Feedback{UserID: userID}
	err := s.db.Read().QueryRowContext(ctx, `SELECT rating, comment, updated_at FROM event_feedback WHERE org_id = $1 AND event_id = $2 AND user_id = $3`,
		orgID, eventID, userID).Scan(&f.Rating, &f.Comment, &f.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return f, false, nil
	}
	return f, err == nil, err
}

// FeedbackSummary is what organizers see: no names, so people speak freely.
type FeedbackSummary struct {
	Count        int
	Average      float64
	Distribution [5]int // index 0 is rating 1
	Comments     []string
}

// Summary returns the feedback of an event.
func (s *Service) Summary(ctx context.Context, orgID, eventID int64) (FeedbackSummary, error) {
	var sum FeedbackSummary
	rows, err := s.db.Read().QueryContext(ctx, `SELECT rating, comment FROM event_feedback WHERE org_id = $1 AND event_id = $2 ORDER BY updated_at DESC`,
		orgID, eventID)
	if err != nil {
		return sum, err
	}
	defer rows.Close()
	total := 0
	for rows.Next() {
		var r int
		var c string
		if err := rows.Scan(&r, &c); err != nil {
			return sum, err
		}
		sum.Count++
		total += r
		if r >= 1 && r <= 5 {
			sum.Distribution[r-1]++
		}
		if c != "" {
			sum.Comments = append(sum.Comments, c)
		}
	}
	if sum.Count > 0 {
		sum.Average = float64(total) / float64(sum.Count)
	}
	return sum, rows.Err()
}

// Incident is a report of something that went wrong, for admins only.
type Incident struct {
	ID         int64
	EventID    int64 // 0: not about one event
	EventTitle string
	ReporterID int64
	Reporter   org.Name
	Body       string
	CreatedAt  time.Time
}

// ErrIncidentEmpty and ErrIncidentTooLong are the incident form's errors.
var (
	ErrIncidentEmpty   = errors.New("incident report empty")
	ErrIncidentTooLong = errors.New("incident report too long")
)

// ReportIncident records a report (eventID 0 for a general one) and tells
// the admins. The audit entry names the event, not the content.
func (s *Service) ReportIncident(ctx context.Context, o org.Organization, a Actor, eventID int64, body string) error {
	body = form.Text(body)
	if body == "" {
		return ErrIncidentEmpty
	}
	if utf8.RuneCountInString(body) > MaxIncident {
		return ErrIncidentTooLong
	}
	title := ""
	if eventID != 0 {
		e, err := s.Get(ctx, o.ID, eventID)
		if err != nil {
			return err
		}
		if ok, err := s.CanSee(ctx, a.Member, e); err != nil {
			return err
		} else if !ok {
			return ErrNotFound
		}
		title = e.Title
	}
	return s.db.Tx(ctx, func(tx db.Tx) error {
		var ev any
		if eventID != 0 {
			ev = eventID
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO event_incidents (org_id, event_id, reporter_id, body, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, o.ID, ev, a.Member.UserID, body, s.now()).Scan(&id); err != nil {
			return err
		}
		if err := s.notifyRoles(ctx, tx, o.ID, a.Member.UserID, []org.Role{org.Admin}, "event_incident", map[string]string{"title": title},
			"/admin/events"); err != nil {
			return err
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorUserID: a.Member.UserID, ActorLabel: a.Member.Email,
			Action: "event.incident", Target: fmt.Sprintf("incident:%d", id), IP: a.IP, Detail: map[string]string{"event": title}})
	})
}

// Incidents lists the reports of viewer's organization, newest first. Only
// admins read them (not supporters): reports may be about anyone, staff too.
func (s *Service) Incidents(ctx context.Context, viewer org.Member) ([]Incident, error) {
	if viewer.Role != org.Admin {
		return nil, ErrForbidden
	}
	orgID := viewer.OrgID
	rows, err := s.db.Read().QueryContext(ctx, `SELECT i.id, COALESCE(i.event_id, 0), COALESCE(e.title, ''), i.reporter_id,
		COALESCE(u.family_name, ''), COALESCE(u.given_name, ''), COALESCE(u.family_romaji, ''), COALESCE(u.given_romaji, ''),
		COALESCE(u.name_order_en = 'family_first', FALSE), i.body, i.created_at
		FROM event_incidents i
		LEFT JOIN events e ON e.org_id = i.org_id AND e.id = i.event_id
		LEFT JOIN users u ON u.org_id = i.org_id AND u.id = i.reporter_id
		WHERE i.org_id = $1 ORDER BY i.created_at DESC, i.id DESC LIMIT 500`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Incident
	for rows.Next() {
		var i Incident
		if err := rows.Scan(&i.ID, &i.EventID, &i.EventTitle, &i.ReporterID, &i.Reporter.Family, &i.Reporter.Given, &i.Reporter.FamilyRomaji, &i.Reporter.GivenRomaji,
			&i.Reporter.EnglishFamilyFirst, &i.Body, &i.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewCalendarToken makes (or replaces) m's personal calendar secret and
// returns it. Only its hash is kept, so the address is shown once.
func (s *Service) NewCalendarToken(ctx context.Context, m org.Member) (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	err := s.db.Tx(ctx, func(tx db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM event_calendar_tokens WHERE org_id = $1 AND user_id = $2`, m.OrgID, m.UserID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO event_calendar_tokens (org_id, user_id, token_hash, created_at) VALUES ($1, $2, $3, $4)`,
			m.OrgID, m.UserID, hashToken(token), s.now())
		return err
	})
	return token, err
}

// HasCalendarToken says whether m made a calendar address.
func (s *Service) HasCalendarToken(ctx context.Context, m org.Member) (bool, error) {
	var n int
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM event_calendar_tokens WHERE org_id = $1 AND user_id = $2`, m.OrgID, m.UserID).Scan(&n)
	return n > 0, err
}

// MemberByCalendarToken returns the active member whose secret token is given.
func (s *Service) MemberByCalendarToken(ctx context.Context, orgID int64, token string) (org.Member, error) {
	var uid int64
	err := s.db.Read().QueryRowContext(ctx, `SELECT user_id FROM event_calendar_tokens WHERE org_id = $1 AND token_hash = $2`,
		orgID, hashToken(token)).Scan(&uid)
	if errors.Is(err, sql.ErrNoRows) {
		return org.Member{}, ErrNotFound
	} else if err != nil {
		return org.Member{}, err
	}
	m, err := s.orgs.Member(ctx, orgID, uid)
	if errors.Is(err, org.ErrNotFound) {
		return m, ErrNotFound
	}
	return m, err
}
