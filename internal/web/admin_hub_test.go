package web_test

import (
	"strings"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
)

// The administration page lists only what the viewer may open.
func TestAdminHubShowsWhatTheRoleMayOpen(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Admin, "admin@sakura.example.jp")
	e.AddMember(t, e.Org, org.Supporter, "supporter@sakura.example.jp")

	admin := e.Client(t)
	admin.SignIn(e.Org, "admin@sakura.example.jp", apptest.Password)
	res := admin.Get(e.OrgPath("/admin"))
	for _, want := range []string{"メンバー管理", "監査ログ", "APIトークン", e.OrgPath("/admin/audit")} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("admin's administration page lacks %q", want)
		}
	}

	supporter := e.Client(t)
	supporter.SignIn(e.Org, "supporter@sakura.example.jp", apptest.Password)
	res = supporter.Get(e.OrgPath("/admin"))
	if !strings.Contains(res.Body, e.OrgPath("/admin/members")) {
		t.Error("supporter's administration page lacks the member list")
	}
	for _, hidden := range []string{e.OrgPath("/admin/audit"), e.OrgPath("/admin/api-tokens"), "監査ログ"} {
		if strings.Contains(res.Body, hidden) {
			t.Errorf("supporter's administration page shows %q", hidden)
		}
	}

	supporter.Lang = "en"
	if res := supporter.Get(e.OrgPath("/admin")); !strings.Contains(res.Body, "Administration") {
		t.Error("no English administration page")
	}
}
