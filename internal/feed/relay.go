package feed

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tsunagu/tsunagu/internal/audience"
	"github.com/tsunagu/tsunagu/internal/notify"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/form"
)

// ErrNotYourTurn is writing or passing on a relay one is not named in (any
// more: someone else may have just written the link).
var ErrNotYourTurn = errors.New("feed: not your turn in the relay")

// Relay is a self-introduction relay: a chain of introductions, each naming
// the next member. Any member may start one by writing the first link.
type Relay struct {
	ID        int64
	StartedBy int64
	Starter   org.Name
	NamedID   int64 // who may write the next link; 0 if nobody (cannot happen once started)
	Named     org.Name
	Links     int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Link is one step of a relay's chain.
type Link struct {
	Position  int
	UserID    int64
	Name      org.Name
	Kind      string // intro or pass
	PostID    int64
	NamedID   int64
	NextName  org.Name
	CreatedAt time.Time
}

const relaySelect = `SELECT r.id, r.started_by, r.links, r.created_at, r.updated_at, COALESCE(r.named_user_id, 0),
	s.family_name, s.given_name, s.family_romaji, s.given_romaji, COALESCE(s.name_order_en = 'family_first', FALSE),
	COALESCE(n.family_name, ''), COALESCE(n.given_name, ''), COALESCE(n.family_romaji, ''), COALESCE(n.given_romaji, ''), COALESCE(n.name_order_en = 'family_first', FALSE)
	FROM relays r JOIN users s ON s.org_id = r.org_id AND s.id = r.started_by
	LEFT JOIN users n ON n.org_id = r.org_id AND n.id = r.named_user_id`

func scanRelay(row interface{ Scan(...any) error }) (Relay, error) {
	var r Relay
	s, n := &r.Starter, &r.Named
	err := row.Scan(&r.ID, &r.StartedBy, &r.Links, &r.CreatedAt, &r.UpdatedAt, &r.NamedID,
		&s.Family, &s.Given, &s.FamilyRomaji, &s.GivenRomaji, &s.EnglishFamilyFirst,
		&n.Family, &n.Given, &n.FamilyRomaji, &n.GivenRomaji, &n.EnglishFamilyFirst)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	return r, err
}

// Relays lists the relays of orgID, most recently moved first.
func (s *Service) Relays(ctx context.Context, orgID int64) ([]Relay, error) {
	return s.relays(ctx, ` WHERE r.org_id = $1 ORDER BY r.updated_at DESC, r.id DESC LIMIT 100`, orgID)
}

func (s *Service) relays(ctx context.Context, where string, args ...any) ([]Relay, error) {
	rows, err := s.db.Read().QueryContext(ctx, relaySelect+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Relay
	for rows.Next() {
		r, err := scanRelay(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RelayOf returns one relay of orgID with its chain in order.
func (s *Service) RelayOf(ctx context.Context, orgID, id int64) (Relay, []Link, error) {
	r, err := scanRelay(s.db.Read().QueryRowContext(ctx, relaySelect+` WHERE r.org_id = $1 AND r.id = $2`, orgID, id))
	if err != nil {
		return r, nil, err
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT l.position, l.user_id, l.kind, COALESCE(l.post_id, 0), l.named_user_id, l.created_at,
		u.family_name, u.given_name, u.family_romaji, u.given_romaji, COALESCE(u.name_order_en = 'family_first', FALSE),
		n.family_name, n.given_name, n.family_romaji, n.given_romaji, COALESCE(n.name_order_en = 'family_first', FALSE)
		FROM relay_links l JOIN users u ON u.org_id = l.org_id AND u.id = l.user_id
		JOIN users n ON n.org_id = l.org_id AND n.id = l.named_user_id
		WHERE l.org_id = $1 AND l.relay_id = $2 ORDER BY l.position`, orgID, id)
	if err != nil {
		return r, nil, err
	}
	defer rows.Close()
	var links []Link
	for rows.Next() {
		var l Link
		u, n := &l.Name, &l.NextName
		if err := rows.Scan(&l.Position, &l.UserID, &l.Kind, &l.PostID, &l.NamedID, &l.CreatedAt,
			&u.Family, &u.Given, &u.FamilyRomaji, &u.GivenRomaji, &u.EnglishFamilyFirst,
			&n.Family, &n.Given, &n.FamilyRomaji, &n.GivenRomaji, &n.EnglishFamilyFirst); err != nil {
			return r, nil, err
		}
		links = append(links, l)
	}
	return r, links, rows.Err()
}

// RelayTurns lists the relays in which userID is named now.
func (s *Service) RelayTurns(ctx context.Context, orgID, userID int64) ([]Relay, error) {
	return s.relays(ctx, ` WHERE r.org_id = $1 AND r.named_user_id = $2 ORDER BY r.id`, orgID, userID)
}

// ParseMember reads the "next member" field: a member id as the picker
// fills it ("123" or "member:123"), or an email address typed by hand.
func (s *Service) ParseMember(ctx context.Context, orgID int64, field string) (int64, bool) {
	field = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(field), "member:"))
	if field == "" {
		return 0, false
	}
	if id, err := strconv.ParseInt(field, 10, 64); err == nil && id > 0 {
		return id, true
	}
	var id int64
	err := s.db.Read().QueryRowContext(ctx, `SELECT id FROM users WHERE org_id = $1 AND email_lower = $2`, orgID, strings.ToLower(field)).Scan(&id)
	return id, err == nil
}

// checkNext validates the member named next in relay relayID (0: a new
// relay). Problems with the choice come back as Errors; err is a failure
// to look.
func checkNext(ctx context.Context, q db.Querier, orgID, relayID, writer, next int64) (Errors, error) {
	if next <= 0 {
		return Errors{{Field: "next", Key: "feed.relay.error.next_required"}}, nil
	}
	if next == writer {
		return Errors{{Field: "next", Key: "feed.relay.error.next_self"}}, nil
	}
	_, activated, err := memberRole(ctx, q, orgID, next)
	if errors.Is(err, ErrNotFound) || (err == nil && !activated) {
		return Errors{{Field: "next", Key: "feed.relay.error.next_unknown"}}, nil
	}
	if err != nil {
		return nil, err
	}
	if relayID > 0 {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM relay_links WHERE org_id = $1 AND relay_id = $2 AND user_id = $3`, orgID, relayID, next).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			return Errors{{Field: "next", Key: "feed.relay.error.next_in_chain"}}, nil
		}
	}
	return nil, nil
}

// StartRelay starts a relay with v's introduction, naming next.
func (s *Service) StartRelay(ctx context.Context, o org.Organization, v Viewer, body string, next int64) (relayID, postID int64, err error) {
	err = s.db.Tx(ctx, func(tx db.Tx) error {
		errs, err := checkNext(ctx, tx, o.ID, 0, v.UserID, next)
		if err != nil {
			return err
		}
		errs = append(errs, checkLength("body", form.Text(body), MaxPostLen)...)
		if len(errs) > 0 {
			return errs
		}
		now := s.now()
		if err := tx.QueryRowContext(ctx, `INSERT INTO relays (org_id, started_by, named_user_id, links, created_at, updated_at) VALUES ($1, $2, $3, 0, $4, $4) RETURNING id`,
			o.ID, v.UserID, v.UserID, now).Scan(&relayID); err != nil {
			return err
		}
		postID, err = s.link(ctx, tx, o, v, relayID, body, next)
		return err
	})
	return relayID, postID, err
}

// WriteLink adds v's introduction to a relay in which v is named, naming next.
func (s *Service) WriteLink(ctx context.Context, o org.Organization, v Viewer, relayID int64, body string, next int64) (postID int64, err error) {
	if errs := checkLength("body", form.Text(body), MaxPostLen); errs != nil {
		return 0, errs
	}
	err = s.db.Tx(ctx, func(tx db.Tx) error {
		postID, err = s.link(ctx, tx, o, v, relayID, body, next)
		return err
	})
	return postID, err
}

// PassOn hands v's turn in a relay to next without writing.
func (s *Service) PassOn(ctx context.Context, o org.Organization, v Viewer, relayID, next int64) error {
	return s.db.Tx(ctx, func(tx db.Tx) error {
		_, err := s.link(ctx, tx, o, v, relayID, "", next)
		return err
	})
}

// link records v's step in a relay: an introduction when body is given, a
// pass otherwise. The turn moves with a compare-and-set on the relay's named
// member, so that of two concurrent writers only one succeeds.
func (s *Service) link(ctx context.Context, tx db.Tx, o org.Organization, v Viewer, relayID int64, body string, next int64) (int64, error) {
	var named int64
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(named_user_id, 0) FROM relays WHERE org_id = $1 AND id = $2`, o.ID, relayID).Scan(&named)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, err
	}
	if named != v.UserID {
		return 0, ErrNotYourTurn
	}
	if errs, err := checkNext(ctx, tx, o.ID, relayID, v.UserID, next); err != nil {
		return 0, err
	} else if len(errs) > 0 {
		return 0, errs
	}
	intro := strings.TrimSpace(body) != ""
	kind := "pass"
	if intro {
		kind = "intro"
	}
	now := s.now()
	var position int
	err = tx.QueryRowContext(ctx, `UPDATE relays SET named_user_id = $3, links = links + 1, updated_at = $4
		WHERE org_id = $1 AND id = $2 AND named_user_id = $5 RETURNING links`, o.ID, relayID, next, now, v.UserID).Scan(&position)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotYourTurn
	}
	if err != nil {
		return 0, err
	}
	var postID int64
	var post any
	if intro {
		postID, err = s.create(ctx, tx, o, v, NewPost{Body: body, Audience: audience.Audience{Kind: audience.Network}}, relayID)
		if err != nil {
			return 0, err
		}
		post = postID
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO relay_links (org_id, relay_id, position, user_id, kind, post_id, named_user_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, o.ID, relayID, position, v.UserID, kind, post, next, now); err != nil {
		if db.IsUniqueViolation(err) {
			return 0, ErrNotYourTurn
		}
		return 0, err
	}
	return postID, s.notify.Notify(ctx, tx, notify.Notification{OrgID: o.ID, UserID: next, ActorID: v.UserID, Kind: "feed.relay_named",
		Category: notify.Relay, Args: actorArgs(ctx, tx, o.ID, v.UserID), Link: fmt.Sprintf("/relay/%d", relayID)})
}
