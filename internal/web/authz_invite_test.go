package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/invite"
	"github.com/tsunagu/tsunagu/internal/org"
)

func init() {
	routes = append(routes,
		route{method: "GET", path: "/admin/invitations", allowed: adminsOnly, success: ok},
		route{method: "POST", path: "/admin/invitations/settings", form: url.Values{"track_opens": {"1"}}, allowed: adminsOnly, success: http.StatusSeeOther},
		route{method: "POST", path: "/admin/invitations/single", formFor: func(o org.Organization, w who) url.Values {
			return inviteForm(fmt.Sprintf("tracked-%s-%s@example.jp", o.Slug, w), "ja", false)
		}, allowed: adminsOnly, success: http.StatusCreated},
		route{method: "GET", path: "/admin/invitations/new", allowed: adminsOnly, success: ok},
		route{method: "POST", path: "/admin/invitations/campaigns", form: url.Values{"name": {"matrix"}, "lang": {"ja"}, "leavers": {"1"}},
			allowed: adminsOnly, success: http.StatusSeeOther},
		route{method: "GET", path: "/admin/invitations/campaigns/{invite_campaign}", allowed: adminsOnly, success: ok},
		route{method: "GET", path: "/admin/invitations/campaigns/{foreign_invite_campaign}", allowed: adminsOnly, success: notFound},
		route{method: "POST", path: "/admin/invitations/campaigns/{foreign_invite_campaign}/send", allowed: adminsOnly, success: notFound},
		route{method: "POST", path: "/admin/invitations/campaigns/{invite_campaign}/send", allowed: adminsOnly, success: http.StatusSeeOther},
		// The tracking image and the join page are for whoever holds the link.
		route{method: "GET", path: "/i/matrix.gif", allowed: everyone, success: ok},
		route{method: "GET", path: "/join/not-a-real-secret", allowed: everyone, success: http.StatusGone},
		route{method: "POST", path: "/join/not-a-real-secret", form: joinForm(), allowed: everyone, success: http.StatusGone},
	)
	matrixFixtures = append(matrixFixtures, func(t *testing.T, e *apptest.Env, o org.Organization) map[string]string {
		admin, err := e.App.Orgs.MemberByEmail(t.Context(), o.ID, "admin@"+o.Slug+".example.jp")
		if err != nil {
			t.Fatal(err)
		}
		id, err := e.App.Invites.CreateCampaign(t.Context(), o, admin, invite.CampaignInput{Name: "matrix", Lang: "ja",
			Emails: "matrix-campaign@" + o.Slug + ".example.jp"}, auth.Client{})
		if err != nil {
			t.Fatal(err)
		}
		return map[string]string{"invite_campaign": fmt.Sprint(id)}
	})
}
