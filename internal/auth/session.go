package auth

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// SessionPolicy bounds how long a session lives.
type SessionPolicy struct {
	Idle     time.Duration // signed out after this long without a request
	Absolute time.Duration // signed out this long after signing in, whatever happens
}

// DefaultSessionPolicy: a working day of inactivity, two weeks at most.
var DefaultSessionPolicy = SessionPolicy{Idle: 12 * time.Hour, Absolute: 14 * 24 * time.Hour}

// ErrNoSession means the cookie names no live session.
var ErrNoSession = errors.New("no session")

// Session is a signed-in browser.
type Session struct {
	OrgID, UserID int64
	CreatedAt     time.Time
	LastSeenAt    time.Time
	ExpiresAt     time.Time
}

// Sessions stores sessions by the hash of their cookie value.
type Sessions struct {
	db     *db.DB
	policy SessionPolicy
}

// NewSessions returns a session store.
func NewSessions(d *db.DB, p SessionPolicy) *Sessions { return &Sessions{db: d, policy: p} }

// Create starts a session and returns the cookie value.
func (s *Sessions) Create(ctx context.Context, exec db.Querier, orgID, userID int64, ip, userAgent string, now time.Time) (string, error) {
	secret := newSecret()
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	_, err := exec.ExecContext(ctx, `INSERT INTO sessions (id_hash, org_id, user_id, created_at, last_seen_at, expires_at, ip, user_agent)
		VALUES ($1, $2, $3, $4, $4, $5, $6, $7)`, hashSecret(secret), orgID, userID, now, now.Add(s.policy.Absolute), ip, userAgent)
	return secret, err
}

// Lookup returns the live session for a cookie value in orgID, and refreshes
// its idle clock (at most once a minute, to spare the writer).
func (s *Sessions) Lookup(ctx context.Context, orgID int64, secret string, now time.Time) (Session, error) {
	if secret == "" {
		return Session{}, ErrNoSession
	}
	h := hashSecret(secret)
	var ss Session
	err := s.db.Read().QueryRowContext(ctx, `SELECT org_id, user_id, created_at, last_seen_at, expires_at FROM sessions
		WHERE id_hash = $1 AND org_id = $2`, h, orgID).Scan(&ss.OrgID, &ss.UserID, &ss.CreatedAt, &ss.LastSeenAt, &ss.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	if !now.Before(ss.ExpiresAt) || !now.Before(ss.LastSeenAt.Add(s.policy.Idle)) {
		_, _ = s.db.Write().ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, h)
		return Session{}, ErrNoSession
	}
	if now.Sub(ss.LastSeenAt) > time.Minute {
		if _, err := s.db.Write().ExecContext(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1`, h, now); err != nil {
			return Session{}, err
		}
		ss.LastSeenAt = now
	}
	return ss, nil
}

// Delete ends one session.
func (s *Sessions) Delete(ctx context.Context, orgID int64, secret string) error {
	_, err := s.db.Write().ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1 AND org_id = $2`, hashSecret(secret), orgID)
	return err
}

// DeleteAll ends every session of a user ("sign out everywhere").
func (s *Sessions) DeleteAll(ctx context.Context, exec db.Querier, orgID, userID int64) (int64, error) {
	res, err := exec.ExecContext(ctx, `DELETE FROM sessions WHERE org_id = $1 AND user_id = $2`, orgID, userID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Count is the number of live sessions of a user, for the account page.
func (s *Sessions) Count(ctx context.Context, orgID, userID int64, now time.Time) (int, error) {
	var n int
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE org_id = $1 AND user_id = $2 AND expires_at > $3 AND last_seen_at > $4`,
		orgID, userID, now, now.Add(-s.policy.Idle)).Scan(&n)
	return n, err
}

// Sweep deletes expired sessions; a periodic job calls it.
func (s *Sessions) Sweep(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.Write().ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2`, now, now.Add(-s.policy.Idle))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
