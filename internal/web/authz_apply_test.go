package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
)

// The fixture applications of o: one pending, one waiting for its email check.
func applyMatrixEmail(o org.Organization, status string) string {
	return "matrix-" + status + "@" + o.Slug + ".example.jp"
}

// resetApplication puts the fixture application in status back, so that
// the next cell starts equal.
func resetApplication(status string) func(t *testing.T, e *apptest.Env, o org.Organization, res *apptest.Response) {
	return func(t *testing.T, e *apptest.Env, o org.Organization, res *apptest.Response) {
		verified := "verified_at"
		if status == "unverified" {
			verified = "NULL"
		}
		if _, err := e.App.DB.Write().Exec(`UPDATE applications SET status = $1, verified_at = `+verified+`, decided_by = NULL, decided_at = NULL,
			reject_reason = '' WHERE org_id = $2 AND email_lower = $3`, status, o.ID, applyMatrixEmail(o, status)); err != nil {
			t.Fatal(err)
		}
	}
}

func init() {
	routes = append(routes,
		// The public page is for everyone, members included. Each cell
		// applies with a fresh email; the five cells of an organization
		// stay within the per-IP limit of five an hour.
		route{method: "GET", path: "/apply", allowed: everyone, success: ok},
		route{method: "POST", path: "/apply", formFor: func(o org.Organization, w who) url.Values {
			return applyForm(fmt.Sprintf("applicant-%s-%s@example.jp", o.Slug, w), "山田", "太郎", 2001, 2005, "")
		}, allowed: everyone, success: http.StatusSeeOther},
		route{method: "GET", path: "/apply/sent", allowed: everyone, success: ok},
		route{method: "GET", path: "/apply/verify/{apply_secret}", allowed: everyone, success: ok},
		route{method: "GET", path: "/apply/verify/{foreign_apply_secret}", allowed: everyone, success: http.StatusGone},
		route{method: "POST", path: "/apply/verify/{apply_secret}", allowed: everyone, success: ok, after: resetApplication("unverified")},
		route{method: "POST", path: "/apply/verify/{foreign_apply_secret}", allowed: everyone, success: http.StatusGone},
		route{method: "GET", path: "/admin/applications", allowed: staff, success: ok},
		route{method: "GET", path: "/admin/applications?status=rejected", allowed: staff, success: ok},
		route{method: "GET", path: "/admin/applications/{application}", allowed: staff, success: ok},
		route{method: "GET", path: "/admin/applications/{foreign_application}", allowed: staff, success: notFound},
		// Without a chosen record the approval is refused (and writes nothing);
		// the journey tests approve for real.
		route{method: "POST", path: "/admin/applications/{application}/approve", form: url.Values{"target": {""}}, allowed: staff, success: http.StatusUnprocessableEntity},
		route{method: "POST", path: "/admin/applications/{foreign_application}/approve", form: url.Values{"target": {"new"}}, allowed: staff, success: notFound},
		route{method: "POST", path: "/admin/applications/{application}/reject", form: url.Values{"reason": {"matrix"}}, allowed: staff,
			success: http.StatusSeeOther, after: resetApplication("pending")},
		route{method: "POST", path: "/admin/applications/{foreign_application}/reject", form: url.Values{"reason": {"matrix"}}, allowed: staff, success: notFound},
	)
	matrixFixtures = append(matrixFixtures, func(t *testing.T, e *apptest.Env, o org.Organization) map[string]string {
		name := org.Name{Family: "申請", Given: "者"}
		pending, _ := e.AddApplication(t, o, "pending", applyMatrixEmail(o, "pending"), name, 2001, 2005)
		_, secret := e.AddApplication(t, o, "unverified", applyMatrixEmail(o, "unverified"), name, 2001, 2005)
		return map[string]string{"application": fmt.Sprint(pending), "apply_secret": secret}
	})
}
