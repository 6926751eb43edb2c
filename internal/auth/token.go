package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// TokenKind says what a single-use token is for.
type TokenKind string

const (
	TokenInvite TokenKind = "invite"
	TokenReset  TokenKind = "reset"
)

var (
	ErrTokenInvalid = errors.New("token invalid")
	ErrTokenExpired = errors.New("token expired")
	ErrTokenUsed    = errors.New("token already used")
)

// Token is a stored single-use token. Only its hash is kept, so a database
// leak does not hand out working links.
type Token struct {
	OrgID     int64
	Kind      TokenKind
	UserID    int64
	Email     string
	Role      org.Role
	CreatedBy int64
	ExpiresAt time.Time
}

func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// IssueToken stores a new token and returns the secret to put in a link.
func IssueToken(ctx context.Context, exec db.Querier, t Token, now time.Time) (string, error) {
	secret := newSecret()
	_, err := exec.ExecContext(ctx, `INSERT INTO tokens (hash, org_id, kind, user_id, email, role, created_by, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		hashSecret(secret), t.OrgID, t.Kind, nullID(t.UserID), t.Email, string(t.Role), nullID(t.CreatedBy), now, t.ExpiresAt)
	return secret, err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// PeekToken checks a token without using it, to show the form it leads to.
func PeekToken(ctx context.Context, q db.Querier, orgID int64, kind TokenKind, secret string, now time.Time) (Token, error) {
	var t Token
	var userID, createdBy sql.NullInt64
	var usedAt sql.NullTime
	var role string
	err := q.QueryRowContext(ctx, `SELECT org_id, kind, user_id, email, role, created_by, expires_at, used_at FROM tokens
		WHERE hash = $1 AND org_id = $2 AND kind = $3`, hashSecret(secret), orgID, kind).
		Scan(&t.OrgID, &t.Kind, &userID, &t.Email, &role, &createdBy, &t.ExpiresAt, &usedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, ErrTokenInvalid
	}
	if err != nil {
		return Token{}, err
	}
	t.UserID, t.CreatedBy, t.Role = userID.Int64, createdBy.Int64, org.Role(role)
	switch {
	case usedAt.Valid:
		return t, ErrTokenUsed
	case !now.Before(t.ExpiresAt):
		return t, ErrTokenExpired
	}
	return t, nil
}

// ConsumeToken marks a token used, inside tx, and returns it. Of two requests
// racing with the same token, exactly one succeeds.
func ConsumeToken(ctx context.Context, tx db.Tx, orgID int64, kind TokenKind, secret string, now time.Time) (Token, error) {
	t, err := PeekToken(ctx, tx, orgID, kind, secret, now)
	if err != nil {
		return t, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE tokens SET used_at = $4 WHERE hash = $1 AND org_id = $2 AND kind = $3 AND used_at IS NULL`,
		hashSecret(secret), orgID, kind, now)
	if err != nil {
		return t, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return t, ErrTokenUsed
	}
	return t, nil
}
