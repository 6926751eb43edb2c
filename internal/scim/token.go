package scim

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// SCIM tokens follow the API tokens (internal/auth/apitoken.go): shown once,
// only their SHA-256 stored, looked up by hash. They live in their own table
// with their own prefix because they can create and deactivate people, which
// an API token cannot: neither kind of token ever works in the other's place.

// TokenPrefix starts every SCIM token, so that secret scanners (and people)
// recognise one.
const TokenPrefix = "tsc_"

// tokenLen is the prefix plus 32 random bytes in unpadded base64url.
const tokenLen = len(TokenPrefix) + 43

// MaxTokenName bounds the name an admin gives a token.
const MaxTokenName = 100

// tokenTouchEvery limits writes of last_used_at to one a minute per token:
// an identity provider's full sync makes thousands of requests.
const tokenTouchEvery = time.Minute

var (
	// ErrNotFound means no such token (or user) in the organization.
	ErrNotFound = errors.New("scim: not found")
	// ErrTokenName means the name is empty, too long or has control characters.
	ErrTokenName = errors.New("scim: token name must be 1 to 100 characters")
	// ErrTokenInvalid means the secret matches no token.
	ErrTokenInvalid = errors.New("scim: token invalid")
	// ErrTokenRevoked means the token existed but an admin revoked it.
	ErrTokenRevoked = errors.New("scim: token revoked")
)

// Token is a SCIM token as admins see it: never its secret.
type Token struct {
	ID             int64
	OrgID          int64
	Name           string
	CreatedByEmail string
	CreatedAt      time.Time
	LastUsedAt     time.Time // zero: never used
	RevokedAt      time.Time // zero: active
}

// Revoked reports whether the token was revoked.
func (t Token) Revoked() bool { return !t.RevokedAt.IsZero() }

// Actor is the admin who creates or revokes a token, for the audit log.
type Actor struct {
	UserID int64
	Email  string
	IP     string
}

func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func cleanTokenName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxTokenName {
		return "", ErrTokenName
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return "", ErrTokenName
		}
	}
	return name, nil
}

// CreateToken stores a new token of orgID and returns its secret, which is
// shown once. Pass a transaction so that the token and its audit entry
// commit together.
func CreateToken(ctx context.Context, exec db.Querier, orgID int64, by Actor, name string, now time.Time) (secret string, id int64, err error) {
	if name, err = cleanTokenName(name); err != nil {
		return "", 0, err
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	secret = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	err = exec.QueryRowContext(ctx, `INSERT INTO scim_tokens (org_id, name, hash, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, orgID, name, hashSecret(secret), nullID(by.UserID), now).Scan(&id)
	if err != nil {
		return "", 0, fmt.Errorf("create SCIM token: %w", err)
	}
	err = audit.Log(ctx, exec, audit.Entry{OrgID: orgID, ActorUserID: by.UserID, ActorLabel: by.Email, IP: by.IP,
		Action: "scim.token_created", Target: fmt.Sprintf("scim_token:%d", id), Detail: map[string]string{"name": name}})
	if err != nil {
		return "", 0, err
	}
	return secret, id, nil
}

// ListTokens returns the tokens of orgID, newest first, without secrets.
func ListTokens(ctx context.Context, q db.Querier, orgID int64) ([]Token, error) {
	rows, err := q.QueryContext(ctx, `SELECT t.id, t.org_id, t.name, COALESCE(u.email, ''), t.created_at, t.last_used_at, t.revoked_at
		FROM scim_tokens t LEFT JOIN users u ON u.org_id = t.org_id AND u.id = t.created_by
		WHERE t.org_id = $1 ORDER BY t.created_at DESC, t.id DESC`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var used, revoked sql.NullTime
		if err := rows.Scan(&t.ID, &t.OrgID, &t.Name, &t.CreatedByEmail, &t.CreatedAt, &used, &revoked); err != nil {
			return nil, err
		}
		t.LastUsedAt, t.RevokedAt = used.Time, revoked.Time
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken stops token id of orgID from working, with an audit entry.
// Another organization's id is ErrNotFound; revoking twice is a no-op.
func RevokeToken(ctx context.Context, exec db.Querier, orgID, id int64, by Actor, now time.Time) error {
	var name string
	var revoked sql.NullTime
	err := exec.QueryRowContext(ctx, `SELECT name, revoked_at FROM scim_tokens WHERE org_id = $1 AND id = $2`, orgID, id).Scan(&name, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil || revoked.Valid {
		return err
	}
	res, err := exec.ExecContext(ctx, `UPDATE scim_tokens SET revoked_at = $3 WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL`, orgID, id, now)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return audit.Log(ctx, exec, audit.Entry{OrgID: orgID, ActorUserID: by.UserID, ActorLabel: by.Email, IP: by.IP,
		Action: "scim.token_revoked", Target: fmt.Sprintf("scim_token:%d", id), Detail: map[string]string{"name": name}})
}

// caller is the token a request was made with.
type caller struct {
	orgID   int64
	tokenID int64
	name    string
}

// label names the caller in the audit log.
func (c caller) label() string { return "SCIM: " + c.name }

// authenticate finds the token a secret belongs to.
func (s *Service) authenticate(ctx context.Context, secret string) (caller, error) {
	if len(secret) != tokenLen || !strings.HasPrefix(secret, TokenPrefix) {
		return caller{}, ErrTokenInvalid
	}
	var c caller
	var used, revoked sql.NullTime
	err := s.db.Read().QueryRowContext(ctx, `SELECT id, org_id, name, last_used_at, revoked_at FROM scim_tokens WHERE hash = $1`,
		hashSecret(secret)).Scan(&c.tokenID, &c.orgID, &c.name, &used, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return caller{}, ErrTokenInvalid
	}
	if err != nil {
		return caller{}, err
	}
	if revoked.Valid {
		return caller{}, ErrTokenRevoked
	}
	now := s.now()
	if !used.Valid || now.Sub(used.Time) >= tokenTouchEvery {
		if _, err := s.db.Write().ExecContext(ctx, `UPDATE scim_tokens SET last_used_at = $3 WHERE org_id = $1 AND id = $2`,
			c.orgID, c.tokenID, now); err != nil {
			return caller{}, fmt.Errorf("record SCIM token use: %w", err)
		}
	}
	return c, nil
}

// LinkedCount counts the people of orgID the identity provider manages
// (linked and not deleted), for the settings page.
func (s *Service) LinkedCount(ctx context.Context, orgID int64) (int, error) {
	var n int
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM scim_users WHERE org_id = $1 AND deleted_at IS NULL`, orgID).Scan(&n)
	return n, err
}
