package apptest

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/org"
)

// AddDoorEvent inserts a published offline event of o organized by
// createdBy (0: by staff), a week ahead of the test clock, straight into the
// events table, so that check-in and breakout tests do not depend on the
// event pages' forms.
func (e *Env) AddDoorEvent(t testing.TB, o org.Organization, title string, createdBy int64) int64 {
	t.Helper()
	now := e.Clock.Now()
	start := now.Add(7 * 24 * time.Hour)
	var by any
	if createdBy != 0 {
		by = createdBy
	}
	var id int64
	if err := e.App.DB.Write().QueryRowContext(context.Background(), `INSERT INTO events (org_id, status, title, format, starts_at, ends_at,
		venue, created_by, created_at, updated_at) VALUES ($1, 'published', $2, 'offline', $3, $4, '東京・大手町', $5, $6, $6) RETURNING id`,
		o.ID, title, start, start.Add(2*time.Hour), by, now).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// AddRegistration registers userID for eventID with status (registered,
// waitlisted or cancelled) and returns the check-in code.
func (e *Env) AddRegistration(t testing.TB, o org.Organization, eventID, userID int64, status string) string {
	t.Helper()
	b := make([]byte, 15)
	_, _ = rand.Read(b)
	code := base32.StdEncoding.EncodeToString(b)
	now := e.Clock.Now()
	if _, err := e.App.DB.Write().ExecContext(context.Background(), `INSERT INTO event_registrations (org_id, event_id, user_id, status,
		checkin_code, queued_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $6)`, o.ID, eventID, userID, status, code, now); err != nil {
		t.Fatal(err)
	}
	return code
}
