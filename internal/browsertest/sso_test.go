package browsertest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/sso"
	"github.com/tsunagu/tsunagu/internal/sso/ssotest"
)

// TestSSOSignInOnAPhone: a member taps the company sign-in button, passes
// through the provider and lands home; the admin's settings page and the
// error page pass axe at 390 px.
func TestSSOSignInOnAPhone(t *testing.T) {
	browserPath(t)
	axeSource, err := os.ReadFile(filepath.Join("..", "web", "testdata", "axe-4.14.1.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	e := apptest.New(t)
	p := ssotest.Start(t)
	p.Now = e.Clock.Now
	e.AddMember(t, e.Org, org.Admin, adminEmail)
	e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	if _, err := e.App.SSO.Save(t.Context(), e.Org.ID, sso.Update{Issuer: p.Issuer, ClientID: p.ClientID, ClientSecret: p.ClientSecret,
		DisplayName: "Google Workspace でログイン", Enabled: true}, sso.Actor{}); err != nil {
		t.Fatal(err)
	}
	p.Set(func(p *ssotest.Provider) {
		p.User = ssotest.User{Subject: "idp-taro", Email: "taro@example.jp", EmailVerified: true}
	})
	b := newBrowser(t, e, phone)
	check := func(page string) {
		t.Helper()
		b.checkAxe(string(axeSource), page)
		b.checkNoSidewaysScroll(page)
		b.checkConsole("on " + page)
	}

	b.open(e.OrgPath("/login"))
	b.wantText(`main a.button[href="/o/sakura/sso/login"]`, "Google Workspace でログイン")
	check("the sign-in page with SSO")
	b.do("tap the SSO button", chromedp.Click(chromedp.CSS(`main a.button[href="/o/sakura/sso/login"]`)))
	b.waitFor("home after SSO", `location.pathname === "/o/sakura/" && document.readyState === "complete" && document.querySelector("h1") !== null`)
	if got := b.text("h1"); !strings.Contains(got, "田中") {
		t.Errorf("home after SSO: h1 = %q", got)
	}

	// A stale callback shows a page that says what to do.
	b.open(e.OrgPath("/sso/callback?state=stale&code=x"))
	if got := b.text("main"); !strings.Contains(got, "ログインの手続きを確認できませんでした") {
		t.Errorf("stale callback: %q", got)
	}
	b.checkAxe(string(axeSource), "the SSO error page")
	b.checkNoSidewaysScroll("the SSO error page")
	// The page's own 400 status is the only console message it causes.
	b.mu.Lock()
	b.console = slices.DeleteFunc(b.console, func(m string) bool { return strings.Contains(m, "status of 400") })
	b.mu.Unlock()

	b.do("sign out", chromedp.Click(chromedp.CSS(`header form.signout button[type="submit"]`)))
	b.waitFor("the sign-in page", `location.pathname === "/o/sakura/login" && document.readyState === "complete"`)
	b.signIn(adminEmail)
	b.open(e.OrgPath("/admin/sso"))
	check("the SSO settings page")
	b.do("test the connection", chromedp.Click(chromedp.CSS(`button[formaction$="/admin/sso/test"]`)))
	b.waitFor("the test result", `document.readyState === "complete" && document.querySelector(".notice") !== null`)
	if got := b.text(".notice"); !strings.Contains(got, "接続に成功しました") {
		t.Errorf("connection test: %q", got)
	}
	check("the SSO settings page after a test")
}
