package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
)

// requestReset asks for a reset link through the form and returns the
// link's path from the email that arrived at the SMTP server.
func requestReset(t *testing.T, e *apptest.Env, c *apptest.Client, email string, already int) string {
	t.Helper()
	res := c.Post(e.OrgPath("/forgot"), url.Values{"email": {email}})
	sent := map[string]string{"": "再設定用のリンクをお送りしました", "en": "we have sent a reset link"}[c.Lang]
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, sent) {
		t.Fatalf("forgot: %d\n%s", res.StatusCode, res.Body)
	}
	e.RunJobs(t)
	msgs := e.SMTP.WaitFor(t, already+1, 10*time.Second)
	return apptest.LinkIn(t, msgs[already].Text)
}

func TestPasswordResetJourney(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	other := e.Client(t)
	other.SignIn(e.Org, "taro@example.jp", apptest.Password) // e.g. a stolen session

	c := e.Client(t)
	link := requestReset(t, e, c, "taro@example.jp", 0)
	msg := e.SMTP.Messages()[0]
	if msg.Subject != "【さくらテクノロジー株式会社】パスワード再設定のご案内" || msg.To[0] != "taro@example.jp" {
		t.Errorf("reset email: subject %q to %v", msg.Subject, msg.To)
	}
	if !strings.Contains(msg.HTML, link) {
		t.Error("HTML part lacks the link")
	}

	if res := c.Get(link); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "新しいパスワードの設定") {
		t.Fatalf("reset form: %d", res.StatusCode)
	}
	// Bad passwords are refused and the link stays usable.
	for _, bad := range []url.Values{
		{"password": {"short"}, "password_confirm": {"short"}},
		{"password": {"long enough pass"}, "password_confirm": {"different pass!"}},
		{"password": {strings.Repeat("あ", 257)}, "password_confirm": {strings.Repeat("あ", 257)}},
	} {
		if res := c.Post(link, bad); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("bad password %v: %d", bad, res.StatusCode)
		}
	}
	if e.Count(t, `SELECT COUNT(*) FROM tokens WHERE kind = 'reset' AND used_at IS NULL`) != 1 {
		t.Fatal("a refused password used up the link")
	}
	res := c.Post(link, url.Values{"password": {"a brand new passphrase"}, "password_confirm": {"a brand new passphrase"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != e.OrgPath("/login") {
		t.Fatalf("reset: %d %s", res.StatusCode, res.Body)
	}
	if other.Get(e.OrgPath("/")).StatusCode != http.StatusSeeOther {
		t.Error("old sessions survive a password reset")
	}
	// The old password no longer works, the new one does.
	if res := e.Client(t).Post(e.OrgPath("/login"), url.Values{"email": {"taro@example.jp"}, "password": {apptest.Password}}); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("old password: %d", res.StatusCode)
	}
	e.Client(t).SignIn(e.Org, "taro@example.jp", "a brand new passphrase")

	// The link works once.
	again := c.Post(link, url.Values{"password": {"yet another passphrase"}, "password_confirm": {"yet another passphrase"}})
	if again.StatusCode != http.StatusGone || !strings.Contains(again.Body, "すでに使われています") {
		t.Fatalf("reused link: %d\n%s", again.StatusCode, again.Body)
	}
	e.Client(t).SignIn(e.Org, "taro@example.jp", "a brand new passphrase")
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'auth.password_reset'`); n != 1 {
		t.Errorf("password reset audit entries = %d", n)
	}
}

func TestResetLinkExpiresAfterAnHour(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	c := e.Client(t)
	c.Lang = "en"
	link := requestReset(t, e, c, "taro@example.jp", 0)
	e.Clock.Advance(59 * time.Minute)
	if res := c.Get(link); res.StatusCode != http.StatusOK {
		t.Fatalf("link dead before the hour: %d", res.StatusCode)
	}
	e.Clock.Advance(2 * time.Minute)
	res := c.Post(link, url.Values{"password": {"a brand new passphrase"}, "password_confirm": {"a brand new passphrase"}})
	if res.StatusCode != http.StatusGone || !strings.Contains(res.Body, "This password reset link has expired") {
		t.Fatalf("expired link: %d\n%s", res.StatusCode, res.Body)
	}
	e.Client(t).SignIn(e.Org, "taro@example.jp", apptest.Password) // unchanged
}

func TestResetForUnknownEmailRevealsNothing(t *testing.T) {
	e := apptest.New(t)
	c := e.Client(t)
	res := c.Post(e.OrgPath("/forgot"), url.Values{"email": {"nobody@example.jp"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "再設定用のリンクをお送りしました") {
		t.Fatalf("unknown email: %d", res.StatusCode)
	}
	if e.RunJobs(t) != 0 || e.Count(t, `SELECT COUNT(*) FROM tokens`) != 0 {
		t.Fatal("unknown email created a token or a job")
	}
	if res := c.Post(e.OrgPath("/forgot"), url.Values{"email": {"not an email"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("malformed email: %d", res.StatusCode)
	}
	for _, link := range []string{e.OrgPath("/reset/garbage"), e.OrgPath("/reset/")} {
		res := c.Get(link)
		if link == e.OrgPath("/reset/") {
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("%s: %d", link, res.StatusCode)
			}
			continue
		}
		if res.StatusCode != http.StatusGone || !strings.Contains(res.Body, "リンクが正しくありません") {
			t.Errorf("%s: %d", link, res.StatusCode)
		}
	}
}

func TestResetTokenOfAnotherOrganizationIsInvalid(t *testing.T) {
	e := apptest.New(t)
	other := e.AddOrg(t, "kaede")
	e.AddMember(t, other, org.Alumni, "taro@example.jp")
	c := e.Client(t)
	res := c.Post("/o/kaede/forgot", url.Values{"email": {"taro@example.jp"}})
	if res.StatusCode != http.StatusOK {
		t.Fatal(res.StatusCode)
	}
	e.RunJobs(t)
	link := apptest.LinkIn(t, e.SMTP.WaitFor(t, 1, 10*time.Second)[0].Text)
	foreign := strings.Replace(link, "/o/kaede/", "/o/sakura/", 1)
	if res := c.Post(foreign, url.Values{"password": {"hijacked passphrase"}, "password_confirm": {"hijacked passphrase"}}); res.StatusCode != http.StatusGone {
		t.Fatalf("token used in another organization: %d", res.StatusCode)
	}
	if e.Count(t, `SELECT COUNT(*) FROM tokens WHERE used_at IS NOT NULL`) != 0 {
		t.Fatal("foreign use consumed the token")
	}
}
