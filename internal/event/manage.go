package event

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/notify"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/form"
)

// Actor is who does something, for the audit log.
type Actor struct {
	Member org.Member
	IP     string
}

func (a Actor) entry(action, target, title string) audit.Entry {
	return audit.Entry{OrgID: a.Member.OrgID, ActorUserID: a.Member.UserID, ActorLabel: a.Member.Email, Action: action,
		Target: target, IP: a.IP, Detail: map[string]string{"title": title}}
}

func target(id int64) string { return fmt.Sprintf("event:%d", id) }

// eventPath is an event's page inside its organization, for notification
// links (and, with Link, absolute URLs).
func eventPath(id int64) string { return fmt.Sprintf("/events/%d", id) }

// Create publishes a new event. Only staff create events directly; members
// propose them (Propose).
func (s *Service) Create(ctx context.Context, o org.Organization, a Actor, f Form) (Event, error) {
	if !a.Member.Role.Staff() {
		return Event{}, ErrForbidden
	}
	return s.insert(ctx, o, a, f, StatusPublished)
}

// Propose records a member's proposal for review by staff.
func (s *Service) Propose(ctx context.Context, o org.Organization, a Actor, f Form) (Event, error) {
	return s.insert(ctx, o, a, f, StatusProposed)
}

func (s *Service) insert(ctx context.Context, o org.Organization, a Actor, f Form, status string) (Event, error) {
	var out Event
	err := s.db.Tx(ctx, func(tx db.Tx) error {
		e, err := s.validate(ctx, tx, o.ID, f, true)
		if err != nil {
			return err
		}
		now := s.now()
		var group, deadline any
		if e.Audience.GroupID != 0 {
			group = e.Audience.GroupID
		}
		if !e.DeadlineAt.IsZero() {
			deadline = e.DeadlineAt
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO events (org_id, status, title, description, format, tz, starts_at, ends_at,
			venue, online_url, capacity, deadline_at, audience, audience_group_id, alcohol, conduct, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18) RETURNING id`,
			o.ID, status, e.Title, e.Description, e.Format, e.TZ, e.StartsAt, e.EndsAt, e.Venue, e.OnlineURL, e.Capacity,
			deadline, string(e.Audience.Kind), group, e.Alcohol, e.Conduct, a.Member.UserID, now).Scan(&id); err != nil {
			return err
		}
		action := "event.create"
		if status == StatusProposed {
			action = "event.propose"
			if err := s.notifyStaff(ctx, tx, o.ID, a.Member.UserID, "event_proposed", map[string]string{"title": e.Title},
				eventPath(id)); err != nil {
				return err
			}
		}
		if err := audit.Log(ctx, tx, a.entry(action, target(id), e.Title)); err != nil {
			return err
		}
		if out, err = s.get(ctx, tx, o.ID, id, false); err != nil {
			return err
		}
		if status == StatusPublished {
			return s.schedule(ctx, tx, out)
		}
		return nil
	})
	return out, err
}

// notifyStaff tells every admin and supporter (category staff).
func (s *Service) notifyStaff(ctx context.Context, tx db.Tx, orgID, actorID int64, kind string, args map[string]string, link string) error {
	return s.notifyRoles(ctx, tx, orgID, actorID, []org.Role{org.Admin, org.Supporter}, kind, args, link)
}

func (s *Service) notifyRoles(ctx context.Context, tx db.Tx, orgID, actorID int64, roles []org.Role, kind string, args map[string]string, link string) error {
	ids, err := org.ActiveIDs(ctx, tx, orgID, roles...)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.notify.Notify(ctx, tx, notify.Notification{OrgID: orgID, UserID: id, ActorID: actorID, Kind: kind,
			Category: notify.Staff, Args: args, Link: link}); err != nil {
			return err
		}
	}
	return nil
}

// participants returns the user ids of an event's registrations in the given statuses.
func participants(ctx context.Context, q db.Querier, orgID, eventID int64, statuses ...string) ([]int64, error) {
	args := []any{orgID, eventID}
	marks := make([]string, len(statuses))
	for i, st := range statuses {
		args = append(args, st)
		marks[i] = fmt.Sprintf("$%d", len(args))
	}
	return db.IDs(ctx, q, `SELECT user_id FROM event_registrations WHERE org_id = $1 AND event_id = $2
		AND status IN (`+strings.Join(marks, ", ")+`) ORDER BY queued_at, id`, args...)
}

// Update changes an event. Organizers (staff and the creator) may edit; a
// proposer editing a proposal sent back for changes resubmits it. A change
// of time or place raises the calendar SEQUENCE, tells the registrants and
// re-schedules the reminders; a larger capacity promotes from the waitlist.
// A smaller capacity never removes anyone already registered.
func (s *Service) Update(ctx context.Context, o org.Organization, a Actor, id int64, f Form) (Event, error) {
	var out Event
	err := s.db.Tx(ctx, func(tx db.Tx) error {
		old, err := s.get(ctx, tx, o.ID, id, true)
		if err != nil {
			return err
		}
		if !CanManage(a.Member, old) {
			if ok, _ := s.canSee(ctx, tx, a.Member, old); ok {
				return ErrForbidden
			}
			return ErrNotFound
		}
		if old.Status == StatusCancelled || old.Status == StatusDeclined {
			return ErrNotOpen
		}
		e, err := s.validate(ctx, tx, o.ID, f, old.Status != StatusPublished)
		if err != nil {
			return err
		}
		moved := !e.StartsAt.Equal(old.StartsAt) || !e.EndsAt.Equal(old.EndsAt) || e.TZ != old.TZ ||
			e.Venue != old.Venue || e.OnlineURL != old.OnlineURL || e.Format != old.Format
		seq := old.Sequence
		if moved {
			seq++
		}
		status := old.Status
		resubmitted := status == StatusChangesRequested && !a.Member.Role.Staff()
		if resubmitted {
			status = StatusProposed
		}
		var group, deadline any
		if e.Audience.GroupID != 0 {
			group = e.Audience.GroupID
		}
		if !e.DeadlineAt.IsZero() {
			deadline = e.DeadlineAt
		}
		if _, err := tx.ExecContext(ctx, `UPDATE events SET status = $1, title = $2, description = $3, format = $4, tz = $5,
			starts_at = $6, ends_at = $7, venue = $8, online_url = $9, capacity = $10, deadline_at = $11, audience = $12,
			audience_group_id = $13, alcohol = $14, conduct = $15, sequence = $16, updated_at = $17 WHERE org_id = $18 AND id = $19`,
			status, e.Title, e.Description, e.Format, e.TZ, e.StartsAt, e.EndsAt, e.Venue, e.OnlineURL, e.Capacity, deadline,
			string(e.Audience.Kind), group, e.Alcohol, e.Conduct, seq, s.now(), o.ID, id); err != nil {
			return err
		}
		link := eventPath(id)
		if resubmitted {
			if err := s.notifyStaff(ctx, tx, o.ID, a.Member.UserID, "event_resubmitted", map[string]string{"title": e.Title}, link); err != nil {
				return err
			}
		}
		// Registrants hear of changes to what, when, where and the policy; a new
		// capacity, deadline or audience is no news to people already in.
		changed := moved || e.Title != old.Title || e.Description != old.Description || e.Alcohol != old.Alcohol || e.Conduct != old.Conduct
		if status == StatusPublished && changed {
			ids, err := participants(ctx, tx, o.ID, id, Registered, Waitlisted)
			if err != nil {
				return err
			}
			for _, uid := range ids {
				if err := s.notify.Notify(ctx, tx, notify.Notification{OrgID: o.ID, UserID: uid, ActorID: a.Member.UserID,
					Kind: "event_updated", Category: notify.Events, Args: map[string]string{"title": e.Title}, Link: link}); err != nil {
					return err
				}
			}
		}
		if status == StatusPublished {
			if err := s.promote(ctx, tx, o, id); err != nil {
				return err
			}
		}
		if err := audit.Log(ctx, tx, a.entry("event.update", target(id), e.Title)); err != nil {
			return err
		}
		if out, err = s.get(ctx, tx, o.ID, id, false); err != nil {
			return err
		}
		if status == StatusPublished && (!e.StartsAt.Equal(old.StartsAt) || !e.EndsAt.Equal(old.EndsAt)) {
			return s.schedule(ctx, tx, out)
		}
		return nil
	})
	return out, err
}

// CancelEvent calls the event off; registrants are told, and calendars
// show it cancelled (same UID, higher SEQUENCE).
func (s *Service) CancelEvent(ctx context.Context, o org.Organization, a Actor, id int64) error {
	return s.db.Tx(ctx, func(tx db.Tx) error {
		e, err := s.get(ctx, tx, o.ID, id, true)
		if err != nil {
			return err
		}
		if !CanManage(a.Member, e) {
			return ErrNotFound
		}
		if e.Status != StatusPublished {
			return ErrNotOpen
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE events SET status = 'cancelled', sequence = sequence + 1, cancelled_at = $1, updated_at = $1
			WHERE org_id = $2 AND id = $3`, now, o.ID, id); err != nil {
			return err
		}
		ids, err := participants(ctx, tx, o.ID, id, Registered, Waitlisted)
		if err != nil {
			return err
		}
		for _, uid := range ids {
			if err := s.notify.Notify(ctx, tx, notify.Notification{OrgID: o.ID, UserID: uid, ActorID: a.Member.UserID,
				Kind: "event_cancelled", Category: notify.Events, Args: map[string]string{"title": e.Title},
				Link: eventPath(id)}); err != nil {
				return err
			}
		}
		return audit.Log(ctx, tx, a.entry("event.cancel", target(id), e.Title))
	})
}

// Decisions of a review.
const (
	Approve        = "approve"
	RequestChanges = "changes"
	Decline        = "decline"
)

// ErrMessageRequired is returned when asking for changes or declining without saying why.
var ErrMessageRequired = errors.New("message required")

// ErrMessageTooLong is returned for a review message over MaxMessage.
var ErrMessageTooLong = errors.New("message too long")

// Review decides on a proposal: staff approve it (it is published), ask
// for changes (with a message) or decline it (with a reason).
func (s *Service) Review(ctx context.Context, o org.Organization, a Actor, id int64, decision, message string) error {
	if !a.Member.Role.Staff() {
		return ErrForbidden
	}
	message = form.Text(message)
	if (decision == RequestChanges || decision == Decline) && message == "" {
		return ErrMessageRequired
	}
	if utf8.RuneCountInString(message) > MaxMessage {
		return ErrMessageTooLong
	}
	status, kind := "", ""
	switch decision {
	case Approve:
		status, kind = StatusPublished, "event_approved"
	case RequestChanges:
		status, kind = StatusChangesRequested, "event_changes_requested"
	case Decline:
		status, kind = StatusDeclined, "event_declined"
	default:
		return ErrNotReviewable
	}
	return s.db.Tx(ctx, func(tx db.Tx) error {
		e, err := s.get(ctx, tx, o.ID, id, true)
		if err != nil {
			return err
		}
		if e.Status != StatusProposed {
			return ErrNotReviewable
		}
		if decision == Approve && !e.StartsAt.After(s.now()) {
			return ErrStarted
		}
		if _, err := tx.ExecContext(ctx, `UPDATE events SET status = $1, review_message = $2, reviewed_by = $3, updated_at = $4
			WHERE org_id = $5 AND id = $6`, status, message, a.Member.UserID, s.now(), o.ID, id); err != nil {
			return err
		}
		if e.CreatedBy != 0 {
			if err := s.notify.Notify(ctx, tx, notify.Notification{OrgID: o.ID, UserID: e.CreatedBy, ActorID: a.Member.UserID,
				Kind: kind, Category: notify.Events, Args: map[string]string{"title": e.Title}, Link: eventPath(id)}); err != nil {
				return err
			}
		}
		if err := audit.Log(ctx, tx, a.entry("event.review."+decision, target(id), e.Title)); err != nil {
			return err
		}
		if status == StatusPublished {
			e.Status = status
			return s.schedule(ctx, tx, e)
		}
		return nil
	})
}

// reminderPayload names the event and the start time the reminder was
// scheduled for: a reminder whose event moved since does nothing (the move
// scheduled new ones).
type reminderPayload struct {
	EventID  int64     `json:"event_id"`
	Which    string    `json:"which"` // day or hour
	StartsAt time.Time `json:"starts_at"`
}

type feedbackPayload struct {
	EventID int64     `json:"event_id"`
	EndsAt  time.Time `json:"ends_at"`
}

// schedule enqueues the reminders (1 day and 1 hour before) and the
// feedback request (at the end) of a published event.
func (s *Service) schedule(ctx context.Context, tx db.Tx, e Event) error {
	now := s.now()
	for which, before := range map[string]time.Duration{"day": 24 * time.Hour, "hour": time.Hour} {
		at := e.StartsAt.Add(-before)
		if at.Before(now) {
			// Too late for this reminder; the registrant just saw the event.
			continue
		}
		if _, err := s.jobs.Enqueue(ctx, tx, e.OrgID, KindRemind, reminderPayload{EventID: e.ID, Which: which, StartsAt: e.StartsAt}, at); err != nil {
			return err
		}
	}
	_, err := s.jobs.Enqueue(ctx, tx, e.OrgID, KindFeedback, feedbackPayload{EventID: e.ID, EndsAt: e.EndsAt}, e.EndsAt)
	return err
}
