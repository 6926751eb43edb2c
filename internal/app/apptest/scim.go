package apptest

import (
	"context"
	"testing"

	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/scim"
)

// SCIMToken creates a SCIM token of o (as an admin would on the settings
// page) and returns its secret.
func (e *Env) SCIMToken(t testing.TB, o org.Organization, name string) string {
	t.Helper()
	var secret string
	err := e.App.DB.Tx(context.Background(), func(tx db.Tx) error {
		var err error
		secret, _, err = scim.CreateToken(context.Background(), tx, o.ID, scim.Actor{Email: "admin@" + o.Slug + ".example.jp"}, name, e.Clock.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}
