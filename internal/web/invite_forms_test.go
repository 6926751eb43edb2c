package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
)

func TestInviteCampaignFormRefusesBadInput(t *testing.T) {
	e := apptest.New(t)
	admin := signedInAdmin(t, e)
	valid := func() url.Values {
		return url.Values{"name": {"春の招待"}, "lang": {"ja"}, "leavers": {"1"}}
	}
	cases := []struct {
		name   string
		edit   func(url.Values)
		errMsg string
	}{
		{"no name", func(v url.Values) { v.Set("name", "  ") }, "入力してください"},
		{"long name", func(v url.Values) { v.Set("name", strings.Repeat("名", 101)) }, "100"},
		{"nobody", func(v url.Values) { v.Del("leavers") }, "「まだ参加していない退職者全員」を選ぶか、メールアドレスを貼り付けてください。"},
		{"filter without leavers", func(v url.Values) {
			v.Del("leavers")
			v.Set("emails", "a@example.com")
			v.Set("department", "営業部")
		},
			"退職年や部署で絞り込むには"},
		{"bad emails", func(v url.Values) { v.Set("emails", "ok@example.com\nnot-an-email\n\nx@y\nfine@example.com") },
			"メールアドレスとして読めない行があります（2, 4行目）。"},
		{"year not a number", func(v url.Values) { v.Set("left_from", "平成") }, "1900〜2200の西暦で入力してください。"},
		{"year out of range", func(v url.Values) { v.Set("left_to", "20201") }, "1900〜2200の西暦で入力してください。"},
		{"years reversed", func(v url.Values) { v.Set("left_from", "2022"); v.Set("left_to", "2020") }, "終わりの年は始まりの年以降にしてください。"},
		{"language", func(v url.Values) { v.Set("lang", "fr") }, "一覧から選んでください。"},
		{"long intro", func(v url.Values) { v.Set("intro", strings.Repeat("あ", 2001)) }, "2000"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := valid()
			c.edit(v)
			res := admin.Post(e.OrgPath("/admin/invitations/campaigns"), v)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, c.errMsg) {
				t.Fatalf("%d, want 422 with %q\n%s", res.StatusCode, c.errMsg, res.Body)
			}
			if !strings.Contains(res.Body, `class="error"`) {
				t.Error("the message is not shown next to a field")
			}
			if n := e.Count(t, `SELECT COUNT(*) FROM invite_campaigns`) + e.Count(t, `SELECT COUNT(*) FROM invite_campaign_emails`) +
				e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'invite.%'`); n != 0 {
				t.Fatalf("a refused form wrote %d rows", n)
			}
		})
	}
	// The valid form goes through: the cases above can fail.
	path := createCampaign(t, e, admin, valid())
	// Nobody matches: sending is refused and nothing is queued.
	res := admin.Post(path+"/send", nil)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "招待できる相手がいません") {
		t.Fatalf("send to nobody: %d\n%s", res.StatusCode, res.Body)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM invite_campaigns WHERE state <> 'draft'`) + e.Count(t, `SELECT COUNT(*) FROM jobs WHERE kind = 'invite.campaign_batch'`); n != 0 {
		t.Fatal("a refused send changed the campaign or queued a job")
	}
	e.AddLeaver(t, e.Org, "a@example.com", 2020, "")
	if res := admin.Post(path+"/send", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: %d", res.StatusCode)
	}
	if res := admin.Post(path+"/send", nil); res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "すでに送信済みです") {
		t.Fatalf("second send: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM jobs WHERE kind = 'invite.campaign_batch'`); n != 1 {
		t.Fatalf("%d batch jobs queued, want 1", n)
	}
	for _, bad := range []string{"/admin/invitations/campaigns/abc", "/admin/invitations/campaigns/0", "/admin/invitations/campaigns/999999"} {
		if res := admin.Get(e.OrgPath(bad)); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", bad, res.StatusCode)
		}
	}
}

func TestInviteSingleFormRefusesBadInput(t *testing.T) {
	e := apptest.New(t)
	admin := signedInAdmin(t, e)
	e.AddMember(t, e.Org, "alumni", "taken@example.com")
	for name, v := range map[string]url.Values{
		"bad email":   inviteForm("not-an-email", "ja", true),
		"taken email": inviteForm("taken@example.com", "ja", true),
		"bad role":    func() url.Values { v := inviteForm("x@example.com", "ja", true); v.Set("role", "owner"); return v }(),
		"no name":     func() url.Values { v := inviteForm("y@example.com", "ja", true); v.Set("family_name", ""); return v }(),
	} {
		res := admin.Post(e.OrgPath("/admin/invitations/single"), v)
		if res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, `class="error"`) {
			t.Errorf("%s: %d", name, res.StatusCode)
		}
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM invitations`) + e.Count(t, `SELECT COUNT(*) FROM tokens`) + e.Count(t, `SELECT COUNT(*) FROM jobs`); n != 0 {
		t.Fatalf("refused invitations wrote %d rows", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM users`); n != 2 {
		t.Fatalf("%d users, want the admin and taken@", n)
	}
}
