package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/sso"
	"github.com/tsunagu/tsunagu/internal/sso/ssotest"
)

// ssoEnv is a running Tsunagu whose organization "sakura" signs in with an
// in-process OpenID Connect provider.
func ssoEnv(t *testing.T, domains string) (*apptest.Env, *ssotest.Provider) {
	t.Helper()
	e := apptest.New(t)
	p := ssotest.Start(t)
	p.Now = e.Clock.Now
	enableSSO(t, e, e.Org, p, domains)
	return e, p
}

func enableSSO(t *testing.T, e *apptest.Env, o org.Organization, p *ssotest.Provider, domains string) {
	t.Helper()
	if _, err := e.App.SSO.Save(t.Context(), o.ID, sso.Update{Issuer: p.Issuer, ClientID: p.ClientID, ClientSecret: p.ClientSecret,
		DisplayName: "社内アカウントでログイン", AllowedDomains: domains, Enabled: true}, sso.Actor{Email: "test"}); err != nil {
		t.Fatal(err)
	}
}

// ssoStart asks Tsunagu to start a sign-in and follows it to the provider,
// returning the provider's redirect back (not yet delivered).
func ssoStart(t *testing.T, c *apptest.Client, loginPath string) string {
	t.Helper()
	res := c.Get(loginPath)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("GET %s = %d\n%s", loginPath, res.StatusCode, res.Body)
	}
	authURL := res.Header.Get("Location")
	if !strings.Contains(authURL, "code_challenge_method=S256") || !strings.Contains(authURL, "nonce=") || !strings.Contains(authURL, "state=") {
		t.Fatalf("authorization URL without PKCE, nonce or state: %s", authURL)
	}
	req, _ := http.NewRequest(http.MethodGet, authURL, nil)
	back := c.Do(req)
	if back.StatusCode != http.StatusFound {
		t.Fatalf("provider /authorize = %d\n%s", back.StatusCode, back.Body)
	}
	u, err := url.Parse(back.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI()
}

// ssoSignIn runs a whole sign-in and returns Tsunagu's answer to the callback.
func ssoSignIn(t *testing.T, c *apptest.Client, loginPath string) *apptest.Response {
	t.Helper()
	return c.Get(ssoStart(t, c, loginPath))
}

type ssoCounts struct{ users, sessions, identities, memberships, usedTokens, activated int }

func countSSO(t *testing.T, e *apptest.Env) ssoCounts {
	t.Helper()
	return ssoCounts{
		users:       e.Count(t, `SELECT COUNT(*) FROM users`),
		sessions:    e.Count(t, `SELECT COUNT(*) FROM sessions`),
		identities:  e.Count(t, `SELECT COUNT(*) FROM sso_identities`),
		memberships: e.Count(t, `SELECT COUNT(*) FROM memberships`),
		usedTokens:  e.Count(t, `SELECT COUNT(*) FROM tokens WHERE used_at IS NOT NULL`),
		activated:   e.Count(t, `SELECT COUNT(*) FROM users WHERE activated_at IS NOT NULL`),
	}
}

func TestSSOLinksByVerifiedEmailThenBySubject(t *testing.T) {
	e, p := ssoEnv(t, "")
	taro := e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	p.Set(func(p *ssotest.Provider) {
		p.User = ssotest.User{Subject: "idp-0001", Email: "Taro@Example.jp", EmailVerified: true, Name: "Tanaka Taro"}
	})

	c := e.Client(t)
	res := ssoSignIn(t, c, e.OrgPath("/sso/login?next="+url.QueryEscape(e.OrgPath("/members?q=x"))))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != e.OrgPath("/members?q=x") {
		t.Fatalf("callback = %d %q\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	if home := c.Get(e.OrgPath("/")); home.StatusCode != http.StatusOK {
		t.Fatalf("signed in by SSO, home = %d", home.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM sso_identities WHERE org_id = $1 AND user_id = $2 AND subject = 'idp-0001'`, e.Org.ID, taro.UserID); n != 1 {
		t.Fatalf("identity linked %d times", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'auth.sso_signin' AND actor_user_id = $1`, taro.UserID); n != 1 {
		t.Errorf("sign-in audited %d times", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM users WHERE id = $1 AND activated_at IS NOT NULL`, taro.UserID); n != 1 {
		t.Error("not activated")
	}

	// The address changes at the provider: the subject still finds Taro.
	p.Set(func(p *ssotest.Provider) { p.User.Email = "taro.tanaka@newmail.example" })
	before := countSSO(t, e)
	c2 := e.Client(t)
	res = ssoSignIn(t, c2, e.OrgPath("/sso/login"))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != e.OrgPath("/") {
		t.Fatalf("second sign-in = %d %q\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	if acct := c2.Get(e.OrgPath("/account")); !strings.Contains(acct.Body, "taro@example.jp") {
		t.Error("second sign-in is not Taro's account")
	}
	after := countSSO(t, e)
	if after.identities != before.identities || after.users != before.users || after.sessions != before.sessions+1 {
		t.Errorf("second sign-in: before %+v after %+v", before, after)
	}
	if strings.Contains(e.Logs.String(), p.ClientSecret) {
		t.Error("the client secret reached the log")
	}
}

func TestSSOJoinFromInvitation(t *testing.T) {
	e, p := ssoEnv(t, "")
	admin := e.AddMember(t, e.Org, org.Admin, "admin@example.jp")
	link, err := e.App.Auth.Invite(t.Context(), e.Org, admin, auth.Invitation{Email: "hanako@example.jp",
		Name: org.Name{Family: "山田", Given: "花子"}, Role: org.Alumni, Lang: "ja"}, auth.Client{})
	if err != nil {
		t.Fatal(err)
	}
	secret := link[strings.LastIndex(link, "/")+1:]
	// The provider knows her by another address: the invitation, not the email, links her.
	p.Set(func(p *ssotest.Provider) {
		p.User = ssotest.User{Subject: "idp-hanako", Email: "h.yamada@corp.example", EmailVerified: true}
	})
	c := e.Client(t)
	res := ssoSignIn(t, c, e.OrgPath("/sso/login?join="+secret+"&next="+url.QueryEscape(e.OrgPath("/members"))))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != e.OrgPath("/profile") {
		t.Fatalf("join = %d %q\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	if prof := c.Get(e.OrgPath("/profile")); prof.StatusCode != http.StatusOK {
		t.Fatalf("profile after join = %d", prof.StatusCode)
	}
	hanako, err := e.App.Orgs.MemberByEmail(t.Context(), e.Org.ID, "hanako@example.jp")
	if err != nil || !hanako.Activated {
		t.Fatalf("hanako activated = %v, %v", hanako.Activated, err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM sso_identities WHERE user_id = $1`, hanako.UserID); n != 1 {
		t.Fatalf("identities = %d", n)
	}
	// The link is spent.
	again := e.Client(t).Get(e.OrgPath("/sso/login?join=" + secret))
	if again.StatusCode != http.StatusGone {
		t.Errorf("reused invitation: %d\n%s", again.StatusCode, again.Body)
	}
	if form := e.Client(t).Get(e.OrgPath("/join/" + secret)); form.StatusCode != http.StatusGone {
		t.Errorf("join page after SSO join: %d", form.StatusCode)
	}
}

func TestSSOPreregistersEmployeeByDomain(t *testing.T) {
	e, p := ssoEnv(t, "sakura-tech.co.jp, example.org")
	p.Set(func(p *ssotest.Provider) {
		p.User = ssotest.User{Subject: "emp-1", Email: "jiro@sakura-tech.co.jp", EmailVerified: true, FamilyName: "鈴木", GivenName: "次郎"}
	})
	c := e.Client(t)
	res := ssoSignIn(t, c, e.OrgPath("/sso/login"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("pre-registration = %d\n%s", res.StatusCode, res.Body)
	}
	m, err := e.App.Orgs.MemberByEmail(t.Context(), e.Org.ID, "jiro@sakura-tech.co.jp")
	if err != nil {
		t.Fatal(err)
	}
	if m.Role != org.Employee || m.PasswordSet || !m.Activated || m.Name.Family != "鈴木" || m.Name.Given != "次郎" {
		t.Errorf("pre-registered member: %+v", m)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM member_internal WHERE user_id = $1 AND hr_source = 'sso'`, m.UserID); n != 1 {
		t.Error("no HR record with source sso")
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'sso.employee_preregistered'`); n != 1 {
		t.Error("pre-registration not audited")
	}
	if home := c.Get(e.OrgPath("/")); home.StatusCode != http.StatusOK {
		t.Errorf("home = %d", home.StatusCode)
	}
}

func TestSSOFailuresWriteNothing(t *testing.T) {
	e, p := ssoEnv(t, "sakura-tech.co.jp")
	kaede := e.AddOrg(t, "kaede")
	enableSSO(t, e, kaede, p, "sakura-tech.co.jp")
	e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	for _, addr := range []string{"gone@example.jp", "gone@sakura-tech.co.jp"} {
		gone := e.AddMember(t, e.Org, org.Employee, addr)
		if _, err := e.App.DB.Write().ExecContext(t.Context(), `UPDATE memberships SET ended_at = $2 WHERE user_id = $1`, gone.UserID, e.Clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	good := ssotest.User{Subject: "idp-taro", Email: "taro@example.jp", EmailVerified: true}
	reset := func(p *ssotest.Provider) {
		p.User, p.Audience, p.TokenTTL, p.BadSignature, p.WrongNonce, p.DenyWith = good, "", 5*time.Minute, false, false, ""
	}
	deliver := func(t *testing.T, c *apptest.Client, callback string) *apptest.Response { return c.Get(callback) }
	cases := []struct {
		name   string
		knob   func(p *ssotest.Provider)
		send   func(t *testing.T, c *apptest.Client, callback string) *apptest.Response
		status int
		want   string
		reason string // in the audit entry of the failure ("" when none is written)
	}{
		{"wrong audience", func(p *ssotest.Provider) { p.Audience = "someone-else" }, deliver, http.StatusUnauthorized, "ログイン情報を確認できませんでした", "expected audience"},
		{"expired token", func(p *ssotest.Provider) { p.TokenTTL = -time.Minute }, deliver, http.StatusUnauthorized, "有効期限が切れていました", "ID token expired"},
		{"unverified email", func(p *ssotest.Provider) { p.User.EmailVerified = false }, deliver, http.StatusForbidden, "メールアドレスの確認が済んでいない", "email not verified"},
		{"bad signature", func(p *ssotest.Provider) { p.BadSignature = true }, deliver, http.StatusUnauthorized, "ログイン情報を確認できませんでした", "signature"},
		{"wrong nonce", func(p *ssotest.Provider) { p.WrongNonce = true }, deliver, http.StatusUnauthorized, "ログイン情報を確認できませんでした", "nonce does not match"},
		{"unknown email", func(p *ssotest.Provider) {
			p.User = ssotest.User{Subject: "x", Email: "who@else.example", EmailVerified: true}
		}, deliver,
			http.StatusForbidden, "このメールアドレスはメンバーとして登録されていません。人事担当にお問い合わせください。", "no membership"},
		{"membership ended", func(p *ssotest.Provider) {
			p.User = ssotest.User{Subject: "g", Email: "gone@example.jp", EmailVerified: true}
		}, deliver,
			http.StatusForbidden, "メンバーとして登録されていません", "no membership"},
		{"membership ended, allowed domain", func(p *ssotest.Provider) {
			p.User = ssotest.User{Subject: "g2", Email: "gone@sakura-tech.co.jp", EmailVerified: true}
		}, deliver, http.StatusForbidden, "メンバーとして登録されていません", "no membership"},
		{"provider denies", func(p *ssotest.Provider) { p.DenyWith = "access_denied" }, deliver, http.StatusUnauthorized, "中止されたか、拒否されました", "access_denied"},
		{"state from another browser", nil, func(t *testing.T, _ *apptest.Client, callback string) *apptest.Response {
			return e.Client(t).Get(callback)
		}, http.StatusBadRequest, "ログインの手続きを確認できませんでした", ""},
		{"state replayed", nil, func(t *testing.T, c *apptest.Client, callback string) *apptest.Response {
			u, _ := url.Parse(callback)
			q := u.Query()
			q.Set("state", "forged-"+q.Get("state"))
			return c.Get(u.Path + "?" + q.Encode())
		}, http.StatusBadRequest, "ログインの手続きを確認できませんでした", ""},
		{"foreign organization", nil, func(t *testing.T, c *apptest.Client, callback string) *apptest.Response {
			return c.Get(strings.Replace(callback, "/o/sakura/", "/o/kaede/", 1))
		}, http.StatusBadRequest, "ログインの手続きを確認できませんでした", ""},
		{"too slow", func(*ssotest.Provider) {}, func(t *testing.T, c *apptest.Client, callback string) *apptest.Response {
			e.Clock.Advance(11 * time.Minute)
			return c.Get(callback)
		}, http.StatusBadRequest, "時間がかかりすぎた", ""},
		{"disabled meanwhile", nil, func(t *testing.T, c *apptest.Client, callback string) *apptest.Response {
			if _, err := e.App.DB.Write().ExecContext(t.Context(), `UPDATE sso_settings SET enabled = FALSE WHERE org_id = $1`, e.Org.ID); err != nil {
				t.Fatal(err)
			}
			defer enableSSO(t, e, e.Org, p, "sakura-tech.co.jp")
			return c.Get(callback)
		}, http.StatusNotFound, "SSOによるログインが有効になっていません", "not enabled"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p.Set(reset)
			if tc.knob != nil {
				p.Set(tc.knob)
			}
			before := countSSO(t, e)
			failures := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'auth.sso_failed'`)
			c := e.Client(t)
			callback := ssoStart(t, c, e.OrgPath("/sso/login"))
			res := tc.send(t, c, callback)
			if res.StatusCode != tc.status || !strings.Contains(res.Body, tc.want) {
				t.Errorf("status %d, want %d with %q\n%s", res.StatusCode, tc.status, tc.want, res.Body)
			}
			if after := countSSO(t, e); after != before {
				t.Errorf("written: before %+v after %+v", before, after)
			}
			if home := c.Get(e.OrgPath("/")); home.StatusCode != http.StatusSeeOther {
				t.Errorf("signed in after a failure: %d", home.StatusCode)
			}
			if tc.reason != "" {
				var detail string
				if err := e.App.DB.Read().QueryRowContext(t.Context(), `SELECT detail FROM audit_log WHERE action = 'auth.sso_failed' ORDER BY id DESC LIMIT 1`).Scan(&detail); err != nil ||
					!strings.Contains(detail, tc.reason) || e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'auth.sso_failed'`) != failures+1 {
					t.Errorf("failure not audited once with reason %q: %q %v", tc.reason, detail, err)
				}
			}
			if tc.reason == "" && e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'auth.sso_failed'`) != failures {
				t.Error("a refused state was audited")
			}
		})
	}

	// Disabled SSO: the sign-in does not even start, and the button is gone.
	if _, err := e.App.SSO.Save(t.Context(), e.Org.ID, sso.Update{Issuer: p.Issuer, ClientID: p.ClientID}, sso.Actor{}); err != nil {
		t.Fatal(err)
	}
	c := e.Client(t)
	if res := c.Get(e.OrgPath("/sso/login")); res.StatusCode != http.StatusNotFound || !strings.Contains(res.Body, "有効になっていません") {
		t.Errorf("disabled: %d\n%s", res.StatusCode, res.Body)
	}
	if res := c.Get(e.OrgPath("/login")); strings.Contains(res.Body, "/sso/login") {
		t.Error("disabled SSO still offered on the sign-in page")
	}
	if res := c.Get("/o/kaede/login"); !strings.Contains(res.Body, "社内アカウントでログイン") || !strings.Contains(res.Body, `href="/o/kaede/sso/login"`) {
		t.Errorf("enabled SSO not offered on the sign-in page:\n%s", res.Body)
	}
}

func TestSSOEndedMembershipLinkedBefore(t *testing.T) {
	e, p := ssoEnv(t, "")
	taro := e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	p.Set(func(p *ssotest.Provider) {
		p.User = ssotest.User{Subject: "t", Email: "taro@example.jp", EmailVerified: true}
	})
	if res := ssoSignIn(t, e.Client(t), e.OrgPath("/sso/login")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first sign-in: %d", res.StatusCode)
	}
	if _, err := e.App.DB.Write().ExecContext(t.Context(), `UPDATE memberships SET ended_at = $2 WHERE user_id = $1`, taro.UserID, e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	before := countSSO(t, e)
	c := e.Client(t)
	c.Lang = "en"
	res := ssoSignIn(t, c, e.OrgPath("/sso/login"))
	if res.StatusCode != http.StatusForbidden || !strings.Contains(res.Body, "This email address is not registered as a member. Please contact your HR team.") {
		t.Errorf("ended membership signed in: %d\n%s", res.StatusCode, res.Body)
	}
	if after := countSSO(t, e); after != before {
		t.Errorf("written: %+v → %+v", before, after)
	}
}

func TestSSORefusesOpenRedirect(t *testing.T) {
	e, p := ssoEnv(t, "")
	e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	e.AddOrg(t, "kaede")
	p.Set(func(p *ssotest.Provider) {
		p.User = ssotest.User{Subject: "t", Email: "taro@example.jp", EmailVerified: true}
	})
	for _, next := range []string{"https://evil.example/", "//evil.example/o/sakura/", "/o/sakura//evil.example", "/o/kaede/", `/o/sakura/\evil`, "javascript:alert(1)"} {
		res := ssoSignIn(t, e.Client(t), e.OrgPath("/sso/login?next="+url.QueryEscape(next)))
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != e.OrgPath("/") {
			t.Errorf("next=%q: %d %q", next, res.StatusCode, res.Header.Get("Location"))
		}
	}
}

func TestSSOAccountConflictRefused(t *testing.T) {
	// An address reassigned at the provider (a new subject with the address of
	// an account already linked) must not take the account over.
	e, p := ssoEnv(t, "")
	e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	p.Set(func(p *ssotest.Provider) {
		p.User = ssotest.User{Subject: "first", Email: "taro@example.jp", EmailVerified: true}
	})
	if res := ssoSignIn(t, e.Client(t), e.OrgPath("/sso/login")); res.StatusCode != http.StatusSeeOther {
		t.Fatal(res.StatusCode)
	}
	p.Set(func(p *ssotest.Provider) { p.User.Subject = "second" })
	before := countSSO(t, e)
	res := ssoSignIn(t, e.Client(t), e.OrgPath("/sso/login"))
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "別のSSOアカウントと連携されています") {
		t.Errorf("conflict: %d\n%s", res.StatusCode, res.Body)
	}
	if after := countSSO(t, e); after != before {
		t.Errorf("written: %+v → %+v", before, after)
	}
}
