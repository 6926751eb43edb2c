package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/mailtest"
)

// applyForm is a complete, valid application.
func applyForm(email, family, given string, joined, left int, dept string) url.Values {
	return url.Values{"family_name": {family}, "given_name": {given}, "email": {email},
		"joined_year": {fmt.Sprint(joined)}, "left_year": {fmt.Sprint(left)}, "department": {dept}, "consent": {"1"}}
}

var verifyLinkPattern = regexp.MustCompile(`https?://[^\s"<>]+(/o/[a-z0-9-]+/apply/verify/[A-Za-z0-9_-]+)`)

// submitApplication sends the form and returns the verification link's path
// from the email that arrived.
func submitApplication(t *testing.T, e *apptest.Env, c *apptest.Client, form url.Values, already int) (string, mailtest.Received) {
	t.Helper()
	res := c.Post(e.OrgPath("/apply"), form)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != e.OrgPath("/apply/sent") {
		t.Fatalf("apply: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	e.RunJobs(t)
	msg := e.SMTP.WaitFor(t, already+1, 10*time.Second)[already]
	m := verifyLinkPattern.FindStringSubmatch(msg.Text)
	if m == nil {
		t.Fatalf("no verification link in:\n%s", msg.Text)
	}
	return m[1], msg
}

// joinFrom follows a join link from an email and sets a password; the
// person must land signed in.
func joinFrom(t *testing.T, e *apptest.Env, text string, family, given string) *apptest.Client {
	t.Helper()
	link := apptest.LinkIn(t, text)
	if !strings.Contains(link, "/join/") {
		t.Fatalf("not a join link: %s", link)
	}
	c := e.Client(t)
	if res := c.Get(link); res.StatusCode != http.StatusOK {
		t.Fatalf("join page: %d\n%s", res.StatusCode, res.Body)
	}
	res := c.Post(link, url.Values{"family_name": {family}, "given_name": {given}, "password": {"a long new passphrase"}, "password_confirm": {"a long new passphrase"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("join: %d\n%s", res.StatusCode, res.Body)
	}
	if home := c.Get(e.OrgPath("/")); home.StatusCode != http.StatusOK {
		t.Fatalf("after joining, home = %d: not signed in", home.StatusCode)
	}
	return c
}

func TestApplyAutoMatchJourney(t *testing.T) {
	e := apptest.New(t)
	// HR imported this leaver with the work address that stopped on the last day.
	id := e.AddHRRecord(t, e.Org, apptest.HRRecord{Email: "h.suzuki@sakura-tech.example.jp",
		Name: org.Name{Family: "鈴木", Given: "花子", FamilyKana: "すずき", GivenKana: "はなこ"}, HiredOn: "2012-04-01", LeftOn: "2020-03-31", Department: "営業部"})
	e.AddHRRecord(t, e.Org, apptest.HRRecord{Email: "other.suzuki@sakura-tech.example.jp",
		Name: org.Name{Family: "鈴木", Given: "一郎"}, HiredOn: "2012-04-01", LeftOn: "2020-03-31"})

	c := e.Client(t)
	if res := c.Get(e.OrgPath("/apply")); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "アルムナイネットワーク") {
		t.Fatalf("application page: %d", res.StatusCode)
	}
	// Kana typed in katakana still agrees with HR's hiragana.
	form := applyForm("hanako@example.com", "鈴木", "花子", 2012, 2020, "営業部")
	form.Set("given_kana", "ハナコ")
	form.Set("family_kana", "スズキ")
	link, msg := submitApplication(t, e, c, form, 0)
	if msg.To[0] != "hanako@example.com" || msg.Subject != "【さくらテクノロジー株式会社】メールアドレス確認のお願い" {
		t.Errorf("verification email: %v %q", msg.To, msg.Subject)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM applications WHERE status = 'unverified'`); n != 1 {
		t.Fatalf("unverified applications = %d", n)
	}
	// Opening the link (as a mail scanner does) changes nothing.
	for range 2 {
		if res := e.Client(t).Get(link); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "メールアドレスを確認する") {
			t.Fatalf("confirmation page: %d\n%s", res.StatusCode, res.Body)
		}
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM applications WHERE status = 'unverified'`); n != 1 {
		t.Fatal("GET of the verification link changed the application")
	}
	res := c.Post(link, nil)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "在籍記録と照合できました") {
		t.Fatalf("verify: %d\n%s", res.StatusCode, res.Body)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM applications WHERE status = 'approved' AND user_id = $1 AND decided_by IS NULL`, id); n != 1 {
		t.Fatal("application not approved automatically and linked to the HR record")
	}
	e.RunJobs(t)
	var approved, notice mailtest.Received
	for _, m := range e.SMTP.WaitFor(t, 3, 10*time.Second)[1:] {
		switch m.To[0] {
		case "hanako@example.com":
			approved = m
		case "h.suzuki@sakura-tech.example.jp":
			notice = m
		}
	}
	if !strings.Contains(approved.Subject, "ご参加のご案内") {
		t.Errorf("approval email: %q", approved.Subject)
	}
	// The record's old address hears of the change, without the new address.
	if !strings.Contains(notice.Subject, "登録メールアドレス変更のお知らせ") || strings.Contains(notice.Text, "hanako@example.com") {
		t.Errorf("notice to the old address: %q\n%s", notice.Subject, notice.Text)
	}
	joinFrom(t, e, approved.Text, "鈴木", "花子")
	m, err := e.App.Orgs.Member(t.Context(), e.Org.ID, id)
	if err != nil || m.Email != "hanako@example.com" || !m.Activated || m.Role != org.Alumni {
		t.Fatalf("linked account: %+v %v", m, err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'apply.auto_approved' AND detail LIKE '%h.suzuki@sakura-tech.example.jp%'`); n != 1 {
		t.Error("automatic approval not audited with the old email")
	}
	// The link was single use.
	if res := c.Post(link, nil); res.StatusCode != http.StatusGone || !strings.Contains(res.Body, "すでに使われ") {
		t.Errorf("reused verification link: %d", res.StatusCode)
	}
}

func TestApplyQueueApproveJourney(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Admin, "admin@sakura.example.jp")
	// Two records agree on name and years: the matcher must not guess.
	for _, mail := range []string{"k1@old.example.jp", "k2@old.example.jp"} {
		e.AddHRRecord(t, e.Org, apptest.HRRecord{Email: mail, Name: org.Name{Family: "佐藤", Given: "健"}, HiredOn: "2015-04-01", LeftOn: "2019-06-30"})
	}
	c := e.Client(t)
	c.Lang = "en"
	link, msg := submitApplication(t, e, c, applyForm("ken@example.com", "佐藤", "健", 2015, 2019, ""), 0)
	if msg.Subject != "[Sakura Technology] Please confirm your email address" {
		t.Errorf("English verification subject: %q", msg.Subject)
	}
	admin := e.Client(t)
	admin.SignIn(e.Org, "admin@sakura.example.jp", apptest.Password)
	if res := admin.Get(e.OrgPath("/admin/applications")); strings.Contains(res.Body, "ken@example.com") || strings.Contains(res.Body, "佐藤 健") {
		t.Fatal("unverified application shown to staff")
	}
	if res := c.Post(link, nil); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "will review your application") {
		t.Fatalf("verify: %d\n%s", res.StatusCode, res.Body)
	}
	var appID int64
	if err := e.App.DB.Read().QueryRow(`SELECT id FROM applications WHERE status = 'pending'`).Scan(&appID); err != nil {
		t.Fatal(err)
	}
	if hub := admin.Get(e.OrgPath("/admin")); !strings.Contains(hub.Body, "未対応 1件") {
		t.Error("the administration page does not count the pending application")
	}
	res := admin.Get(e.OrgPath("/admin/applications"))
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "佐藤 健") {
		t.Fatalf("queue: %d", res.StatusCode)
	}
	detail := admin.Get(e.OrgPath(fmt.Sprintf("/admin/applications/%d", appID)))
	if !strings.Contains(detail.Body, "k1@old.example.jp") || !strings.Contains(detail.Body, "k2@old.example.jp") {
		t.Fatal("detail lacks the candidate records")
	}
	// Approving needs a choice; nothing is written without one.
	if res := admin.Post(e.OrgPath(fmt.Sprintf("/admin/applications/%d/approve", appID)), url.Values{}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "紐づけるアカウントか") {
		t.Fatalf("approve without target: %d", res.StatusCode)
	}
	// A record that is not a candidate (an active member) cannot be linked.
	self, _ := e.App.Orgs.MemberByEmail(t.Context(), e.Org.ID, "admin@sakura.example.jp")
	if res := admin.Post(e.OrgPath(fmt.Sprintf("/admin/applications/%d/approve", appID)), url.Values{"target": {fmt.Sprint(self.UserID)}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("approve linking an active account: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM applications WHERE status = 'pending'`); n != 1 {
		t.Fatal("a refused approval decided the application")
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM users WHERE email_lower = 'ken@example.com'`); n != 0 {
		t.Fatal("a refused approval changed an account")
	}
	res = admin.Post(e.OrgPath(fmt.Sprintf("/admin/applications/%d/approve", appID)), url.Values{"target": {"new"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d\n%s", res.StatusCode, res.Body)
	}
	e.RunJobs(t)
	approved := e.SMTP.WaitFor(t, 2, 10*time.Second)[1]
	if approved.To[0] != "ken@example.com" || approved.Subject != "[Sakura Technology] Welcome to the alumni network" {
		t.Errorf("approval email: %v %q", approved.To, approved.Subject)
	}
	joinFrom(t, e, approved.Text, "佐藤", "健")
	m, err := e.App.Orgs.MemberByEmail(t.Context(), e.Org.ID, "ken@example.com")
	if err != nil || m.Role != org.Alumni || m.Locale != "en" {
		t.Fatalf("new account: %+v %v", m, err)
	}
	prof, _ := e.App.Members.Get(t.Context(), e.Org.ID, m.UserID)
	if prof.JoinedYear != 2015 || prof.LeftYear != 2019 {
		t.Errorf("profile years %d-%d", prof.JoinedYear, prof.LeftYear)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'apply.approved' AND actor_user_id = $1`, self.UserID); n != 1 {
		t.Error("approval not audited")
	}
	// Deciding again is refused and changes nothing.
	again := admin.Post(e.OrgPath(fmt.Sprintf("/admin/applications/%d/reject", appID)), url.Values{"reason": {"late"}})
	if again.StatusCode != http.StatusConflict || !strings.Contains(again.Body, "すでに判断済み") {
		t.Fatalf("second decision: %d", again.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM applications WHERE status = 'approved' AND reject_reason = ''`); n != 1 {
		t.Fatal("second decision changed the application")
	}
	e.RunJobs(t)
	if n := len(e.SMTP.Messages()); n != 2 {
		t.Errorf("%d emails after a refused second decision, want 2", n)
	}
}

func TestApplyRejectWithReason(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Supporter, "support@sakura.example.jp")
	c := e.Client(t)
	c.Lang = "en"
	link, _ := submitApplication(t, e, c, applyForm("guess@example.com", "山田", "次郎", 2001, 2003, "開発部"), 0)
	if res := c.Post(link, nil); res.StatusCode != http.StatusOK {
		t.Fatalf("verify: %d", res.StatusCode)
	}
	var appID int64
	if err := e.App.DB.Read().QueryRow(`SELECT id FROM applications WHERE status = 'pending'`).Scan(&appID); err != nil {
		t.Fatal(err)
	}
	staff := e.Client(t)
	staff.SignIn(e.Org, "support@sakura.example.jp", apptest.Password)
	path := e.OrgPath(fmt.Sprintf("/admin/applications/%d/reject", appID))
	for _, bad := range []url.Values{{"reason": {"  "}}, {"reason": {strings.Repeat("長", 1001)}}} {
		res := staff.Post(path, bad)
		if res.StatusCode != http.StatusUnprocessableEntity || !(strings.Contains(res.Body, "理由を入力してください") || strings.Contains(res.Body, "1000文字以内")) {
			t.Fatalf("bad reason: %d", res.StatusCode)
		}
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM applications WHERE status = 'pending'`); n != 1 {
		t.Fatal("a refused rejection decided the application")
	}
	reason := "We could not find a record of your employment between 2001 and 2003.\nPlease reply with your employee number."
	if res := staff.Post(path, url.Values{"reason": {reason}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reject: %d\n%s", res.StatusCode, res.Body)
	}
	e.RunJobs(t)
	msg := e.SMTP.WaitFor(t, 2, 10*time.Second)[1]
	if msg.To[0] != "guess@example.com" || msg.Subject != "[Sakura Technology] About your application to the alumni network" {
		t.Errorf("rejection email: %v %q", msg.To, msg.Subject)
	}
	if !strings.Contains(msg.Text, "We could not find a record of your employment between 2001 and 2003.") || !strings.Contains(msg.Text, "sorry") {
		t.Errorf("rejection email lacks the reason:\n%s", msg.Text)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'apply.rejected'`); n != 1 {
		t.Error("rejection not audited")
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM users WHERE email_lower = 'guess@example.com'`); n != 0 {
		t.Error("a rejected applicant got an account")
	}
}

func TestApplyValidationWritesNothing(t *testing.T) {
	e := apptest.New(t)
	thisYear := e.Clock.Now().In(time.FixedZone("JST", 9*3600)).Year()
	cases := []struct {
		name  string
		edit  func(url.Values)
		field string
		msg   string
	}{
		{"no family name", func(f url.Values) { f.Set("family_name", " ") }, "family_name", "入力してください"},
		{"no given name", func(f url.Values) { f.Del("given_name") }, "given_name", "入力してください"},
		{"kana in kanji", func(f url.Values) { f.Set("family_kana", "山田") }, "family_kana", "ひらがなまたはカタカナ"},
		{"bad email", func(f url.Values) { f.Set("email", "taro@") }, "email", "メールアドレスの形式"},
		{"no email", func(f url.Values) { f.Set("email", "") }, "email", "入力してください"},
		{"year in words", func(f url.Values) { f.Set("joined_year", "平成") }, "joined_year", "1900〜"},
		{"future year", func(f url.Values) { f.Set("left_year", fmt.Sprint(thisYear+1)) }, "left_year", fmt.Sprint(thisYear)},
		{"left before joined", func(f url.Values) { f.Set("joined_year", "2010"); f.Set("left_year", "2005") }, "left_year", "入社年以降"},
		{"long department", func(f url.Values) { f.Set("department", strings.Repeat("部", 101)) }, "department", "100文字以内"},
		{"long message", func(f url.Values) { f.Set("message", strings.Repeat("あ", 1001)) }, "message", "1000文字以内"},
		{"no consent", func(f url.Values) { f.Del("consent") }, "consent", "同意が必要です"},
	}
	c := e.Client(t)
	for _, tc := range cases {
		f := applyForm("taro@example.com", "山田", "太郎", 2001, 2005, "")
		tc.edit(f)
		res := c.Post(e.OrgPath("/apply"), f)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d", tc.name, res.StatusCode)
			continue
		}
		if !strings.Contains(res.Body, `id="e-`+tc.field+`"`) || !strings.Contains(res.Body, tc.msg) {
			t.Errorf("%s: no error %q next to %s", tc.name, tc.msg, tc.field)
		}
	}
	for _, table := range []string{"applications", "application_attempts", "jobs"} {
		if n := e.Count(t, `SELECT COUNT(*) FROM `+table); n != 0 {
			t.Errorf("invalid forms wrote %d rows to %s", n, table)
		}
	}
	// The form is shown again with what was typed.
	f := applyForm("taro@example.com", "山田", "太郎", 2001, 2005, "経理部")
	f.Del("consent")
	if res := c.Post(e.OrgPath("/apply"), f); !strings.Contains(res.Body, `value="経理部"`) || !strings.Contains(res.Body, `value="taro@example.com"`) {
		t.Error("the form lost what was typed")
	}
}

func TestApplyHoneypotAndRateLimit(t *testing.T) {
	e := apptest.New(t)
	c := e.Client(t)
	// A robot filling every field gets the usual answer and nothing happens.
	f := applyForm("bot@example.com", "山田", "太郎", 2001, 2005, "")
	f.Set("website", "http://spam.example")
	if res := c.Post(e.OrgPath("/apply"), f); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != e.OrgPath("/apply/sent") {
		t.Fatalf("honeypot: %d", res.StatusCode)
	}
	e.RunJobs(t)
	if n := e.Count(t, `SELECT COUNT(*) FROM applications`) + e.Count(t, `SELECT COUNT(*) FROM jobs`); n != 0 {
		t.Fatalf("honeypot submission wrote %d rows", n)
	}
	// Three per email a day.
	for i := range 3 {
		if res := c.Post(e.OrgPath("/apply"), applyForm("same@example.com", "山田", "太郎", 2001, 2005, "")); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("submission %d: %d", i, res.StatusCode)
		}
	}
	res := c.Post(e.OrgPath("/apply"), applyForm("same@example.com", "山田", "太郎", 2001, 2005, ""))
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(res.Body, "しばらく時間をおいてから") {
		t.Fatalf("fourth for one email: %d", res.StatusCode)
	}
	// Five per address an hour: two more with other emails, then refused.
	for _, mail := range []string{"a@example.com", "b@example.com"} {
		if res := c.Post(e.OrgPath("/apply"), applyForm(mail, "山田", "太郎", 2001, 2005, "")); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d", mail, res.StatusCode)
		}
	}
	if res := c.Post(e.OrgPath("/apply"), applyForm("c@example.com", "山田", "太郎", 2001, 2005, "")); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("sixth from one IP: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM applications`); n != 5 {
		t.Fatalf("applications = %d, want 5", n)
	}
	// An hour later the IP may send again; the email still waits a day.
	e.Clock.Advance(61 * time.Minute)
	if res := c.Post(e.OrgPath("/apply"), applyForm("c@example.com", "山田", "太郎", 2001, 2005, "")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("after an hour: %d", res.StatusCode)
	}
	if res := c.Post(e.OrgPath("/apply"), applyForm("same@example.com", "山田", "太郎", 2001, 2005, "")); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("same email after an hour: %d", res.StatusCode)
	}
}

func TestApplyExistingMemberGetsNeutralAnswer(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	c := e.Client(t)
	res := c.Post(e.OrgPath("/apply"), applyForm("Taro@example.jp", "田中", "太郎", 2001, 2005, ""))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != e.OrgPath("/apply/sent") {
		t.Fatalf("member applying: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM applications`); n != 0 {
		t.Fatal("an application was stored for an existing member")
	}
	e.RunJobs(t)
	msg := e.SMTP.WaitFor(t, 1, 10*time.Second)[0]
	if msg.To[0] != "Taro@example.jp" || !strings.Contains(msg.Subject, "すでにご登録済み") {
		t.Fatalf("member notice: %v %q", msg.To, msg.Subject)
	}
	if !strings.Contains(msg.Text, e.OrgPath("/login")) || !strings.Contains(msg.Text, e.OrgPath("/forgot")) {
		t.Errorf("notice lacks sign-in and reset links:\n%s", msg.Text)
	}
}

func TestApplyVerificationLinkProblems(t *testing.T) {
	e := apptest.New(t)
	kaede := e.AddOrg(t, "kaede")
	c := e.Client(t)
	link, _ := submitApplication(t, e, c, applyForm("late@example.com", "山田", "太郎", 2001, 2005, ""), 0)

	// Another organization's page does not know the link.
	foreign := strings.Replace(link, "/o/sakura/", "/o/kaede/", 1)
	for _, res := range []*apptest.Response{c.Get(foreign), c.Post(foreign, nil)} {
		if res.StatusCode != http.StatusGone || !strings.Contains(res.Body, "リンクが正しくありません") {
			t.Fatalf("foreign organization: %d", res.StatusCode)
		}
	}
	if res := c.Post(e.OrgPath("/apply/verify/not-a-token"), nil); res.StatusCode != http.StatusGone {
		t.Fatalf("made-up token: %d", res.StatusCode)
	}
	_ = kaede

	// Seven days later the link is dead and the application is gone.
	e.Clock.Advance(7*24*time.Hour + time.Minute)
	for _, res := range []*apptest.Response{c.Get(link), c.Post(link, nil)} {
		if res.StatusCode != http.StatusGone || !strings.Contains(res.Body, "有効期限") {
			t.Fatalf("expired: %d\n%s", res.StatusCode, res.Body)
		}
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM applications WHERE status = 'unverified'`); n != 1 {
		t.Fatal("expired link changed the application")
	}
	e.RunJobs(t)
	if n := e.Count(t, `SELECT COUNT(*) FROM applications`); n != 0 {
		t.Fatal("expired unverified application not deleted")
	}
}

func TestApplySupporterSeesNoInternalFields(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Admin, "admin@sakura.example.jp")
	e.AddMember(t, e.Org, org.Supporter, "support@sakura.example.jp")
	e.AddHRRecord(t, e.Org, apptest.HRRecord{Email: "m1@old.example.jp", Name: org.Name{Family: "松本", Given: "誠"}, HiredOn: "2010-04-01",
		LeftOn: "2014-09-30", Department: "法務部", EmployeeNumber: "E-99871", Rehire: "not_eligible", Notes: "退職時に守秘義務違反の疑い"})
	id, _ := e.AddApplication(t, e.Org, "pending", "makoto@example.com", org.Name{Family: "松本", Given: "誠"}, 2010, 2015)
	path := e.OrgPath(fmt.Sprintf("/admin/applications/%d", id))
	secrets := []string{"守秘義務違反", "E-99871", "再雇用不可", "2010-04-01", "法務部"}

	sup := e.Client(t)
	sup.SignIn(e.Org, "support@sakura.example.jp", apptest.Password)
	res := sup.Get(path)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "m1@old.example.jp") {
		t.Fatalf("supporter detail: %d", res.StatusCode)
	}
	for _, s := range secrets {
		if strings.Contains(res.Body, s) {
			t.Errorf("supporter sees internal field %q", s)
		}
	}
	adm := e.Client(t)
	adm.SignIn(e.Org, "admin@sakura.example.jp", apptest.Password)
	res = adm.Get(path)
	for _, s := range secrets {
		if !strings.Contains(res.Body, s) {
			t.Errorf("admin does not see %q: the supporter check proves nothing", s)
		}
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'apply.candidates_viewed'`); n != 1 {
		t.Errorf("admin's view of internal fields audited %d times", n)
	}
}
