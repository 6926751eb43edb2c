package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
)

// unblockTarget lifts the block the cell made, so that the next cell starts equal.
func unblockTarget(t *testing.T, e *apptest.Env, o org.Organization, res *apptest.Response) {
	if _, err := e.App.DB.Write().Exec(`DELETE FROM message_blocks WHERE org_id = $1`, o.ID); err != nil {
		t.Fatal(err)
	}
}

// reopenInbox puts the fixture thread back to open.
func reopenInbox(t *testing.T, e *apptest.Env, o org.Organization, res *apptest.Response) {
	if _, err := e.App.DB.Write().Exec(`UPDATE conversations SET closed_at = NULL, closed_by = NULL WHERE org_id = $1 AND kind = 'inbox'`, o.ID); err != nil {
		t.Fatal(err)
	}
}

func init() {
	body := url.Values{"body": {"マトリクスからのメッセージ"}}
	routes = append(routes,
		route{method: "GET", path: "/messages", allowed: members, success: ok},
		route{method: "GET", path: "/messages/new?to={id}", allowed: members, success: ok},
		route{method: "GET", path: "/messages/new?to={foreign_id}", allowed: members, success: notFound},
		route{method: "POST", path: "/messages/new", formFor: func(o org.Organization, w who) url.Values {
			return url.Values{"to": {fmt.Sprint(matrixPeer[o.Slug])}, "body": body["body"]}
		}, allowed: members, success: http.StatusSeeOther},
		route{method: "POST", path: "/messages/new", formFor: func(o org.Organization, w who) url.Values {
			return url.Values{"to": {fmt.Sprint(matrixPeer[foreignSlug(o)])}, "body": body["body"]}
		}, allowed: members, success: notFound},
		route{method: "GET", path: "/messages/blocked", allowed: members, success: ok},
		// The fixture conversation is between two other members: nobody else finds it.
		route{method: "GET", path: "/messages/{conversation}", allowed: members, success: notFound},
		route{method: "GET", path: "/messages/{foreign_conversation}", allowed: members, success: notFound},
		route{method: "POST", path: "/messages/{conversation}", form: body, allowed: members, success: notFound},
		route{method: "POST", path: "/messages/{foreign_conversation}", form: body, allowed: members, success: notFound},
		route{method: "GET", path: "/messages/{inbox}", allowed: members, success: notFound}, // another member's thread with the company
		// Each role's own thread with the company: the form, then the first message.
		route{method: "GET", path: "/messages/company", allowed: members, success: ok},
		route{method: "POST", path: "/messages/company", form: body, allowed: members, success: http.StatusSeeOther},
		route{method: "GET", path: "/messages/company", allowed: members, success: http.StatusSeeOther}, // now it exists
		route{method: "POST", path: "/messages/block", formFor: func(o org.Organization, w who) url.Values {
			return url.Values{"user_id": {fmt.Sprint(matrixPeer[o.Slug])}}
		}, allowed: members, success: http.StatusSeeOther, after: unblockTarget},
		route{method: "POST", path: "/messages/block", formFor: func(o org.Organization, w who) url.Values {
			return url.Values{"user_id": {fmt.Sprint(matrixPeer[foreignSlug(o)])}}
		}, allowed: members, success: notFound},
		route{method: "POST", path: "/messages/unblock", formFor: func(o org.Organization, w who) url.Values {
			return url.Values{"user_id": {fmt.Sprint(matrixPeer[o.Slug])}}
		}, allowed: members, success: http.StatusSeeOther},

		route{method: "GET", path: "/admin/inbox", allowed: adminsOnly, success: ok},
		route{method: "GET", path: "/admin/inbox?state=closed", allowed: adminsOnly, success: ok},
		route{method: "GET", path: "/admin/inbox/{inbox}", allowed: adminsOnly, success: ok},
		route{method: "GET", path: "/admin/inbox/{foreign_inbox}", allowed: adminsOnly, success: notFound},
		route{method: "GET", path: "/admin/inbox/{conversation}", allowed: adminsOnly, success: notFound}, // a direct conversation is not in the inbox
		route{method: "POST", path: "/admin/inbox/{inbox}", form: body, allowed: adminsOnly, success: http.StatusSeeOther},
		route{method: "POST", path: "/admin/inbox/{foreign_inbox}", form: body, allowed: adminsOnly, success: notFound},
		route{method: "POST", path: "/admin/inbox/{inbox}/close", allowed: adminsOnly, success: http.StatusSeeOther, after: reopenInbox},
		route{method: "POST", path: "/admin/inbox/{foreign_inbox}/close", allowed: adminsOnly, success: notFound},
		route{method: "POST", path: "/admin/inbox/{inbox}/reopen", allowed: adminsOnly, success: http.StatusSeeOther},
		route{method: "POST", path: "/admin/inbox/{foreign_inbox}/reopen", allowed: adminsOnly, success: notFound},
	)
	matrixFixtures = append(matrixFixtures, func(t *testing.T, e *apptest.Env, o org.Organization) map[string]string {
		ctx := t.Context()
		p1 := e.AddMember(t, o, org.Alumni, "peer1@"+o.Slug+".example.jp")
		p2 := e.AddMember(t, o, org.Employee, "peer2@"+o.Slug+".example.jp")
		matrixPeer[o.Slug] = p1.UserID
		conv, err := e.App.Messages.StartDirect(ctx, o.ID, p1.UserID, p2.UserID, "二人だけの話")
		if err != nil {
			t.Fatal(err)
		}
		inbox, err := e.App.Messages.WriteToCompany(ctx, o.ID, p2.UserID, "人事への相談")
		if err != nil {
			t.Fatal(err)
		}
		return map[string]string{"conversation": fmt.Sprint(conv), "inbox": fmt.Sprint(inbox)}
	})
}

// matrixPeer is a member each organization's cells may block.
var matrixPeer = map[string]int64{}

func foreignSlug(o org.Organization) string {
	if o.Slug == "kaede" {
		return "sakura"
	}
	return "kaede"
}
