package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/group"
	"github.com/tsunagu/tsunagu/internal/org"
)

func init() {
	seeOther := http.StatusSeeOther
	routes = append(routes,
		route{method: "GET", path: "/groups", allowed: members, success: ok},
		// Members may not create groups until an admin allows it.
		route{method: "POST", path: "/groups", formFor: func(o org.Organization, w who) url.Values {
			return url.Values{"name": {fmt.Sprintf("matrix %s %s", o.Slug, w)}, "kind": {"open"}}
		}, allowed: staff, success: seeOther},
		route{method: "GET", path: "/groups/{group}", allowed: members, success: ok},
		route{method: "GET", path: "/groups/{foreign_group}", allowed: members, success: notFound},
		route{method: "GET", path: "/groups/{auto_group}", allowed: members, success: ok},
		route{method: "GET", path: "/groups/not-a-number", allowed: members, success: notFound},
		route{method: "POST", path: "/groups/{group}/join", allowed: members, success: seeOther},
		route{method: "POST", path: "/groups/{foreign_group}/join", allowed: members, success: notFound},
		route{method: "POST", path: "/groups/{group}/leave", allowed: members, success: seeOther},
		route{method: "POST", path: "/groups/{foreign_group}/leave", allowed: members, success: notFound},
		route{method: "POST", path: "/groups/{auto_group}/join", allowed: members, success: http.StatusConflict},
		route{method: "POST", path: "/groups/{group}/edit", formFor: func(o org.Organization, w who) url.Values {
			return url.Values{"name": {"matrix group " + o.Slug}, "description": {"edited by " + string(w)}}
		}, allowed: staff, success: seeOther},
		route{method: "POST", path: "/groups/{foreign_group}/edit", form: url.Values{"name": {"x"}}, allowed: members, success: notFound},
		route{method: "POST", path: "/groups/{group}/archive", allowed: staff, success: seeOther, after: unarchive("group")},
		route{method: "POST", path: "/groups/{foreign_group}/archive", allowed: members, success: notFound},
		route{method: "POST", path: "/groups/{approval_group}/requests/{requester}/approve", allowed: staff, success: seeOther, after: repend},
		route{method: "POST", path: "/groups/{approval_group}/requests/{requester}/decline", allowed: staff, success: seeOther, after: repend},
		route{method: "POST", path: "/groups/{foreign_approval_group}/requests/{foreign_requester}/approve", allowed: members, success: notFound},
		route{method: "POST", path: "/groups/{group}/managers/{gmember}", allowed: staff, success: seeOther},
		route{method: "POST", path: "/groups/{group}/managers/{gmember}/remove", allowed: staff, success: seeOther},
		route{method: "POST", path: "/groups/{foreign_group}/managers/{foreign_gmember}", allowed: staff, success: notFound},
		route{method: "GET", path: "/admin/groups", allowed: staff, success: ok},
		route{method: "POST", path: "/admin/groups/settings", allowed: adminsOnly, success: seeOther},
		route{method: "POST", path: "/admin/groups/auto", formFor: func(o org.Organization, w who) url.Values {
			return url.Values{"name": {fmt.Sprintf("auto %s %s", o.Slug, w)}, "rule_field": {"region"}, "value_region": {"kansai"}}
		}, allowed: staff, success: seeOther},
		route{method: "GET", path: "/admin/groups/preview?rule_field=region&value_region=kansai", allowed: staff, success: ok},
	)
	matrixFixtures = append(matrixFixtures, func(t *testing.T, e *apptest.Env, o org.Organization) map[string]string {
		ctx := t.Context()
		gs := e.App.Groups
		mgr := e.AddMember(t, o, org.Employee, "gmanager@"+o.Slug+".example.jp")
		boss := group.Actor{UserID: mgr.UserID, Role: org.Admin} // staff create; the manager row is what matters
		g, err := gs.Create(ctx, o.ID, boss, group.Draft{Name: "matrix group " + o.Slug, Kind: group.Open})
		if err != nil {
			t.Fatal(err)
		}
		member := e.AddMember(t, o, org.Alumni, "gmember@"+o.Slug+".example.jp")
		if _, err := gs.Join(ctx, o.ID, g.ID, group.Actor{UserID: member.UserID, Role: org.Alumni}); err != nil {
			t.Fatal(err)
		}
		ag, err := gs.Create(ctx, o.ID, boss, group.Draft{Name: "matrix approval " + o.Slug, Kind: group.Approval})
		if err != nil {
			t.Fatal(err)
		}
		req := e.AddMember(t, o, org.Alumni, "grequester@"+o.Slug+".example.jp")
		if _, err := gs.Join(ctx, o.ID, ag.ID, group.Actor{UserID: req.UserID, Role: org.Alumni}); err != nil {
			t.Fatal(err)
		}
		auto, err := gs.Create(ctx, o.ID, boss, group.Draft{Name: "matrix auto " + o.Slug, Kind: group.Auto, Rule: group.Rule{Field: group.RuleLeftYear, Value: "2019"}})
		if err != nil {
			t.Fatal(err)
		}
		return map[string]string{"group": fmt.Sprint(g.ID), "approval_group": fmt.Sprint(ag.ID), "auto_group": fmt.Sprint(auto.ID),
			"requester": fmt.Sprint(req.UserID), "gmember": fmt.Sprint(member.UserID)}
	})
}

// unarchive puts an archived fixture group back, so that the next cell starts equal.
func unarchive(name string) func(t *testing.T, e *apptest.Env, o org.Organization, res *apptest.Response) {
	return func(t *testing.T, e *apptest.Env, o org.Organization, res *apptest.Response) {
		if _, err := e.App.DB.Write().ExecContext(t.Context(), `UPDATE groups SET archived_at = NULL WHERE org_id = $1 AND name = $2`,
			o.ID, "matrix "+name+" "+o.Slug); err != nil {
			t.Fatal(err)
		}
	}
}

// repend puts the fixture request back to pending after an approval or a decline.
func repend(t *testing.T, e *apptest.Env, o org.Organization, res *apptest.Response) {
	ctx := t.Context()
	req, err := e.App.Orgs.MemberByEmail(ctx, o.ID, "grequester@"+o.Slug+".example.jp")
	if err != nil {
		t.Fatal(err)
	}
	var gid int64
	if err := e.App.DB.Read().QueryRowContext(ctx, `SELECT id FROM groups WHERE org_id = $1 AND name = $2`, o.ID, "matrix approval "+o.Slug).Scan(&gid); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.DB.Write().ExecContext(ctx, `DELETE FROM group_members WHERE org_id = $1 AND group_id = $2 AND user_id = $3`, o.ID, gid, req.UserID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.DB.Write().ExecContext(ctx, `INSERT INTO group_members (org_id, group_id, user_id, state, is_manager, created_at)
		VALUES ($1, $2, $3, 'pending', FALSE, $4)`, o.ID, gid, req.UserID, e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
}
