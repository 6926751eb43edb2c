package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/breakout"
	"github.com/tsunagu/tsunagu/internal/org"
)

// doorCodes holds, per organization, the check-in code of a registration
// for the matrix's door event, for the check-in form.
var doorCodes = map[string]string{}

// doorUsers holds, per organization, a participant the move form moves.
var doorUsers = map[string]string{}

func init() {
	routes = append(routes,
		// Every role is registered for {door_event}; nobody for {empty_event}.
		route{method: "GET", path: "/events/{door_event}/ticket", allowed: members, success: ok},
		route{method: "GET", path: "/events/{door_event}/ticket.png", allowed: members, success: ok},
		route{method: "GET", path: "/events/{empty_event}/ticket", allowed: members, success: notFound},
		route{method: "GET", path: "/events/{empty_event}/ticket.png", allowed: members, success: notFound},
		route{method: "GET", path: "/events/{foreign_door_event}/ticket", allowed: members, success: notFound},
		route{method: "GET", path: "/events/{foreign_door_event}/ticket.png", allowed: members, success: notFound},
		route{method: "GET", path: "/events/{door_event}/checkin", allowed: staff, success: ok},
		route{method: "GET", path: "/events/{foreign_door_event}/checkin", allowed: members, success: notFound},
		route{method: "POST", path: "/events/{door_event}/checkin", formFor: func(o org.Organization, _ who) url.Values {
			return url.Values{"code": {doorCodes[o.Slug]}}
		}, allowed: staff, success: ok},
		route{method: "POST", path: "/events/{foreign_door_event}/checkin", formFor: func(o org.Organization, _ who) url.Values {
			return url.Values{"code": {doorCodes[o.Slug]}}
		}, allowed: members, success: notFound},
		route{method: "GET", path: "/events/{door_event}/breakouts", allowed: staff, success: ok},
		route{method: "GET", path: "/events/{foreign_door_event}/breakouts", allowed: members, success: notFound},
		route{method: "POST", path: "/events/{door_event}/breakouts", form: url.Values{"size": {"2"}, "mode": {"mixed"}}, allowed: staff, success: http.StatusSeeOther},
		route{method: "POST", path: "/events/{foreign_door_event}/breakouts", form: url.Values{"size": {"2"}, "mode": {"mixed"}}, allowed: members, success: notFound},
		route{method: "POST", path: "/events/{door_event}/breakouts/move", formFor: func(o org.Organization, _ who) url.Values {
			return url.Values{"user": {doorUsers[o.Slug]}, "group": {"1"}}
		}, allowed: staff, success: http.StatusSeeOther},
		route{method: "POST", path: "/events/{foreign_door_event}/breakouts/move", form: url.Values{"user": {"1"}, "group": {"1"}}, allowed: members, success: notFound},
		route{method: "POST", path: "/events/{door_event}/breakouts/names", form: url.Values{"name_1": {"A"}}, allowed: staff, success: http.StatusSeeOther},
		route{method: "POST", path: "/events/{foreign_door_event}/breakouts/names", form: url.Values{"name_1": {"A"}}, allowed: members, success: notFound},
		route{method: "POST", path: "/events/{door_event}/breakouts/publish", allowed: staff, success: http.StatusSeeOther},
		route{method: "POST", path: "/events/{foreign_door_event}/breakouts/publish", allowed: members, success: notFound},
	)
	matrixFixtures = append(matrixFixtures, func(t *testing.T, e *apptest.Env, o org.Organization) map[string]string {
		ev := e.AddDoorEvent(t, o, "マトリクス交流会", 0)
		empty := e.AddDoorEvent(t, o, "空の会", 0)
		var alumni int64
		for _, r := range []org.Role{org.Alumni, org.Employee, org.Supporter, org.Admin} {
			m, err := e.App.Orgs.MemberByEmail(t.Context(), o.ID, fmt.Sprintf("%s@%s.example.jp", r, o.Slug))
			if err != nil {
				t.Fatal(err)
			}
			code := e.AddRegistration(t, o, ev, m.UserID, "registered")
			if r == org.Alumni {
				alumni, doorCodes[o.Slug] = m.UserID, code
			}
		}
		if err := e.App.Breakout.Generate(t.Context(), o.ID, ev, 2, breakout.Mixed, false, breakout.Actor{}); err != nil {
			t.Fatal(err)
		}
		doorUsers[o.Slug] = fmt.Sprint(alumni)
		return map[string]string{"door_event": fmt.Sprint(ev), "empty_event": fmt.Sprint(empty)}
	})
}
