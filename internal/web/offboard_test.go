package web_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/offboard"
	"github.com/tsunagu/tsunagu/internal/org"
)

func offboardDay(e *apptest.Env, offset int) string {
	t, _ := time.Parse(time.DateOnly, e.App.Offboard.Today())
	return t.AddDate(0, 0, offset).Format(time.DateOnly)
}

func offboardAdvanceTo(e *apptest.Env, t time.Time) {
	if d := t.Sub(e.Clock.Now()); d > 0 {
		e.Clock.Advance(d + time.Minute)
	}
}

var cardLink = regexp.MustCompile(`/o/sakura/cards/[A-Za-z0-9_-]+`)

func TestOffboardRecordEditCancelFromTheWeb(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Admin, "hr@sakura.example.jp")
	leaver := e.AddWithoutPassword(t, e.Org, org.Employee, "hanako@sakura.example.jp", org.Name{Family: "佐藤", Given: "花子"})
	hr := e.Client(t)
	hr.SignIn(e.Org, "hr@sakura.example.jp", apptest.Password)

	page := hr.Get(e.OrgPath("/admin/departures"))
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, `<option value="hanako@sakura.example.jp">佐藤 花子</option>`) {
		t.Fatalf("departures page %d lacks the employee picker:\n%s", page.StatusCode, page.Body)
	}
	// Bad input: each message next to its field, nothing written.
	res := hr.Post(e.OrgPath("/admin/departures"), url.Values{"member": {"nobody@sakura.example.jp"}, "last_day": {"2026/02/30"},
		"personal_email": {"hanako@"}, "notes": {"秘密のメモ"}, "lang": {"ja"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad input: %d", res.StatusCode)
	}
	for _, want := range []string{`id="e-member">このメールアドレスまたは社員番号のメンバーが見つかりません。`,
		`id="e-last_day">日付は 2026-03-31 または 2026/3/31 の形式で入力してください。`, `id="e-personal_email">メールアドレスの形式が正しくありません`,
		"秘密のメモ"} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("bad input page lacks %q", want)
		}
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM departures`) + e.Count(t, `SELECT COUNT(*) FROM member_internal`) +
		e.Count(t, `SELECT COUNT(*) FROM jobs WHERE kind = 'offboard.convert'`); n != 0 {
		t.Fatalf("bad input wrote %d rows", n)
	}

	lastDay := offboardDay(e, 7)
	res = hr.Post(e.OrgPath("/admin/departures"), url.Values{"member": {"hanako@sakura.example.jp"}, "last_day": {lastDay},
		"department": {"営業部"}, "rehire_eligibility": {"conditional"}, "rehire_conditions": {"部長職以上"}, "lang": {"en"}})
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "/admin/departures/") {
		t.Fatalf("record: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	detailPath := res.Header.Get("Location")
	detail := hr.Get(detailPath)
	if !strings.Contains(detail.Body, "退職予定を登録しました") || !cardLink.MatchString(detail.Body) || !strings.Contains(detail.Body, "部長職以上") {
		t.Fatalf("detail page:\n%s", detail.Body)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'admin.internal_viewed' AND target = $1`, fmt.Sprintf("user:%d", leaver.UserID)); n != 1 {
		t.Errorf("viewing the rehire fields audited %d times", n)
	}
	// Edit: a new date; an invalid one is refused with nothing changed.
	res = hr.Post(detailPath, url.Values{"last_day": {"yesterday"}, "department": {"開発部"}, "lang": {"ja"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "日付は") {
		t.Fatalf("bad edit: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM departures WHERE last_day = $1 AND department = '営業部'`, lastDay) +
		e.Count(t, `SELECT COUNT(*) FROM member_internal WHERE rehire_conditions = '部長職以上'`); n != 2 {
		t.Fatal("a refused edit changed the departure")
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'offboard.updated'`); n != 0 {
		t.Fatal("a refused edit was audited")
	}
	newDay := offboardDay(e, 10)
	if res = hr.Post(detailPath, url.Values{"last_day": {newDay}, "department": {"開発部"}, "lang": {"ja"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", res.StatusCode, res.Body)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM departures WHERE last_day = $1 AND department = '開発部'`, newDay); n != 1 {
		t.Fatal("edit not saved")
	}
	// The list writes the day as Japanese HR does, not as stored.
	day, _ := time.Parse(time.DateOnly, newDay)
	if list := hr.Get(e.OrgPath("/admin/departures")); !strings.Contains(list.Body, day.Format("2006年1月2日")) || !strings.Contains(list.Body, "佐藤 花子") {
		t.Error("list lacks the departure")
	}
	if res = hr.Post(detailPath+"/cancel", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel: %d", res.StatusCode)
	}
	if res = hr.Post(detailPath+"/cancel", nil); res.StatusCode != http.StatusConflict {
		t.Errorf("second cancel: %d", res.StatusCode)
	}
	audit := hr.Get(e.OrgPath("/admin/audit"))
	for _, label := range []string{"退職予定を登録", "退職予定を変更", "退職予定を取り消し"} {
		if !strings.Contains(audit.Body, label) {
			t.Errorf("audit page lacks %q", label)
		}
	}
}

func TestOffboardBulkShowsEveryBadLine(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Admin, "hr@sakura.example.jp")
	e.AddWithoutPassword(t, e.Org, org.Employee, "a@sakura.example.jp", org.Name{Family: "青木"})
	e.AddWithoutPassword(t, e.Org, org.Employee, "b@sakura.example.jp", org.Name{Family: "馬場"})
	hr := e.Client(t)
	hr.SignIn(e.Org, "hr@sakura.example.jp", apptest.Password)
	day := offboardDay(e, 3)
	res := hr.Post(e.OrgPath("/admin/departures/bulk"), url.Values{"lines": {"a@sakura.example.jp," + day + "\nb@sakura.example.jp,明日"}, "bulk_lang": {"ja"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "1行に誤りがあるため、登録していません") ||
		!strings.Contains(res.Body, "<td>2</td><td>b@sakura.example.jp,明日</td>") {
		t.Fatalf("bad bulk: %d\n%s", res.StatusCode, res.Body)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM departures`); n != 0 {
		t.Fatalf("bad bulk recorded %d", n)
	}
	res = hr.Post(e.OrgPath("/admin/departures/bulk"), url.Values{"lines": {"a@sakura.example.jp," + day + "\nb@sakura.example.jp," + day}, "bulk_lang": {"ja"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("bulk: %d", res.StatusCode)
	}
	if list := hr.Get(e.OrgPath("/admin/departures")); !strings.Contains(list.Body, "退職予定をまとめて登録しました") ||
		!strings.Contains(list.Body, "青木") || !strings.Contains(list.Body, "馬場") {
		t.Errorf("list after the bulk entry:\n%s", list.Body)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM departures WHERE state = 'pending'`); n != 2 {
		t.Errorf("bulk recorded %d", n)
	}
}

func postCard(t *testing.T, e *apptest.Env, c *apptest.Client, path string, fields map[string]string, photo []byte) *apptest.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if photo != nil {
		fw, _ := mw.CreateFormFile("photo", "us.png")
		fw.Write(photo)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.URL(path), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", e.Server.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.Do(req)
}

func TestOffboardCardFromTheWeb(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Admin, "hr@sakura.example.jp")
	leaver := e.AddMember(t, e.Org, org.Employee, "hanako@sakura.example.jp")
	e.AddMember(t, e.Org, org.Employee, "colleague@sakura.example.jp")
	e.AddMember(t, e.Org, org.Alumni, "old@sakura.example.jp")
	lastDay := offboardDay(e, 2)
	d, err := e.App.Offboard.Record(t.Context(), e.Org, offboard.Input{Member: leaver.Email, LastDay: lastDay, Notes: "社外秘メモ",
		RehireEligibility: "not_eligible"}, offboard.Actor{Email: "hr@sakura.example.jp"})
	if err != nil {
		t.Fatal(err)
	}
	path := e.OrgPath("/cards/" + d.CardID)

	colleague := e.Client(t)
	colleague.SignIn(e.Org, "colleague@sakura.example.jp", apptest.Password)
	res := postCard(t, e, colleague, path+"/messages", map[string]string{"body": "お世話になりました。\n<script>alert(1)</script>"}, pngBytes(t, 200, 120))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("write: %d\n%s", res.StatusCode, res.Body)
	}
	page := colleague.Get(path)
	if !strings.Contains(page.Body, "お世話になりました。<br>&lt;script&gt;") || strings.Contains(page.Body, "社外秘メモ") || strings.Contains(page.Body, "not_eligible") {
		t.Fatalf("card page for a colleague:\n%s", page.Body)
	}
	colleague.Lang = "en"
	if en := colleague.Get(path); !strings.Contains(en.Body, "Write a message for Taro Tanaka") || !strings.Contains(en.Body, "Messages (1)") {
		t.Errorf("card page in English:\n%s", en.Body)
	}
	colleague.Lang = ""
	photo := regexp.MustCompile(`/cards/[^"]+/photo/large`).FindString(page.Body)
	if photo == "" {
		t.Fatal("no photo on the card")
	}
	if res := colleague.Get("/o/sakura" + photo); res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("photo: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	// Bad message: message next to the field, nothing written.
	before := e.Count(t, `SELECT COUNT(*) FROM card_messages`)
	res = postCard(t, e, colleague, path+"/messages", map[string]string{"body": strings.Repeat("あ", 1001)}, nil)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `id="e-body">1000文字以内で入力してください。`) {
		t.Fatalf("long message: %d", res.StatusCode)
	}
	res = postCard(t, e, colleague, path+"/messages", map[string]string{"body": "写真"}, []byte("<html>not an image</html>"))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "この形式の画像は使えません") {
		t.Fatalf("bad photo: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM card_messages`); n != before {
		t.Fatalf("bad messages written: %d", n-before)
	}

	// The leaver cannot see the card before the last day; alumni may not; signed-out visitors are sent to sign in.
	me := e.Client(t)
	me.SignIn(e.Org, "hanako@sakura.example.jp", apptest.Password)
	if res := me.Get(path); res.StatusCode != http.StatusNotFound || strings.Contains(res.Body, "お世話になりました") {
		t.Fatalf("the leaver opened the card early: %d", res.StatusCode)
	}
	if res := me.Get("/o/sakura" + photo); res.StatusCode != http.StatusNotFound {
		t.Fatalf("the leaver fetched a photo early: %d", res.StatusCode)
	}
	alum := e.Client(t)
	alum.SignIn(e.Org, "old@sakura.example.jp", apptest.Password)
	if res := alum.Get(path); res.StatusCode != http.StatusForbidden {
		t.Errorf("alumnus: %d", res.StatusCode)
	}
	anon := e.Client(t)
	if res := anon.Get(path); res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "/login?next=") {
		t.Errorf("signed out: %d", res.StatusCode)
	}
	if res := postCard(t, e, anon, path+"/messages", map[string]string{"body": "x", "name": "誰か"}, nil); res.StatusCode != http.StatusSeeOther ||
		!strings.Contains(res.Header.Get("Location"), "/login") {
		t.Errorf("signed-out write while not allowed: %d", res.StatusCode)
	}
	// HR allows name-only writing: the visitor writes with a name, without seeing others' messages or adding a photo.
	if err := e.App.Offboard.Update(t.Context(), e.Org, d.ID, offboard.Input{LastDay: lastDay, CardAnonymous: true, Notes: "社外秘メモ",
		RehireEligibility: "not_eligible"}, offboard.Actor{}); err != nil {
		t.Fatal(err)
	}
	if res := anon.Get(path); res.StatusCode != http.StatusOK || strings.Contains(res.Body, "お世話になりました") || !strings.Contains(res.Body, `name="name"`) {
		t.Fatalf("signed-out page: %d", res.StatusCode)
	}
	before = e.Count(t, `SELECT COUNT(*) FROM card_messages`)
	if res := postCard(t, e, anon, path+"/messages", map[string]string{"body": "x", "name": "取引先の山田"}, pngBytes(t, 100, 100)); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "写真を添付できるのは、ログインした社員の方のみです。") {
		t.Errorf("anonymous photo: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM card_messages`); n != before {
		t.Fatalf("a refused anonymous photo wrote %d messages", n-before)
	}
	if res := postCard(t, e, anon, path+"/messages", map[string]string{"body": "ご活躍をお祈りします", "name": "取引先の山田"}, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("anonymous write: %d\n%s", res.StatusCode, res.Body)
	}

	// HR hides a message; a colleague may not.
	hr := e.Client(t)
	hr.SignIn(e.Org, "hr@sakura.example.jp", apptest.Password)
	var msgID int64
	if err := e.App.DB.Read().QueryRowContext(t.Context(), `SELECT id FROM card_messages WHERE author_name = '取引先の山田'`).Scan(&msgID); err != nil {
		t.Fatal(err)
	}
	hide := fmt.Sprintf("%s/messages/%d/hide", path, msgID)
	if res := colleague.Post(hide, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("colleague hid a message: %d", res.StatusCode)
	}
	if res := hr.Post(hide, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("hide: %d", res.StatusCode)
	}
	if res := hr.Get(path); !strings.Contains(res.Body, "取引先の山田") || !strings.Contains(res.Body, "再表示する") {
		t.Error("HR does not see the hidden message marked")
	}
	if res := colleague.Get(path); strings.Contains(res.Body, "取引先の山田") {
		t.Error("a colleague sees the hidden message")
	}
	// Writing closes at midnight before the last day.
	offboardAdvanceTo(e, offboard.WritingClosesAt(lastDay))
	if res := postCard(t, e, colleague, path+"/messages", map[string]string{"body": "遅刻"}, nil); res.StatusCode != http.StatusConflict ||
		!strings.Contains(res.Body, "書き込みの受付は終了しました") {
		t.Errorf("after closing: %d", res.StatusCode)
	}
	// The last day: the leaver sees the card, from home, without the hidden message.
	offboardAdvanceTo(e, offboard.ConvertAt(lastDay))
	e.RunJobs(t)
	me = e.Client(t) // two days have passed: a new session
	me.SignIn(e.Org, "hanako@sakura.example.jp", apptest.Password)
	home := me.Get(e.OrgPath("/"))
	if !strings.Contains(home.Body, `href="`+path+`"`) {
		t.Fatalf("home page has no link to the card:\n%s", home.Body)
	}
	mine := me.Get(path)
	if mine.StatusCode != http.StatusOK || !strings.Contains(mine.Body, "お世話になりました") || strings.Contains(mine.Body, "取引先の山田") ||
		strings.Contains(mine.Body, "非表示にする") || strings.Contains(mine.Body, "社外秘メモ") {
		t.Fatalf("the leaver's card: %d\n%s", mine.StatusCode, mine.Body)
	}
	if res := me.Get("/o/sakura" + photo); res.StatusCode != http.StatusOK {
		t.Errorf("the leaver's photo: %d", res.StatusCode)
	}
	// Another organization's admin cannot reach the card.
	kaede := e.AddOrg(t, "kaede")
	e.AddMember(t, kaede, org.Admin, "hr@kaede.example.jp")
	other := e.Client(t)
	other.SignIn(kaede, "hr@kaede.example.jp", apptest.Password)
	if res := other.Get("/o/kaede/cards/" + d.CardID); res.StatusCode != http.StatusNotFound {
		t.Errorf("foreign organization: %d", res.StatusCode)
	}
}
