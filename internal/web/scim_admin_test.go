package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
)

var scimSecretInPage = regexp.MustCompile(`value="(tsc_[A-Za-z0-9_-]{43})"`)

// scimStatus lists users with a SCIM token, as an identity provider would.
func scimStatus(t *testing.T, e *apptest.Env, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", e.URL("/scim/v2/Users?filter="+url.QueryEscape(`userName eq "x@example.jp"`)), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestSCIMSettingsPage(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Admin, "admin@sakura.example.jp")
	admin := e.Client(t)
	admin.SignIn(e.Org, "admin@sakura.example.jp", apptest.Password)

	res := admin.Get(e.OrgPath("/admin/scim"))
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "<h1>SCIM連携</h1>") || !strings.Contains(res.Body, "トークンはまだありません") ||
		!strings.Contains(res.Body, `value="`+e.Server.URL+`/scim/v2"`) || !strings.Contains(res.Body, "管理者・サポーター、退職済みのアルムナイはSCIMから変更できません") {
		t.Fatalf("empty SCIM page: %d\n%s", res.StatusCode, res.Body)
	}

	// A bad name is refused next to the field and creates nothing.
	for _, bad := range []string{"", " \t", strings.Repeat("名", 101), "a\nb"} {
		res := admin.Post(e.OrgPath("/admin/scim"), url.Values{"name": {bad}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "名前は改行を含めず1〜100文字で入力してください") {
			t.Errorf("name %q: %d", bad, res.StatusCode)
		}
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM scim_tokens`) + e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'scim.%'`); n != 0 {
		t.Fatalf("%d rows written from bad names", n)
	}

	// Created: the secret once, with the warning; it works on /scim/v2.
	res = admin.Post(e.OrgPath("/admin/scim"), url.Values{"name": {"Entra ID 本番"}})
	m := scimSecretInPage.FindStringSubmatch(res.Body)
	if res.StatusCode != http.StatusCreated || m == nil || !strings.Contains(res.Body, "トークン「Entra ID 本番」を作成しました") ||
		!strings.Contains(res.Body, "トークンが表示されるのは今回だけです") {
		t.Fatalf("create: %d\n%s", res.StatusCode, res.Body)
	}
	secret := m[1]
	if got := scimStatus(t, e, secret); got != http.StatusOK {
		t.Fatalf("new token on SCIM: %d", got)
	}
	if got := apiStatus(t, e, secret); got != http.StatusUnauthorized {
		t.Errorf("a SCIM token on the read API: %d", got)
	}
	if e.Count(t, `SELECT COUNT(*) FROM scim_tokens WHERE hash = $1`, secret) != 0 {
		t.Fatal("the secret is stored in clear")
	}
	res = admin.Get(e.OrgPath("/admin/scim"))
	if strings.Contains(res.Body, secret) || !strings.Contains(res.Body, "Entra ID 本番") || !strings.Contains(res.Body, ">有効<") {
		t.Errorf("list after creation:\n%s", res.Body)
	}

	// Revoked: a notice; the token stops working; others' ids are 404.
	var id int64
	if err := e.App.DB.Read().QueryRowContext(t.Context(), `SELECT id FROM scim_tokens`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Body, fmt.Sprintf(`action="%s"`, e.OrgPath(fmt.Sprintf("/admin/scim/%d/revoke", id)))) {
		t.Errorf("no revoke button for token %d:\n%s", id, res.Body)
	}
	for _, bad := range []string{"abc", "0", "-1", "99999999"} {
		if res := admin.Post(e.OrgPath("/admin/scim/"+bad+"/revoke"), nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("revoke %s: %d", bad, res.StatusCode)
		}
	}
	res = admin.Post(e.OrgPath(fmt.Sprintf("/admin/scim/%d/revoke", id)), nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != e.OrgPath("/admin/scim") {
		t.Fatalf("revoke: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	res = admin.Get(e.OrgPath("/admin/scim"))
	if !strings.Contains(res.Body, "SCIMトークンを無効化しました") || !strings.Contains(res.Body, ">無効<") {
		t.Errorf("after revocation:\n%s", res.Body)
	}
	if got := scimStatus(t, e, secret); got != http.StatusUnauthorized {
		t.Fatalf("revoked token on SCIM: %d", got)
	}
	res = admin.Get(e.OrgPath("/admin/audit"))
	if !strings.Contains(res.Body, "SCIMトークンを作成") || !strings.Contains(res.Body, "SCIMトークンを無効化") || strings.Contains(res.Body, secret[4:]) {
		t.Errorf("audit page:\n%s", res.Body)
	}

	// English.
	en := e.Client(t)
	en.Lang = "en"
	en.SignIn(e.Org, "admin@sakura.example.jp", apptest.Password)
	if res := en.Get(e.OrgPath("/admin/scim")); !strings.Contains(res.Body, "<h1>SCIM provisioning</h1>") || !strings.Contains(res.Body, "SCIM base URL") {
		t.Errorf("English page:\n%s", res.Body)
	}
}

func TestSCIMTokenOfAnotherOrganizationCannotBeRevoked(t *testing.T) {
	e := apptest.New(t)
	kaede := e.AddOrg(t, "kaede")
	e.AddMember(t, e.Org, org.Admin, "admin@sakura.example.jp")
	secret := e.SCIMToken(t, kaede, "kaede Okta")
	var id int64
	if err := e.App.DB.Read().QueryRowContext(t.Context(), `SELECT id FROM scim_tokens`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	admin := e.Client(t)
	admin.SignIn(e.Org, "admin@sakura.example.jp", apptest.Password)
	before := e.Count(t, `SELECT COUNT(*) FROM audit_log`)
	if res := admin.Post(e.OrgPath(fmt.Sprintf("/admin/scim/%d/revoke", id)), nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("revoke kaede's token from sakura: %d", res.StatusCode)
	}
	if e.Count(t, `SELECT COUNT(*) FROM scim_tokens WHERE revoked_at IS NOT NULL`) != 0 || e.Count(t, `SELECT COUNT(*) FROM audit_log`) != before {
		t.Fatal("another organization's token was revoked or audited")
	}
	if got := scimStatus(t, e, secret); got != http.StatusOK {
		t.Fatalf("kaede's token after the attempt: %d", got)
	}
	if res := admin.Get(e.OrgPath("/admin/scim")); strings.Contains(res.Body, "kaede Okta") {
		t.Fatal("sakura's admin sees kaede's tokens")
	}
}
