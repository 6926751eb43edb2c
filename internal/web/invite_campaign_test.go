package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/invite"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/mailtest"
)

var pixelPattern = regexp.MustCompile(`<img src="https?://[^"]+(/o/[a-z0-9-]+/i/[A-Za-z0-9_-]+\.gif)"`)

func joinForm() url.Values {
	return url.Values{"family_name": {"山田"}, "given_name": {"花子"}, "password": {"a long enough passphrase"}, "password_confirm": {"a long enough passphrase"}}
}

func signedInAdmin(t *testing.T, e *apptest.Env) *apptest.Client {
	t.Helper()
	e.AddMember(t, e.Org, org.Admin, "hr@sakura.example.jp")
	c := e.Client(t)
	c.SignIn(e.Org, "hr@sakura.example.jp", apptest.Password)
	return c
}

func messageTo(t *testing.T, msgs []mailtest.Received, to string) mailtest.Received {
	t.Helper()
	for _, m := range msgs {
		if len(m.To) == 1 && m.To[0] == to {
			return m
		}
	}
	t.Fatalf("no message to %s", to)
	return mailtest.Received{}
}

func countTo(msgs []mailtest.Received, to string) int {
	n := 0
	for _, m := range msgs {
		if len(m.To) == 1 && m.To[0] == to {
			n++
		}
	}
	return n
}

// createCampaign posts the campaign form and returns the campaign's path.
func createCampaign(t *testing.T, e *apptest.Env, c *apptest.Client, form url.Values) string {
	t.Helper()
	res := c.Post(e.OrgPath("/admin/invitations/campaigns"), form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create campaign: %d\n%s", res.StatusCode, res.Body)
	}
	return res.Header.Get("Location")
}

func TestInviteCampaignFunnel(t *testing.T) {
	e := apptest.New(t)
	admin := signedInAdmin(t, e)
	e.AddLeaver(t, e.Org, "a@example.com", 2019, "営業部")
	e.AddLeaver(t, e.Org, "b@example.com", 2020, "営業部")
	e.AddLeaver(t, e.Org, "c@example.com", 2020, "開発部")     // another department
	e.AddLeaver(t, e.Org, "d@example.com", 2015, "営業部")     // left earlier
	e.AddMember(t, e.Org, org.Alumni, "joined@example.com") // already in: never invited

	path := createCampaign(t, e, admin, url.Values{"name": {"2019〜2020年 営業部"}, "lang": {"ja"}, "leavers": {"1"}, "left_from": {"2019"},
		"left_to": {"2020"}, "department": {"営業部"}, "intro": {"営業部の皆さまへ"}, "emails": {"new@example.com, 新井, 太郎\njoined@example.com"}})
	page := admin.Get(path)
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "3人に招待メールを送ります") || !strings.Contains(page.Body, "すでに参加済みのため送らない方：1人") {
		t.Fatalf("preview: %d\n%s", page.StatusCode, page.Body)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM invitations`) + e.Count(t, `SELECT COUNT(*) FROM users WHERE email_lower = 'new@example.com'`); n != 0 {
		t.Fatalf("the preview wrote %d rows", n)
	}
	if res := admin.Post(path+"/send", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: %d\n%s", res.StatusCode, res.Body)
	}
	e.RunJobs(t)
	msgs := e.SMTP.WaitFor(t, 3, 10*time.Second)
	if len(msgs) != 3 {
		t.Fatalf("%d invitations sent, want 3", len(msgs))
	}
	for _, to := range []string{"a@example.com", "b@example.com", "new@example.com"} {
		m := messageTo(t, msgs, to)
		if m.Subject != "【さくらテクノロジー株式会社】アルムナイネットワークへのご招待" || !strings.Contains(m.Text, "営業部の皆さまへ") {
			t.Errorf("invitation to %s: %q\n%s", to, m.Subject, m.Text)
		}
	}
	if e.Count(t, `SELECT COUNT(*) FROM users u JOIN memberships m ON m.user_id = u.id AND m.ended_at IS NULL
		WHERE u.email_lower = 'new@example.com' AND m.role = 'alumni' AND u.family_name = '新井' AND u.activated_at IS NULL`) != 1 {
		t.Error("the pasted new address did not get an alumni account")
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM invitations WHERE delivered_at IS NOT NULL`); n != 3 {
		t.Errorf("%d invitations recorded as delivered, want 3", n)
	}

	// Opening: the pixel names the invitation, not the join secret.
	a := messageTo(t, msgs, "a@example.com")
	pixel := pixelPattern.FindStringSubmatch(a.HTML)
	if pixel == nil {
		t.Fatalf("no tracking pixel in the HTML:\n%s", a.HTML)
	}
	link := apptest.LinkIn(t, a.Text)
	secret := link[strings.LastIndexByte(link, '/')+1:]
	if strings.Contains(pixel[1], secret) {
		t.Fatal("the tracking pixel carries the join secret")
	}
	guest := e.Client(t)
	img := guest.Get(pixel[1])
	if img.StatusCode != http.StatusOK || img.Header.Get("Content-Type") != "image/gif" || !strings.Contains(img.Header.Get("Cache-Control"), "no-store") ||
		!strings.HasPrefix(img.Body, "GIF89a") {
		t.Fatalf("pixel: %d %v", img.StatusCode, img.Header)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM invitations WHERE opened_at IS NOT NULL AND email = 'a@example.com'`); n != 1 {
		t.Fatal("open not recorded")
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM invitations WHERE opened_at IS NOT NULL`); n != 1 {
		t.Fatalf("%d opens recorded, want 1", n)
	}

	// Clicking and joining.
	if res := guest.Get(link); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "a@example.com") {
		t.Fatalf("join page: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM invitations WHERE clicked_at IS NOT NULL AND email = 'a@example.com'`); n != 1 {
		t.Fatal("click not recorded")
	}
	res := guest.Post(link, joinForm())
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != e.OrgPath("/profile") {
		t.Fatalf("join: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	if prof := guest.Get(e.OrgPath("/profile")); prof.StatusCode != http.StatusOK || !strings.Contains(prof.Body, "プロフィールを入力して") {
		t.Fatalf("no welcome on the profile page: %d", prof.StatusCode)
	}

	funnel := admin.Get(path)
	for _, want := range []string{"開封（概数）", "<th scope=\"row\">送信</th><td>3</td><td>100%</td>", "<th scope=\"row\">配信済み</th><td>3</td>",
		"<td>1</td><td>33%</td>", "<th scope=\"row\">参加済み</th><td>1</td><td>33%</td>"} {
		if !strings.Contains(funnel.Body, want) {
			t.Errorf("funnel lacks %q:\n%s", want, funnel.Body)
		}
	}

	// Reminders: after 3 and 7 days, only to those who have not joined.
	e.Clock.Advance(3*24*time.Hour + time.Minute)
	e.RunJobs(t)
	msgs = e.SMTP.WaitFor(t, 5, 10*time.Second)
	if countTo(msgs, "a@example.com") != 1 || countTo(msgs, "b@example.com") != 2 || countTo(msgs, "new@example.com") != 2 {
		t.Fatalf("after 3 days: %d messages", len(msgs))
	}
	if r := messageTo(t, msgs[3:], "b@example.com"); !strings.Contains(r.Subject, "（再送）") {
		t.Errorf("reminder subject %q", r.Subject)
	}
	e.Clock.Advance(4 * 24 * time.Hour)
	e.RunJobs(t)
	e.SMTP.WaitFor(t, 7, 10*time.Second)
	e.Clock.Advance(30 * 24 * time.Hour)
	e.RunJobs(t)
	time.Sleep(100 * time.Millisecond) // a stray third reminder would be sent by now
	if n := len(e.SMTP.Messages()); n != 7 {
		t.Fatalf("%d messages in all, want 3 invitations and 2 reminders to each of 2 people", n)
	}
	if e.Count(t, `SELECT COUNT(*) FROM invitations WHERE reminders_sent = 2`) != 2 || e.Count(t, `SELECT COUNT(*) FROM invitations WHERE reminders_sent = 0 AND email = 'a@example.com'`) != 1 {
		t.Error("reminder counts wrong")
	}
	// Two weeks on, the others' invitations have expired.
	admin = e.Client(t) // the old session has timed out
	admin.SignIn(e.Org, "hr@sakura.example.jp", apptest.Password)
	if funnel := admin.Get(path); !strings.Contains(funnel.Body, "<th scope=\"row\">期限切れ</th><td>2</td><td>67%</td>") {
		t.Errorf("expired not counted:\n%s", funnel.Body)
	}
	b := messageTo(t, msgs, "b@example.com")
	if res := e.Client(t).Get(apptest.LinkIn(t, b.Text)); res.StatusCode != http.StatusGone || !strings.Contains(res.Body, "有効期限が切れています") {
		t.Errorf("expired link: %d", res.StatusCode)
	}
}

func TestInviteCampaignBatchIsIdempotent(t *testing.T) {
	e := apptest.New(t)
	admin := signedInAdmin(t, e)
	for _, addr := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		e.AddLeaver(t, e.Org, addr, 2020, "")
	}
	path := createCampaign(t, e, admin, url.Values{"name": {"全員"}, "lang": {"en"}, "leavers": {"1"}})
	if res := admin.Post(path+"/send", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: %d", res.StatusCode)
	}
	// The batch job runs twice (a retry after a crash, say): once queued by
	// the send, once more by hand, before either ran.
	id := path[strings.LastIndexByte(path, '/')+1:]
	if _, err := e.App.Jobs.Enqueue(context.Background(), e.App.DB.Write(), e.Org.ID, invite.KindCampaignBatch, map[string]any{"campaign_id": mustInt(t, id)}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	e.RunJobs(t)
	e.SMTP.WaitFor(t, 3, 10*time.Second)
	// And once more after it finished, with the campaign put back to sending.
	if _, err := e.App.DB.Write().ExecContext(context.Background(), `UPDATE invite_campaigns SET state = 'sending' WHERE id = `+id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Jobs.Enqueue(context.Background(), e.App.DB.Write(), e.Org.ID, invite.KindCampaignBatch, map[string]any{"campaign_id": mustInt(t, id)}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	e.RunJobs(t)
	time.Sleep(100 * time.Millisecond)
	if n := e.Count(t, `SELECT COUNT(*) FROM invitations WHERE campaign_id = `+id); n != 3 {
		t.Fatalf("%d invitations, want 3", n)
	}
	if n := len(e.SMTP.Messages()); n != 3 {
		t.Fatalf("%d emails, want 3", n)
	}
	for _, m := range e.SMTP.Messages() {
		if m.Subject != "[Sakura Technology] You are invited to our alumni network" {
			t.Errorf("English campaign: subject %q", m.Subject)
		}
	}
	// The database itself refuses a second invitation of the campaign to a person.
	_, err := e.App.DB.Write().ExecContext(context.Background(), `INSERT INTO invitations (org_id, campaign_id, user_id, email, lang, tracking_id, emailed, sent_at, expires_at)
		SELECT org_id, campaign_id, user_id, email, lang, 'another', emailed, sent_at, expires_at FROM invitations WHERE campaign_id = `+id+` AND email = 'a@example.com'`)
	if err == nil {
		t.Fatal("a duplicate invitation was stored")
	}
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	for _, r := range s {
		if r < '0' || r > '9' {
			t.Fatalf("not a number: %q", s)
		}
		n = n*10 + int64(r-'0')
	}
	return n
}
