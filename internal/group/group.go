// Package group runs groups: open groups anyone in the network joins,
// approval-required groups whose managers let people in, and automatic groups
// whose membership follows a rule on profiles (2019年退職, 営業部 OB/OG,
// 関西在住). Groups are an audience for posts and events: the feed and events
// ask IsMember and PostableGroups.
package group

import (
	"context"
	"database/sql"
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

// Kind says how people get into a group.
type Kind string

const (
	Open     Kind = "open"     // anyone in the network joins
	Approval Kind = "approval" // a manager approves each request
	Auto     Kind = "auto"     // membership follows a rule on profiles
)

// Limits on what people type.
const (
	MaxNameLen        = 50
	MaxDescriptionLen = 1000
)

var (
	// ErrNotFound means no such group in the organization (or archived, where that matters).
	ErrNotFound = errors.New("group not found")
	// ErrForbidden means the member may not do this to the group.
	ErrForbidden = errors.New("not allowed")
	// ErrArchived means the group is archived and no longer changes.
	ErrArchived = errors.New("group archived")
	// ErrAutomatic means membership of an automatic group cannot be changed by hand.
	ErrAutomatic = errors.New("automatic group")
)

// FieldError is one problem with a form field (form.Problem).
type FieldError = form.Problem

// Errors are all the problems of one form; nothing was written (form.Problems).
type Errors = form.Problems

// Group is one group of an organization.
type Group struct {
	ID          int64
	OrgID       int64
	Name        string
	Description string
	Kind        Kind
	Rule        Rule // set for automatic groups
	CreatedBy   int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ArchivedAt  time.Time // zero while active
	Members     int       // active members of the organization in the group (state 'member')
}

// Archived reports whether the group is archived.
func (g Group) Archived() bool { return !g.ArchivedAt.IsZero() }

// Actor is who does something: the member and their role.
type Actor struct {
	UserID int64
	Role   org.Role
	Label  string // for the audit log, e.g. the email address
	IP     string
}

// Service keeps groups and their members.
type Service struct {
	db     *db.DB
	notify *notify.Service
	now    func() time.Time
}

// New returns a Service. notifier may be nil (tests of the rule engine).
func New(d *db.DB, notifier *notify.Service, now func() time.Time) *Service {
	if now == nil {
		now = db.Now
	}
	return &Service{db: d, notify: notifier, now: now}
}

const groupColumns = `g.id, g.org_id, g.name, g.description, g.kind, g.rule, COALESCE(g.created_by, 0), g.created_at, g.updated_at, g.archived_at,
	(SELECT COUNT(*) FROM group_members c JOIN memberships cm ON cm.org_id = c.org_id AND cm.user_id = c.user_id AND cm.ended_at IS NULL
		WHERE c.org_id = g.org_id AND c.group_id = g.id AND c.state = 'member')`

func scanGroup(row interface{ Scan(...any) error }) (Group, error) {
	var g Group
	var rule string
	var archived sql.NullTime
	err := row.Scan(&g.ID, &g.OrgID, &g.Name, &g.Description, &g.Kind, &rule, &g.CreatedBy, &g.CreatedAt, &g.UpdatedAt, &archived, &g.Members)
	if errors.Is(err, sql.ErrNoRows) {
		return g, ErrNotFound
	}
	if err != nil {
		return g, err
	}
	if archived.Valid {
		g.ArchivedAt = archived.Time
	}
	g.Rule = parseRule(rule)
	return g, nil
}

// Get returns a group of the organization, archived or not. A group of
// another organization is ErrNotFound.
func (s *Service) Get(ctx context.Context, orgID, id int64) (Group, error) {
	return s.getIn(ctx, s.db.Read(), orgID, id)
}

func (s *Service) getIn(ctx context.Context, q db.Querier, orgID, id int64) (Group, error) {
	return scanGroup(q.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM groups g WHERE g.org_id = $1 AND g.id = $2`, orgID, id))
}

// IsMember reports whether userID is a member (not a pending requester) of
// an active group of the organization. q lets callers ask inside their
// transaction.
func (s *Service) IsMember(ctx context.Context, q db.Querier, orgID, groupID, userID int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM group_members gm JOIN groups g ON g.org_id = gm.org_id AND g.id = gm.group_id
		WHERE gm.org_id = $1 AND gm.group_id = $2 AND gm.user_id = $3 AND gm.state = 'member' AND g.archived_at IS NULL`,
		orgID, groupID, userID).Scan(&n)
	return n > 0, err
}

// PostableGroups lists the active groups a member may address a post or an
// event to: the groups they belong to, and every active group for staff
// (who moderate all of them). Sorted by name.
func (s *Service) PostableGroups(ctx context.Context, orgID, userID int64) ([]Group, error) {
	role, err := s.role(ctx, s.db.Read(), orgID, userID)
	if err != nil {
		return nil, err
	}
	if role.Staff() {
		return s.list(ctx, `WHERE g.org_id = $1 AND g.archived_at IS NULL ORDER BY g.name, g.id`, orgID)
	}
	return s.MyGroups(ctx, orgID, userID)
}

func (s *Service) role(ctx context.Context, q db.Querier, orgID, userID int64) (org.Role, error) {
	var r org.Role
	err := q.QueryRowContext(ctx, `SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2 AND ended_at IS NULL`, orgID, userID).Scan(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return r, err
}

func (s *Service) list(ctx context.Context, where string, args ...any) ([]Group, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+groupColumns+` FROM groups g `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Group
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// MyGroups lists the active groups userID belongs to, by name.
func (s *Service) MyGroups(ctx context.Context, orgID, userID int64) ([]Group, error) {
	return s.list(ctx, `WHERE g.org_id = $1 AND g.archived_at IS NULL AND EXISTS (SELECT 1 FROM group_members gm
		WHERE gm.org_id = g.org_id AND gm.group_id = g.id AND gm.user_id = $2 AND gm.state = 'member') ORDER BY g.name, g.id`, orgID, userID)
}

// Discover lists the active open and approval groups userID is not in (nor
// waiting for), for the "find groups" list. Automatic groups are not listed:
// nobody joins them by hand.
func (s *Service) Discover(ctx context.Context, orgID, userID int64) ([]Group, error) {
	return s.list(ctx, `WHERE g.org_id = $1 AND g.archived_at IS NULL AND g.kind <> 'auto' AND NOT EXISTS (SELECT 1 FROM group_members gm
		WHERE gm.org_id = g.org_id AND gm.group_id = g.id AND gm.user_id = $2) ORDER BY g.name, g.id`, orgID, userID)
}

// All lists every group of the organization, archived last, for staff.
func (s *Service) All(ctx context.Context, orgID int64) ([]Group, error) {
	return s.list(ctx, `WHERE g.org_id = $1 ORDER BY CASE WHEN g.archived_at IS NULL THEN 0 ELSE 1 END, g.name, g.id`, orgID)
}

// Membership is where one member stands with one group.
type Membership struct {
	State   string // "", "pending" or "member"
	Manager bool
}

// MembershipOf returns userID's standing in the group.
func (s *Service) MembershipOf(ctx context.Context, orgID, groupID, userID int64) (Membership, error) {
	var m Membership
	err := s.db.Read().QueryRowContext(ctx, `SELECT state, is_manager FROM group_members WHERE org_id = $1 AND group_id = $2 AND user_id = $3`,
		orgID, groupID, userID).Scan(&m.State, &m.Manager)
	if errors.Is(err, sql.ErrNoRows) {
		return Membership{}, nil
	}
	return m, err
}

// Person is one member or requester of a group as the group page shows them.
type Person struct {
	UserID   int64
	Name     org.Name
	PhotoKey string // empty unless the member shows their photo to members
	Role     org.Role
	Manager  bool
	Since    time.Time
}

// MaxPeople bounds the people a group page lists: an automatic group such as
// 関東在住 can hold thousands; the page says how many more there are.
const MaxPeople = 200

// People lists up to MaxPeople of the group's members (state "member") or
// requests (state "pending"), managers first. Only active members of the
// organization appear; the photo is given only when the member shows it to
// members.
func (s *Service) People(ctx context.Context, orgID, groupID int64, state string) ([]Person, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT u.id, u.family_name, u.given_name, u.family_kana, u.given_kana, u.family_romaji, u.given_romaji,
		u.name_order_en = 'family_first', CASE WHEN p.vis_photo IN ('members', 'public') THEN p.photo_key ELSE '' END, m.role, gm.is_manager, gm.created_at
		FROM group_members gm
		JOIN users u ON u.org_id = gm.org_id AND u.id = gm.user_id
		JOIN memberships m ON m.org_id = u.org_id AND m.user_id = u.id AND m.ended_at IS NULL
		LEFT JOIN profiles p ON p.org_id = u.org_id AND p.user_id = u.id
		WHERE gm.org_id = $1 AND gm.group_id = $2 AND gm.state = $3
		ORDER BY gm.is_manager DESC, u.family_kana, u.given_kana, u.id LIMIT $4`, orgID, groupID, state, MaxPeople)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Person
	for rows.Next() {
		var p Person
		var photo sql.NullString
		if err := rows.Scan(&p.UserID, &p.Name.Family, &p.Name.Given, &p.Name.FamilyKana, &p.Name.GivenKana, &p.Name.FamilyRomaji,
			&p.Name.GivenRomaji, &p.Name.EnglishFamilyFirst, &photo, &p.Role, &p.Manager, &p.Since); err != nil {
			return nil, err
		}
		p.PhotoKey = photo.String
		out = append(out, p)
	}
	return out, rows.Err()
}

// Settings are an organization's choices about groups.
type Settings struct {
	// MembersMayCreate lets employees and alumni create open and approval
	// groups; staff always may.
	MembersMayCreate bool
}

// SettingsOf returns the organization's group settings (defaults when unset).
func (s *Service) SettingsOf(ctx context.Context, orgID int64) (Settings, error) {
	var st Settings
	err := s.db.Read().QueryRowContext(ctx, `SELECT members_may_create FROM group_settings WHERE org_id = $1`, orgID).Scan(&st.MembersMayCreate)
	if errors.Is(err, sql.ErrNoRows) {
		return Settings{}, nil
	}
	return st, err
}

// SaveSettings stores the settings; only admins may.
func (s *Service) SaveSettings(ctx context.Context, orgID int64, by Actor, st Settings) error {
	if by.Role != org.Admin {
		return ErrForbidden
	}
	return s.db.Tx(ctx, func(tx db.Tx) error {
		now := s.now()
		res, err := tx.ExecContext(ctx, `UPDATE group_settings SET members_may_create = $2, updated_at = $3 WHERE org_id = $1`, orgID, st.MembersMayCreate, now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO group_settings (org_id, members_may_create, updated_at) VALUES ($1, $2, $3)`,
				orgID, st.MembersMayCreate, now); err != nil {
				return err
			}
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: orgID, ActorUserID: by.UserID, ActorLabel: by.Label, IP: by.IP,
			Action: "group.settings_changed", Detail: map[string]string{"members_may_create": fmt.Sprint(st.MembersMayCreate)}})
	})
}

// MayCreate reports whether the actor may create open and approval groups.
func (s *Service) MayCreate(ctx context.Context, orgID int64, by Actor) (bool, error) {
	if by.Role.Staff() {
		return true, nil
	}
	if !by.Role.Valid() {
		return false, nil
	}
	st, err := s.SettingsOf(ctx, orgID)
	return st.MembersMayCreate, err
}

// Draft is what a group form submits.
type Draft struct {
	Name        string
	Description string
	Kind        Kind
	Rule        Rule // for Auto
}

func (d *Draft) clean() Errors {
	d.Name = strings.TrimSpace(d.Name)
	d.Description = form.Text(d.Description)
	var errs Errors
	switch n := utf8.RuneCountInString(d.Name); {
	case n == 0:
		errs = append(errs, FieldError{Field: "name", Key: "group.error.name_required"})
	case n > MaxNameLen:
		errs = append(errs, FieldError{Field: "name", Key: "group.error.name_too_long", Args: []any{"max", MaxNameLen, "count", n}})
	}
	if n := utf8.RuneCountInString(d.Description); n > MaxDescriptionLen {
		errs = append(errs, FieldError{Field: "description", Key: "group.error.description_too_long", Args: []any{"max", MaxDescriptionLen, "count", n}})
	}
	switch d.Kind {
	case Open, Approval:
		d.Rule = Rule{}
	case Auto:
		if err := d.Rule.clean(); err != nil {
			errs = append(errs, *err)
		}
	default:
		errs = append(errs, FieldError{Field: "kind", Key: "form.choose"})
	}
	return errs
}

// nameTaken checks uniqueness before writing, so that the form can say so
// next to the field; the partial unique index is the real guard.
func nameTaken(ctx context.Context, q db.Querier, orgID, exceptID int64, name string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM groups WHERE org_id = $1 AND name = $2 AND archived_at IS NULL AND id <> $3`,
		orgID, name, exceptID).Scan(&n)
	return n > 0, err
}

var errNameTaken = Errors{{Field: "name", Key: "group.error.name_taken"}}

// Create makes a group with the actor as its first manager. Open and
// approval groups may be created by staff, and by members when the
// organization allows it; automatic groups by staff only, and their
// membership is computed for everyone at once.
func (s *Service) Create(ctx context.Context, orgID int64, by Actor, d Draft) (Group, error) {
	if errs := d.clean(); len(errs) > 0 {
		return Group{}, errs
	}
	if d.Kind == Auto {
		if !by.Role.Staff() {
			return Group{}, ErrForbidden
		}
	} else if ok, err := s.MayCreate(ctx, orgID, by); err != nil {
		return Group{}, err
	} else if !ok {
		return Group{}, ErrForbidden
	}
	var id int64
	err := s.db.Tx(ctx, func(tx db.Tx) error {
		if taken, err := nameTaken(ctx, tx, orgID, 0, d.Name); err != nil {
			return err
		} else if taken {
			return errNameTaken
		}
		now := s.now()
		err := tx.QueryRowContext(ctx, `INSERT INTO groups (org_id, name, description, kind, rule, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, orgID, d.Name, d.Description, string(d.Kind), d.Rule.encode(), by.UserID, now).Scan(&id)
		if db.IsUniqueViolation(err) {
			return errNameTaken
		}
		if err != nil {
			return err
		}
		// The creator manages an open or approval group. Automatic groups
		// have no managers: nobody joins or leaves them by hand, and staff
		// (who alone create them) edit and archive every group anyway.
		if d.Kind == Auto {
			if _, err := s.syncGroup(ctx, tx, orgID, id, d.Rule); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `INSERT INTO group_members (org_id, group_id, user_id, state, is_manager, created_at)
			VALUES ($1, $2, $3, 'member', TRUE, $4)`, orgID, id, by.UserID, now); err != nil {
			return err
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: orgID, ActorUserID: by.UserID, ActorLabel: by.Label, IP: by.IP,
			Action: "group.created", Target: fmt.Sprintf("group:%d", id), Detail: map[string]string{"name": d.Name, "kind": string(d.Kind), "rule": d.Rule.encode()}})
	})
	if err != nil {
		return Group{}, err
	}
	return s.Get(ctx, orgID, id)
}
