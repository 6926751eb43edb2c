package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tsunagu/tsunagu/internal/email"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/jobs"
	"github.com/tsunagu/tsunagu/internal/platform/tz"
)

// DigestHour is the hour (JST) digests go out.
const DigestHour = 8

// NextDue is when the digest of a period that includes a notification made
// at now goes out: the next 08:00 JST (daily) or the next Monday 08:00 JST
// (weekly), strictly after now.
func NextDue(period Frequency, now time.Time) time.Time {
	t := now.In(tz.Japan)
	due := time.Date(t.Year(), t.Month(), t.Day(), DigestHour, 0, 0, 0, tz.Japan)
	if !due.After(t) {
		due = due.AddDate(0, 0, 1)
	}
	if period == Weekly {
		for due.Weekday() != time.Monday {
			due = due.AddDate(0, 0, 1)
		}
	}
	return due.UTC()
}

// maxDigestItems caps the list in one digest; the rest is counted.
const maxDigestItems = 30

func (s *Service) orgLink(o org.Organization, link string) string {
	if link == "" {
		return ""
	}
	return s.cfg.BaseURL + "/o/" + o.Slug + link
}

func (s *Service) letter(o org.Organization, r recipient, period string) email.Notifications {
	return email.Notifications{To: r.email, Name: r.name, Lang: email.Lang(r.locale), Period: period,
		Page: s.orgLink(o, "/notifications"), Settings: s.orgLink(o, "/notifications/settings")}
}

// sendInstant queues the email of one notification in the caller's
// transaction. It links to the thing itself, not to an endpoint that marks
// the notification read: mail scanners open links.
func (s *Service) sendInstant(ctx context.Context, exec db.Querier, n Notification, r recipient) error {
	o, err := s.cfg.Orgs.OrganizationIn(ctx, exec, n.OrgID)
	if err != nil {
		return err
	}
	l := s.letter(o, r, "instant")
	lang := l.Lang
	l.Items = []email.NotifyItem{{Text: Text(lang, n.Kind, n.Args), Link: s.orgLink(o, n.Link)}}
	return s.cfg.Outbox.NotificationLetter(ctx, exec, o, l)
}

// digestJob is the payload of a KindDigest job.
type digestJob struct {
	UserID int64     `json:"user_id"`
	Period Frequency `json:"period"`
	DueAt  time.Time `json:"due_at"`
}

// scheduleDigest makes sure the member's next digest of period is
// scheduled. The row's primary key makes this idempotent: the first
// notification of a period schedules the job, later ones find the row.
func (s *Service) scheduleDigest(ctx context.Context, exec db.Querier, orgID, userID int64, period Frequency, now time.Time) error {
	due := NextDue(period, now)
	res, err := exec.ExecContext(ctx, `INSERT INTO notification_digests (org_id, user_id, period, due_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (org_id, user_id, period, due_at) DO NOTHING`, orgID, userID, string(period), due)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	_, err = s.cfg.Jobs.Enqueue(ctx, exec, orgID, KindDigest, digestJob{UserID: userID, Period: period, DueAt: due}, due)
	return err
}

// runDigest sends one member's digest: the notifications of its period that
// were neither emailed nor read in the app. Everything it looked at is
// marked emailed in the same transaction as the queued email, so a retry
// or a second worker finds nothing left to send.
func (s *Service) runDigest(ctx context.Context, j jobs.Job) error {
	var p digestJob
	if err := json.Unmarshal(j.Payload, &p); err != nil || (p.Period != Daily && p.Period != Weekly) {
		return jobs.Permanent(fmt.Errorf("decode digest job: %v", err))
	}
	o, err := s.cfg.Orgs.OrganizationByID(ctx, j.OrgID)
	if err != nil {
		return err
	}
	now := s.Now()
	return s.cfg.DB.Tx(ctx, func(tx db.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, kind, category, args, link, in_app, read_at IS NOT NULL FROM notifications
			WHERE org_id = $1 AND user_id = $2 AND email_plan = $3 AND emailed_at IS NULL ORDER BY id`, j.OrgID, p.UserID, string(p.Period))
		if err != nil {
			return err
		}
		type pending struct {
			id                   int64
			kind, category, link string
			args                 map[string]string
		}
		var list []pending
		var lastID int64
		for rows.Next() {
			var it pending
			var args string
			var inApp, read bool
			if err := rows.Scan(&it.id, &it.kind, &it.category, &args, &it.link, &inApp, &read); err != nil {
				rows.Close()
				return err
			}
			lastID = it.id
			// Read in the app meanwhile: the member has seen it.
			if inApp && read {
				continue
			}
			_ = json.Unmarshal([]byte(args), &it.args)
			list = append(list, it)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE notification_digests SET sent_at = $5 WHERE org_id = $1 AND user_id = $2 AND period = $3 AND due_at = $4`,
			j.OrgID, p.UserID, string(p.Period), p.DueAt, now); err != nil {
			return err
		}
		if lastID == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE notifications SET emailed_at = $5
			WHERE org_id = $1 AND user_id = $2 AND email_plan = $3 AND emailed_at IS NULL AND id <= $4`,
			j.OrgID, p.UserID, string(p.Period), lastID, now); err != nil {
			return err
		}
		// A category whose email the member turned off since is left out.
		kept := list[:0]
		stopped := map[string]bool{}
		for _, it := range list {
			off, seen := stopped[it.category]
			if !seen {
				pref, err := preferenceIn(ctx, tx, j.OrgID, p.UserID, Category(it.category))
				if err != nil {
					return err
				}
				off = pref.Email == Never
				stopped[it.category] = off
			}
			if !off {
				kept = append(kept, it)
			}
		}
		list = kept
		if len(list) == 0 {
			return nil
		}
		r, ok, err := recipientIn(ctx, tx, j.OrgID, p.UserID)
		if err != nil {
			return err
		}
		if !ok || !r.activated {
			return nil // left the organization meanwhile: settled without an email
		}
		l := s.letter(o, r, string(p.Period))
		for i := len(list) - 1; i >= 0 && len(l.Items) < maxDigestItems; i-- { // newest first
			l.Items = append(l.Items, email.NotifyItem{Text: Text(l.Lang, list[i].kind, list[i].args), Link: s.orgLink(o, list[i].link)})
		}
		l.More = len(list) - len(l.Items)
		return s.cfg.Outbox.NotificationLetter(ctx, tx, o, l)
	})
}
