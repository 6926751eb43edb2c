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

func TestSignInAndOut(t *testing.T) {
	e := apptest.New(t)
	m := e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	c := e.Client(t)

	// Signed out: the home page sends you to sign in, remembering where you were.
	res := c.Get(e.OrgPath("/account"))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != e.OrgPath("/login?next=%2Fo%2Fsakura%2Faccount") {
		t.Fatalf("signed-out account page: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	res = c.Post(e.OrgPath("/login"), url.Values{"email": {" TARO@example.jp "}, "password": {apptest.Password}, "next": {e.OrgPath("/account")}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != e.OrgPath("/account") {
		t.Fatalf("sign in: %d %q %s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	cookie := sessionCookie(t, res)
	if !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/o/sakura/" {
		t.Errorf("session cookie attributes: %+v", cookie)
	}
	home := c.Get(e.OrgPath("/"))
	if home.StatusCode != http.StatusOK || !strings.Contains(home.Body, "ようこそ、田中 太郎さん") {
		t.Fatalf("home after sign-in: %d\n%s", home.StatusCode, home.Body)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE org_id = $1 AND action = 'auth.signin' AND actor_user_id = $2`, e.Org.ID, m.UserID); n != 1 {
		t.Errorf("sign-in audit entries = %d", n)
	}

	res = c.Post(e.OrgPath("/logout"), nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", res.StatusCode)
	}
	if e.Count(t, `SELECT COUNT(*) FROM sessions WHERE org_id = $1`, e.Org.ID) != 0 {
		t.Error("session row survives sign-out")
	}
	if c.Get(e.OrgPath("/")).StatusCode != http.StatusSeeOther {
		t.Error("home still reachable after sign-out")
	}
	// The old cookie value is dead on the server, not only in this browser.
	replay := e.Client(t)
	replay.HTTP.Jar.SetCookies(mustURL(t, e.URL(e.OrgPath("/"))), []*http.Cookie{{Name: "tsunagu_session", Value: cookie.Value, Path: "/o/sakura/"}})
	if replay.Get(e.OrgPath("/")).StatusCode != http.StatusSeeOther {
		t.Error("signed-out session cookie still works when replayed")
	}
}

func TestWrongPasswordAndUnknownEmailLookTheSame(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	for _, lang := range []string{"ja", "en"} {
		c := e.Client(t)
		c.Lang = lang
		wrong := c.Post(e.OrgPath("/login"), url.Values{"email": {"taro@example.jp"}, "password": {"not the password"}})
		unknown := c.Post(e.OrgPath("/login"), url.Values{"email": {"nobody@example.jp"}, "password": {"not the password"}})
		want := map[string]string{"ja": "メールアドレスまたはパスワードが正しくありません。", "en": "The email address or password is incorrect."}[lang]
		for _, res := range []*apptest.Response{wrong, unknown} {
			if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.Body, want) {
				t.Errorf("%s: status %d, want 401 with %q", lang, res.StatusCode, want)
			}
			if len(res.Cookies()) > 0 && sessionCookieOrNil(res) != nil {
				t.Errorf("%s: a failed sign-in set a session cookie", lang)
			}
		}
		// The email typed stays in the form; the password does not.
		if !strings.Contains(wrong.Body, `value="taro@example.jp"`) || strings.Contains(wrong.Body, "not the password") {
			t.Errorf("%s: form refill wrong", lang)
		}
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'auth.signin_failed'`); n != 4 {
		t.Errorf("failed sign-in audit entries = %d, want 4", n)
	}
	if e.Count(t, `SELECT COUNT(*) FROM sessions`) != 0 {
		t.Error("a failed sign-in created a session")
	}
	c := e.Client(t)
	if res := c.Post(e.OrgPath("/login"), url.Values{"email": {""}, "password": {""}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "入力してください") {
		t.Errorf("empty form: %d", res.StatusCode)
	}
}

func TestAccountLockoutAfterRepeatedFailures(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	c := e.Client(t)
	for i := 0; i < 5; i++ {
		if res := c.Post(e.OrgPath("/login"), url.Values{"email": {"taro@example.jp"}, "password": {"guess"}}); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, res.StatusCode)
		}
	}
	// Locked now: even the right password is refused, with a message saying when to retry.
	res := c.Post(e.OrgPath("/login"), url.Values{"email": {"taro@example.jp"}, "password": {apptest.Password}})
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(res.Body, "15分後") || res.Header.Get("Retry-After") == "" {
		t.Fatalf("locked account: %d Retry-After=%q\n%s", res.StatusCode, res.Header.Get("Retry-After"), res.Body)
	}
	if e.Count(t, `SELECT COUNT(*) FROM sessions`) != 0 {
		t.Fatal("locked account got a session")
	}
	// Another account from the same address is not locked by it.
	e.AddMember(t, e.Org, org.Alumni, "hanako@example.jp")
	c.SignIn(e.Org, "hanako@example.jp", apptest.Password)

	e.Clock.Advance(16 * time.Minute)
	e.Client(t).SignIn(e.Org, "taro@example.jp", apptest.Password)
}

func TestAddressThrottleAcrossAccounts(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	c := e.Client(t)
	c.Lang = "en"
	// Spraying one password over many accounts trips the per-address limit.
	for i := 0; i < 30; i++ {
		res := c.Post(e.OrgPath("/login"), url.Values{"email": {"user" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "@example.jp"}, "password": {"Summer2026!"}})
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, res.StatusCode)
		}
	}
	res := c.Post(e.OrgPath("/login"), url.Values{"email": {"taro@example.jp"}, "password": {apptest.Password}})
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(res.Body, "Too many failed sign-ins") {
		t.Fatalf("throttled address: %d\n%s", res.StatusCode, res.Body)
	}
	if e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'auth.signin_throttled'`) != 1 {
		t.Error("throttled attempt not audited")
	}
}

func TestSessionTimeouts(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	c := e.Client(t)
	c.SignIn(e.Org, "taro@example.jp", apptest.Password)
	// Activity keeps the session alive past the idle limit...
	for i := 0; i < 3; i++ {
		e.Clock.Advance(11 * time.Hour)
		if res := c.Get(e.OrgPath("/")); res.StatusCode != http.StatusOK {
			t.Fatalf("active session ended after %d x 11h: %d", i+1, res.StatusCode)
		}
	}
	// ...but not idleness.
	e.Clock.Advance(12*time.Hour + time.Minute)
	if res := c.Get(e.OrgPath("/")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("idle session still valid: %d", res.StatusCode)
	}
	// The absolute limit ends even a busy session.
	c.SignIn(e.Org, "taro@example.jp", apptest.Password)
	for elapsed := time.Duration(0); elapsed < 14*24*time.Hour-10*time.Hour; elapsed += 10 * time.Hour {
		e.Clock.Advance(10 * time.Hour)
		if res := c.Get(e.OrgPath("/")); res.StatusCode != http.StatusOK {
			t.Fatalf("busy session ended early at %v: %d", elapsed, res.StatusCode)
		}
	}
	e.Clock.Advance(11 * time.Hour)
	if res := c.Get(e.OrgPath("/")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("session outlived the absolute limit: %d", res.StatusCode)
	}
}

func TestSignOutEverywhere(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	phone, laptop := e.Client(t), e.Client(t)
	phone.SignIn(e.Org, "taro@example.jp", apptest.Password)
	laptop.SignIn(e.Org, "taro@example.jp", apptest.Password)
	if acc := laptop.Get(e.OrgPath("/account")); !strings.Contains(acc.Body, "現在 2 台の端末") {
		t.Fatalf("account page should count 2 sessions:\n%s", acc.Body)
	}
	if res := laptop.Post(e.OrgPath("/account/signout-everywhere"), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out everywhere: %d", res.StatusCode)
	}
	if phone.Get(e.OrgPath("/")).StatusCode != http.StatusSeeOther || laptop.Get(e.OrgPath("/")).StatusCode != http.StatusSeeOther {
		t.Fatal("a session survived sign-out everywhere")
	}
}

func TestSignInRenewsSessionID(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	c := e.Client(t)
	first := sessionCookie(t, c.Post(e.OrgPath("/login"), url.Values{"email": {"taro@example.jp"}, "password": {apptest.Password}}))
	second := sessionCookie(t, c.Post(e.OrgPath("/login"), url.Values{"email": {"taro@example.jp"}, "password": {apptest.Password}}))
	if first.Value == second.Value {
		t.Fatal("signing in again reused the session id")
	}
	if e.Count(t, `SELECT COUNT(*) FROM sessions`) != 1 {
		t.Error("the replaced session was not deleted")
	}
}

func TestOpenRedirectRefused(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	for _, next := range []string{"https://evil.example/", "//evil.example/o/sakura/", "/o/other/", `/o/sakura/\evil`} {
		res := e.Client(t).Post(e.OrgPath("/login"), url.Values{"email": {"taro@example.jp"}, "password": {apptest.Password}, "next": {next}})
		if loc := res.Header.Get("Location"); loc != e.OrgPath("/") {
			t.Errorf("next=%q redirected to %q", next, loc)
		}
	}
}

func sessionCookieOrNil(res *apptest.Response) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == "tsunagu_session" && c.Value != "" {
			return c
		}
	}
	return nil
}

func sessionCookie(t *testing.T, res *apptest.Response) *http.Cookie {
	t.Helper()
	c := sessionCookieOrNil(res)
	if c == nil {
		t.Fatalf("no session cookie (status %d)", res.StatusCode)
	}
	return c
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
