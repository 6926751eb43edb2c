package feed_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/audience"
	"github.com/tsunagu/tsunagu/internal/feed"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

func viewer(m org.Member) feed.Viewer {
	return feed.Viewer{UserID: m.UserID, Role: m.Role, IP: "192.0.2.1"}
}

// addGroup makes a group of o with the given members.
func addGroup(t *testing.T, e *apptest.Env, o org.Organization, name string, members ...int64) int64 {
	t.Helper()
	var id int64
	err := e.App.DB.Tx(context.Background(), func(tx db.Tx) error {
		now := e.Clock.Now()
		if err := tx.QueryRowContext(context.Background(), `INSERT INTO groups (org_id, name, kind, created_at, updated_at) VALUES ($1, $2, 'open', $3, $3) RETURNING id`,
			o.ID, name, now).Scan(&id); err != nil {
			return err
		}
		for _, u := range members {
			if _, err := tx.ExecContext(context.Background(), `INSERT INTO group_members (org_id, group_id, user_id, state, created_at) VALUES ($1, $2, $3, 'member', $4)`,
				o.ID, id, u, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func fieldKey(err error, field string) string {
	var errs feed.Errors
	if !errors.As(err, &errs) {
		return ""
	}
	for _, f := range errs {
		if f.Field == field {
			return f.Key
		}
	}
	return ""
}

func TestAudienceOnEveryReadAndWrite(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	s := e.App.Feed
	alum := e.AddMember(t, e.Org, org.Alumni, "alum@sakura.example.jp")
	emp := e.AddMember(t, e.Org, org.Employee, "emp@sakura.example.jp")
	sup := e.AddMember(t, e.Org, org.Supporter, "sup@sakura.example.jp")
	outsider := e.AddMember(t, e.Org, org.Alumni, "out@sakura.example.jp")
	g := addGroup(t, e, e.Org, "営業部 OB/OG", alum.UserID, emp.UserID)

	ids := map[audience.Kind]int64{}
	for _, a := range []audience.Audience{{Kind: audience.Network}, {Kind: audience.Alumni}, {Kind: audience.EmployeesAlumni}, {Kind: audience.Group, GroupID: g}} {
		id, err := s.Create(ctx, e.Org, viewer(alum), feed.NewPost{Body: "宛先 " + string(a.Kind), Audience: a})
		if err != nil {
			t.Fatalf("%s: %v", a.Kind, err)
		}
		ids[a.Kind] = id
	}
	cases := []struct {
		who  org.Member
		sees []audience.Kind
	}{
		{alum, []audience.Kind{audience.Network, audience.Alumni, audience.EmployeesAlumni, audience.Group}},
		{emp, []audience.Kind{audience.Network, audience.EmployeesAlumni, audience.Group}},
		{outsider, []audience.Kind{audience.Network, audience.Alumni, audience.EmployeesAlumni}},
		{sup, []audience.Kind{audience.Network, audience.Alumni, audience.EmployeesAlumni, audience.Group}},
	}
	for _, c := range cases {
		posts, _, err := s.List(ctx, e.Org.ID, viewer(c.who), feed.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]bool{}
		for _, p := range posts {
			got[p.ID] = true
		}
		for kind, id := range ids {
			want := false
			for _, k := range c.sees {
				want = want || k == kind
			}
			if got[id] != want {
				t.Errorf("%s list: post to %s seen=%v, want %v", c.who.Email, kind, got[id], want)
			}
			_, err := s.Get(ctx, e.Org.ID, viewer(c.who), id)
			if (err == nil) != want {
				t.Errorf("%s get: post to %s err=%v, want seen=%v", c.who.Email, kind, err, want)
			}
			if !want {
				if _, err := s.AddComment(ctx, e.Org, viewer(c.who), id, "見えないはず"); !errors.Is(err, feed.ErrNotFound) {
					t.Errorf("%s commented on unseen %s post: %v", c.who.Email, kind, err)
				}
				if _, err := s.React(ctx, e.Org, viewer(c.who), id, "like"); !errors.Is(err, feed.ErrNotFound) {
					t.Errorf("%s reacted to unseen %s post: %v", c.who.Email, kind, err)
				}
			}
		}
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM post_comments`) + e.Count(t, `SELECT COUNT(*) FROM post_reactions`); n != 0 {
		t.Errorf("refused interactions wrote %d rows", n)
	}
	// Posting to a group one is not in is refused, with nothing written.
	_, err := s.Create(ctx, e.Org, viewer(outsider), feed.NewPost{Body: "入れて", Audience: audience.Audience{Kind: audience.Group, GroupID: g}})
	if fieldKey(err, "audience") != "feed.error.not_in_group" {
		t.Errorf("posting to a group one is not in: %v", err)
	}
	// Nor to an archived group, even by its members.
	if _, err := e.App.DB.Write().Exec(`UPDATE groups SET archived_at = $1 WHERE id = $2`, e.Clock.Now(), g); err != nil {
		t.Fatal(err)
	}
	_, err = s.Create(ctx, e.Org, viewer(alum), feed.NewPost{Body: "まだいる？", Audience: audience.Audience{Kind: audience.Group, GroupID: g}})
	if fieldKey(err, "audience") != "feed.error.not_in_group" {
		t.Errorf("posting to an archived group: %v", err)
	}
	// Another organization's group or post is not found.
	other := e.AddOrg(t, "kaede")
	stranger := e.AddMember(t, other, org.Admin, "admin@kaede.example.jp")
	if _, err := s.Get(ctx, other.ID, viewer(stranger), ids[audience.Network]); !errors.Is(err, feed.ErrNotFound) {
		t.Errorf("another organization's post: %v", err)
	}
	posts, _, _ := s.List(ctx, other.ID, viewer(stranger), feed.ListOptions{})
	if len(posts) != 0 {
		t.Errorf("another organization's feed shows %d posts", len(posts))
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM posts`); n != 4 {
		t.Errorf("posts: %d, want 4", n)
	}
}

func TestLimitsAndBadInputWriteNothing(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	s := e.App.Feed
	a := e.AddMember(t, e.Org, org.Alumni, "a@sakura.example.jp")
	net := audience.Audience{Kind: audience.Network}
	for _, c := range []struct {
		body, field, key string
		aud              audience.Audience
		photos           []string
	}{
		{"", "body", "feed.error.empty", net, nil},
		{"  \n\t ", "body", "feed.error.empty", net, nil},
		{strings.Repeat("あ", feed.MaxPostLen+1), "body", "feed.error.too_long", net, nil},
		{"ok", "audience", "feed.error.audience", audience.Audience{Kind: "everyone"}, nil},
		{"ok", "audience", "feed.error.audience", audience.Audience{Kind: audience.Group}, nil},
		{"ok", "photos", "feed.error.too_many_photos", net, []string{"a", "b", "c", "d", "e"}},
	} {
		_, err := s.Create(ctx, e.Org, viewer(a), feed.NewPost{Body: c.body, Audience: c.aud, Photos: c.photos})
		if got := fieldKey(err, c.field); got != c.key {
			t.Errorf("%.20q: %s error %q, want %q (%v)", c.body, c.field, got, c.key, err)
		}
	}
	if _, err := s.Create(ctx, e.Org, viewer(a), feed.NewPost{Body: strings.Repeat("あ", feed.MaxPostLen), Audience: net}); err != nil {
		t.Errorf("a post of exactly the limit: %v", err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM posts`); n != 1 {
		t.Fatalf("posts: %d, want 1", n)
	}
	id, _ := s.Create(ctx, e.Org, viewer(a), feed.NewPost{Body: "コメントしてね", Audience: net})
	for body, key := range map[string]string{"": "feed.error.empty", strings.Repeat("x", feed.MaxCommentLen+1): "feed.error.too_long"} {
		if _, err := s.AddComment(ctx, e.Org, viewer(a), id, body); fieldKey(err, "comment") != key {
			t.Errorf("comment %.10q: %v", body, err)
		}
	}
	if _, err := s.React(ctx, e.Org, viewer(a), id, "angry"); fieldKey(err, "kind") != "feed.error.reaction" {
		t.Errorf("unknown reaction: %v", err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM post_comments`) + e.Count(t, `SELECT COUNT(*) FROM post_reactions`) +
		e.Count(t, `SELECT comment_count FROM posts WHERE id = $1`, id); n != 0 {
		t.Errorf("bad comments wrote %d", n)
	}
}

func TestCommentsReactionsAndNotifications(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	s := e.App.Feed
	author := e.AddMember(t, e.Org, org.Alumni, "author@sakura.example.jp")
	fan := e.AddMember(t, e.Org, org.Employee, "fan@sakura.example.jp")
	alumOnly := e.AddMember(t, e.Org, org.Alumni, "alum2@sakura.example.jp")
	body := "こんにちは @[佐藤 花子](member:" + itoa(fan.UserID) + ") さん、@[鈴木](member:" + itoa(alumOnly.UserID) + ") さん"
	id, err := s.Create(ctx, e.Org, viewer(author), feed.NewPost{Body: body, Audience: audience.Audience{Kind: audience.Alumni}})
	if err != nil {
		t.Fatal(err)
	}
	// Only the mentioned member who can see an alumni-only post is notified.
	if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'feed.mention' AND user_id = $1`, alumOnly.UserID); n != 1 {
		t.Errorf("alumni mention notifications: %d", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'feed.mention' AND user_id = $1`, fan.UserID); n != 0 {
		t.Errorf("an employee was notified of an alumni-only post: %d", n)
	}
	p, err := s.Get(ctx, e.Org.ID, viewer(author), id)
	if err != nil || !strings.Contains(string(p.HTML), `href="/o/sakura/members/`+itoa(alumOnly.UserID)+`"`) {
		t.Errorf("mention not rendered as a link: %v %s", err, p.HTML)
	}
	if _, err := s.AddComment(ctx, e.Org, viewer(alumOnly), id, "おめでとうございます！\n2行目"); err != nil {
		t.Fatal(err)
	}
	added, err := s.React(ctx, e.Org, viewer(alumOnly), id, "party")
	if err != nil || !added {
		t.Fatalf("react: %v %v", added, err)
	}
	if _, err := s.React(ctx, e.Org, viewer(alumOnly), id, "clap"); err != nil {
		t.Fatal(err)
	}
	// Reacting twice with the same kind takes it back: one of each kind per member.
	added, err = s.React(ctx, e.Org, viewer(alumOnly), id, "party")
	if err != nil || added {
		t.Fatalf("second party: %v %v", added, err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM post_reactions WHERE post_id = $1`, id); n != 1 {
		t.Errorf("reactions: %d, want 1 (clap)", n)
	}
	p, _ = s.Get(ctx, e.Org.ID, viewer(alumOnly), id)
	if p.CommentCount != 1 || p.Reactions[3].Kind != "clap" || p.Reactions[3].Count != 1 || !p.Reactions[3].Mine {
		t.Errorf("post counts: %+v", p)
	}
	for kind, want := range map[string]int{"feed.comment": 1, "feed.reaction": 2} {
		if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE kind = $1 AND user_id = $2`, kind, author.UserID); n != want {
			t.Errorf("%s notifications to author: %d, want %d", kind, n, want)
		}
	}
	// The commenter is named as each reader writes names.
	items, _, err := e.App.Notify.List(ctx, e.Org.ID, author.UserID, 1)
	if err != nil || len(items) == 0 {
		t.Fatalf("author's notifications: %v %v", items, err)
	}
	for _, it := range items {
		if ja, en := it.Text("ja"), it.Text("en"); !strings.Contains(ja, "田中 太郎さん") || !strings.Contains(en, "Taro Tanaka") {
			t.Errorf("%s names the member as %q / %q", it.Kind, ja, en)
		}
	}
}

// The counts a feed shows are kept on the post by triggers; they must match
// the reaction rows whoever reads them and however the rows go, and "mine"
// must be the reader's own.
func TestReactionCountsStayExact(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	s := e.App.Feed
	author := e.AddMember(t, e.Org, org.Alumni, "rc-author@sakura.example.jp")
	a := e.AddMember(t, e.Org, org.Alumni, "rc-a@sakura.example.jp")
	b := e.AddMember(t, e.Org, org.Employee, "rc-b@sakura.example.jp")
	id, err := s.Create(ctx, e.Org, viewer(author), feed.NewPost{Body: "数えてください", Audience: audience.Audience{Kind: audience.Network}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		who  org.Member
		kind string
	}{{a, "like"}, {b, "like"}, {a, "laugh"}, {b, "love"}, {b, "love"}} { // b's second love takes it back
		if _, err := s.React(ctx, e.Org, viewer(r.who), id, r.kind); err != nil {
			t.Fatal(err)
		}
	}
	// A refused reaction changes nothing.
	if _, err := s.React(ctx, e.Org, viewer(a), id, "angry"); err == nil {
		t.Fatal("an unknown reaction was accepted")
	}
	shown := func(who org.Member) string {
		t.Helper()
		posts, _, err := s.List(ctx, e.Org.ID, viewer(who), feed.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, e.Org.ID, viewer(who), id)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for i, rc := range got.Reactions {
			if l := posts[0].Reactions[i]; posts[0].ID != id || l != rc {
				t.Errorf("list and post page disagree for %s: %+v vs %+v", rc.Kind, l, rc)
			}
			if rc.Count > 0 || rc.Mine {
				mark := ""
				if rc.Mine {
					mark = "*"
				}
				out = append(out, rc.Kind+"="+fmtInt(int64(rc.Count))+mark)
			}
		}
		return strings.Join(out, " ")
	}
	for who, want := range map[*org.Member]string{&a: "like=2* laugh=1*", &b: "like=2* laugh=1", &author: "like=2 laugh=1"} {
		if got := shown(*who); got != want {
			t.Errorf("%s sees %q, want %q", who.Email, got, want)
		}
	}
	// The reaction rows of a deleted account go with it (cascade), and so do its counts.
	if _, err := e.App.DB.Write().ExecContext(ctx, `DELETE FROM users WHERE org_id = $1 AND id = $2`, e.Org.ID, a.UserID); err != nil {
		t.Fatal(err)
	}
	if got := shown(b); got != "like=1*" {
		t.Errorf("after a's account was deleted, b sees %q, want like=1*", got)
	}
	if n := e.Count(t, `SELECT reactions_like + reactions_love + reactions_party + reactions_clap + reactions_laugh FROM posts WHERE id = $1`, id); n != 1 {
		t.Errorf("stored counts add up to %d, want 1", n)
	}
}

func itoa(n int64) string { return fmtInt(n) }

func fmtInt(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestReportHideUnhide(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	s := e.App.Feed
	author := e.AddMember(t, e.Org, org.Alumni, "author@sakura.example.jp")
	reader := e.AddMember(t, e.Org, org.Alumni, "reader@sakura.example.jp")
	admin := e.AddMember(t, e.Org, org.Admin, "admin@sakura.example.jp")
	id, _ := s.Create(ctx, e.Org, viewer(author), feed.NewPost{Body: "問題のある投稿", Audience: audience.Audience{Kind: audience.Network}})
	if err := s.Report(ctx, e.Org, viewer(reader), id, ""); fieldKey(err, "reason") != "feed.error.empty" {
		t.Errorf("report without reason: %v", err)
	}
	if err := s.Report(ctx, e.Org, viewer(reader), id, "不適切です"); err != nil {
		t.Fatal(err)
	}
	if err := s.Report(ctx, e.Org, viewer(reader), id, "もう一度"); !errors.Is(err, feed.ErrAlreadyReported) {
		t.Errorf("second report: %v", err)
	}
	if n, _ := s.CountOpenReports(ctx, e.Org.ID); n != 1 {
		t.Errorf("open reports: %d", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'feed.reported' AND category = 'staff' AND user_id = $1`, admin.UserID); n != 1 {
		t.Errorf("staff notified %d times", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'feed.reported' AND user_id <> $1`, admin.UserID); n != 0 {
		t.Errorf("non-staff notified of a report: %d", n)
	}
	if err := s.SetHidden(ctx, e.Org, viewer(reader), id, true); !errors.Is(err, feed.ErrNotFound) {
		t.Errorf("a member hid a post: %v", err)
	}
	if err := s.SetHidden(ctx, e.Org, viewer(admin), id, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, e.Org.ID, viewer(reader), id); !errors.Is(err, feed.ErrNotFound) {
		t.Errorf("reader sees a hidden post: %v", err)
	}
	if posts, _, _ := s.List(ctx, e.Org.ID, viewer(reader), feed.ListOptions{}); len(posts) != 0 {
		t.Errorf("reader's feed lists a hidden post")
	}
	p, err := s.Get(ctx, e.Org.ID, viewer(author), id)
	if err != nil || !p.Hidden {
		t.Errorf("author should see their hidden post marked: %v %v", err, p.Hidden)
	}
	if _, err := s.AddComment(ctx, e.Org, viewer(author), id, "なぜ？"); !errors.Is(err, feed.ErrHidden) {
		t.Errorf("comment on hidden post: %v", err)
	}
	if n, _ := s.CountOpenReports(ctx, e.Org.ID); n != 0 {
		t.Errorf("hiding left %d open reports", n)
	}
	if err := s.SetHidden(ctx, e.Org, viewer(admin), id, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, e.Org.ID, viewer(reader), id); err != nil {
		t.Errorf("unhidden post: %v", err)
	}
	for _, action := range []string{"feed.post_hidden", "feed.post_unhidden"} {
		if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = $1 AND target = $2`, action, "post:"+itoa(id)); n != 1 {
			t.Errorf("audit %s: %d", action, n)
		}
	}
}

func TestKeysetPagination(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	s := e.App.Feed
	a := e.AddMember(t, e.Org, org.Alumni, "a@sakura.example.jp")
	for i := 0; i < 45; i++ {
		if _, err := s.Create(ctx, e.Org, viewer(a), feed.NewPost{Body: "post", Audience: audience.Audience{Kind: audience.Network}}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[int64]bool{}
	var before int64
	pages := 0
	for {
		posts, next, err := s.List(ctx, e.Org.ID, viewer(a), feed.ListOptions{Before: before})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, p := range posts {
			if seen[p.ID] {
				t.Fatalf("post %d twice", p.ID)
			}
			seen[p.ID] = true
		}
		if next == 0 {
			break
		}
		before = next
	}
	if len(seen) != 45 || pages != 3 {
		t.Errorf("pages %d, posts %d", pages, len(seen))
	}
}

func TestRelayChain(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	s := e.App.Feed
	a := e.AddMember(t, e.Org, org.Alumni, "a@sakura.example.jp")
	b := e.AddMember(t, e.Org, org.Alumni, "b@sakura.example.jp")
	c := e.AddMember(t, e.Org, org.Employee, "c@sakura.example.jp")
	d := e.AddMember(t, e.Org, org.Alumni, "d@sakura.example.jp")
	dormant := e.AddWithoutPassword(t, e.Org, org.Alumni, "dormant@sakura.example.jp", org.Name{Family: "眠", Given: "太"})

	// Bad starts write nothing.
	for next, key := range map[int64]string{0: "feed.relay.error.next_required", a.UserID: "feed.relay.error.next_self", dormant.UserID: "feed.relay.error.next_unknown", 999999: "feed.relay.error.next_unknown"} {
		if _, _, err := s.StartRelay(ctx, e.Org, viewer(a), "はじめまして", next); fieldKey(err, "next") != key {
			t.Errorf("next %d: %v, want %s", next, err, key)
		}
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM relays`) + e.Count(t, `SELECT COUNT(*) FROM posts`) + e.Count(t, `SELECT COUNT(*) FROM relay_links`); n != 0 {
		t.Fatalf("bad starts wrote %d rows", n)
	}
	relay, post, err := s.StartRelay(ctx, e.Org, viewer(a), "Aです。よろしくお願いします。", b.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := s.Get(ctx, e.Org.ID, viewer(d), post); err != nil || p.RelayID != relay || p.Audience.Kind != audience.Network {
		t.Errorf("intro post: %+v %v", p, err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'feed.relay_named' AND user_id = $1 AND category = 'relay'`, b.UserID); n != 1 {
		t.Errorf("B notified %d times", n)
	}
	// Only the named member writes the next link.
	if _, err := s.WriteLink(ctx, e.Org, viewer(c), relay, "割り込み", d.UserID); !errors.Is(err, feed.ErrNotYourTurn) {
		t.Errorf("C wrote out of turn: %v", err)
	}
	// B may not name someone already in the chain.
	if _, err := s.WriteLink(ctx, e.Org, viewer(b), relay, "Bです", a.UserID); fieldKey(err, "next") != "feed.relay.error.next_in_chain" {
		t.Errorf("naming A again: %v", err)
	}
	// B passes to C; C writes and names D.
	if err := s.PassOn(ctx, e.Org, viewer(b), relay, c.UserID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WriteLink(ctx, e.Org, viewer(c), relay, "", d.UserID); fieldKey(err, "body") != "feed.error.empty" {
		t.Errorf("empty intro: %v", err)
	}
	if _, err := s.WriteLink(ctx, e.Org, viewer(c), relay, "Cです", d.UserID); err != nil {
		t.Fatal(err)
	}
	r, links, err := s.RelayOf(ctx, e.Org.ID, relay)
	if err != nil || r.NamedID != d.UserID || len(links) != 3 {
		t.Fatalf("relay %+v, %d links, %v", r, len(links), err)
	}
	want := []struct {
		user int64
		kind string
		next int64
	}{{a.UserID, "intro", b.UserID}, {b.UserID, "pass", c.UserID}, {c.UserID, "intro", d.UserID}}
	for i, w := range want {
		l := links[i]
		if l.Position != i+1 || l.UserID != w.user || l.Kind != w.kind || l.NamedID != w.next {
			t.Errorf("link %d: %+v, want %+v", i, l, w)
		}
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM posts WHERE relay_id = $1`, relay); n != 2 {
		t.Errorf("relay posts: %d", n)
	}
}

// Two people cannot both write the next link, even at the same moment.
func TestRelayConcurrentWriters(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	s := e.App.Feed
	a := e.AddMember(t, e.Org, org.Alumni, "a@sakura.example.jp")
	b := e.AddMember(t, e.Org, org.Alumni, "b@sakura.example.jp")
	var others []org.Member
	// More writers than the PostgreSQL pool has connections (8 on two
	// cores): a read outside the winner's transaction (notify once read the
	// organization so) would find the pool full of writers waiting on the
	// winner's row lock, and everything would stall.
	for i := 0; i < 12; i++ {
		others = append(others, e.AddMember(t, e.Org, org.Alumni, "o"+fmtInt(int64(i))+"@sakura.example.jp"))
	}
	relay, _, err := s.StartRelay(ctx, e.Org, viewer(a), "A", b.UserID)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(others))
	for i, o := range others {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.WriteLink(ctx, e.Org, viewer(b), relay, "B "+fmtInt(int64(i)), o.UserID)
		}()
	}
	wg.Wait()
	okCount := 0
	for _, err := range errs {
		switch {
		case err == nil:
			okCount++
		case errors.Is(err, feed.ErrNotYourTurn):
		default:
			t.Errorf("unexpected: %v", err)
		}
	}
	if okCount != 1 {
		t.Errorf("%d writers succeeded, want 1", okCount)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM relay_links WHERE relay_id = $1`, relay); n != 2 {
		t.Errorf("links: %d, want 2", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM posts WHERE relay_id = $1`, relay); n != 2 {
		t.Errorf("relay posts: %d, want 2 (nothing half-written)", n)
	}
}
