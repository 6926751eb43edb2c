package message

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/notify"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/form"
)

// Kinds of conversation.
const (
	Direct = "direct"
	Inbox  = "inbox"
)

// Notification kinds (catalog keys notify.kind.<kind>).
const (
	KindReceived     = "message.received"      // a member wrote to you
	KindCompanyReply = "message.company_reply" // the company answered your inquiry
	KindInbox        = "message.inbox"         // to admins: a member wrote to the company
)

// Limits.
const (
	MaxBody = 2000 // characters of one message
	// A member sends at most RateLimit messages per RateWindow, counted in
	// the database so that every server shares the count.
	RateLimit  = 30
	RateWindow = time.Minute
	// MaxShown is how many of a conversation's latest messages a page shows.
	MaxShown = 200
)

// Errors the web layer turns into messages.
var (
	ErrNotFound     = errors.New("conversation not found")
	ErrEmpty        = errors.New("message empty")
	ErrTooLong      = errors.New("message too long")
	ErrCannotSend   = errors.New("cannot message this member") // blocked, left, or yourself: deliberately one error
	ErrRateLimited  = errors.New("too many messages")
	ErrNotRecipient = errors.New("no such member")
)

// Service runs conversations.
type Service struct {
	db     *db.DB
	notify *notify.Service
	now    func() time.Time
}

// New returns a Service on the injected clock.
func New(d *db.DB, n *notify.Service, now func() time.Time) *Service {
	if now == nil {
		now = db.Now
	}
	return &Service{db: d, notify: n, now: now}
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Person is the other side of a conversation as a list shows them.
type Person struct {
	UserID   int64
	Name     org.Name
	PhotoKey string // empty unless the viewer may see the photo
	Active   bool   // still a member (a left member's history stays readable)
}

// Summary is one line of a member's conversation list, or of the inbox.
type Summary struct {
	ID         int64
	Kind       string
	Other      Person // the other member; for the inbox list, the member who wrote
	Snippet    string
	LastAt     time.Time
	LastFromMe bool // for the inbox list: the company wrote last
	Unread     int
	Closed     bool
}

// Conversation is one conversation as its page needs it.
type Conversation struct {
	ID       int64
	Kind     string
	UserA    int64
	UserB    int64 // 0 for the inbox
	Other    Person
	ClosedAt time.Time
	ClosedBy int64
}

// Closed says an inbox thread was closed by an admin.
func (c Conversation) Closed() bool { return !c.ClosedAt.IsZero() }

// Message is one message.
type Message struct {
	ID         int64
	SenderID   int64
	SenderName org.Name // the writer, also for a company reply: show it to staff only
	AsCompany  bool
	Body       string
	CreatedAt  time.Time
}

// Lines splits the body for display, so that templates keep line breaks
// without rendering any HTML.
func (m Message) Lines() []string { return strings.Split(m.Body, "\n") }

// CleanBody normalises line endings and surrounding whitespace and checks
// the limits.
func CleanBody(raw string) (string, error) {
	body := form.Text(raw)
	if body == "" {
		return "", ErrEmpty
	}
	if utf8.RuneCountInString(body) > MaxBody {
		return "", ErrTooLong
	}
	return body, nil
}

func snippet(body string) string {
	body = strings.Join(strings.Fields(body), " ")
	const max = 60
	if utf8.RuneCountInString(body) <= max {
		return body
	}
	r := []rune(body)
	return string(r[:max]) + "…"
}

// activeMember tells whether userID is an active member of orgID.
func activeMember(ctx context.Context, q db.Querier, orgID, userID int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND user_id = $2 AND ended_at IS NULL`, orgID, userID).Scan(&n)
	return n > 0, err
}

// blockedEither tells whether a or b blocked the other.
func blockedEither(ctx context.Context, q db.Querier, orgID, a, b int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM message_blocks WHERE org_id = $1
		AND ((blocker_id = $2 AND blocked_id = $3) OR (blocker_id = $3 AND blocked_id = $2))`, orgID, a, b).Scan(&n)
	return n > 0, err
}

func (s *Service) checkRate(ctx context.Context, q db.Querier, orgID, senderID int64, now time.Time) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages WHERE org_id = $1 AND sender_id = $2 AND created_at > $3`,
		orgID, senderID, now.Add(-RateWindow)).Scan(&n); err != nil {
		return err
	}
	if n >= RateLimit {
		return ErrRateLimited
	}
	return nil
}

// nameArgs names userID in a notification, in the reader's language.
func nameArgs(ctx context.Context, q db.Querier, orgID, userID int64) (map[string]string, error) {
	var n org.Name
	err := q.QueryRowContext(ctx, `SELECT family_name, given_name, family_romaji, given_romaji, name_order_en = 'family_first'
		FROM users WHERE org_id = $1 AND id = $2`, orgID, userID).Scan(&n.Family, &n.Given, &n.FamilyRomaji, &n.GivenRomaji, &n.EnglishFamilyFirst)
	return notify.NameArgs(n), err
}

// insert adds a message and moves the conversation's last message and the
// writer's own read mark to it.
func (s *Service) insert(ctx context.Context, tx db.Tx, orgID, convID, senderID int64, asCompany bool, body string, now time.Time, readCol string) (int64, error) {
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO messages (org_id, conversation_id, sender_id, as_company, body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, orgID, convID, senderID, asCompany, body, now).Scan(&id); err != nil {
		return 0, err
	}
	// readCol is one of two constants, never input.
	_, err := tx.ExecContext(ctx, `UPDATE conversations SET last_message_id = $1, last_message_at = $2, `+readCol+` = $1
		WHERE org_id = $3 AND id = $4`, id, now, orgID, convID)
	return id, err
}

func link(convID int64) string { return "/messages/" + strconv.FormatInt(convID, 10) }

// StartDirect sends the first (or next) message from senderID to toID,
// creating their conversation if they have none, and returns its id.
func (s *Service) StartDirect(ctx context.Context, orgID, senderID, toID int64, raw string) (int64, error) {
	body, err := CleanBody(raw)
	if err != nil {
		return 0, err
	}
	if toID == senderID {
		return 0, ErrCannotSend
	}
	var convID int64
	err = s.db.Tx(ctx, func(tx db.Tx) error {
		ok, err := activeMember(ctx, tx, orgID, toID)
		if err != nil {
			return err
		}
		if !ok {
			return ErrNotRecipient
		}
		a, b := min(senderID, toID), max(senderID, toID)
		now := s.clock()
		if _, err := tx.ExecContext(ctx, `INSERT INTO conversations (org_id, kind, user_a, user_b, last_message_at, created_at)
			VALUES ($1, 'direct', $2, $3, $4, $4) ON CONFLICT (org_id, user_a, user_b) WHERE kind = 'direct' DO NOTHING`, orgID, a, b, now); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT id FROM conversations WHERE org_id = $1 AND kind = 'direct' AND user_a = $2 AND user_b = $3`,
			orgID, a, b).Scan(&convID); err != nil {
			return err
		}
		return s.sendDirect(ctx, tx, orgID, convID, senderID, a, b, body, now)
	})
	return convID, err
}

func (s *Service) sendDirect(ctx context.Context, tx db.Tx, orgID, convID, senderID, a, b int64, body string, now time.Time) error {
	other, readCol := b, "a_read_id"
	if senderID == b {
		other, readCol = a, "b_read_id"
	}
	ok, err := activeMember(ctx, tx, orgID, other)
	if err != nil {
		return err
	}
	blocked, err := blockedEither(ctx, tx, orgID, senderID, other)
	if err != nil {
		return err
	}
	if !ok || blocked {
		return ErrCannotSend
	}
	if err := s.checkRate(ctx, tx, orgID, senderID, now); err != nil {
		return err
	}
	if _, err := s.insert(ctx, tx, orgID, convID, senderID, false, body, now, readCol); err != nil {
		return err
	}
	args, err := nameArgs(ctx, tx, orgID, senderID)
	if err != nil {
		return err
	}
	return s.notify.Notify(ctx, tx, notify.Notification{OrgID: orgID, UserID: other, ActorID: senderID, Kind: KindReceived,
		Category: notify.Messages, Args: args, Link: link(convID)})
}

// Send adds a message from senderID to a conversation they take part in:
// a direct conversation, or their own thread with the company.
func (s *Service) Send(ctx context.Context, orgID, senderID, convID int64, raw string) error {
	body, err := CleanBody(raw)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx db.Tx) error {
		c, err := s.load(ctx, tx, orgID, convID)
		if err != nil {
			return err
		}
		now := s.clock()
		switch {
		case c.Kind == Direct && (c.UserA == senderID || c.UserB == senderID):
			// A blocker does not see the conversation, so cannot write in it either.
			if hidden, err := s.hiddenFrom(ctx, tx, orgID, c, senderID); err != nil || hidden {
				if err == nil {
					err = ErrNotFound
				}
				return err
			}
			return s.sendDirect(ctx, tx, orgID, convID, senderID, c.UserA, c.UserB, body, now)
		case c.Kind == Inbox && c.UserA == senderID:
			return s.writeInbox(ctx, tx, orgID, c.ID, senderID, body, now)
		}
		return ErrNotFound
	})
}

func (s *Service) load(ctx context.Context, q db.Querier, orgID, convID int64) (Conversation, error) {
	var c Conversation
	var b, closedBy sql.NullInt64
	var closedAt sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT id, kind, user_a, user_b, closed_at, closed_by FROM conversations WHERE org_id = $1 AND id = $2`,
		orgID, convID).Scan(&c.ID, &c.Kind, &c.UserA, &b, &closedAt, &closedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	c.UserB, c.ClosedBy = b.Int64, closedBy.Int64
	if closedAt.Valid {
		c.ClosedAt = closedAt.Time
	}
	return c, err
}

func (s *Service) hiddenFrom(ctx context.Context, q db.Querier, orgID int64, c Conversation, viewer int64) (bool, error) {
	other := c.UserA
	if other == viewer {
		other = c.UserB
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM message_blocks WHERE org_id = $1 AND blocker_id = $2 AND blocked_id = $3`,
		orgID, viewer, other).Scan(&n)
	return n > 0, err
}

// Conversation returns a conversation viewerID takes part in and may see:
// their direct conversations (not with someone they blocked) and their own
// thread with the company. Anything else is ErrNotFound.
func (s *Service) Conversation(ctx context.Context, orgID, viewerID int64, viewerRole org.Role, convID int64) (Conversation, error) {
	q := s.db.Read()
	c, err := s.load(ctx, q, orgID, convID)
	if err != nil {
		return c, err
	}
	switch {
	case c.Kind == Direct && (c.UserA == viewerID || c.UserB == viewerID):
		hidden, err := s.hiddenFrom(ctx, q, orgID, c, viewerID)
		if err != nil {
			return c, err
		}
		if hidden {
			return c, ErrNotFound
		}
		other := c.UserA
		if other == viewerID {
			other = c.UserB
		}
		c.Other, err = person(ctx, q, orgID, other, viewerRole)
		return c, err
	case c.Kind == Inbox && c.UserA == viewerID:
		return c, nil
	}
	return c, ErrNotFound
}

func person(ctx context.Context, q db.Querier, orgID, userID int64, viewerRole org.Role) (Person, error) {
	p := Person{UserID: userID}
	var photo, vis string
	err := q.QueryRowContext(ctx, `SELECT u.family_name, u.given_name, u.family_kana, u.given_kana, u.family_romaji, u.given_romaji,
		u.name_order_en = 'family_first', COALESCE(p.photo_key, ''), COALESCE(p.vis_photo, 'admins'),
		EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = u.org_id AND m.user_id = u.id AND m.ended_at IS NULL)
		FROM users u LEFT JOIN profiles p ON p.org_id = u.org_id AND p.user_id = u.id
		WHERE u.org_id = $1 AND u.id = $2`, orgID, userID).Scan(&p.Name.Family, &p.Name.Given, &p.Name.FamilyKana, &p.Name.GivenKana,
		&p.Name.FamilyRomaji, &p.Name.GivenRomaji, &p.Name.EnglishFamilyFirst, &photo, &vis, &p.Active)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}
	if vis != "admins" || viewerRole == org.Admin {
		p.PhotoKey = photo
	}
	return p, err
}

// Messages returns the latest messages of a conversation, oldest first.
// Callers check access with Conversation or InboxThread first.
func (s *Service) Messages(ctx context.Context, orgID, convID int64) ([]Message, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT m.id, m.sender_id, m.as_company, m.body, m.created_at,
		u.family_name, u.given_name, u.family_romaji, u.given_romaji, u.name_order_en = 'family_first'
		FROM messages m JOIN users u ON u.org_id = m.org_id AND u.id = m.sender_id
		WHERE m.org_id = $1 AND m.conversation_id = $2 ORDER BY m.id DESC LIMIT $3`, orgID, convID, MaxShown)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var m Message
		if err := rows.Scan(&m.ID, &m.SenderID, &m.AsCompany, &m.Body, &m.CreatedAt, &m.SenderName.Family, &m.SenderName.Given,
			&m.SenderName.FamilyRomaji, &m.SenderName.GivenRomaji, &m.SenderName.EnglishFamilyFirst); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, rows.Err()
}

// MarkRead marks everything in a conversation read for userID (as a
// participant; for the company side use MarkInboxRead).
func (s *Service) MarkRead(ctx context.Context, orgID, userID, convID int64) error {
	_, err := s.db.Write().ExecContext(ctx, `UPDATE conversations SET
		a_read_id = CASE WHEN user_a = $3 THEN last_message_id ELSE a_read_id END,
		b_read_id = CASE WHEN user_b = $3 THEN last_message_id ELSE b_read_id END
		WHERE org_id = $1 AND id = $2 AND (user_a = $3 OR user_b = $3)`, orgID, convID, userID)
	return err
}

// unreadFor is the condition "m is unread for $2" on messages m of
// conversations c, leaving out conversations $2 hid by blocking.
const unreadFor = `m.sender_id <> $2 AND ((c.user_a = $2 AND m.id > c.a_read_id) OR (c.user_b = $2 AND m.id > c.b_read_id))
	AND NOT EXISTS (SELECT 1 FROM message_blocks k WHERE k.org_id = c.org_id AND k.blocker_id = $2
		AND k.blocked_id = CASE WHEN c.user_a = $2 THEN c.user_b ELSE c.user_a END)`

// Unread counts the messages userID has not read, over every conversation
// they see (their company thread included), for the menu's label.
func (s *Service) Unread(ctx context.Context, orgID, userID int64) (int, error) {
	var n int
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM conversations c
		JOIN messages m ON m.org_id = c.org_id AND m.conversation_id = c.id
		WHERE c.org_id = $1 AND (c.user_a = $2 OR c.user_b = $2) AND `+unreadFor, orgID, userID).Scan(&n)
	return n, err
}

// Conversations lists the conversations viewerID sees, newest first.
func (s *Service) Conversations(ctx context.Context, orgID, viewerID int64, viewerRole org.Role) ([]Summary, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT c.id, c.kind, c.last_message_at, c.closed_at IS NOT NULL,
		COALESCE(lm.body, ''), COALESCE(lm.sender_id, 0),
		(SELECT COUNT(*) FROM messages m WHERE m.org_id = c.org_id AND m.conversation_id = c.id AND `+unreadFor+`),
		COALESCE(u.id, 0), COALESCE(u.family_name, ''), COALESCE(u.given_name, ''), COALESCE(u.family_kana, ''), COALESCE(u.given_kana, ''),
		COALESCE(u.family_romaji, ''), COALESCE(u.given_romaji, ''), COALESCE(u.name_order_en, '') = 'family_first',
		COALESCE(p.photo_key, ''), COALESCE(p.vis_photo, 'admins'),
		EXISTS (SELECT 1 FROM memberships ms WHERE ms.org_id = c.org_id AND ms.user_id = u.id AND ms.ended_at IS NULL)
		FROM conversations c
		LEFT JOIN messages lm ON lm.org_id = c.org_id AND lm.id = c.last_message_id
		LEFT JOIN users u ON u.org_id = c.org_id AND u.id = CASE WHEN c.user_a = $2 THEN c.user_b ELSE c.user_a END
		LEFT JOIN profiles p ON p.org_id = u.org_id AND p.user_id = u.id
		WHERE c.org_id = $1 AND (c.user_a = $2 OR c.user_b = $2) AND c.last_message_id <> 0
		AND NOT EXISTS (SELECT 1 FROM message_blocks k WHERE k.org_id = c.org_id AND k.blocker_id = $2
			AND k.blocked_id = CASE WHEN c.user_a = $2 THEN c.user_b ELSE c.user_a END)
		ORDER BY c.last_message_at DESC, c.id DESC LIMIT 200`, orgID, viewerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		var x Summary
		var body, vis string
		var sender int64
		if err := rows.Scan(&x.ID, &x.Kind, &x.LastAt, &x.Closed, &body, &sender, &x.Unread,
			&x.Other.UserID, &x.Other.Name.Family, &x.Other.Name.Given, &x.Other.Name.FamilyKana, &x.Other.Name.GivenKana,
			&x.Other.Name.FamilyRomaji, &x.Other.Name.GivenRomaji, &x.Other.Name.EnglishFamilyFirst,
			&x.Other.PhotoKey, &vis, &x.Other.Active); err != nil {
			return nil, err
		}
		if vis == "admins" && viewerRole != org.Admin {
			x.Other.PhotoKey = ""
		}
		x.Snippet, x.LastFromMe = snippet(body), sender == viewerID
		out = append(out, x)
	}
	return out, rows.Err()
}

// DirectWith returns the id of viewerID's visible conversation with
// otherID, or 0 if they have none.
func (s *Service) DirectWith(ctx context.Context, orgID, viewerID, otherID int64) (int64, error) {
	var id int64
	err := s.db.Read().QueryRowContext(ctx, `SELECT c.id FROM conversations c WHERE c.org_id = $1 AND c.kind = 'direct'
		AND c.user_a = $2 AND c.user_b = $3`, orgID, min(viewerID, otherID), max(viewerID, otherID)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

func auditTarget(convID int64) string { return fmt.Sprintf("conversation:%d", convID) }

// logAudit records an admin's action on an inbox thread.
func logAudit(ctx context.Context, tx db.Tx, orgID int64, admin org.Member, ip, action string, convID int64, detail map[string]string) error {
	return audit.Log(ctx, tx, audit.Entry{OrgID: orgID, ActorUserID: admin.UserID, ActorLabel: admin.Email, Action: action,
		Target: auditTarget(convID), IP: ip, Detail: detail})
}
