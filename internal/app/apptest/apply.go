package apptest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// HRRecord is an employment record as the HR import or a departure leaves
// it: an alumni account nobody has used yet, with HR's fields.
type HRRecord struct {
	Email                         string
	Name                          org.Name
	HiredOn, LeftOn, Department   string // ISO dates
	EmployeeNumber, Rehire, Notes string
}

// AddHRRecord stores r in o as a never-activated alumni account and returns its user id.
func (e *Env) AddHRRecord(t testing.TB, o org.Organization, r HRRecord) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := e.App.DB.Tx(ctx, func(tx db.Tx) error {
		var err error
		if id, err = e.App.Orgs.CreateMember(ctx, tx, o.ID, org.NewMember{Email: r.Email, Name: r.Name, Role: org.Alumni}); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO member_internal (org_id, user_id, rehire_eligibility, notes, employee_number, updated_at,
			hired_on, left_on, hr_department, hr_source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'import')`,
			o.ID, id, r.Rehire, r.Notes, r.EmployeeNumber, e.Clock.Now(), r.HiredOn, r.LeftOn, r.Department)
		return err
	})
	if err != nil {
		t.Fatalf("HR record %s: %v", r.Email, err)
	}
	return id
}

// AddApplication stores an application from the public page in status
// ("unverified" or "pending") and returns its id and verification secret,
// for tests that need one without going through the form and the mailbox.
func (e *Env) AddApplication(t testing.TB, o org.Organization, status, email string, name org.Name, joined, left int) (int64, string) {
	t.Helper()
	secret := "test-secret-" + o.Slug + "-" + email
	h := sha256.Sum256([]byte(secret))
	now := e.Clock.Now()
	var verified any
	if status != "unverified" {
		verified = now
	}
	var id int64
	err := e.App.DB.Write().QueryRowContext(context.Background(), `INSERT INTO applications (org_id, status, email, email_lower,
		family_name, given_name, family_kana, given_kana, joined_year, left_year, lang, verify_hash, verify_expires_at, verified_at, created_at)
		VALUES ($1, $2, $3, LOWER($3), $4, $5, $6, $7, $8, $9, 'ja', $10, $11, $12, $13) RETURNING id`,
		o.ID, status, email, name.Family, name.Given, name.FamilyKana, name.GivenKana, joined, left, hex.EncodeToString(h[:]),
		now.Add(7*24*time.Hour), verified, now).Scan(&id)
	if err != nil {
		t.Fatalf("application %s: %v", email, err)
	}
	return id, secret
}
