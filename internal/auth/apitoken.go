package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// API tokens let an integration (an HR system, a script) read one
// organization through the JSON API. Like every other secret here, only the
// SHA-256 of a token is stored: a database leak hands out no working token,
// and a lookup by hash compares no secret byte by byte, so checking a token
// takes the same time whatever its first characters are.

// APITokenPrefix starts every API token, so that secret scanners (and
// people) recognise one in a log or a repository.
const APITokenPrefix = "tsu_"

// MaxAPITokenName bounds the name an admin gives a token.
const MaxAPITokenName = 100

// apiTokenTouchEvery limits writes: last_used_at is updated at most once a
// minute per token, however many requests it makes.
const apiTokenTouchEvery = time.Minute

var (
	// ErrNotFound means no such API token in the organization: another
	// organization's token id is not found either.
	ErrNotFound = errors.New("auth: not found")
	// ErrAPITokenName means the name is empty, too long or has control
	// characters.
	ErrAPITokenName = errors.New("auth: API token name must be 1 to 100 characters")
	// ErrAPITokenInvalid means the secret matches no token.
	ErrAPITokenInvalid = errors.New("auth: API token invalid")
	// ErrAPITokenRevoked means the token existed but an admin revoked it.
	ErrAPITokenRevoked = errors.New("auth: API token revoked")
)

// APIToken is a token as admins see it: never its secret.
type APIToken struct {
	ID             int64
	OrgID          int64
	Name           string
	CreatedBy      int64
	CreatedByEmail string // "" when the creator's account is gone
	CreatedAt      time.Time
	LastUsedAt     time.Time // zero: never used
	RevokedAt      time.Time // zero: active
}

// Revoked reports whether the token was revoked.
func (t APIToken) Revoked() bool { return !t.RevokedAt.IsZero() }

// Actor is who creates or revokes a token, for the audit log.
type Actor struct {
	UserID int64
	Email  string
	IP     string
}

// BearerKind is one family of bearer tokens: API tokens that read the JSON
// API, SCIM tokens that provision people. Each family has its own table and
// prefix, so that neither ever works in the other's place; the rules are
// shared: shown once, only the hash stored, audited, last use recorded.
type BearerKind struct {
	// Table has the columns id, org_id, name, hash, created_by, created_at,
	// last_used_at and revoked_at. It is a constant of the code, never input.
	Table  string
	Prefix string
	// Audit is the audit action's stem ("<Audit>_created", "<Audit>_revoked")
	// and Target the audit target's ("<Target>:<id>").
	Audit, Target string
}

// APITokens are the JSON API's tokens.
var APITokens = BearerKind{Table: "api_tokens", Prefix: APITokenPrefix, Audit: "admin.api_token", Target: "api_token"}

// cleanAPITokenName trims a name and checks it.
func cleanAPITokenName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > MaxAPITokenName || !utf8.ValidString(name) {
		return "", ErrAPITokenName
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return "", ErrAPITokenName
		}
	}
	return name, nil
}

// Create stores a new token of orgID and returns its secret, which is shown
// to the admin once and never again. Pass a transaction as exec so that the
// token and its audit entry commit together.
func (k BearerKind) Create(ctx context.Context, exec db.Querier, orgID int64, by Actor, name string, now time.Time) (secret string, id int64, err error) {
	name, err = cleanAPITokenName(name)
	if err != nil {
		return "", 0, err
	}
	secret = k.Prefix + newSecret()
	err = exec.QueryRowContext(ctx, `INSERT INTO `+k.Table+` (org_id, name, hash, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, orgID, name, hashSecret(secret), nullID(by.UserID), now).Scan(&id)
	if err != nil {
		return "", 0, fmt.Errorf("create token in %s: %w", k.Table, err)
	}
	err = audit.Log(ctx, exec, audit.Entry{OrgID: orgID, ActorUserID: by.UserID, ActorLabel: by.Email, IP: by.IP,
		Action: k.Audit + "_created", Target: fmt.Sprintf("%s:%d", k.Target, id), Detail: map[string]string{"name": name}})
	if err != nil {
		return "", 0, err
	}
	return secret, id, nil
}

// List returns the tokens of orgID, newest first, without secrets.
func (k BearerKind) List(ctx context.Context, q db.Querier, orgID int64) ([]APIToken, error) {
	rows, err := q.QueryContext(ctx, `SELECT t.id, t.org_id, t.name, COALESCE(t.created_by, 0), COALESCE(u.email, ''),
		t.created_at, t.last_used_at, t.revoked_at
		FROM `+k.Table+` t LEFT JOIN users u ON u.org_id = t.org_id AND u.id = t.created_by
		WHERE t.org_id = $1 ORDER BY t.created_at DESC, t.id DESC`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		var t APIToken
		var used, revoked sql.NullTime
		if err := rows.Scan(&t.ID, &t.OrgID, &t.Name, &t.CreatedBy, &t.CreatedByEmail, &t.CreatedAt, &used, &revoked); err != nil {
			return nil, err
		}
		t.LastUsedAt, t.RevokedAt = used.Time, revoked.Time
		out = append(out, t)
	}
	return out, rows.Err()
}

// Revoke stops token id of orgID from working, with an audit entry.
// Another organization's id is ErrNotFound and changes nothing; revoking a
// revoked token again is a no-op. Pass a transaction as exec.
func (k BearerKind) Revoke(ctx context.Context, exec db.Querier, orgID, id int64, by Actor, now time.Time) error {
	var name string
	var revoked sql.NullTime
	err := exec.QueryRowContext(ctx, `SELECT name, revoked_at FROM `+k.Table+` WHERE org_id = $1 AND id = $2`, orgID, id).Scan(&name, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if revoked.Valid {
		return nil
	}
	res, err := exec.ExecContext(ctx, `UPDATE `+k.Table+` SET revoked_at = $3 WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL`, orgID, id, now)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // revoked meanwhile by someone else, who wrote the audit entry
	}
	return audit.Log(ctx, exec, audit.Entry{OrgID: orgID, ActorUserID: by.UserID, ActorLabel: by.Email, IP: by.IP,
		Action: k.Audit + "_revoked", Target: fmt.Sprintf("%s:%d", k.Target, id), Detail: map[string]string{"name": name}})
}

// Bearer is the token a request was made with.
type Bearer struct {
	OrgID, TokenID int64
	Name           string
}

// Authenticate finds the token a secret belongs to. The token is looked up
// by the hash of the secret, so no secret is compared in variable time. A
// revoked token is ErrAPITokenRevoked; anything else that matches no token
// is ErrAPITokenInvalid.
func (k BearerKind) Authenticate(ctx context.Context, d *db.DB, secret string, now time.Time) (Bearer, error) {
	if len(secret) != len(k.Prefix)+43 || !strings.HasPrefix(secret, k.Prefix) {
		return Bearer{}, ErrAPITokenInvalid
	}
	var b Bearer
	var used, revoked sql.NullTime
	err := d.Read().QueryRowContext(ctx, `SELECT id, org_id, name, last_used_at, revoked_at FROM `+k.Table+` WHERE hash = $1`,
		hashSecret(secret)).Scan(&b.TokenID, &b.OrgID, &b.Name, &used, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return Bearer{}, ErrAPITokenInvalid
	}
	if err != nil {
		return Bearer{}, err
	}
	if revoked.Valid {
		return Bearer{}, ErrAPITokenRevoked
	}
	if !used.Valid || now.Sub(used.Time) >= apiTokenTouchEvery {
		// Two requests racing here may both write; the later time wins and
		// nothing else depends on it.
		if _, err := d.Write().ExecContext(ctx, `UPDATE `+k.Table+` SET last_used_at = $3 WHERE org_id = $1 AND id = $2`,
			b.OrgID, b.TokenID, now); err != nil {
			return Bearer{}, fmt.Errorf("record token use in %s: %w", k.Table, err)
		}
	}
	return b, nil
}

// CreateAPIToken creates an API token; see BearerKind.Create.
func CreateAPIToken(ctx context.Context, exec db.Querier, orgID int64, by Actor, name string, now time.Time) (secret string, id int64, err error) {
	return APITokens.Create(ctx, exec, orgID, by, name, now)
}

// ListAPITokens lists the API tokens of orgID; see BearerKind.List.
func ListAPITokens(ctx context.Context, q db.Querier, orgID int64) ([]APIToken, error) {
	return APITokens.List(ctx, q, orgID)
}

// RevokeAPIToken revokes an API token; see BearerKind.Revoke.
func RevokeAPIToken(ctx context.Context, exec db.Querier, orgID, id int64, by Actor, now time.Time) error {
	return APITokens.Revoke(ctx, exec, orgID, id, by, now)
}

// AuthenticateAPIToken finds the organization an API token belongs to; see
// BearerKind.Authenticate.
func AuthenticateAPIToken(ctx context.Context, d *db.DB, secret string, now time.Time) (orgID int64, tokenID int64, err error) {
	b, err := APITokens.Authenticate(ctx, d, secret, now)
	return b.OrgID, b.TokenID, err
}
