package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/notify"
	"github.com/tsunagu/tsunagu/internal/org"
)

// notifySettingsForm sets every category, staff included (ignored for others).
func notifySettingsForm() url.Values {
	f := url.Values{}
	for _, c := range notify.Categories {
		f.Set("inapp_"+string(c), "1")
		f.Set("email_"+string(c), string(notify.Daily))
	}
	return f
}

func init() {
	routes = append(routes,
		route{method: "GET", path: "/notifications", allowed: members, success: ok},
		route{method: "GET", path: "/notifications?page=2", allowed: members, success: ok},
		route{method: "POST", path: "/notifications/read", allowed: members, success: http.StatusSeeOther},
		route{method: "GET", path: "/notifications/settings", allowed: members, success: ok},
		route{method: "POST", path: "/notifications/settings", form: notifySettingsForm(), allowed: members, success: http.StatusSeeOther},
		// The target member's notification is nobody else's: not found for
		// every signed-in member, as is another organization's.
		route{method: "GET", path: "/notifications/{notification}", allowed: members, success: notFound},
		route{method: "GET", path: "/notifications/{foreign_notification}", allowed: members, success: notFound},
	)
	matrixFixtures = append(matrixFixtures, func(t *testing.T, e *apptest.Env, o org.Organization) map[string]string {
		target, err := e.App.Orgs.MemberByEmail(t.Context(), o.ID, "target@"+o.Slug+".example.jp")
		if err != nil {
			t.Fatal(err)
		}
		e.Notify(t, notify.Notification{OrgID: o.ID, UserID: target.UserID, Kind: "test", Category: notify.Reactions,
			Args: map[string]string{"text": "matrix"}, Link: "/members"})
		var id int64
		if err := e.App.DB.Read().QueryRowContext(t.Context(), `SELECT MAX(id) FROM notifications WHERE org_id = $1 AND user_id = $2`,
			o.ID, target.UserID).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return map[string]string{"notification": fmt.Sprint(id)}
	})
}
