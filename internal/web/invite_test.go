package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
)

func inviteForm(email, lang string, send bool) url.Values {
	v := url.Values{"email": {email}, "family_name": {"佐藤"}, "given_name": {"花子"}, "family_kana": {"さとう"}, "given_kana": {"はなこ"},
		"family_romaji": {"Sato"}, "given_romaji": {"Hanako"}, "role": {"alumni"}, "lang": {lang}}
	if send {
		v.Set("send", "1")
	}
	return v
}

func TestInviteAndJoin(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Admin, "hr@sakura.example.jp")
	admin := e.Client(t)
	admin.SignIn(e.Org, "hr@sakura.example.jp", apptest.Password)

	res := admin.Post(e.OrgPath("/admin/invite"), inviteForm("hanako@example.com", "en", true))
	if res.StatusCode != http.StatusCreated || !strings.Contains(res.Body, "佐藤 花子さんの招待を作成しました") {
		t.Fatalf("invite: %d\n%s", res.StatusCode, res.Body)
	}
	shown := regexp.MustCompile(`value="(http[^"]+/join/[^"]+)"`).FindStringSubmatch(res.Body)
	if shown == nil {
		t.Fatal("invitation link not shown to the admin")
	}
	e.RunJobs(t)
	msg := e.SMTP.WaitFor(t, 1, 10*time.Second)[0]
	if msg.Subject != "[Sakura Technology] You are invited to our alumni network" {
		t.Errorf("English invitation subject: %q", msg.Subject)
	}
	link := apptest.LinkIn(t, msg.Text)
	if !strings.HasSuffix(shown[1], link) {
		t.Errorf("emailed link %q differs from shown %q", link, shown[1])
	}
	// Before joining, the person is listed as invited and cannot sign in.
	if list := admin.Get(e.OrgPath("/admin/members?q=hanako")); !strings.Contains(list.Body, "招待中") {
		t.Error("invited person not listed as invited")
	}

	guest := e.Client(t)
	form := guest.Get(link)
	if form.StatusCode != http.StatusOK || !strings.Contains(form.Body, "hanako@example.com") || !strings.Contains(form.Body, `value="佐藤"`) {
		t.Fatalf("join form: %d\n%s", form.StatusCode, form.Body)
	}
	// A bad form keeps the invitation usable and writes nothing.
	bad := url.Values{"family_name": {""}, "password": {"short"}, "password_confirm": {"short"}}
	if res := guest.Post(link, bad); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad join form: %d", res.StatusCode)
	}
	if e.Count(t, `SELECT COUNT(*) FROM users WHERE email_lower = 'hanako@example.com' AND password_hash = ''`) != 1 {
		t.Fatal("a refused join form changed the account")
	}
	join := url.Values{"family_name": {"佐藤"}, "given_name": {"花子"}, "family_kana": {"さとう"}, "given_kana": {"はなこ"},
		"family_romaji": {"Sato"}, "given_romaji": {"Hanako"}, "password": {"hanako's passphrase"}, "password_confirm": {"hanako's passphrase"}}
	res = guest.Post(link, join)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("join: %d\n%s", res.StatusCode, res.Body)
	}
	home := guest.Get(e.OrgPath("/"))
	if !strings.Contains(home.Body, "参加が完了しました") && !strings.Contains(home.Body, "You have joined") {
		t.Errorf("no welcome after joining:\n%s", home.Body)
	}
	if !strings.Contains(home.Body, `lang="en"`) {
		t.Error("the language chosen for the invitation is not the member's language")
	}
	// The link works once.
	if res := e.Client(t).Get(link); res.StatusCode != http.StatusGone || !strings.Contains(res.Body, "already been used") && !strings.Contains(res.Body, "すでに使われています") {
		t.Errorf("reused invitation: %d", res.StatusCode)
	}
	e.Client(t).SignIn(e.Org, "hanako@example.com", "hanako's passphrase")
	for _, action := range []string{"admin.member_invited", "auth.invitation_accepted"} {
		if e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = $1`, action) != 1 {
			t.Errorf("no audit entry %s", action)
		}
	}
}

func TestInviteBadInputWritesNothing(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Admin, "hr@sakura.example.jp")
	admin := e.Client(t)
	admin.SignIn(e.Org, "hr@sakura.example.jp", apptest.Password)
	users := func() int { return e.Count(t, `SELECT COUNT(*) FROM users`) }
	before := users()

	cases := []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"bad email", inviteForm("not-an-email", "ja", true), 422, "メールアドレスの形式が正しくありません"},
		{"header injection", inviteForm("a@example.jp\r\nBcc: x@example.jp", "ja", true), 422, "メールアドレスの形式が正しくありません"},
		{"no family name", func() url.Values { v := inviteForm("x@example.jp", "ja", true); v.Set("family_name", ""); return v }(), 422, "入力してください"},
		{"too long name", func() url.Values {
			v := inviteForm("x@example.jp", "ja", true)
			v.Set("given_name", strings.Repeat("長", 101))
			return v
		}(), 422, "100文字以内"},
		{"unknown role", func() url.Values { v := inviteForm("x@example.jp", "ja", true); v.Set("role", "owner"); return v }(), 422, "一覧から選んでください"},
		{"unknown language", inviteForm("x@example.jp", "fr", true), 422, "一覧から選んでください"},
		{"taken email", inviteForm("HR@sakura.example.jp", "ja", true), 409, "すでに登録されています"},
	}
	for _, c := range cases {
		res := admin.Post(e.OrgPath("/admin/invite"), c.form)
		if res.StatusCode != c.status || !strings.Contains(res.Body, c.want) {
			t.Errorf("%s: %d, want %d with %q", c.name, res.StatusCode, c.status, c.want)
		}
	}
	if users() != before || e.Count(t, `SELECT COUNT(*) FROM tokens`) != 0 || e.RunJobs(t) != 0 {
		t.Fatal("refused invitations wrote something")
	}
}

func TestInvitationExpires(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Admin, "hr@sakura.example.jp")
	admin := e.Client(t)
	admin.SignIn(e.Org, "hr@sakura.example.jp", apptest.Password)
	res := admin.Post(e.OrgPath("/admin/invite"), inviteForm("hanako@example.com", "ja", false))
	if res.StatusCode != http.StatusCreated {
		t.Fatal(res.StatusCode)
	}
	if e.RunJobs(t) != 0 {
		t.Error("an invitation marked not-to-send was emailed")
	}
	link := apptest.LinkIn(t, res.Body)
	e.Clock.Advance(15 * 24 * time.Hour)
	if res := e.Client(t).Get(link); res.StatusCode != http.StatusGone || !strings.Contains(res.Body, "招待リンクの有効期限が切れています") {
		t.Fatalf("expired invitation: %d\n%s", res.StatusCode, res.Body)
	}
}
