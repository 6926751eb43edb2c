package apptest

import (
	"context"
	"testing"

	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// AddWithoutPassword creates a member of o without a password, as HR's own records
// are (imported employees, pre-registered staff): they get in through a
// join link.
func (e *Env) AddWithoutPassword(t testing.TB, o org.Organization, role org.Role, email string, name org.Name) org.Member {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := e.App.DB.Tx(ctx, func(tx db.Tx) error {
		var err error
		id, err = e.App.Orgs.CreateMember(ctx, tx, o.ID, org.NewMember{Email: email, Role: role, Name: name})
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
