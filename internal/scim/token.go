package scim

import (
	"context"
	"errors"
	"time"

	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// Tokens: SCIM tokens are bearer tokens of their own kind (internal/auth's
// BearerKind): shown once, only their SHA-256 stored, looked up by hash. They
// live in their own table with their own prefix because they can create and
// deactivate people, which an API token cannot: neither kind of token ever
// works in the other's place.
var Tokens = auth.BearerKind{Table: "scim_tokens", Prefix: TokenPrefix, Audit: "scim.token", Target: "scim_token"}

// TokenPrefix starts every SCIM token, so that secret scanners (and people)
// recognise one.
const TokenPrefix = "tsc_"

// MaxTokenName bounds the name an admin gives a token.
const MaxTokenName = auth.MaxAPITokenName

var (
	// ErrNotFound means no such token (or user) in the organization.
	ErrNotFound = errors.New("scim: not found")
	// ErrTokenName means the name is empty, too long or has control characters.
	ErrTokenName = auth.ErrAPITokenName
	// ErrTokenInvalid means the secret matches no token.
	ErrTokenInvalid = auth.ErrAPITokenInvalid
	// ErrTokenRevoked means the token existed but an admin revoked it.
	ErrTokenRevoked = auth.ErrAPITokenRevoked
)

// Token is a SCIM token as admins see it: never its secret.
type Token = auth.APIToken

// Actor is the admin who creates or revokes a token, for the audit log.
type Actor = auth.Actor

// CreateToken stores a new token of orgID and returns its secret, which is
// shown once. Pass a transaction so that the token and its audit entry
// commit together.
func CreateToken(ctx context.Context, exec db.Querier, orgID int64, by Actor, name string, now time.Time) (secret string, id int64, err error) {
	return Tokens.Create(ctx, exec, orgID, by, name, now)
}

// ListTokens returns the tokens of orgID, newest first, without secrets.
func ListTokens(ctx context.Context, q db.Querier, orgID int64) ([]Token, error) {
	return Tokens.List(ctx, q, orgID)
}

// RevokeToken stops token id of orgID from working, with an audit entry.
// Another organization's id is ErrNotFound; revoking twice is a no-op.
func RevokeToken(ctx context.Context, exec db.Querier, orgID, id int64, by Actor, now time.Time) error {
	err := Tokens.Revoke(ctx, exec, orgID, id, by, now)
	if errors.Is(err, auth.ErrNotFound) {
		return ErrNotFound
	}
	return err
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
	b, err := Tokens.Authenticate(ctx, s.db, secret, s.now())
	return caller{orgID: b.OrgID, tokenID: b.TokenID, name: b.Name}, err
}

// LinkedCount counts the people of orgID the identity provider manages
// (linked and not deleted), for the settings page.
func (s *Service) LinkedCount(ctx context.Context, orgID int64) (int, error) {
	var n int
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM scim_users WHERE org_id = $1 AND deleted_at IS NULL`, orgID).Scan(&n)
	return n, err
}
