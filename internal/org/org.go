// Package org owns organizations, the people in them and their roles. Every
// store method takes the organization id first: there is no way to ask for a
// member without saying whose member it is.
package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// Role is what a member may do in an organization.
type Role string

const (
	Admin     Role = "admin"
	Supporter Role = "supporter"
	Employee  Role = "employee"
	Alumni    Role = "alumni"
)

// Roles lists every role, most powerful first.
var Roles = []Role{Admin, Supporter, Employee, Alumni}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Staff roles run the network: admins, and supporters for community work.
func (r Role) Staff() bool { return r == Admin || r == Supporter }

var (
	ErrNotFound   = errors.New("not found")
	ErrEmailTaken = errors.New("email already registered in this organization")
	ErrSlugTaken  = errors.New("organization slug already taken")
	ErrInvalid    = errors.New("invalid input")
)

// Organization is one company's sealed network.
type Organization struct {
	ID        int64
	Slug      string
	NameJA    string
	NameEN    string
	CreatedAt time.Time
}

// Name returns the organization's name in lang, falling back to Japanese.
func (o Organization) Name(lang string) string {
	if lang == "en" && o.NameEN != "" {
		return o.NameEN
	}
	return o.NameJA
}

// maxNextLen bounds the page a sign-in or a language switch returns to.
const maxNextLen = 500

// SafeNext is next if it is a page of this organization that is safe to
// send someone to after signing in (no other site, organization or path
// trick, no control characters, not absurdly long); otherwise the
// organization's home page.
func (o Organization) SafeNext(next string) string {
	prefix := "/o/" + o.Slug + "/"
	if len(next) <= maxNextLen && strings.HasPrefix(next, prefix) && !strings.Contains(next, "//") && !strings.Contains(next, `\`) &&
		!strings.Contains(next, "/../") && !strings.ContainsFunc(next, unicode.IsControl) {
		return next
	}
	return prefix
}

var slugPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$`)

// ValidSlug reports whether s can name an organization in URLs.
func ValidSlug(s string) bool { return slugPattern.MatchString(s) }

// Store reads and writes organizations and members.
type Store struct {
	db *db.DB
	// changed runs inside the transaction of every change to a member's
	// name or profile facts, so that derived data (the search index) can
	// never fall out of step with it.
	changed func(ctx context.Context, exec db.Querier, orgID, userID int64) error
	// bySlug keeps the organizations found by slug: every page looks its
	// organization up first, and an organization's row never changes once
	// created (nothing updates or deletes one; whatever comes to must drop
	// the entry here too).
	bySlug sync.Map // slug -> Organization
}

// OnMemberChanged sets the hook run after a member is created or their
// name or profile facts change, in the same transaction.
func (s *Store) OnMemberChanged(fn func(ctx context.Context, exec db.Querier, orgID, userID int64) error) {
	s.changed = fn
}

func (s *Store) memberChanged(ctx context.Context, exec db.Querier, orgID, userID int64) error {
	if s.changed == nil {
		return nil
	}
	return s.changed(ctx, exec, orgID, userID)
}

// NewStore returns a Store on d.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// DB returns the database the store uses, for transactions that span stores.
func (s *Store) DB() *db.DB { return s.db }

// CreateOrganization adds an organization.
func (s *Store) CreateOrganization(ctx context.Context, exec db.Querier, slug, nameJA, nameEN string) (Organization, error) {
	slug = strings.TrimSpace(slug)
	nameJA, nameEN = strings.TrimSpace(nameJA), strings.TrimSpace(nameEN)
	if !ValidSlug(slug) {
		return Organization{}, fmt.Errorf("%w: slug %q must be 1-40 lowercase letters, digits or hyphens", ErrInvalid, slug)
	}
	if nameJA == "" {
		return Organization{}, fmt.Errorf("%w: organization name is required", ErrInvalid)
	}
	if nameEN == "" {
		nameEN = nameJA
	}
	o := Organization{Slug: slug, NameJA: nameJA, NameEN: nameEN, CreatedAt: db.Now()}
	err := exec.QueryRowContext(ctx,
		`INSERT INTO organizations (slug, name_ja, name_en, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		o.Slug, o.NameJA, o.NameEN, o.CreatedAt).Scan(&o.ID)
	if db.IsUniqueViolation(err) {
		return Organization{}, ErrSlugTaken
	}
	return o, err
}

const orgColumns = `id, slug, name_ja, name_en, created_at`

func scanOrg(row interface{ Scan(...any) error }) (Organization, error) {
	var o Organization
	err := row.Scan(&o.ID, &o.Slug, &o.NameJA, &o.NameEN, &o.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return o, ErrNotFound
	}
	return o, err
}

// OrganizationBySlug finds an organization by the slug in its URLs.
func (s *Store) OrganizationBySlug(ctx context.Context, slug string) (Organization, error) {
	if o, ok := s.bySlug.Load(slug); ok {
		return o.(Organization), nil
	}
	o, err := scanOrg(s.db.Read().QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organizations WHERE slug = $1`, slug))
	if err == nil {
		s.bySlug.Store(slug, o) // only organizations that exist: a miss may be created later
	}
	return o, err
}

// OrganizationByID finds an organization by id.
func (s *Store) OrganizationByID(ctx context.Context, id int64) (Organization, error) {
	return s.OrganizationIn(ctx, s.db.Read(), id)
}

// OrganizationIn finds an organization by id within q. Code running inside
// a transaction must read through it: on PostgreSQL reads and writes share
// one pool, and transactions that each wait for a second connection while
// holding locks can exhaust it and wait forever.
func (s *Store) OrganizationIn(ctx context.Context, q db.Querier, id int64) (Organization, error) {
	return scanOrg(q.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organizations WHERE id = $1`, id))
}

// FirstOrganization is the oldest organization: the one "/" leads to.
func (s *Store) FirstOrganization(ctx context.Context) (Organization, error) {
	return scanOrg(s.db.Read().QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organizations ORDER BY id LIMIT 1`))
}

// Organizations lists every organization, for the operator's CLI.
func (s *Store) Organizations(ctx context.Context) ([]Organization, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+orgColumns+` FROM organizations ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Organization
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
