package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/mailtest"
)

// inviteTracked invites one person through the tracked single-invitation
// form and returns the emailed message.
func inviteTracked(t *testing.T, e *apptest.Env, admin *apptest.Client, addr string, n int) string {
	t.Helper()
	res := admin.Post(e.OrgPath("/admin/invitations/single"), inviteForm(addr, "ja", true))
	if res.StatusCode != http.StatusCreated || !strings.Contains(res.Body, "佐藤 花子さんの招待を作成しました") {
		t.Fatalf("invite: %d\n%s", res.StatusCode, res.Body)
	}
	e.RunJobs(t)
	msgs := e.SMTP.WaitFor(t, n, 10*time.Second)
	return msgs[n-1].Text
}

func TestInviteTrackingSwitchedOff(t *testing.T) {
	e := apptest.New(t)
	admin := signedInAdmin(t, e)
	if res := admin.Post(e.OrgPath("/admin/invitations/settings"), url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("settings: %d", res.StatusCode)
	}
	if page := admin.Get(e.OrgPath("/admin/invitations")); !strings.Contains(page.Body, "招待の設定を保存しました") || strings.Contains(page.Body, `name="track_opens" value="1" checked`) {
		t.Fatalf("settings not shown as saved and off:\n%s", page.Body)
	}
	inviteTracked(t, e, admin, "hanako@example.com", 1)
	msg := e.SMTP.Messages()[0]
	if strings.Contains(msg.HTML, "<img") || strings.Contains(msg.HTML, "/i/") {
		t.Fatalf("tracking is off but the email has a pixel:\n%s", msg.HTML)
	}
	var tid string
	if err := e.App.DB.Read().QueryRow(`SELECT tracking_id FROM invitations WHERE email = 'hanako@example.com'`).Scan(&tid); err != nil {
		t.Fatal(err)
	}
	img := e.Client(t).Get(e.OrgPath("/i/" + tid + ".gif"))
	if img.StatusCode != http.StatusOK || img.Header.Get("Content-Type") != "image/gif" {
		t.Fatalf("pixel: %d", img.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM invitations WHERE opened_at IS NOT NULL`); n != 0 {
		t.Fatal("an open was recorded with tracking off")
	}
	// Switched back on, the same image records the open: the check above can fail.
	if res := admin.Post(e.OrgPath("/admin/invitations/settings"), url.Values{"track_opens": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatal(res.StatusCode)
	}
	e.Client(t).Get(e.OrgPath("/i/" + tid + ".gif"))
	if n := e.Count(t, `SELECT COUNT(*) FROM invitations WHERE opened_at IS NOT NULL`); n != 1 {
		t.Fatal("open not recorded with tracking on")
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'invite.settings_changed'`); n != 2 {
		t.Errorf("%d settings changes audited, want 2", n)
	}
}

func TestInvitePixelOfAnotherOrganizationRecordsNothing(t *testing.T) {
	e := apptest.New(t)
	admin := signedInAdmin(t, e)
	e.AddOrg(t, "kaede")
	inviteTracked(t, e, admin, "hanako@example.com", 1)
	var tid string
	if err := e.App.DB.Read().QueryRow(`SELECT tracking_id FROM invitations`).Scan(&tid); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/o/kaede/i/" + tid + ".gif", e.OrgPath("/i/unknown.gif")} {
		if res := e.Client(t).Get(p); res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/gif" {
			t.Errorf("%s: %d", p, res.StatusCode)
		}
	}
	if res := e.Client(t).Get(e.OrgPath("/i/" + tid + ".png")); res.StatusCode != http.StatusNotFound {
		t.Errorf("not a .gif: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM invitations WHERE opened_at IS NOT NULL`); n != 0 {
		t.Fatal("another organization's pixel path recorded an open")
	}
}

func TestInviteJoinLinkProblems(t *testing.T) {
	e := apptest.New(t)
	admin := signedInAdmin(t, e)
	untouched := func(t *testing.T, addr string) {
		t.Helper()
		if n := e.Count(t, `SELECT COUNT(*) FROM users WHERE email_lower = $1 AND password_hash = '' AND activated_at IS NULL AND family_name = '佐藤'`, addr); n != 1 {
			t.Fatalf("a refused join changed %s's account", addr)
		}
		if n := e.Count(t, `SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email_lower = $1`, addr); n != 0 {
			t.Fatalf("a refused join signed %s in", addr)
		}
	}

	t.Run("foreign organization", func(t *testing.T) {
		kaede := e.AddOrg(t, "kaede")
		e.AddMember(t, kaede, org.Admin, "hr@kaede.example.jp")
		other := e.Client(t)
		other.SignIn(kaede, "hr@kaede.example.jp", apptest.Password)
		res := other.Post("/o/kaede/admin/invitations/single", inviteForm("foreign@example.com", "ja", false))
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("kaede invite: %d", res.StatusCode)
		}
		link := apptest.LinkIn(t, res.Body)
		stolen := e.OrgPath(link[strings.Index(link, "/join/"):])
		for _, r := range []*apptest.Response{e.Client(t).Get(stolen), e.Client(t).Post(stolen, joinForm())} {
			if r.StatusCode != http.StatusGone || !strings.Contains(r.Body, "招待リンクが正しくありません") {
				t.Errorf("kaede's link on sakura: %d", r.StatusCode)
			}
		}
		untouched(t, "foreign@example.com")
		if n := e.Count(t, `SELECT COUNT(*) FROM invitations WHERE clicked_at IS NOT NULL`); n != 0 {
			t.Error("a click was recorded through another organization")
		}
	})

	t.Run("expired", func(t *testing.T) {
		text := inviteTracked(t, e, admin, "late@example.com", 1)
		link := apptest.LinkIn(t, text)
		e.Clock.Advance(14*24*time.Hour + time.Second)
		defer e.Clock.Advance(-(14*24*time.Hour + time.Second))
		for _, r := range []*apptest.Response{e.Client(t).Get(link), e.Client(t).Post(link, joinForm())} {
			if r.StatusCode != http.StatusGone || !strings.Contains(r.Body, "招待リンクの有効期限が切れています") {
				t.Errorf("expired link: %d", r.StatusCode)
			}
		}
		untouched(t, "late@example.com")
	})

	t.Run("reused and rotated by a reminder", func(t *testing.T) {
		before := len(e.SMTP.Messages())
		first := apptest.LinkIn(t, inviteTracked(t, e, admin, "twice@example.com", before+1))
		e.Clock.Advance(3*24*time.Hour + time.Minute)
		e.RunJobs(t)
		msgs := e.SMTP.WaitFor(t, before+2, 10*time.Second)
		var reminder mailtest.Received
		for _, m := range msgs[before+1:] {
			if m.To[0] == "twice@example.com" {
				reminder = m
			}
		}
		if !strings.Contains(reminder.Subject, "（再送）") {
			t.Fatalf("no reminder: %q", reminder.Subject)
		}
		second := apptest.LinkIn(t, reminder.Text)
		if second == first {
			t.Fatal("the reminder repeats the first link")
		}
		// The first link still opens the form until the person joins.
		if res := e.Client(t).Get(first); res.StatusCode != http.StatusOK {
			t.Fatalf("first link after a reminder: %d", res.StatusCode)
		}
		if res := e.Client(t).Post(second, joinForm()); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("join by the reminder: %d\n%s", res.StatusCode, res.Body)
		}
		for _, l := range []string{first, second} {
			for _, r := range []*apptest.Response{e.Client(t).Get(l), e.Client(t).Post(l, joinForm())} {
				if r.StatusCode != http.StatusGone || !strings.Contains(r.Body, "すでに使われています") {
					t.Errorf("%s after joining: %d", l, r.StatusCode)
				}
			}
		}
		if n := e.Count(t, `SELECT COUNT(*) FROM users WHERE email_lower = 'twice@example.com' AND activated_at IS NOT NULL AND family_name = '山田'`); n != 1 {
			t.Fatal("join not recorded")
		}
		// The second reminder is not sent to someone who joined.
		e.Clock.Advance(5 * 24 * time.Hour)
		e.RunJobs(t)
		time.Sleep(100 * time.Millisecond)
		if n := countTo(e.SMTP.Messages(), "twice@example.com"); n != 2 {
			t.Fatalf("%d emails to twice@, want the invitation and one reminder", n)
		}
		if n := e.Count(t, `SELECT COUNT(*) FROM invitations WHERE email = 'twice@example.com' AND reminders_sent = 1`); n != 1 {
			t.Error("reminders_sent should stay 1")
		}
	})

	t.Run("account joined by another way", func(t *testing.T) {
		admin := e.Client(t)
		admin.SignIn(e.Org, "hr@sakura.example.jp", apptest.Password)
		before := len(e.SMTP.Messages())
		link := apptest.LinkIn(t, inviteTracked(t, e, admin, "sso@example.com", before+1))
		// As an SSO sign-in would: the account is activated without this link.
		if _, err := e.App.DB.Write().Exec(`UPDATE users SET activated_at = $1 WHERE email_lower = 'sso@example.com'`, e.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		for _, r := range []*apptest.Response{e.Client(t).Get(link), e.Client(t).Post(link, joinForm())} {
			if r.StatusCode != http.StatusGone {
				t.Errorf("link of an activated account: %d", r.StatusCode)
			}
		}
		if n := e.Count(t, `SELECT COUNT(*) FROM users WHERE email_lower = 'sso@example.com' AND password_hash = ''`); n != 1 {
			t.Fatal("a password was set on an account already in use")
		}
	})
}

func TestInviteJoinPageOffersSSOWhenEnabled(t *testing.T) {
	e := apptest.New(t)
	admin := signedInAdmin(t, e)
	link := apptest.LinkIn(t, inviteTracked(t, e, admin, "hanako@example.com", 1))
	secret := link[strings.LastIndexByte(link, '/')+1:]
	if res := e.Client(t).Get(link); res.StatusCode != http.StatusOK || strings.Contains(res.Body, "SSOで参加") {
		t.Fatalf("join page without SSO: %d", res.StatusCode)
	}
	if _, err := e.App.DB.Write().Exec(`INSERT INTO sso_settings (org_id, issuer, client_id, enabled, updated_at) VALUES ($1, 'https://idp.example.jp', 'tsunagu', TRUE, $2)`,
		e.Org.ID, e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	res := e.Client(t).Get(link)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "SSOで参加") || !strings.Contains(res.Body, `href="/o/sakura/sso/login?join=`+secret+`"`) {
		t.Fatalf("join page with SSO: %d\n%s", res.StatusCode, res.Body)
	}
}
