// Package audit records who did what in an organization: every sign-in,
// failed sign-in and admin action, for admins to read.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// Entry is one line of the audit log.
type Entry struct {
	ID          int64
	OrgID       int64
	ActorUserID int64  // 0 when nobody was signed in
	ActorLabel  string // what the actor typed or was, e.g. the email of a failed sign-in
	Action      string // e.g. "auth.signin", "member.role_changed"
	Target      string // e.g. "user:42"
	IP          string
	Detail      map[string]string
	CreatedAt   time.Time
}

// Log writes e within exec, so that an action and its record commit together.
func Log(ctx context.Context, exec db.Querier, e Entry) error {
	detail := ""
	if len(e.Detail) > 0 {
		b, err := json.Marshal(e.Detail)
		if err != nil {
			return err
		}
		detail = string(b)
	}
	_, err := exec.ExecContext(ctx, `INSERT INTO audit_log (org_id, actor_user_id, actor_label, action, target, ip, detail, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		e.OrgID, nullID(e.ActorUserID), e.ActorLabel, e.Action, e.Target, e.IP, detail, db.Now())
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// List returns the newest entries of orgID, older than beforeID when it is not 0.
func List(ctx context.Context, d *db.DB, orgID int64, beforeID int64, limit int) ([]Entry, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	q := `SELECT id, org_id, COALESCE(actor_user_id, 0), actor_label, action, target, ip, detail, created_at
		FROM audit_log WHERE org_id = $1`
	args := []any{orgID}
	if beforeID > 0 {
		q += ` AND id < $3`
	}
	q += ` ORDER BY id DESC LIMIT $2`
	args = append(args, limit)
	if beforeID > 0 {
		args = append(args, beforeID)
	}
	rows, err := d.Read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var detail string
		if err := rows.Scan(&e.ID, &e.OrgID, &e.ActorUserID, &e.ActorLabel, &e.Action, &e.Target, &e.IP, &detail, &e.CreatedAt); err != nil {
			return nil, err
		}
		if detail != "" {
			_ = json.Unmarshal([]byte(detail), &e.Detail)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
