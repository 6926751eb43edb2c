package event

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tsunagu/tsunagu/internal/notify"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/jobs"
)

// remind tells registered participants (not the waitlist, not those who
// cancelled) that the event is near. The column reminded_<which>_for makes
// it idempotent and lets a moved event be reminded again.
func (s *Service) remind(ctx context.Context, j jobs.Job) error {
	var p reminderPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || (p.Which != "day" && p.Which != "hour") {
		return jobs.Permanent(fmt.Errorf("event reminder payload %s: %v", j.Payload, err))
	}
	o, err := s.orgs.OrganizationByID(ctx, j.OrgID)
	if err != nil {
		return jobs.Permanent(err)
	}
	column := "reminded_" + p.Which + "_for"
	return s.db.Tx(ctx, func(tx db.Tx) error {
		e, err := s.get(ctx, tx, j.OrgID, p.EventID, true)
		if errors.Is(err, ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if e.Status != StatusPublished || !e.StartsAt.Equal(p.StartsAt.UTC()) || !s.now().Before(e.StartsAt) {
			return nil
		}
		var done int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE org_id = $1 AND id = $2 AND `+column+` = $3`,
			j.OrgID, e.ID, e.StartsAt).Scan(&done); err != nil {
			return err
		}
		if done > 0 {
			return nil
		}
		ids, err := participants(ctx, tx, j.OrgID, e.ID, Registered)
		if err != nil {
			return err
		}
		link := eventPath(e.ID)
		for _, uid := range ids {
			if err := s.notify.Notify(ctx, tx, notify.Notification{OrgID: j.OrgID, UserID: uid, Kind: "event_reminder_" + p.Which,
				Category: notify.Events, Args: map[string]string{"title": e.Title}, Link: link}); err != nil {
				return err
			}
			m, send, err := s.directMailTo(ctx, j.OrgID, uid)
			if err != nil {
				return err
			}
			if !send {
				continue
			}
			lang := langOf(m)
			if err := s.mail.EventReminder(ctx, tx, o, m.Email, m.Name.Display(lang), lang, e.Title, When(e, lang), s.Link(o, link), p.Which == "hour"); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE events SET `+column+` = $1 WHERE org_id = $2 AND id = $3`, e.StartsAt, j.OrgID, e.ID)
		return err
	})
}

// askFeedback tells the participants, once the event has ended, that the
// feedback form is open. Only those who attended are asked when anyone was
// checked in; otherwise everyone registered.
func (s *Service) askFeedback(ctx context.Context, j jobs.Job) error {
	var p feedbackPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return jobs.Permanent(err)
	}
	return s.db.Tx(ctx, func(tx db.Tx) error {
		e, err := s.get(ctx, tx, j.OrgID, p.EventID, true)
		if errors.Is(err, ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if e.Status != StatusPublished || !e.EndsAt.Equal(p.EndsAt.UTC()) || s.now().Before(e.EndsAt) {
			return nil
		}
		var asked int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE org_id = $1 AND id = $2 AND feedback_asked_at IS NOT NULL`,
			j.OrgID, e.ID).Scan(&asked); err != nil || asked > 0 {
			return err
		}
		ids, err := feedbackParticipants(ctx, tx, j.OrgID, e.ID)
		if err != nil {
			return err
		}
		for _, uid := range ids {
			if err := s.notify.Notify(ctx, tx, notify.Notification{OrgID: j.OrgID, UserID: uid, Kind: "event_feedback",
				Category: notify.Events, Args: map[string]string{"title": e.Title}, Link: eventPath(e.ID) + "#feedback"}); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE events SET feedback_asked_at = $1 WHERE org_id = $2 AND id = $3`, s.now(), j.OrgID, e.ID)
		return err
	})
}

// attendanceCondition limits registrations r to attendees once anyone was checked in.
const attendanceCondition = `r.status = 'registered' AND (r.checked_in_at IS NOT NULL OR NOT EXISTS (
	SELECT 1 FROM event_registrations c WHERE c.org_id = r.org_id AND c.event_id = r.event_id AND c.checked_in_at IS NOT NULL))`

func feedbackParticipants(ctx context.Context, q db.Querier, orgID, eventID int64) ([]int64, error) {
	return db.IDs(ctx, q, `SELECT r.user_id FROM event_registrations r WHERE r.org_id = $1 AND r.event_id = $2 AND `+
		attendanceCondition+` ORDER BY r.id`, orgID, eventID)
}
