package message

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/tsunagu/tsunagu/internal/notify"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

func inboxLink(convID int64) string { return "/admin/inbox/" + strconv.FormatInt(convID, 10) }

// CompanyThread returns the id of memberID's thread with the company, or 0.
func (s *Service) CompanyThread(ctx context.Context, orgID, memberID int64) (int64, error) {
	var id int64
	err := s.db.Read().QueryRowContext(ctx, `SELECT id FROM conversations WHERE org_id = $1 AND kind = 'inbox' AND user_a = $2`,
		orgID, memberID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// WriteToCompany adds a message from a member to their thread with the
// company, starting the thread if needed, and returns its id. Blocks do
// not apply: nobody is cut off from HR.
func (s *Service) WriteToCompany(ctx context.Context, orgID, memberID int64, raw string) (int64, error) {
	body, err := CleanBody(raw)
	if err != nil {
		return 0, err
	}
	var convID int64
	err = s.db.Tx(ctx, func(tx db.Tx) error {
		now := s.clock()
		if _, err := tx.ExecContext(ctx, `INSERT INTO conversations (org_id, kind, user_a, last_message_at, created_at)
			VALUES ($1, 'inbox', $2, $3, $3) ON CONFLICT (org_id, user_a) WHERE kind = 'inbox' DO NOTHING`, orgID, memberID, now); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT id FROM conversations WHERE org_id = $1 AND kind = 'inbox' AND user_a = $2`,
			orgID, memberID).Scan(&convID); err != nil {
			return err
		}
		return s.writeInbox(ctx, tx, orgID, convID, memberID, body, now)
	})
	return convID, err
}

// writeInbox records a member's message to the company, reopens a closed
// thread (a new question is open again) and tells every admin.
func (s *Service) writeInbox(ctx context.Context, tx db.Tx, orgID, convID, memberID int64, body string, now time.Time) error {
	if err := s.checkRate(ctx, tx, orgID, memberID, now); err != nil {
		return err
	}
	if _, err := s.insert(ctx, tx, orgID, convID, memberID, false, body, now, "a_read_id"); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE conversations SET closed_at = NULL, closed_by = NULL WHERE org_id = $1 AND id = $2`, orgID, convID); err != nil {
		return err
	}
	args, err := nameArgs(ctx, tx, orgID, memberID)
	if err != nil {
		return err
	}
	admins, err := org.ActiveIDs(ctx, tx, orgID, org.Admin)
	if err != nil {
		return err
	}
	for _, a := range admins {
		if err := s.notify.Notify(ctx, tx, notify.Notification{OrgID: orgID, UserID: a, ActorID: memberID, Kind: KindInbox,
			Category: notify.Staff, Args: args, Link: inboxLink(convID)}); err != nil {
			return err
		}
	}
	return nil
}

// InboxThread returns a thread of the HR inbox for an admin, with the
// member who wrote as Other.
func (s *Service) InboxThread(ctx context.Context, orgID, convID int64) (Conversation, error) {
	q := s.db.Read()
	c, err := s.load(ctx, q, orgID, convID)
	if err != nil {
		return c, err
	}
	if c.Kind != Inbox {
		return c, ErrNotFound
	}
	c.Other, err = person(ctx, q, orgID, c.UserA, org.Admin)
	return c, err
}

// Reply answers a member's thread as the company. The member sees the
// organization's name; the message and the audit log keep which admin wrote.
func (s *Service) Reply(ctx context.Context, o org.Organization, admin org.Member, ip string, convID int64, raw string) error {
	body, err := CleanBody(raw)
	if err != nil {
		return err
	}
	if admin.Role != org.Admin {
		return ErrNotFound
	}
	return s.db.Tx(ctx, func(tx db.Tx) error {
		c, err := s.load(ctx, tx, o.ID, convID)
		if err != nil {
			return err
		}
		if c.Kind != Inbox {
			return ErrNotFound
		}
		now := s.clock()
		if err := s.checkRate(ctx, tx, o.ID, admin.UserID, now); err != nil {
			return err
		}
		id, err := s.insert(ctx, tx, o.ID, convID, admin.UserID, true, body, now, "b_read_id")
		if err != nil {
			return err
		}
		if err := logAudit(ctx, tx, o.ID, admin, ip, "message.inbox_replied", convID,
			map[string]string{"message": strconv.FormatInt(id, 10), "member": strconv.FormatInt(c.UserA, 10)}); err != nil {
			return err
		}
		// The reply comes from the company, so no actor: the member must not
		// learn which admin wrote, not even from a notification.
		return s.notify.Notify(ctx, tx, notify.Notification{OrgID: o.ID, UserID: c.UserA, Kind: KindCompanyReply,
			Category: notify.Messages, Args: map[string]string{"org": o.Name("ja"), "org@en": o.Name("en")}, Link: link(convID)})
	})
}

// SetClosed closes or reopens an inbox thread (admins only, as Reply).
// Closing says "answered"; the member may still write, which reopens it.
func (s *Service) SetClosed(ctx context.Context, orgID int64, admin org.Member, ip string, convID int64, closed bool) error {
	if admin.Role != org.Admin {
		return ErrNotFound
	}
	return s.db.Tx(ctx, func(tx db.Tx) error {
		c, err := s.load(ctx, tx, orgID, convID)
		if err != nil {
			return err
		}
		if c.Kind != Inbox {
			return ErrNotFound
		}
		if c.Closed() == closed {
			return nil
		}
		action := "message.inbox_reopened"
		var at, by any
		if closed {
			action, at, by = "message.inbox_closed", s.clock(), admin.UserID
		}
		if _, err := tx.ExecContext(ctx, `UPDATE conversations SET closed_at = $1, closed_by = $2 WHERE org_id = $3 AND id = $4`,
			at, by, orgID, convID); err != nil {
			return err
		}
		return logAudit(ctx, tx, orgID, admin, ip, action, convID, nil)
	})
}

// MarkInboxRead marks a thread read for the company: one admin reading it
// clears it for all, as with a shared mailbox.
func (s *Service) MarkInboxRead(ctx context.Context, orgID, convID int64) error {
	_, err := s.db.Write().ExecContext(ctx, `UPDATE conversations SET b_read_id = last_message_id WHERE org_id = $1 AND id = $2 AND kind = 'inbox'`,
		orgID, convID)
	return err
}

// InboxUnread counts members' messages the company has not read.
func (s *Service) InboxUnread(ctx context.Context, orgID int64) (int, error) {
	var n int
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM conversations c JOIN messages m ON m.org_id = c.org_id AND m.conversation_id = c.id
		WHERE c.org_id = $1 AND c.kind = 'inbox' AND NOT m.as_company AND m.id > c.b_read_id`, orgID).Scan(&n)
	return n, err
}

// InboxThreads lists the inbox's open (or closed) threads, newest first.
// LastFromMe says the company wrote last.
func (s *Service) InboxThreads(ctx context.Context, orgID int64, closed bool) ([]Summary, error) {
	state := "c.closed_at IS NULL"
	if closed {
		state = "c.closed_at IS NOT NULL"
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT c.id, c.last_message_at, c.closed_at IS NOT NULL, COALESCE(lm.body, ''), COALESCE(lm.as_company, FALSE),
		(SELECT COUNT(*) FROM messages m WHERE m.org_id = c.org_id AND m.conversation_id = c.id AND NOT m.as_company AND m.id > c.b_read_id),
		u.id, u.family_name, u.given_name, u.family_kana, u.given_kana, u.family_romaji, u.given_romaji, u.name_order_en = 'family_first',
		COALESCE(p.photo_key, ''),
		EXISTS (SELECT 1 FROM memberships ms WHERE ms.org_id = c.org_id AND ms.user_id = u.id AND ms.ended_at IS NULL)
		FROM conversations c
		JOIN users u ON u.org_id = c.org_id AND u.id = c.user_a
		LEFT JOIN messages lm ON lm.org_id = c.org_id AND lm.id = c.last_message_id
		LEFT JOIN profiles p ON p.org_id = u.org_id AND p.user_id = u.id
		WHERE c.org_id = $1 AND c.kind = 'inbox' AND `+state+`
		ORDER BY c.last_message_at DESC, c.id DESC LIMIT 300`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		x := Summary{Kind: Inbox}
		var body string
		if err := rows.Scan(&x.ID, &x.LastAt, &x.Closed, &body, &x.LastFromMe, &x.Unread,
			&x.Other.UserID, &x.Other.Name.Family, &x.Other.Name.Given, &x.Other.Name.FamilyKana, &x.Other.Name.GivenKana,
			&x.Other.Name.FamilyRomaji, &x.Other.Name.GivenRomaji, &x.Other.Name.EnglishFamilyFirst, &x.Other.PhotoKey, &x.Other.Active); err != nil {
			return nil, err
		}
		x.Snippet = snippet(body)
		out = append(out, x)
	}
	return out, rows.Err()
}
