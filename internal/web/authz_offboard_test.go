package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/offboard"
	"github.com/tsunagu/tsunagu/internal/org"
)

func init() {
	staffAndEmployees := []who{"employee", "supporter", "admin"}
	routes = append(routes,
		route{method: "GET", path: "/admin/departures", allowed: adminsOnly, success: ok},
		route{method: "POST", path: "/admin/departures", formFor: func(o org.Organization, w who) url.Values {
			return url.Values{"member": {"record@" + o.Slug + ".example.jp"}, "last_day": {matrixDay(9)}, "lang": {"ja"}}
		}, allowed: adminsOnly, success: http.StatusSeeOther},
		route{method: "POST", path: "/admin/departures/bulk", formFor: func(o org.Organization, w who) url.Values {
			return url.Values{"lines": {"bulk@" + o.Slug + ".example.jp," + matrixDay(9)}, "bulk_lang": {"ja"}}
		}, allowed: adminsOnly, success: http.StatusSeeOther},
		route{method: "GET", path: "/admin/departures/{departure}", allowed: adminsOnly, success: ok},
		route{method: "GET", path: "/admin/departures/{foreign_departure}", allowed: adminsOnly, success: notFound},
		route{method: "POST", path: "/admin/departures/{departure}", form: url.Values{"last_day": {matrixDay(8)}, "lang": {"ja"}}, allowed: adminsOnly, success: http.StatusSeeOther},
		route{method: "POST", path: "/admin/departures/{foreign_departure}", form: url.Values{"last_day": {matrixDay(8)}, "lang": {"ja"}}, allowed: adminsOnly, success: notFound},
		route{method: "POST", path: "/admin/departures/{foreign_departure}/cancel", allowed: adminsOnly, success: notFound},
		route{method: "POST", path: "/admin/departures/{cancel_departure}/cancel", allowed: adminsOnly, success: http.StatusSeeOther},
		route{method: "GET", path: "/cards/{card}", allowed: staffAndEmployees, success: ok},
		route{method: "GET", path: "/cards/{foreign_card}", allowed: everyone, success: notFound},
		route{method: "POST", path: "/cards/{card}/messages", form: url.Values{"body": {"ありがとうございました"}}, allowed: staffAndEmployees, success: http.StatusSeeOther},
		route{method: "POST", path: "/cards/{foreign_card}/messages", form: url.Values{"body": {"x"}}, allowed: everyone, success: notFound},
		route{method: "POST", path: "/cards/{card}/messages/{card_message}/hide", allowed: adminsOnly, success: http.StatusSeeOther},
		route{method: "POST", path: "/cards/{card}/messages/{card_message}/show", allowed: adminsOnly, success: http.StatusSeeOther},
		route{method: "POST", path: "/cards/{card}/messages/{foreign_card_message}/hide", allowed: adminsOnly, success: notFound},
		route{method: "GET", path: "/cards/{card}/messages/{card_message}/photo/small", allowed: staffAndEmployees, success: notFound}, // no photo
	)
	matrixFixtures = append(matrixFixtures, func(t *testing.T, e *apptest.Env, o org.Organization) map[string]string {
		ctx := t.Context()
		for _, name := range []string{"leaver", "record", "bulk", "cancel"} {
			e.AddMember(t, o, org.Employee, name+"@"+o.Slug+".example.jp")
		}
		d, err := e.App.Offboard.Record(ctx, o, offboard.Input{Member: "leaver@" + o.Slug + ".example.jp", LastDay: matrixDay(7)}, offboard.Actor{})
		if err != nil {
			t.Fatal(err)
		}
		c, err := e.App.Offboard.Record(ctx, o, offboard.Input{Member: "cancel@" + o.Slug + ".example.jp", LastDay: matrixDay(7)}, offboard.Actor{})
		if err != nil {
			t.Fatal(err)
		}
		writer, err := e.App.Orgs.MemberByEmail(ctx, o.ID, "employee@"+o.Slug+".example.jp")
		if err != nil {
			t.Fatal(err)
		}
		msg, err := e.App.Offboard.Write(ctx, d, offboard.Writer{Member: &writer}, "お元気で", "")
		if err != nil {
			t.Fatal(err)
		}
		return map[string]string{"departure": fmt.Sprint(d.ID), "cancel_departure": fmt.Sprint(c.ID), "card": d.CardID,
			"card_message": fmt.Sprint(msg)}
	})
}

// matrixDay is a day some days ahead in Japan, by the wall clock the
// matrix's environment starts from.
func matrixDay(offset int) string {
	jst := time.FixedZone("JST", 9*3600)
	return time.Now().In(jst).AddDate(0, 0, offset).Format(time.DateOnly)
}
