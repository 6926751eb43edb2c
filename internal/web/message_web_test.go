package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
)

func messagePerson(t *testing.T, e *apptest.Env, o org.Organization, role org.Role, email, family, given string) (org.Member, *apptest.Client) {
	t.Helper()
	id := e.AddProfile(t, o, role, email, org.Name{Family: family, Given: given}, nil)
	m, err := e.App.Orgs.Member(t.Context(), o.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	c := e.Client(t)
	c.SignIn(o, email, apptest.Password)
	return m, c
}

// hxPost posts a form as htmx does from the conversation page.
func hxPost(t *testing.T, e *apptest.Env, c *apptest.Client, path string, form url.Values) *apptest.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.URL(path), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.Server.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "conversation")
	return c.Do(req)
}

func TestMessageWebExchange(t *testing.T) {
	e := apptest.New(t)
	a, ca := messagePerson(t, e, e.Org, org.Alumni, "a@sakura.example.jp", "青木", "彩")
	b, cb := messagePerson(t, e, e.Org, org.Employee, "b@sakura.example.jp", "馬場", "勉")

	// A finds the link on B's profile (not on her own).
	if res := ca.Get(e.OrgPath(fmt.Sprintf("/members/%d", b.UserID))); !strings.Contains(res.Body, fmt.Sprintf("/messages/new?to=%d", b.UserID)) ||
		!strings.Contains(res.Body, "メッセージを送る") {
		t.Fatalf("no message link on the profile:\n%s", res.Body)
	}
	if res := ca.Get(e.OrgPath(fmt.Sprintf("/members/%d", a.UserID))); strings.Contains(res.Body, "メッセージを送る") {
		t.Error("message link on one's own profile")
	}
	if res := ca.Get(e.OrgPath(fmt.Sprintf("/messages/new?to=%d", b.UserID))); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "馬場 勉さんへのメッセージ") {
		t.Fatalf("new message form: %d", res.StatusCode)
	}
	// Bad input: the error next to the box, nothing written.
	for _, c := range []struct{ body, want string }{
		{"   ", "メッセージを入力してください。"},
		{strings.Repeat("あ", 2001), "メッセージは2000文字以内で入力してください。"},
	} {
		res := ca.Post(e.OrgPath("/messages/new"), url.Values{"to": {fmt.Sprint(b.UserID)}, "body": {c.body}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, c.want) || !strings.Contains(res.Body, `aria-invalid="true"`) {
			t.Errorf("body %.10q: %d, want the error %q", c.body, res.StatusCode, c.want)
		}
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM conversations`) + e.Count(t, `SELECT COUNT(*) FROM messages`); n != 0 {
		t.Fatalf("refused messages wrote %d rows", n)
	}
	res := ca.Post(e.OrgPath("/messages/new"), url.Values{"to": {fmt.Sprint(b.UserID)}, "body": {"お久しぶりです。\n<script>alert(1)</script>"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: %d\n%s", res.StatusCode, res.Body)
	}
	thread := res.Header.Get("Location")
	if !strings.HasPrefix(thread, e.OrgPath("/messages/")) {
		t.Fatalf("redirected to %q", thread)
	}
	// B is told by email too (messages default to instant email), with the
	// sender's name and a link, not the message itself.
	for i := 0; i < 3 && len(e.SMTP.Messages()) == 0; i++ {
		e.RunJobs(t)
	}
	mail := e.SMTP.WaitFor(t, 1, 10*time.Second)[0]
	if len(mail.To) != 1 || mail.To[0] != "b@sakura.example.jp" || !strings.Contains(mail.Text, "青木 彩さんからメッセージが届きました") ||
		!strings.Contains(mail.Text, thread) || strings.Contains(mail.Text, "お久しぶりです") {
		t.Errorf("notification email to %v:\n%s", mail.To, mail.Text)
	}
	// Opening the form again goes to the existing conversation.
	if res := ca.Get(e.OrgPath(fmt.Sprintf("/messages/new?to=%d", b.UserID))); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != thread {
		t.Errorf("second new form: %d %q", res.StatusCode, res.Header.Get("Location"))
	}

	// B sees the unread count, opens, and the count clears.
	if res := cb.Get(e.OrgPath("/messages")); !strings.Contains(res.Body, "未読1件") || !strings.Contains(res.Body, "青木 彩") {
		t.Fatalf("b's list:\n%s", res.Body)
	}
	res = cb.Get(thread)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "お久しぶりです。<br>&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatalf("b's conversation: %d\n%s", res.StatusCode, res.Body)
	}
	if res := cb.Get(e.OrgPath("/messages")); strings.Contains(res.Body, "unread-badge") {
		t.Error("still unread after opening")
	}
	// B replies through htmx: the answer is the conversation fragment only.
	res = hxPost(t, e, cb, thread, url.Values{"body": {"こちらこそ！"}})
	if res.StatusCode != http.StatusOK || strings.Contains(res.Body, "<html") || !strings.Contains(res.Body, `id="conversation"`) || !strings.Contains(res.Body, "こちらこそ！") {
		t.Fatalf("htmx reply: %d\n%s", res.StatusCode, res.Body)
	}
	// An htmx error stays in the fragment (htmx swaps only 2xx).
	res = hxPost(t, e, cb, thread, url.Values{"body": {""}})
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "メッセージを入力してください。") {
		t.Errorf("htmx empty: %d", res.StatusCode)
	}
	// Without JavaScript: post and redirect.
	if res := ca.Post(thread, url.Values{"body": {"また会いましょう"}}); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != thread {
		t.Errorf("plain reply: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM messages`); n != 3 {
		t.Errorf("%d messages, want 3", n)
	}
	if res := ca.Get(e.OrgPath("/messages")); !strings.Contains(res.Body, "未読1件") {
		t.Errorf("a does not see b's reply as unread:\n%s", res.Body)
	}
	// Someone else, and another organization, get 404.
	_, cc := messagePerson(t, e, e.Org, org.Admin, "c@sakura.example.jp", "千葉", "千尋")
	if res := cc.Get(thread); res.StatusCode != http.StatusNotFound {
		t.Errorf("outsider opens: %d", res.StatusCode)
	}
	if res := cc.Post(thread, url.Values{"body": {"割り込み"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("outsider posts: %d", res.StatusCode)
	}
	kaede := e.AddOrg(t, "kaede")
	f, cf := messagePerson(t, e, kaede, org.Admin, "f@kaede.example.jp", "古川", "文")
	if res := cf.Get(strings.Replace(thread, "/o/sakura/", "/o/kaede/", 1)); res.StatusCode != http.StatusNotFound {
		t.Errorf("foreign organization opens: %d", res.StatusCode)
	}
	if res := ca.Get(e.OrgPath(fmt.Sprintf("/messages/new?to=%d", f.UserID))); res.StatusCode != http.StatusNotFound {
		t.Errorf("message to another organization's member: %d", res.StatusCode)
	}
	if res := ca.Post(e.OrgPath("/messages/new"), url.Values{"to": {fmt.Sprint(f.UserID)}, "body": {"やあ"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("send to another organization's member: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM messages`); n != 3 {
		t.Errorf("%d messages after refused sends, want 3", n)
	}
}

func TestMessageWebBlocking(t *testing.T) {
	e := apptest.New(t)
	a, ca := messagePerson(t, e, e.Org, org.Alumni, "a@sakura.example.jp", "青木", "彩")
	b, cb := messagePerson(t, e, e.Org, org.Alumni, "b@sakura.example.jp", "馬場", "勉")
	res := ca.Post(e.OrgPath("/messages/new"), url.Values{"to": {fmt.Sprint(b.UserID)}, "body": {"こんにちは"}})
	thread := res.Header.Get("Location")
	// B blocks A from the conversation.
	if res := cb.Post(e.OrgPath("/messages/block"), url.Values{"user_id": {fmt.Sprint(a.UserID)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("block: %d", res.StatusCode)
	}
	if res := cb.Get(e.OrgPath("/messages")); strings.Contains(res.Body, "青木") {
		t.Error("blocked conversation still listed")
	}
	if res := cb.Get(thread); res.StatusCode != http.StatusNotFound {
		t.Errorf("blocker opens: %d", res.StatusCode)
	}
	before := e.Count(t, `SELECT COUNT(*) FROM messages`)
	res = ca.Post(thread, url.Values{"body": {"届いていますか"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "このメンバーにはメッセージを送れません") {
		t.Errorf("blocked send: %d", res.StatusCode)
	}
	if strings.Contains(res.Body, "ブロックされ") || strings.Contains(res.Body, "ブロックを解除") {
		t.Error("the blocked member is told about the block")
	}
	if res := ca.Get(e.OrgPath(fmt.Sprintf("/members/%d", b.UserID))); res.StatusCode != http.StatusOK {
		t.Errorf("profile of the blocker: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM messages`); n != before {
		t.Errorf("blocked send wrote a message")
	}
	// Unblocked from the settings list.
	res = cb.Get(e.OrgPath("/messages/blocked"))
	if !strings.Contains(res.Body, "青木 彩") {
		t.Fatalf("blocked list:\n%s", res.Body)
	}
	if res := cb.Post(e.OrgPath("/messages/unblock"), url.Values{"user_id": {fmt.Sprint(a.UserID)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("unblock: %d", res.StatusCode)
	}
	if res := cb.Get(thread); res.StatusCode != http.StatusOK {
		t.Errorf("after unblocking: %d", res.StatusCode)
	}
}

func TestMessageWebInbox(t *testing.T) {
	e := apptest.New(t)
	m, cm := messagePerson(t, e, e.Org, org.Alumni, "m@sakura.example.jp", "松本", "真")
	_, ch1 := messagePerson(t, e, e.Org, org.Admin, "hr1@sakura.example.jp", "人事", "一郎")
	_, ch2 := messagePerson(t, e, e.Org, org.Admin, "hr2@sakura.example.jp", "人事", "二郎")
	_, cs := messagePerson(t, e, e.Org, org.Supporter, "s@sakura.example.jp", "支援", "三郎")

	if res := cm.Post(e.OrgPath("/messages/company"), url.Values{"body": {""}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "メッセージを入力してください。") {
		t.Errorf("empty inquiry: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM conversations`); n != 0 {
		t.Fatal("empty inquiry started a thread")
	}
	res := cm.Post(e.OrgPath("/messages/company"), url.Values{"body": {"再入社の相談です"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("inquiry: %d", res.StatusCode)
	}
	memberThread := res.Header.Get("Location")
	var id int64
	if _, err := fmt.Sscanf(memberThread, e.OrgPath("/messages/%d"), &id); err != nil {
		t.Fatal(memberThread, err)
	}
	inbox := e.OrgPath(fmt.Sprintf("/admin/inbox/%d", id))
	// Both admins see it unread; supporters do not get in.
	for _, c := range []*apptest.Client{ch1, ch2} {
		if res := c.Get(e.OrgPath("/admin/inbox")); !strings.Contains(res.Body, "松本 真") || !strings.Contains(res.Body, "未読1件") {
			t.Errorf("admin's inbox:\n%s", res.Body)
		}
	}
	if res := ch1.Get(e.OrgPath("/admin")); !strings.Contains(res.Body, "会社への問い合わせ") || !strings.Contains(res.Body, "未対応 1件") {
		t.Errorf("administration page lacks the inbox and its count:\n%s", res.Body)
	}
	if res := cs.Get(e.OrgPath("/admin")); strings.Contains(res.Body, "会社への問い合わせ") {
		t.Error("supporters are offered the HR inbox")
	}
	if res := cs.Get(e.OrgPath("/admin/inbox")); res.StatusCode != http.StatusForbidden {
		t.Errorf("supporter: %d", res.StatusCode)
	}
	if res := cs.Get(inbox); res.StatusCode != http.StatusForbidden {
		t.Errorf("supporter opens a thread: %d", res.StatusCode)
	}
	// hr1 reads it: read for hr2 too. hr2 replies.
	if res := ch1.Get(inbox); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "再入社の相談です") {
		t.Fatalf("hr1 opens: %d", res.StatusCode)
	}
	if res := ch2.Get(e.OrgPath("/admin/inbox")); strings.Contains(res.Body, "unread-badge") {
		t.Error("hr2 still sees it unread")
	}
	if res := ch2.Post(inbox, url.Values{"body": {"人事部です。面談を設定します。"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: %d", res.StatusCode)
	}
	// The member sees the company's name, not the admin's.
	res = cm.Get(memberThread)
	if !strings.Contains(res.Body, "人事部です。面談を設定します。") || !strings.Contains(res.Body, "さくらテクノロジー株式会社") || strings.Contains(res.Body, "人事 二郎") {
		t.Errorf("member's view of the reply:\n%s", res.Body)
	}
	// Admins see which admin wrote.
	if res := ch1.Get(inbox); !strings.Contains(res.Body, "人事 二郎") {
		t.Error("admins do not see who replied")
	}
	if res := ch1.Get(e.OrgPath("/admin/audit")); !strings.Contains(res.Body, "問い合わせに会社として返信") || !strings.Contains(res.Body, "hr2@sakura.example.jp") {
		t.Error("reply not in the audit log")
	}
	// Close and reopen.
	if res := ch1.Post(inbox+"/close", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("close: %d", res.StatusCode)
	}
	if res := ch1.Get(e.OrgPath("/admin/inbox?state=closed")); !strings.Contains(res.Body, "松本 真") {
		t.Error("closed thread not under 完了")
	}
	if res := ch1.Post(inbox+"/reopen", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reopen: %d", res.StatusCode)
	}
	// The inbox is not a direct conversation for admins, nor the reverse.
	if res := ch1.Get(memberThread); res.StatusCode != http.StatusNotFound {
		t.Errorf("admin opens the member's thread page: %d", res.StatusCode)
	}
	_ = m
}

func TestMessageWebRateLimit(t *testing.T) {
	e := apptest.New(t)
	a, ca := messagePerson(t, e, e.Org, org.Alumni, "a@sakura.example.jp", "青木", "彩")
	b, _ := messagePerson(t, e, e.Org, org.Alumni, "b@sakura.example.jp", "馬場", "勉")
	id, err := e.App.Messages.StartDirect(t.Context(), e.Org.ID, a.UserID, b.UserID, "1")
	if err != nil {
		t.Fatal(err)
	}
	for i := 2; i <= 30; i++ {
		if err := e.App.Messages.Send(t.Context(), e.Org.ID, a.UserID, id, fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	res := ca.Post(e.OrgPath(fmt.Sprintf("/messages/%d", id)), url.Values{"body": {"31"}})
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(res.Body, "1分あたり30件まで") || !strings.Contains(res.Body, ">31</textarea>") {
		t.Errorf("over the limit: %d\n%s", res.StatusCode, res.Body)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM messages`); n != 30 {
		t.Errorf("%d messages, want 30", n)
	}
}
