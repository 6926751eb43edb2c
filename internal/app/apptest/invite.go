package apptest

import (
	"context"
	"fmt"
	"testing"

	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// AddLeaver adds a past leaver as HR imports them: an alumni account without
// a password (not activated), with the leaving year on the profile and the
// department in the HR record.
func (e *Env) AddLeaver(t testing.TB, o org.Organization, email string, leftYear int, department string) org.Member {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := e.App.DB.Tx(ctx, func(tx db.Tx) error {
		var err error
		id, err = e.App.Orgs.CreateMember(ctx, tx, o.ID, org.NewMember{Email: email, Role: org.Alumni,
			Name: org.Name{Family: "山田", Given: "花子", FamilyRomaji: "Yamada", GivenRomaji: "Hanako"}})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE profiles SET left_year = $3 WHERE org_id = $1 AND user_id = $2`, o.ID, id, leftYear); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO member_internal (org_id, user_id, left_on, hr_department, hr_source, updated_at)
			VALUES ($1, $2, $3, $4, 'import', $5)`, o.ID, id, fmt.Sprintf("%04d-03-31", leftYear), department, e.Clock.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.App.Orgs.Member(ctx, o.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
