package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
)

// The SCIM settings pages. The SCIM endpoints under /scim/v2/ take a bearer
// token, not a session: they are tested in internal/scim.
func init() {
	routes = append(routes,
		route{method: "GET", path: "/admin/scim", allowed: adminsOnly, success: ok},
		route{method: "POST", path: "/admin/scim", form: url.Values{"name": {"matrix IdP"}}, allowed: adminsOnly, success: http.StatusCreated},
		route{method: "POST", path: "/admin/scim/{scim_token}/revoke", allowed: adminsOnly, success: http.StatusSeeOther},
		route{method: "POST", path: "/admin/scim/{foreign_scim_token}/revoke", allowed: adminsOnly, success: notFound}, // another organization's token
	)
	matrixFixtures = append(matrixFixtures, func(t *testing.T, e *apptest.Env, o org.Organization) map[string]string {
		e.SCIMToken(t, o, "matrix "+o.Slug)
		var id int64
		if err := e.App.DB.Read().QueryRowContext(t.Context(), `SELECT MAX(id) FROM scim_tokens WHERE org_id = $1`, o.ID).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return map[string]string{"scim_token": fmt.Sprint(id)}
	})
}
