package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/event"
	"github.com/tsunagu/tsunagu/internal/org"
)

// matrixEventForm is a valid online event a week ahead.
func matrixEventForm(now time.Time) event.Form {
	start := now.In(time.FixedZone("JST", 9*3600)).Add(7 * 24 * time.Hour)
	return event.Form{Title: "マトリクス勉強会", Format: event.Online, TZ: "Asia/Tokyo", Start: start.Format(event.InputLayout),
		End: start.Add(time.Hour).Format(event.InputLayout), OnlineURL: "https://meet.example.jp/matrix", Capacity: "0", Audience: "network"}
}

// resetEvent puts the fixture event back: published, nobody registered.
func resetEvent(key string) func(t *testing.T, e *apptest.Env, o org.Organization, res *apptest.Response) {
	return func(t *testing.T, e *apptest.Env, o org.Organization, res *apptest.Response) {
		id := eventFixtures[o.Slug][key]
		status := "published"
		if key == "ev_proposal" {
			status = "proposed"
		}
		if _, err := e.App.DB.Write().Exec(`DELETE FROM event_registrations WHERE org_id = $1 AND event_id = $2`, o.ID, id); err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.DB.Write().Exec(`UPDATE events SET status = $1, cancelled_at = NULL WHERE org_id = $2 AND id = $3`, status, o.ID, id); err != nil {
			t.Fatal(err)
		}
	}
}

// eventFixtures holds the fixture events' ids per organization.
var eventFixtures = map[string]map[string]int64{}

func init() {
	bad := url.Values{"title": {""}, "format": {"online"}}
	routes = append(routes,
		route{method: "GET", path: "/events", allowed: members, success: ok},
		route{method: "GET", path: "/events/new", allowed: staff, success: ok},
		route{method: "POST", path: "/events/new", form: bad, allowed: staff, success: http.StatusUnprocessableEntity},
		route{method: "GET", path: "/events/propose", allowed: members, success: ok},
		route{method: "POST", path: "/events/propose", form: bad, allowed: members, success: http.StatusUnprocessableEntity},
		route{method: "GET", path: "/events/calendar", allowed: members, success: ok},
		route{method: "POST", path: "/events/calendar", allowed: members, success: ok},
		route{method: "GET", path: "/events/{ev}", allowed: members, success: ok},
		route{method: "GET", path: "/events/{foreign_ev}", allowed: members, success: notFound},
		route{method: "GET", path: "/events/{ev}/edit", allowed: staff, success: ok},
		route{method: "GET", path: "/events/{foreign_ev}/edit", allowed: members, success: notFound},
		route{method: "POST", path: "/events/{ev}/edit", form: bad, allowed: staff, success: http.StatusUnprocessableEntity},
		route{method: "POST", path: "/events/{foreign_ev}/edit", form: bad, allowed: members, success: notFound},
		route{method: "POST", path: "/events/{ev}/register", allowed: members, success: http.StatusSeeOther, after: resetEvent("ev")},
		route{method: "POST", path: "/events/{foreign_ev}/register", allowed: members, success: notFound},
		route{method: "POST", path: "/events/{ev}/unregister", allowed: members, success: http.StatusConflict}, // not registered
		route{method: "POST", path: "/events/{foreign_ev}/unregister", allowed: members, success: notFound},
		route{method: "POST", path: "/events/{ev}/cancel", allowed: staff, success: http.StatusSeeOther, after: resetEvent("ev")},
		route{method: "POST", path: "/events/{foreign_ev}/cancel", allowed: members, success: notFound},
		route{method: "POST", path: "/events/{ev_proposal}/review", form: url.Values{"decision": {"changes"}, "message": {"日時を再検討してください"}},
			allowed: staff, success: http.StatusSeeOther, after: resetEvent("ev_proposal")},
		route{method: "POST", path: "/events/{foreign_ev_proposal}/review", form: url.Values{"decision": {"approve"}}, allowed: staff, success: notFound},
		route{method: "POST", path: "/events/{ev}/feedback", form: url.Values{"rating": {"5"}}, allowed: members, success: http.StatusUnprocessableEntity}, // not ended
		route{method: "POST", path: "/events/{foreign_ev}/feedback", form: url.Values{"rating": {"5"}}, allowed: members, success: notFound},
		route{method: "GET", path: "/events/{ev}/incident", allowed: members, success: ok},
		route{method: "GET", path: "/events/{foreign_ev}/incident", allowed: members, success: notFound},
		route{method: "POST", path: "/events/{ev}/incident", form: url.Values{"body": {"マトリクスの報告"}}, allowed: members, success: http.StatusSeeOther},
		route{method: "POST", path: "/events/{foreign_ev}/incident", form: url.Values{"body": {"x"}}, allowed: members, success: notFound},
		route{method: "GET", path: "/incident", allowed: members, success: ok},
		route{method: "POST", path: "/incident", form: url.Values{"body": {""}}, allowed: members, success: http.StatusUnprocessableEntity},
		route{method: "GET", path: "/events/{ev}/event.ics", allowed: members, success: ok},
		route{method: "GET", path: "/events/{foreign_ev}/event.ics", allowed: members, success: notFound},
		// The personal feed needs no cookie: the secret is the credential.
		route{method: "GET", path: "/calendar/{cal}.ics", allowed: everyone, success: ok},
		route{method: "GET", path: "/calendar/{foreign_cal}.ics", allowed: everyone, success: notFound},
		route{method: "GET", path: "/calendar/forged-secret.ics", allowed: everyone, success: notFound},
		route{method: "GET", path: "/admin/events", allowed: staff, success: ok},
	)
	matrixFixtures = append(matrixFixtures, func(t *testing.T, e *apptest.Env, o org.Organization) map[string]string {
		ctx := context.Background()
		admin, err := e.App.Orgs.MemberByEmail(ctx, o.ID, "admin@"+o.Slug+".example.jp")
		if err != nil {
			t.Fatal(err)
		}
		alumni, err := e.App.Orgs.MemberByEmail(ctx, o.ID, "alumni@"+o.Slug+".example.jp")
		if err != nil {
			t.Fatal(err)
		}
		ev, err := e.App.Events.Create(ctx, o, event.Actor{Member: admin}, matrixEventForm(e.Clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		// Proposed by the alumni member, who may therefore see it; reviewed by staff.
		proposal, err := e.App.Events.Propose(ctx, o, event.Actor{Member: alumni}, matrixEventForm(e.Clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		// The feed's owner is the matrix's target member, whose secret no
		// cell regenerates (POST /events/calendar replaces the signed-in one's).
		target, err := e.App.Orgs.MemberByEmail(ctx, o.ID, "target@"+o.Slug+".example.jp")
		if err != nil {
			t.Fatal(err)
		}
		token, err := e.App.Events.NewCalendarToken(ctx, target)
		if err != nil {
			t.Fatal(err)
		}
		eventFixtures[o.Slug] = map[string]int64{"ev": ev.ID, "ev_proposal": proposal.ID}
		return map[string]string{"ev": fmt.Sprint(ev.ID), "ev_proposal": fmt.Sprint(proposal.ID), "cal": token}
	})
}
