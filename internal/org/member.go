package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// Name is a person's name in the three scripts Japanese HR keeps.
type Name struct {
	Family, Given             string // kanji (or as written)
	FamilyKana, GivenKana     string
	FamilyRomaji, GivenRomaji string
	// EnglishFamilyFirst writes the romaji name family first in English
	// (Tanaka Taro), as the member chose; otherwise given first (Taro Tanaka).
	EnglishFamilyFirst bool
}

// Display renders the name for lang: family name first in Japanese; in
// English the romaji in the order the member chose, falling back to the
// written name.
func (n Name) Display(lang string) string {
	if lang == "en" && (n.FamilyRomaji != "" || n.GivenRomaji != "") {
		if n.EnglishFamilyFirst {
			return strings.TrimSpace(n.FamilyRomaji + " " + n.GivenRomaji)
		}
		return strings.TrimSpace(n.GivenRomaji + " " + n.FamilyRomaji)
	}
	return strings.TrimSpace(n.Family + " " + n.Given)
}

func (n Name) orderEN() string {
	if n.EnglishFamilyFirst {
		return "family_first"
	}
	return "given_first"
}

// Kana is the reading, family first.
func (n Name) Kana() string { return strings.TrimSpace(n.FamilyKana + " " + n.GivenKana) }

// Member is a user together with their membership in one organization.
type Member struct {
	OrgID       int64
	UserID      int64
	Email       string
	Name        Name
	Role        Role
	Locale      string
	PasswordSet bool
	// Activated says the person has got in at least once (set a password or
	// signed in with SSO); HR-made records (imports, departures, approved
	// applications) are not activated until then.
	Activated bool
	CreatedAt time.Time
}

// NewMember is what it takes to add a person to an organization.
type NewMember struct {
	Email        string
	Name         Name
	Role         Role
	PasswordHash string
	Locale       string
}

// Limits on what people type, so that a page never has to render a novel.
const (
	MaxNameLen  = 100
	MaxEmailLen = 254
)

// NormalizeEmail trims and validates an address and returns its stored and
// lookup (lower-case) forms.
func NormalizeEmail(raw string) (email, lower string, err error) {
	email = strings.TrimSpace(raw)
	if email == "" || len(email) > MaxEmailLen {
		return "", "", fmt.Errorf("%w: email", ErrInvalid)
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || !strings.Contains(email[strings.LastIndexByte(email, '@'):], ".") {
		return "", "", fmt.Errorf("%w: email", ErrInvalid)
	}
	return email, strings.ToLower(email), nil
}

// Validate checks a name's lengths; at least the written family name is required.
func (n Name) Validate() error {
	fields := []string{n.Family, n.Given, n.FamilyKana, n.GivenKana, n.FamilyRomaji, n.GivenRomaji}
	for _, f := range fields {
		if utf8.RuneCountInString(f) > MaxNameLen {
			return fmt.Errorf("%w: name too long", ErrInvalid)
		}
	}
	if strings.TrimSpace(n.Family) == "" {
		return fmt.Errorf("%w: family name", ErrInvalid)
	}
	return nil
}

func (n Name) trimmed() Name {
	return Name{strings.TrimSpace(n.Family), strings.TrimSpace(n.Given), strings.TrimSpace(n.FamilyKana),
		strings.TrimSpace(n.GivenKana), strings.TrimSpace(n.FamilyRomaji), strings.TrimSpace(n.GivenRomaji), n.EnglishFamilyFirst}
}

// CreateMember adds a user and their active membership.
func (s *Store) CreateMember(ctx context.Context, exec db.Querier, orgID int64, m NewMember) (int64, error) {
	email, lower, err := NormalizeEmail(m.Email)
	if err != nil {
		return 0, err
	}
	m.Name = m.Name.trimmed()
	if err := m.Name.Validate(); err != nil {
		return 0, err
	}
	if !m.Role.Valid() {
		return 0, fmt.Errorf("%w: role %q", ErrInvalid, m.Role)
	}
	now := db.Now()
	var id int64
	err = exec.QueryRowContext(ctx, `INSERT INTO users (org_id, email, email_lower, password_hash, family_name, given_name,
		family_kana, given_kana, family_romaji, given_romaji, name_order_en, locale, created_at, updated_at, activated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14) RETURNING id`,
		orgID, email, lower, m.PasswordHash, m.Name.Family, m.Name.Given, m.Name.FamilyKana, m.Name.GivenKana,
		m.Name.FamilyRomaji, m.Name.GivenRomaji, m.Name.orderEN(), m.Locale, now, activatedAt(m.PasswordHash, now)).Scan(&id)
	if db.IsUniqueViolation(err) {
		return 0, ErrEmailTaken
	}
	if err != nil {
		return 0, err
	}
	if _, err := exec.ExecContext(ctx, `INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)`,
		orgID, id, m.Role, now); err != nil {
		return 0, err
	}
	if _, err := exec.ExecContext(ctx, `INSERT INTO profiles (org_id, user_id, updated_at) VALUES ($1, $2, $3)`, orgID, id, now); err != nil {
		return 0, err
	}
	return id, s.memberChanged(ctx, exec, orgID, id)
}

const memberSelect = `SELECT u.org_id, u.id, u.email, u.family_name, u.given_name, u.family_kana, u.given_kana,
	u.family_romaji, u.given_romaji, u.name_order_en = 'family_first', u.locale, u.password_hash <> '', u.activated_at IS NOT NULL,
	u.created_at, m.role
	FROM users u
	JOIN memberships m ON m.org_id = u.org_id AND m.user_id = u.id AND m.ended_at IS NULL`

func scanMember(row interface{ Scan(...any) error }) (Member, error) {
	var m Member
	err := row.Scan(&m.OrgID, &m.UserID, &m.Email, &m.Name.Family, &m.Name.Given, &m.Name.FamilyKana, &m.Name.GivenKana,
		&m.Name.FamilyRomaji, &m.Name.GivenRomaji, &m.Name.EnglishFamilyFirst, &m.Locale, &m.PasswordSet, &m.Activated, &m.CreatedAt, &m.Role)
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	return m, err
}

// Member returns an active member of orgID.
func (s *Store) Member(ctx context.Context, orgID, userID int64) (Member, error) {
	return scanMember(s.db.Read().QueryRowContext(ctx, memberSelect+` WHERE u.org_id = $1 AND u.id = $2`, orgID, userID))
}

// ActiveIDs lists the user ids of orgID's current members who have one of
// roles, within q: who is told of a report, a proposal or an inbox message.
func ActiveIDs(ctx context.Context, q db.Querier, orgID int64, roles ...Role) ([]int64, error) {
	if len(roles) == 0 {
		return nil, nil
	}
	args := []any{orgID}
	marks := make([]string, len(roles))
	for i, r := range roles {
		args = append(args, string(r))
		marks[i] = fmt.Sprintf("$%d", len(args))
	}
	return db.IDs(ctx, q, `SELECT user_id FROM memberships WHERE org_id = $1 AND ended_at IS NULL AND role IN (`+
		strings.Join(marks, ", ")+`) ORDER BY user_id`, args...)
}

// MemberByEmail returns an active member of orgID by email, ignoring case.
func (s *Store) MemberByEmail(ctx context.Context, orgID int64, email string) (Member, error) {
	return scanMember(s.db.Read().QueryRowContext(ctx, memberSelect+` WHERE u.org_id = $1 AND u.email_lower = $2`,
		orgID, strings.ToLower(strings.TrimSpace(email))))
}

// Credentials returns the user id and password hash for an active member's
// email, for signing in.
func (s *Store) Credentials(ctx context.Context, orgID int64, email string) (userID int64, hash string, err error) {
	err = s.db.Read().QueryRowContext(ctx, `SELECT u.id, u.password_hash FROM users u
		JOIN memberships m ON m.org_id = u.org_id AND m.user_id = u.id AND m.ended_at IS NULL
		WHERE u.org_id = $1 AND u.email_lower = $2`, orgID, strings.ToLower(strings.TrimSpace(email))).Scan(&userID, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	return userID, hash, err
}

// CountByRole counts active members of orgID per role.
func (s *Store) CountByRole(ctx context.Context, orgID int64) (map[Role]int, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT role, COUNT(*) FROM memberships WHERE org_id = $1 AND ended_at IS NULL GROUP BY role`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[Role]int{}
	for rows.Next() {
		var r Role
		var n int
		if err := rows.Scan(&r, &n); err != nil {
			return nil, err
		}
		out[r] = n
	}
	return out, rows.Err()
}

// SetRole changes a member's role, keeping the old membership as history.
func (s *Store) SetRole(ctx context.Context, tx db.Tx, orgID, userID int64, role Role) error {
	if !role.Valid() {
		return fmt.Errorf("%w: role %q", ErrInvalid, role)
	}
	now := db.Now()
	res, err := tx.ExecContext(ctx, `UPDATE memberships SET ended_at = $3 WHERE org_id = $1 AND user_id = $2 AND ended_at IS NULL`, orgID, userID, now)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)`, orgID, userID, role, now)
	return err
}

// activatedAt is the activation time of a new account: now when it starts
// with a password, none (NULL) for a record HR made for the person.
func activatedAt(passwordHash string, now time.Time) any {
	if passwordHash == "" {
		return nil
	}
	return now
}

// SetPasswordHash stores a new password hash for a member at now (the
// caller's clock). Setting a password (from an invitation or a reset link)
// activates the account.
func (s *Store) SetPasswordHash(ctx context.Context, exec db.Querier, orgID, userID int64, hash string, now time.Time) error {
	res, err := exec.ExecContext(ctx, `UPDATE users SET password_hash = $3, updated_at = $4, activated_at = COALESCE(activated_at, $4)
		WHERE org_id = $1 AND id = $2`, orgID, userID, hash, now)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// MarkActivated records that the person got in (e.g. by single sign-on)
// unless they had before.
func (s *Store) MarkActivated(ctx context.Context, exec db.Querier, orgID, userID int64, now time.Time) error {
	res, err := exec.ExecContext(ctx, `UPDATE users SET activated_at = COALESCE(activated_at, $3) WHERE org_id = $1 AND id = $2`, orgID, userID, now)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// SetLocale saves a member's language choice ("" follows the browser).
func (s *Store) SetLocale(ctx context.Context, orgID, userID int64, locale string) error {
	_, err := s.db.Write().ExecContext(ctx, `UPDATE users SET locale = $3, updated_at = $4 WHERE org_id = $1 AND id = $2`, orgID, userID, locale, db.Now())
	return err
}

// SetName replaces a member's name.
func (s *Store) SetName(ctx context.Context, exec db.Querier, orgID, userID int64, n Name) error {
	n = n.trimmed()
	if err := n.Validate(); err != nil {
		return err
	}
	_, err := exec.ExecContext(ctx, `UPDATE users SET family_name = $3, given_name = $4, family_kana = $5, given_kana = $6,
		family_romaji = $7, given_romaji = $8, name_order_en = $9, updated_at = $10 WHERE org_id = $1 AND id = $2`,
		orgID, userID, n.Family, n.Given, n.FamilyKana, n.GivenKana, n.FamilyRomaji, n.GivenRomaji, n.orderEN(), db.Now())
	if err != nil {
		return err
	}
	return s.memberChanged(ctx, exec, orgID, userID)
}
