package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/sso/ssotest"
)

func TestSSOSettingsForm(t *testing.T) {
	e := apptest.New(t)
	p := ssotest.Start(t)
	p.Now = e.Clock.Now
	e.AddMember(t, e.Org, org.Admin, "admin@example.jp")
	e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	c := e.Client(t)
	c.SignIn(e.Org, "admin@example.jp", apptest.Password)

	page := c.Get(e.OrgPath("/admin/sso"))
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, e.URL(e.OrgPath("/sso/callback"))) {
		t.Fatalf("settings page without the redirect URI: %d\n%s", page.StatusCode, page.Body)
	}

	bad := []struct {
		name string
		form url.Values
		want []string
	}{
		{"enabled without anything", url.Values{"enabled": {"on"}},
			[]string{"発行者URLを入力してください", "クライアントIDを入力してください", "クライアントシークレットを入力してください"}},
		{"http issuer elsewhere", url.Values{"issuer": {"http://idp.example.com"}, "client_id": {"x"}, "client_secret": {"y"}},
			[]string{"https:// で始まる必要があります"}},
		{"not a URL", url.Values{"issuer": {"accounts.google.com"}}, []string{"発行者URLの形式が正しくありません"}},
		{"bad domain", url.Values{"issuer": {p.Issuer}, "allowed_domains": {"sakura-tech.co.jp\nnot a domain"}},
			[]string{"メールドメインの形式が正しくありません"}},
		{"label too long", url.Values{"issuer": {p.Issuer}, "display_name": {strings.Repeat("あ", 61)}}, []string{"60文字以内"}},
	}
	for _, tc := range bad {
		res := c.Post(e.OrgPath("/admin/sso"), tc.form)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d", tc.name, res.StatusCode)
		}
		for _, w := range tc.want {
			if !strings.Contains(res.Body, w) {
				t.Errorf("%s: no %q\n%s", tc.name, w, res.Body)
			}
		}
		if tc.form.Get("client_secret") != "" && strings.Contains(res.Body, `value="`+tc.form.Get("client_secret")+`"`) {
			t.Errorf("%s: the secret was rendered back", tc.name)
		}
		if n := e.Count(t, `SELECT COUNT(*) FROM sso_settings`); n != 0 {
			t.Fatalf("%s: settings saved", tc.name)
		}
		if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'sso.settings_changed'`); n != 0 {
			t.Fatalf("%s: audited", tc.name)
		}
	}

	const secret = "s3cret-test-secret"
	good := url.Values{"issuer": {p.Issuer}, "client_id": {p.ClientID}, "client_secret": {secret},
		"display_name": {"Google Workspace でログイン"}, "allowed_domains": {"@Sakura-Tech.co.jp"}, "enabled": {"on"}}
	if res := c.Post(e.OrgPath("/admin/sso"), good); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", res.StatusCode, res.Body)
	}
	page = c.Get(e.OrgPath("/admin/sso"))
	if strings.Contains(page.Body, secret) || !strings.Contains(page.Body, "保存済みです") || !strings.Contains(page.Body, "sakura-tech.co.jp") ||
		!strings.Contains(page.Body, "SSOの設定を保存しました") {
		t.Errorf("after save:\n%s", page.Body)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'sso.settings_changed' AND detail NOT LIKE $1`, "%"+secret+"%"); n != 1 {
		t.Errorf("audited %d times without the secret", n)
	}
	// Saving again without typing the secret keeps it: sign-in still works.
	good.Del("client_secret")
	if res := c.Post(e.OrgPath("/admin/sso"), good); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save without secret: %d\n%s", res.StatusCode, res.Body)
	}
	p.Set(func(p *ssotest.Provider) {
		p.User = ssotest.User{Subject: "t", Email: "taro@example.jp", EmailVerified: true}
	})
	member := e.Client(t)
	if login := member.Get(e.OrgPath("/login")); !strings.Contains(login.Body, "Google Workspace でログイン") {
		t.Errorf("no SSO button:\n%s", login.Body)
	}
	if res := ssoSignIn(t, member, e.OrgPath("/sso/login")); res.StatusCode != http.StatusSeeOther {
		t.Errorf("sign-in after re-saving: %d\n%s", res.StatusCode, res.Body)
	}
	if strings.Contains(e.Logs.String(), secret) {
		t.Error("the secret reached the log")
	}

	// Test the connection, without saving.
	tests := []struct {
		issuer string
		status int
		want   string
	}{
		{p.Issuer, http.StatusOK, "接続に成功しました"},
		{p.Issuer + "/", http.StatusUnprocessableEntity, "入力されたURLと一致しません"},
		{"http://127.0.0.1:1", http.StatusUnprocessableEntity, "接続できませんでした"},
		{p.Issuer + "/nothing-here", http.StatusUnprocessableEntity, "設定情報を取得できませんでした"},
		{"ftp://idp.example.com", http.StatusUnprocessableEntity, "形式が正しくありません"},
	}
	for _, tc := range tests {
		form := url.Values{"issuer": {tc.issuer}, "client_id": {"x"}, "client_secret": {"typed-secret"}}
		res := c.Post(e.OrgPath("/admin/sso/test"), form)
		if res.StatusCode != tc.status || !strings.Contains(res.Body, tc.want) {
			t.Errorf("test %s: %d\n%s", tc.issuer, res.StatusCode, res.Body)
		}
		if strings.Contains(res.Body, "typed-secret") {
			t.Errorf("test %s: secret rendered back", tc.issuer)
		}
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM sso_settings WHERE issuer = $1`, p.Issuer); n != 1 {
		t.Error("the connection test changed the settings")
	}

	// The key file was replaced: the page says to enter the secret again, and
	// enabling without it is refused.
	if _, err := e.App.DB.Write().ExecContext(t.Context(), `UPDATE sso_settings SET client_secret = 'v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'`); err != nil {
		t.Fatal(err)
	}
	if page := c.Get(e.OrgPath("/admin/sso")); !strings.Contains(page.Body, "復号できません") {
		t.Errorf("unreadable secret not explained:\n%s", page.Body)
	}
	if res := c.Post(e.OrgPath("/admin/sso"), good); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "クライアントシークレットを入力してください") {
		t.Errorf("enabled with an unreadable secret: %d", res.StatusCode)
	}
}
