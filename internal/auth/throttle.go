package auth

import (
	"context"
	"time"

	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// ThrottlePolicy limits failed sign-ins per account and per client address.
type ThrottlePolicy struct {
	Window         time.Duration
	MaxPerAccount  int // failures for one email in Window before it is locked
	MaxPerIP       int // failures from one address in Window before it is throttled
	AccountLockout time.Duration
}

// DefaultThrottle locks an account for 15 minutes after 5 failures in 15
// minutes, and an address after 30 failures across any accounts.
var DefaultThrottle = ThrottlePolicy{Window: 15 * time.Minute, MaxPerAccount: 5, MaxPerIP: 30, AccountLockout: 15 * time.Minute}

// Throttled says a sign-in was refused without checking the password.
type Throttled struct {
	RetryAfter time.Duration
	ByIP       bool
}

func (t *Throttled) Error() string { return "too many failed sign-ins" }

// checkThrottle returns a *Throttled when the account or address has failed
// too often recently.
func checkThrottle(ctx context.Context, d *db.DB, p ThrottlePolicy, orgID int64, emailLower, ip string, now time.Time) error {
	var n int
	var last *time.Time
	row := d.Read().QueryRowContext(ctx, `SELECT COUNT(*), MAX(created_at) FROM login_attempts
		WHERE org_id = $1 AND email_lower = $2 AND success = FALSE AND created_at > $3
		AND created_at > COALESCE((SELECT MAX(created_at) FROM login_attempts WHERE org_id = $1 AND email_lower = $2 AND success = TRUE), $3)`,
		orgID, emailLower, now.Add(-p.Window))
	var lastT nullTime
	if err := row.Scan(&n, &lastT); err != nil {
		return err
	}
	if lastT.Valid {
		last = &lastT.Time
	}
	if n >= p.MaxPerAccount && last != nil {
		if wait := last.Add(p.AccountLockout).Sub(now); wait > 0 {
			return &Throttled{RetryAfter: wait}
		}
	}
	var m int
	var first nullTime
	if err := d.Read().QueryRowContext(ctx, `SELECT COUNT(*), MIN(created_at) FROM login_attempts WHERE ip = $1 AND success = FALSE AND created_at > $2`,
		ip, now.Add(-p.Window)).Scan(&m, &first); err != nil {
		return err
	}
	if m >= p.MaxPerIP && first.Valid {
		return &Throttled{RetryAfter: max(first.Time.Add(p.Window).Sub(now), time.Second), ByIP: true}
	}
	return nil
}

func recordAttempt(ctx context.Context, exec db.Querier, orgID int64, emailLower, ip string, success bool, now time.Time) error {
	if len(emailLower) > 254 {
		emailLower = emailLower[:254]
	}
	_, err := exec.ExecContext(ctx, `INSERT INTO login_attempts (org_id, email_lower, ip, success, created_at) VALUES ($1, $2, $3, $4, $5)`,
		orgID, emailLower, ip, success, now)
	return err
}
