package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

var secretInPage = regexp.MustCompile(`value="(tsu_[A-Za-z0-9_-]{43})"`)

// apiStatus calls GET /api/v1/members with a token.
func apiStatus(t *testing.T, e *apptest.Env, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", e.URL("/api/v1/members"), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

func TestAPITokensPage(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Admin, "admin@sakura.example.jp")
	admin := e.Client(t)
	admin.SignIn(e.Org, "admin@sakura.example.jp", apptest.Password)

	res := admin.Get(e.OrgPath("/admin/api-tokens"))
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "<h1>APIトークン</h1>") || !strings.Contains(res.Body, "トークンはまだありません") {
		t.Fatalf("empty tokens page: %d\n%s", res.StatusCode, res.Body)
	}
	if !strings.Contains(res.Body, `href="/api/v1/openapi.yaml"`) {
		t.Error("no link to the API reference")
	}

	// A bad name is refused with a message and creates nothing.
	for _, bad := range []string{"", "   ", strings.Repeat("名", 101)} {
		res := admin.Post(e.OrgPath("/admin/api-tokens"), url.Values{"name": {bad}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "名前を1〜100文字で入力してください") {
			t.Errorf("name %q: %d", bad, res.StatusCode)
		}
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM api_tokens`); n != 0 {
		t.Fatalf("%d tokens created from bad names", n)
	}

	// Creation shows the secret once, with the warning.
	res = admin.Post(e.OrgPath("/admin/api-tokens"), url.Values{"name": {"人事システム連携"}})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d\n%s", res.StatusCode, res.Body)
	}
	m := secretInPage.FindStringSubmatch(res.Body)
	if m == nil {
		t.Fatalf("no secret in the page:\n%s", res.Body)
	}
	secret := m[1]
	for _, want := range []string{"トークン「人事システム連携」を作成しました", "表示されるのは今回だけ", `readonly`} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("creation page lacks %q", want)
		}
	}
	if got := apiStatus(t, e, secret); got != http.StatusOK {
		t.Fatalf("new token on the API: %d", got)
	}

	// The list never shows the secret again.
	res = admin.Get(e.OrgPath("/admin/api-tokens"))
	if !strings.Contains(res.Body, "人事システム連携") || !strings.Contains(res.Body, "admin@sakura.example.jp") || !strings.Contains(res.Body, ">有効<") {
		t.Errorf("list lacks the token:\n%s", res.Body)
	}
	if strings.Contains(res.Body, secret) || strings.Contains(res.Body, secret[4:]) {
		t.Fatal("the list shows the secret")
	}

	// Revocation: redirect with a notice, the token stops working.
	var id int64
	if err := e.App.DB.Read().QueryRowContext(context.Background(), `SELECT id FROM api_tokens`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	res = admin.Post(e.OrgPath(fmt.Sprintf("/admin/api-tokens/%d/revoke", id)), nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != e.OrgPath("/admin/api-tokens") {
		t.Fatalf("revoke: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	res = admin.Get(e.OrgPath("/admin/api-tokens"))
	if !strings.Contains(res.Body, "APIトークンを無効化しました") || !strings.Contains(res.Body, "無効化済み") {
		t.Errorf("after revocation:\n%s", res.Body)
	}
	if got := apiStatus(t, e, secret); got != http.StatusUnauthorized {
		t.Fatalf("revoked token on the API: %d", got)
	}
	for _, bad := range []string{"abc", "0", "-1", "99999999"} {
		if res := admin.Post(e.OrgPath("/admin/api-tokens/"+bad+"/revoke"), nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("revoke %s: %d", bad, res.StatusCode)
		}
	}

	// Both actions are in the audit log, in words.
	res = admin.Get(e.OrgPath("/admin/audit"))
	if !strings.Contains(res.Body, "APIトークンを作成") || !strings.Contains(res.Body, "APIトークンを無効化") {
		t.Errorf("audit page lacks the token actions:\n%s", res.Body)
	}
	if strings.Contains(res.Body, secret[4:]) {
		t.Fatal("the audit log shows the secret")
	}

	// English.
	en := e.Client(t)
	en.Lang = "en"
	en.SignIn(e.Org, "admin@sakura.example.jp", apptest.Password)
	res = en.Get(e.OrgPath("/admin/api-tokens"))
	if !strings.Contains(res.Body, "<h1>API tokens</h1>") || !strings.Contains(res.Body, "Revoked") {
		t.Errorf("English tokens page:\n%s", res.Body)
	}
	res = en.Post(e.OrgPath("/admin/api-tokens"), url.Values{"name": {"script"}})
	if res.StatusCode != http.StatusCreated || !strings.Contains(res.Body, "This is the only time the token is shown") {
		t.Errorf("English creation: %d", res.StatusCode)
	}
}

func TestAPITokenOfAnotherOrganizationCannotBeRevoked(t *testing.T) {
	e := apptest.New(t)
	kaede := e.AddOrg(t, "kaede")
	e.AddMember(t, e.Org, org.Admin, "admin@sakura.example.jp")
	var secret string
	var id int64
	err := e.App.DB.Tx(context.Background(), func(tx db.Tx) error {
		var err error
		secret, id, err = auth.CreateAPIToken(context.Background(), tx, kaede.ID, auth.Actor{}, "kaede sync", e.Clock.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	admin := e.Client(t)
	admin.SignIn(e.Org, "admin@sakura.example.jp", apptest.Password)
	auditBefore := e.Count(t, `SELECT COUNT(*) FROM audit_log`)
	if res := admin.Post(e.OrgPath(fmt.Sprintf("/admin/api-tokens/%d/revoke", id)), nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("revoke kaede's token from sakura: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NOT NULL`); n != 0 {
		t.Fatal("another organization's token was revoked")
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log`); n != auditBefore {
		t.Fatal("a refused revocation was audited as done")
	}
	if got := apiStatus(t, e, secret); got != http.StatusOK {
		t.Fatalf("kaede's token after the attempt: %d", got)
	}
	if res := admin.Get(e.OrgPath("/admin/api-tokens")); strings.Contains(res.Body, "kaede sync") {
		t.Fatal("sakura's admin sees kaede's tokens")
	}
}
