package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/audience"
	"github.com/tsunagu/tsunagu/internal/feed"
	"github.com/tsunagu/tsunagu/internal/org"
)

func init() {
	seeOther := http.StatusSeeOther
	routes = append(routes,
		route{method: "GET", path: "/feed", allowed: members, success: ok},
		route{method: "GET", path: "/feed?before={post}", allowed: members, success: ok},
		route{method: "POST", path: "/feed/posts", form: url.Values{"body": {"マトリクスの投稿"}, "audience": {"network"}}, allowed: members, success: seeOther},
		route{method: "GET", path: "/feed/posts/{post}", allowed: members, success: ok},
		route{method: "GET", path: "/feed/posts/{foreign_post}", allowed: members, success: notFound},
		route{method: "POST", path: "/feed/posts/{post}/comments", form: url.Values{"comment": {"コメント"}}, allowed: members, success: seeOther},
		route{method: "POST", path: "/feed/posts/{foreign_post}/comments", form: url.Values{"comment": {"コメント"}}, allowed: members, success: notFound},
		route{method: "POST", path: "/feed/posts/{post}/reactions", form: url.Values{"kind": {"like"}}, allowed: members, success: seeOther},
		route{method: "POST", path: "/feed/posts/{foreign_post}/reactions", form: url.Values{"kind": {"like"}}, allowed: members, success: notFound},
		route{method: "POST", path: "/feed/posts/{post}/report", form: url.Values{"reason": {"確認してください"}}, allowed: members, success: seeOther},
		route{method: "POST", path: "/feed/posts/{foreign_post}/report", form: url.Values{"reason": {"x"}}, allowed: members, success: notFound},
		route{method: "GET", path: "/feed/posts/{post}/photos/0/small", allowed: members, success: notFound}, // no photo
		route{method: "GET", path: "/feed/posts/{foreign_photo_post}/photos/0/small", allowed: members, success: notFound},
		route{method: "GET", path: "/feed/members?q=%E7%94%B0%E4%B8%AD", allowed: members, success: ok},
		route{method: "POST", path: "/feed/posts/{post}/hide", allowed: staff, success: seeOther},
		route{method: "POST", path: "/feed/posts/{post}/unhide", allowed: staff, success: seeOther},
		route{method: "POST", path: "/feed/posts/{foreign_post}/hide", allowed: staff, success: notFound},
		route{method: "POST", path: "/feed/posts/{post}/dismiss", allowed: staff, success: seeOther},
		route{method: "POST", path: "/feed/posts/{foreign_post}/dismiss", allowed: staff, success: notFound},
		route{method: "GET", path: "/admin/feed/reports", allowed: staff, success: ok},
		route{method: "GET", path: "/relay", allowed: members, success: ok},
		route{method: "POST", path: "/relay", formFor: func(o org.Organization, w who) url.Values {
			return url.Values{"body": {"はじめまして"}, "next": {"target@" + o.Slug + ".example.jp"}}
		}, allowed: members, success: seeOther},
		route{method: "GET", path: "/relay/{relay}", allowed: members, success: ok},
		route{method: "GET", path: "/relay/{foreign_relay}", allowed: members, success: notFound},
		// Only the member named now writes or passes: nobody in the matrix is.
		route{method: "POST", path: "/relay/{relay}/write", form: url.Values{"body": {"割り込み"}, "next": {"1"}}, allowed: members, success: http.StatusConflict},
		route{method: "POST", path: "/relay/{relay}/pass", form: url.Values{"next": {"1"}}, allowed: members, success: http.StatusConflict},
		route{method: "POST", path: "/relay/{foreign_relay}/write", form: url.Values{"body": {"x"}, "next": {"1"}}, allowed: members, success: notFound},
		route{method: "POST", path: "/relay/{foreign_relay}/pass", form: url.Values{"next": {"1"}}, allowed: members, success: notFound},
	)
	matrixFixtures = append(matrixFixtures, func(t *testing.T, e *apptest.Env, o org.Organization) map[string]string {
		ctx := t.Context()
		author, err := e.App.Orgs.MemberByEmail(ctx, o.ID, "target@"+o.Slug+".example.jp")
		if err != nil {
			t.Fatal(err)
		}
		next := e.AddMember(t, o, org.Alumni, "relay-next@"+o.Slug+".example.jp")
		v := feed.Viewer{UserID: author.UserID, Role: author.Role}
		post, err := e.App.Feed.Create(ctx, o, v, feed.NewPost{Body: "マトリクス用の投稿", Audience: audience.Audience{Kind: audience.Network}})
		if err != nil {
			t.Fatal(err)
		}
		relay, _, err := e.App.Feed.StartRelay(ctx, o, v, "はじめまして", next.UserID)
		if err != nil {
			t.Fatal(err)
		}
		return map[string]string{"post": fmt.Sprint(post), "photo_post": fmt.Sprint(post), "relay": fmt.Sprint(relay)}
	})
}
