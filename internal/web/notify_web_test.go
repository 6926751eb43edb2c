package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/notify"
	"github.com/tsunagu/tsunagu/internal/org"
)

func notifyTo(m org.Member, text, link string) notify.Notification {
	return notify.Notification{OrgID: m.OrgID, UserID: m.UserID, Kind: "test", Category: notify.Reactions,
		Args: map[string]string{"text": text}, Link: link}
}

func latestNotification(t *testing.T, e *apptest.Env, m org.Member) string {
	t.Helper()
	var id string
	if err := e.App.DB.Read().QueryRowContext(t.Context(), `SELECT CAST(MAX(id) AS TEXT) FROM notifications WHERE org_id = $1 AND user_id = $2`,
		m.OrgID, m.UserID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestNotifyPageBadgeAndMarkRead(t *testing.T) {
	e := apptest.New(t)
	me := e.AddMember(t, e.Org, org.Alumni, "me@example.jp")
	c := e.Client(t)
	c.SignIn(e.Org, "me@example.jp", apptest.Password)
	if res := c.Get(e.OrgPath("/")); strings.Contains(res.Body, "未読") {
		t.Error("badge shown without notifications")
	}
	e.Notify(t, notifyTo(me, "古いお知らせ", "/members"))
	e.Notify(t, notifyTo(me, "<script>alert(1)</script>", "/profile"))
	e.Notify(t, notifyTo(me, "新しいお知らせ", "/feed/posts/3"))

	home := c.Get(e.OrgPath("/"))
	if !strings.Contains(home.Body, `<span class="badge nav-count" aria-hidden="true">3</span><span class="visually-hidden">（未読3件）</span>`) {
		t.Errorf("home page without the unread badge:\n%s", home.Body)
	}
	list := c.Get(e.OrgPath("/notifications"))
	if list.StatusCode != http.StatusOK {
		t.Fatalf("list: %d", list.StatusCode)
	}
	newer, older := strings.Index(list.Body, "新しいお知らせ"), strings.Index(list.Body, "古いお知らせ")
	if newer < 0 || older < 0 || newer > older {
		t.Error("list is not newest first")
	}
	if strings.Contains(list.Body, "<script>alert(1)</script>") || !strings.Contains(list.Body, "&lt;script&gt;") {
		t.Error("notification arguments are not escaped")
	}
	if got := strings.Count(list.Body, `class="notify-item unread"`); got != 3 {
		t.Errorf("%d unread rows highlighted, want 3", got)
	}

	// Opening one marks it read and goes to its page in the organization.
	id := latestNotification(t, e, me)
	res := c.Get(e.OrgPath("/notifications/" + id))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/o/sakura/feed/posts/3" {
		t.Fatalf("open: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	if got := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, me.UserID); got != 2 {
		t.Errorf("%d unread after opening one, want 2", got)
	}
	if !strings.Contains(c.Get(e.OrgPath("/")).Body, "（未読2件）") {
		t.Error("badge did not go down")
	}

	res = c.Post(e.OrgPath("/notifications/read"), nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("mark all read: %d", res.StatusCode)
	}
	list = c.Get(e.OrgPath("/notifications"))
	if strings.Contains(list.Body, "未読") || !strings.Contains(list.Body, "すべての通知を既読にしました。") {
		t.Errorf("after marking all read:\n%s", list.Body)
	}

	// English.
	c.Lang = "en"
	if err := e.App.Orgs.SetLocale(t.Context(), me.OrgID, me.UserID, "en"); err != nil {
		t.Fatal(err)
	}
	e.Notify(t, notifyTo(me, "hello", "/members"))
	en := c.Get(e.OrgPath("/notifications"))
	if !strings.Contains(en.Body, "Test notification: hello") || !strings.Contains(en.Body, "(1 unread)") {
		t.Errorf("English page:\n%s", en.Body)
	}
}

func TestNotifyRedirectStaysInOrganization(t *testing.T) {
	e := apptest.New(t)
	me := e.AddMember(t, e.Org, org.Alumni, "me@example.jp")
	other := e.AddMember(t, e.Org, org.Alumni, "other@example.jp")
	kaede := e.AddOrg(t, "kaede")
	foreigner := e.AddMember(t, kaede, org.Alumni, "me@example.jp")
	c := e.Client(t)
	c.SignIn(e.Org, "me@example.jp", apptest.Password)

	// A link stored by a bug, or written straight into the database, never
	// leaves the organization.
	for _, bad := range []string{"//evil.example/", "https://evil.example/", "/../kaede/members", `/\evil.example`} {
		if _, err := e.App.DB.Write().ExecContext(t.Context(), `INSERT INTO notifications (org_id, user_id, kind, category, args, link, created_at)
			VALUES ($1, $2, 'test', 'reactions', '{}', $3, $4)`, me.OrgID, me.UserID, bad, e.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		res := c.Get(e.OrgPath("/notifications/" + latestNotification(t, e, me)))
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/o/sakura/notifications" {
			t.Errorf("stored link %q redirected to %q (%d)", bad, loc, res.StatusCode)
		}
	}

	e.Notify(t, notifyTo(other, "他の人宛", "/members"))
	e.Notify(t, notifyTo(foreigner, "別の組織", "/members"))
	for name, id := range map[string]string{"another member's": latestNotification(t, e, other), "another organization's": latestNotification(t, e, foreigner),
		"a malformed": "abc", "a missing": "999999"} {
		if res := c.Get(e.OrgPath("/notifications/" + id)); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s notification: %d, want 404", name, res.StatusCode)
		}
	}
	if got := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE read_at IS NOT NULL AND user_id <> $1`, me.UserID); got != 0 {
		t.Errorf("%d other people's notifications marked read", got)
	}
}

func TestNotifySettingsPage(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Alumni, "alum@example.jp")
	admin := e.AddMember(t, e.Org, org.Admin, "admin@example.jp")
	c := e.Client(t)
	c.SignIn(e.Org, "alum@example.jp", apptest.Password)
	page := c.Get(e.OrgPath("/notifications/settings"))
	if page.StatusCode != http.StatusOK || strings.Contains(page.Body, `name="email_staff"`) || !strings.Contains(page.Body, `name="email_mentions"`) {
		t.Fatalf("alumni settings page (%d) should list member categories, not staff", page.StatusCode)
	}
	if !strings.Contains(page.Body, `<option value="instant" selected>すぐに受け取る</option>`) {
		t.Error("the default for mentions (instant) is not selected")
	}

	// A bad value: the field says why, nothing is saved.
	bad := notifySettingsForm()
	bad.Set("email_comments", "hourly")
	res := c.Post(e.OrgPath("/notifications/settings"), bad)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "メールの受け取り方を一覧から選んでください。") ||
		!strings.Contains(res.Body, `id="e-comments"`) {
		t.Fatalf("bad frequency: %d\n%s", res.StatusCode, res.Body)
	}
	missing := notifySettingsForm()
	missing.Del("email_events")
	if res := c.Post(e.OrgPath("/notifications/settings"), missing); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("missing frequency: %d", res.StatusCode)
	}
	if got := e.Count(t, `SELECT COUNT(*) FROM notification_prefs`); got != 0 {
		t.Fatalf("%d preferences written by rejected forms", got)
	}

	good := notifySettingsForm()
	good.Set("email_messages", "never")
	good.Del("inapp_reactions")
	if res := c.Post(e.OrgPath("/notifications/settings"), good); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", res.StatusCode, res.Body)
	}
	if got := e.Count(t, `SELECT COUNT(*) FROM notification_prefs`); got != len(notify.Categories)-1 {
		t.Errorf("%d preferences saved for an alumnus, want all but staff", got)
	}
	if got := e.Count(t, `SELECT COUNT(*) FROM notification_prefs WHERE category = 'reactions' AND NOT in_app`); got != 1 {
		t.Error("reactions not turned off in the app")
	}
	page = c.Get(e.OrgPath("/notifications/settings"))
	if !strings.Contains(page.Body, "通知の設定を保存しました。") || !strings.Contains(page.Body, `<option value="never" selected>受け取らない</option>`) {
		t.Error("saved settings not shown")
	}

	ac := e.Client(t)
	ac.SignIn(e.Org, admin.Email, apptest.Password)
	if page := ac.Get(e.OrgPath("/notifications/settings")); !strings.Contains(page.Body, `name="email_staff"`) {
		t.Error("staff category missing for an admin")
	}
	form := notifySettingsForm()
	form.Set("email_staff", "weekly")
	if res := ac.Post(e.OrgPath("/notifications/settings"), form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin save: %d", res.StatusCode)
	}
	if got := e.Count(t, `SELECT COUNT(*) FROM notification_prefs WHERE user_id = $1 AND category = 'staff' AND email = 'weekly'`, admin.UserID); got != 1 {
		t.Error("staff preference not saved for an admin")
	}
}

func TestNotifyBadgeCapsAtNinetyNine(t *testing.T) {
	e := apptest.New(t)
	me := e.AddMember(t, e.Org, org.Alumni, "me@example.jp")
	for range 100 {
		e.Notify(t, notifyTo(me, "多数", "/members"))
	}
	c := e.Client(t)
	c.SignIn(e.Org, "me@example.jp", apptest.Password)
	if body := c.Get(e.OrgPath("/")).Body; !strings.Contains(body, `aria-hidden="true">99&#43;</span><span class="visually-hidden">（未読100件）</span>`) {
		t.Error("a hundred unread: badge should show 99+ and say 100")
	}
	// The last page lists the rest.
	if body := c.Get(e.OrgPath("/notifications?page=4")).Body; strings.Count(body, `class="notify-item`) != 100-3*notify.PageSize || !strings.Contains(body, `rel="prev"`) {
		t.Error("the last page does not list the remaining notifications")
	}
	if body := c.Get(e.OrgPath("/notifications?page=2")).Body; strings.Count(body, `class="notify-item`) != notify.PageSize || !strings.Contains(body, `rel="next"`) {
		t.Error("a middle page should be full and link to older ones")
	}
	if res := c.Get(e.OrgPath("/notifications?page=x")); res.StatusCode != http.StatusBadRequest {
		t.Errorf("a bad page number: %d", res.StatusCode)
	}
}
