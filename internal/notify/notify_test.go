package notify_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/notify"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// note is a notification of the test kind to m, caused by actor.
func note(m org.Member, actor int64, c notify.Category, text string) notify.Notification {
	return notify.Notification{OrgID: m.OrgID, UserID: m.UserID, ActorID: actor, Kind: "test", Category: c,
		Args: map[string]string{"text": text}, Link: "/feed/posts/7"}
}

func setPref(t *testing.T, e *apptest.Env, m org.Member, c notify.Category, inApp bool, f notify.Frequency) {
	t.Helper()
	if err := e.App.Notify.SavePreferences(t.Context(), m.OrgID, m.UserID, m.Role.Staff(), []notify.Preference{{Category: c, InApp: inApp, Email: f}}); err != nil {
		t.Fatal(err)
	}
}

func rows(t *testing.T, e *apptest.Env, m org.Member) int {
	t.Helper()
	return e.Count(t, `SELECT COUNT(*) FROM notifications WHERE org_id = $1 AND user_id = $2`, m.OrgID, m.UserID)
}

func unread(t *testing.T, e *apptest.Env, m org.Member) int {
	t.Helper()
	n, err := e.App.Notify.UnreadCount(t.Context(), m.OrgID, m.UserID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNotifyFollowsPreferences(t *testing.T) {
	e := apptest.New(t)
	to := e.AddMember(t, e.Org, org.Alumni, "to@example.jp")
	actor := e.AddMember(t, e.Org, org.Alumni, "actor@example.jp")

	// Defaults: a mention is shown and emailed at once.
	e.Notify(t, note(to, actor.UserID, notify.Mentions, "メンション"))
	if got := rows(t, e, to); got != 1 {
		t.Fatalf("rows = %d, want 1", got)
	}
	e.DrainJobs(t)
	if got := len(e.SMTP.Messages()); got != 1 {
		t.Fatalf("emails = %d, want 1 for an instant mention", got)
	}

	// Reactions are in the app only by default.
	e.Notify(t, note(to, actor.UserID, notify.Reactions, "リアクション"))
	e.DrainJobs(t)
	if got, mails := rows(t, e, to), len(e.SMTP.Messages()); got != 2 || mails != 1 {
		t.Fatalf("after a reaction: rows = %d, emails = %d; want 2 and 1", got, mails)
	}

	// Off in the app and never by email: nothing is stored.
	setPref(t, e, to, notify.Reactions, false, notify.Never)
	e.Notify(t, note(to, actor.UserID, notify.Reactions, "無視"))
	if got := rows(t, e, to); got != 2 {
		t.Fatalf("rows = %d after a category turned off, want 2", got)
	}

	// Off in the app but emailed: the email goes out, the page and badge ignore it.
	setPref(t, e, to, notify.Messages, false, notify.Instant)
	before := unread(t, e, to)
	e.Notify(t, note(to, actor.UserID, notify.Messages, "メールだけ"))
	e.DrainJobs(t)
	msgs := e.SMTP.Messages()
	if len(msgs) != 2 || !strings.Contains(msgs[1].Text, "メールだけ") {
		t.Fatalf("want the email of an app-off message; got %d emails", len(msgs))
	}
	if got := unread(t, e, to); got != before {
		t.Errorf("badge = %d, want %d: a category off in the app must not count", got, before)
	}
	items, _, err := e.App.Notify.List(t.Context(), to.OrgID, to.UserID, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Args["text"] == "メールだけ" {
			t.Error("a notification off in the app is listed")
		}
	}
	if len(items) != 2 || items[0].Args["text"] != "リアクション" {
		t.Errorf("list = %+v, want newest first: reaction, mention", items)
	}
}

func TestNotifySkipsSelfAndNonMembers(t *testing.T) {
	e := apptest.New(t)
	me := e.AddMember(t, e.Org, org.Employee, "me@example.jp")
	e.Notify(t, note(me, me.UserID, notify.Comments, "自分"))
	if got := rows(t, e, me); got != 0 {
		t.Errorf("self-notification stored: %d rows", got)
	}

	// An account nobody has activated yet: shown in the app, never emailed.
	pending := e.AddWithoutPassword(t, e.Org, org.Alumni, "pending@example.jp", org.Name{Family: "佐藤", Given: "花子"})
	e.Notify(t, note(pending, me.UserID, notify.Mentions, "未登録"))
	e.DrainJobs(t)
	if got, mails := rows(t, e, pending), len(e.SMTP.Messages()); got != 1 || mails != 0 {
		t.Errorf("unactivated member: rows = %d, emails = %d; want 1 and 0", got, mails)
	}

	// Someone whose membership ended gets nothing at all.
	gone := e.AddMember(t, e.Org, org.Alumni, "gone@example.jp")
	if _, err := e.App.DB.Write().ExecContext(t.Context(), `UPDATE memberships SET ended_at = $1 WHERE org_id = $2 AND user_id = $3`,
		e.Clock.Now(), gone.OrgID, gone.UserID); err != nil {
		t.Fatal(err)
	}
	e.Notify(t, note(gone, me.UserID, notify.Mentions, "退会"))
	e.DrainJobs(t)
	if got, mails := rows(t, e, gone), len(e.SMTP.Messages()); got != 0 || mails != 0 {
		t.Errorf("ended membership: rows = %d, emails = %d; want none", got, mails)
	}
}

func TestNotifyRejectsBadInput(t *testing.T) {
	e := apptest.New(t)
	to := e.AddMember(t, e.Org, org.Alumni, "to@example.jp")
	for name, n := range map[string]notify.Notification{
		"absolute link":     {OrgID: to.OrgID, UserID: to.UserID, Kind: "test", Category: notify.Mentions, Link: "https://evil.example/"},
		"protocol-relative": {OrgID: to.OrgID, UserID: to.UserID, Kind: "test", Category: notify.Mentions, Link: "//evil.example/"},
		"climbing link":     {OrgID: to.OrgID, UserID: to.UserID, Kind: "test", Category: notify.Mentions, Link: "/feed/../../other/"},
		"unknown category":  {OrgID: to.OrgID, UserID: to.UserID, Kind: "test", Category: "gossip"},
		"no kind":           {OrgID: to.OrgID, UserID: to.UserID, Category: notify.Mentions},
	} {
		err := e.App.DB.Tx(t.Context(), func(tx db.Tx) error { return e.App.Notify.Notify(t.Context(), tx, n) })
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if got := rows(t, e, to); got != 0 {
		t.Errorf("%d rows written by rejected notifications", got)
	}
	if got := e.Count(t, `SELECT COUNT(*) FROM jobs`); got != 0 {
		t.Errorf("%d jobs queued by rejected notifications", got)
	}
}

func TestValidLink(t *testing.T) {
	for link, want := range map[string]bool{
		"": true, "/feed/posts/1": true, "/events/3?tab=info#top": true, "/": true,
		"feed": false, "//evil.example": false, "https://evil.example": false, `/\evil.example`: false, "/a/../b": false,
		"/a/%2e%2e/b": false, "/a%2fb": false, "/a\nb": false, "/./a": false,
	} {
		if got := notify.ValidLink(link); got != want {
			t.Errorf("ValidLink(%q) = %v, want %v", link, got, want)
		}
	}
}

func TestMarkReadAndOpen(t *testing.T) {
	e := apptest.New(t)
	ctx := t.Context()
	a := e.AddMember(t, e.Org, org.Alumni, "a@example.jp")
	b := e.AddMember(t, e.Org, org.Alumni, "b@example.jp")
	kaede := e.AddOrg(t, "kaede")
	c := e.AddMember(t, kaede, org.Alumni, "c@example.jp")
	for range 3 {
		e.Notify(t, note(a, 0, notify.Reactions, "a"))
	}
	e.Notify(t, note(c, 0, notify.Reactions, "c"))
	if got := unread(t, e, a); got != 3 {
		t.Fatalf("unread = %d, want 3", got)
	}
	items, _, err := e.App.Notify.List(ctx, a.OrgID, a.UserID, 1)
	if err != nil {
		t.Fatal(err)
	}
	link, err := e.App.Notify.Open(ctx, a.OrgID, a.UserID, items[0].ID)
	if err != nil || link != "/feed/posts/7" {
		t.Fatalf("Open = %q, %v", link, err)
	}
	if got := unread(t, e, a); got != 2 {
		t.Errorf("unread after opening one = %d, want 2", got)
	}
	// Another member's notification, or another organization's, is not found.
	if _, err := e.App.Notify.Open(ctx, b.OrgID, b.UserID, items[1].ID); !errors.Is(err, notify.ErrNotFound) {
		t.Errorf("another member opened a notification: %v", err)
	}
	cItems, _, _ := e.App.Notify.List(ctx, c.OrgID, c.UserID, 1)
	if _, err := e.App.Notify.Open(ctx, a.OrgID, a.UserID, cItems[0].ID); !errors.Is(err, notify.ErrNotFound) {
		t.Errorf("opened another organization's notification: %v", err)
	}
	if got := unread(t, e, c); got != 1 {
		t.Errorf("the other organization's notification changed: unread %d", got)
	}
	n, err := e.App.Notify.MarkAllRead(ctx, a.OrgID, a.UserID)
	if err != nil || n != 2 || unread(t, e, a) != 0 {
		t.Errorf("MarkAllRead = %d, %v; unread now %d", n, err, unread(t, e, a))
	}
	if got := unread(t, e, c); got != 1 {
		t.Errorf("marking all read reached another organization: unread %d", got)
	}
}

func TestListPages(t *testing.T) {
	e := apptest.New(t)
	a := e.AddMember(t, e.Org, org.Alumni, "a@example.jp")
	for i := range notify.PageSize + 2 {
		e.Notify(t, note(a, 0, notify.Reactions, string(rune('A'+i%26))))
	}
	first, more, err := e.App.Notify.List(t.Context(), a.OrgID, a.UserID, 1)
	if err != nil || len(first) != notify.PageSize || !more {
		t.Fatalf("page 1: %d items, more %v, %v", len(first), more, err)
	}
	second, more, err := e.App.Notify.List(t.Context(), a.OrgID, a.UserID, 2)
	if err != nil || len(second) != 2 || more {
		t.Fatalf("page 2: %d items, more %v, %v", len(second), more, err)
	}
	if second[0].ID >= first[len(first)-1].ID {
		t.Error("page 2 is not older than page 1")
	}
}

func TestSavePreferencesValidates(t *testing.T) {
	e := apptest.New(t)
	ctx := t.Context()
	alum := e.AddMember(t, e.Org, org.Alumni, "alum@example.jp")
	err := e.App.Notify.SavePreferences(ctx, alum.OrgID, alum.UserID, false, []notify.Preference{
		{Category: notify.Mentions, InApp: true, Email: notify.Daily},
		{Category: notify.Comments, InApp: true, Email: "hourly"},
	})
	var fe notify.FieldErrors
	if !errors.As(err, &fe) || fe["email_comments"] != "notify.settings.error.frequency" || len(fe) != 1 {
		t.Fatalf("bad frequency: %v %v", err, fe)
	}
	err = e.App.Notify.SavePreferences(ctx, alum.OrgID, alum.UserID, false, []notify.Preference{{Category: notify.Staff, InApp: true, Email: notify.Daily}})
	if !errors.As(err, &fe) || fe["email_staff"] != "notify.settings.error.category" {
		t.Fatalf("staff category for an alumnus: %v %v", err, fe)
	}
	if got := e.Count(t, `SELECT COUNT(*) FROM notification_prefs`); got != 0 {
		t.Fatalf("%d preferences written by rejected saves", got)
	}
	prefs, err := e.App.Notify.Preferences(ctx, alum.OrgID, alum.UserID, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(prefs) != len(notify.Categories)-1 {
		t.Errorf("an alumnus sees %d categories, want all but staff", len(prefs))
	}
	if prefs[0] != notify.DefaultPreference(notify.Mentions) {
		t.Errorf("mentions = %+v, want the default", prefs[0])
	}
}

func TestNextDue(t *testing.T) {
	jst := time.FixedZone("JST", 9*3600)
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, jst)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tt := range []struct {
		period    notify.Frequency
		now, want string
	}{
		{notify.Daily, "2026-11-20 07:59", "2026-11-20 08:00"},
		{notify.Daily, "2026-11-20 08:00", "2026-11-21 08:00"},
		{notify.Daily, "2026-11-20 23:30", "2026-11-21 08:00"},
		{notify.Weekly, "2026-11-20 10:00", "2026-11-23 08:00"}, // Friday → Monday
		{notify.Weekly, "2026-11-23 07:00", "2026-11-23 08:00"}, // Monday morning
		{notify.Weekly, "2026-11-23 08:00", "2026-11-30 08:00"},
	} {
		if got := notify.NextDue(tt.period, at(tt.now)); !got.Equal(at(tt.want)) {
			t.Errorf("NextDue(%s, %s) = %s, want %s", tt.period, tt.now, got.In(jst), tt.want)
		}
	}
}

// A placeholder can have a value per language: the organization's English
// name for English readers, its Japanese name otherwise.
func TestTextUsesTheReadersValue(t *testing.T) {
	args := map[string]string{"org": "さくらテクノロジー株式会社", "org@en": "Sakura Technology"}
	if got := notify.Text("en", "message.company_reply", args); !strings.Contains(got, "Sakura Technology") || strings.Contains(got, "さくら") {
		t.Errorf("English: %q", got)
	}
	if got := notify.Text("ja", "message.company_reply", args); !strings.Contains(got, "さくらテクノロジー株式会社") || strings.Contains(got, "Sakura") {
		t.Errorf("Japanese: %q", got)
	}
	// Without a value for the language, the plain one is used.
	if got := notify.Text("en", "message.company_reply", map[string]string{"org": "さくら"}); !strings.Contains(got, "さくら") {
		t.Errorf("fallback: %q", got)
	}
}
