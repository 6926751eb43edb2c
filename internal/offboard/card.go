package offboard

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/form"
)

// Limits of the card.
const (
	MaxMessageLen = 1000 // characters of one message
	MaxNameLen    = 100  // characters of a signed-out writer's name
	// Signed-out writing (when HR allows it) is capped per address and per
	// card, so that a leaked link cannot flood the card.
	MaxAnonymousPerIP = 5
	MaxMessages       = 500
)

// Message is one colleague's message on a card.
type Message struct {
	ID           int64
	DepartureID  int64
	AuthorUserID int64    // 0: written signed out, with a name only
	AuthorName   string   // as typed, when signed out
	Author       org.Name // of the member who wrote it
	Body         string
	PhotoKey     string
	Hidden       bool
	CreatedAt    time.Time
}

// Name is how the writer is shown.
func (m Message) Name(lang string) string {
	if m.AuthorUserID == 0 {
		return m.AuthorName
	}
	return m.Author.Display(lang)
}

// Lines splits the body for display, keeping the writer's line breaks.
func (m Message) Lines() []string { return strings.Split(m.Body, "\n") }

// Access is what one visitor may do with a card.
type Access struct {
	See          bool // the page itself
	SeeMessages  bool // the messages of others
	Write        bool // writing is open to them now
	Anonymous    bool // they write with a name only
	Manage       bool // hide and unhide messages
	Leaver       bool // the card is theirs
	NeedsSignIn  bool // signing in would let them in
	WritingEnded bool
}

// AccessOf decides what m (nil: signed out) may do with d's card. The
// leaver sees nothing before the conversion: the card is a surprise.
func (s *Service) AccessOf(d Departure, m *org.Member) Access {
	open := d.State == Pending && s.now().Before(WritingClosesAt(d.LastDay))
	a := Access{WritingEnded: !open}
	switch {
	case m != nil && m.UserID == d.UserID:
		a.Leaver = true
		a.See = d.State == Converted
		a.SeeMessages = a.See
	case m != nil && m.Role != org.Alumni:
		a.See, a.SeeMessages, a.Write = true, true, open
		a.Manage = m.Role == org.Admin || m.UserID == d.CardManagerID
	case d.CardAnonymous && d.State == Pending:
		a.See, a.Write, a.Anonymous = true, open, true
		a.NeedsSignIn = m == nil
	default:
		a.NeedsSignIn = m == nil
	}
	return a
}

// Card returns the departure behind a card link of orgID. A cancelled
// departure has no card; another organization's id is not found.
func (s *Service) Card(ctx context.Context, orgID int64, cardID string) (Departure, error) {
	if cardID == "" || len(cardID) > 64 {
		return Departure{}, ErrNotFound
	}
	d, err := scanDeparture(s.db.Read().QueryRowContext(ctx, departureSelect+` WHERE d.org_id = $1 AND d.card_id = $2`, orgID, cardID))
	if err == nil && d.State == Cancelled {
		return Departure{}, ErrNotFound
	}
	return d, err
}

// CardsOf returns the cards of a member that they may open: their own,
// once converted.
func (s *Service) CardsOf(ctx context.Context, orgID, userID int64) ([]Departure, error) {
	rows, err := s.db.Read().QueryContext(ctx, departureSelect+` WHERE d.org_id = $1 AND d.user_id = $2 AND d.state = 'converted'
		ORDER BY d.last_day DESC`, orgID, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Departure
	for rows.Next() {
		d, err := scanDeparture(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

const messageSelect = `SELECT c.id, c.departure_id, COALESCE(c.author_user_id, 0), c.author_name, c.body, c.photo_key, c.hidden, c.created_at,
	COALESCE(u.family_name, ''), COALESCE(u.given_name, ''), COALESCE(u.family_romaji, ''), COALESCE(u.given_romaji, ''),
	COALESCE(u.name_order_en = 'family_first', FALSE)
	FROM card_messages c LEFT JOIN users u ON u.org_id = c.org_id AND u.id = c.author_user_id`

func scanMessage(row interface{ Scan(...any) error }) (Message, error) {
	var m Message
	n := &m.Author
	err := row.Scan(&m.ID, &m.DepartureID, &m.AuthorUserID, &m.AuthorName, &m.Body, &m.PhotoKey, &m.Hidden, &m.CreatedAt,
		&n.Family, &n.Given, &n.FamilyRomaji, &n.GivenRomaji, &n.EnglishFamilyFirst)
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	return m, err
}

// Messages lists a card's messages, oldest first; hidden ones only when
// withHidden (for HR and the card's manager).
func (s *Service) Messages(ctx context.Context, orgID, departureID int64, withHidden bool) ([]Message, error) {
	q := messageSelect + ` WHERE c.org_id = $1 AND c.departure_id = $2`
	if !withHidden {
		q += ` AND NOT c.hidden`
	}
	rows, err := s.db.Read().QueryContext(ctx, q+` ORDER BY c.id`, orgID, departureID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Message returns one message of a card.
func (s *Service) Message(ctx context.Context, orgID, departureID, id int64) (Message, error) {
	return scanMessage(s.db.Read().QueryRowContext(ctx, messageSelect+` WHERE c.org_id = $1 AND c.departure_id = $2 AND c.id = $3`,
		orgID, departureID, id))
}

// Writer is who writes a message.
type Writer struct {
	Member *org.Member // nil: signed out
	Name   string      // the typed name, when signed out
	IP     string
}

// Write adds a message to d's card. Validation problems come back as
// Errors; ErrClosed when writing has ended; ErrTooMany when a cap is reached.
func (s *Service) Write(ctx context.Context, d Departure, w Writer, body, photoKey string) (int64, error) {
	a := s.AccessOf(d, w.Member)
	if !a.Write {
		if a.See || a.Leaver {
			return 0, ErrClosed
		}
		return 0, ErrNotFound
	}
	body = form.Text(body)
	name := strings.TrimSpace(w.Name)
	var errs Errors
	switch n := utf8.RuneCountInString(body); {
	case n == 0:
		errs = append(errs, FieldError{Field: "body", Key: "form.required"})
	case n > MaxMessageLen:
		errs = append(errs, FieldError{Field: "body", Key: "form.too_long", Args: []any{"max", MaxMessageLen}})
	}
	var authorID int64
	if a.Anonymous {
		switch n := utf8.RuneCountInString(name); {
		case n == 0:
			errs = append(errs, FieldError{Field: "name", Key: "form.required"})
		case n > MaxNameLen:
			errs = append(errs, FieldError{Field: "name", Key: "form.too_long", Args: []any{"max", MaxNameLen}})
		}
	} else {
		authorID, name = w.Member.UserID, ""
	}
	if len(errs) > 0 {
		return 0, errs
	}
	var id int64
	err := s.db.Tx(ctx, func(tx db.Tx) error {
		var total, fromIP int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN author_user_id IS NULL AND ip = $3 THEN 1 ELSE 0 END), 0)
			FROM card_messages WHERE org_id = $1 AND departure_id = $2`, d.OrgID, d.ID, w.IP).Scan(&total, &fromIP); err != nil {
			return err
		}
		if total >= MaxMessages || (a.Anonymous && fromIP >= MaxAnonymousPerIP) {
			return ErrTooMany
		}
		return tx.QueryRowContext(ctx, `INSERT INTO card_messages (org_id, departure_id, author_user_id, author_name, body, photo_key, ip, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			d.OrgID, d.ID, nullID(authorID), name, body, photoKey, w.IP, s.now()).Scan(&id)
	})
	return id, err
}

// SetHidden hides or shows again a message, as HR or the card's manager,
// with an audit entry. A hidden message never reaches the leaver.
func (s *Service) SetHidden(ctx context.Context, d Departure, msgID int64, hidden bool, by Actor) error {
	return s.db.Tx(ctx, func(tx db.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE card_messages SET hidden = $4 WHERE org_id = $1 AND departure_id = $2 AND id = $3`,
			d.OrgID, d.ID, msgID, hidden)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		action := "offboard.message_shown"
		if hidden {
			action = "offboard.message_hidden"
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: d.OrgID, ActorUserID: by.UserID, ActorLabel: by.Email, IP: by.IP, Action: action,
			Target: fmt.Sprintf("card_message:%d", msgID), Detail: map[string]string{"departure": fmt.Sprint(d.ID)}})
	})
}
