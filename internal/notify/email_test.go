package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/notify"
	"github.com/tsunagu/tsunagu/internal/org"
)

var jst = time.FixedZone("JST", 9*3600)

// advanceTo moves the test clock forward to the next time of day hh:mm JST
// (on weekday, if given), so digests can be checked at known times.
func advanceTo(t *testing.T, e *apptest.Env, weekday *time.Weekday, hh, mm int) {
	t.Helper()
	now := e.Clock.Now().In(jst)
	target := time.Date(now.Year(), now.Month(), now.Day(), hh, mm, 0, 0, jst)
	for !target.After(now) || (weekday != nil && target.Weekday() != *weekday) {
		target = target.AddDate(0, 0, 1)
	}
	e.Clock.Advance(target.Sub(now))
}

func TestInstantEmailInRecipientsLanguage(t *testing.T) {
	e := apptest.New(t)
	ja := e.AddMember(t, e.Org, org.Alumni, "ja@example.jp")
	en := e.AddMember(t, e.Org, org.Alumni, "en@example.jp")
	if err := e.App.Orgs.SetLocale(t.Context(), en.OrgID, en.UserID, "en"); err != nil {
		t.Fatal(err)
	}
	e.Notify(t, note(ja, 0, notify.Mentions, "山田さんが言及しました"))
	e.Notify(t, note(en, 0, notify.Mentions, "Yamada\r\nBcc: x@example.com mentioned you"))
	e.DrainJobs(t)
	msgs := e.SMTP.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d emails, want 2", len(msgs))
	}
	byTo := map[string]string{}
	subjects := map[string]string{}
	for _, m := range msgs {
		byTo[m.To[0]] = m.Text
		subjects[m.To[0]] = m.Subject
	}
	link := e.URL("/o/sakura/feed/posts/7")
	settings := e.URL("/o/sakura/notifications/settings")
	if s := subjects["ja@example.jp"]; s != "【さくらテクノロジー株式会社】確認用のお知らせ：山田さんが言及しました" {
		t.Errorf("Japanese subject = %q", s)
	}
	if txt := byTo["ja@example.jp"]; !strings.Contains(txt, "田中 太郎 様") || !strings.Contains(txt, "新しいお知らせがございます") ||
		!strings.Contains(txt, link) || !strings.Contains(txt, settings) {
		t.Errorf("Japanese email:\n%s", txt)
	}
	// A line break in an argument must not break (or inject into) the subject.
	if s := subjects["en@example.jp"]; s != "[Sakura Technology] Test notification: Yamada Bcc: x@example.com mentioned you" {
		t.Errorf("English subject = %q", s)
	}
	if txt := byTo["en@example.jp"]; !strings.Contains(txt, "You have a new notification from Sakura Technology") || !strings.Contains(txt, "Yamada") ||
		!strings.Contains(txt, link) || !strings.Contains(txt, "Open it") {
		t.Errorf("English email:\n%s", txt)
	}
	// Instant ones are settled: no digest will carry them again.
	if got := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE emailed_at IS NULL`); got != 0 {
		t.Errorf("%d instant notifications left unemailed", got)
	}
}

func TestDailyDigestAtEightJST(t *testing.T) {
	e := apptest.New(t)
	to := e.AddMember(t, e.Org, org.Alumni, "to@example.jp")
	advanceTo(t, e, nil, 21, 0) // the evening before
	// Comments go in the daily digest by default.
	e.Notify(t, note(to, 0, notify.Comments, "一つ目のコメント"))
	e.Notify(t, note(to, 0, notify.Comments, "二つ目のコメント"))
	e.Notify(t, note(to, 0, notify.Comments, "既読にしたコメント"))
	items, _, err := e.App.Notify.List(t.Context(), to.OrgID, to.UserID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Notify.Open(t.Context(), to.OrgID, to.UserID, items[0].ID); err != nil { // the newest: read in the app
		t.Fatal(err)
	}
	if got := e.Count(t, `SELECT COUNT(*) FROM jobs WHERE kind = $1`, notify.KindDigest); got != 1 {
		t.Fatalf("%d digest jobs scheduled, want 1 for three notifications", got)
	}
	advanceTo(t, e, nil, 7, 59)
	e.DrainJobs(t)
	if got := len(e.SMTP.Messages()); got != 0 {
		t.Fatalf("%d emails before 08:00 JST", got)
	}
	e.Clock.Advance(time.Minute)
	e.DrainJobs(t)
	msgs := e.SMTP.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d emails at 08:00 JST, want one digest", len(msgs))
	}
	d := msgs[0]
	if d.Subject != "【さくらテクノロジー株式会社】本日のお知らせ（2件）" {
		t.Errorf("subject = %q", d.Subject)
	}
	first, second := strings.Index(d.Text, "一つ目のコメント"), strings.Index(d.Text, "二つ目のコメント")
	if first < 0 || second < 0 || second > first || strings.Contains(d.Text, "既読にしたコメント") {
		t.Errorf("digest should list the two unread comments, newest first, and not the read one:\n%s", d.Text)
	}
	if !strings.Contains(d.Text, e.URL("/o/sakura/notifications")) {
		t.Errorf("digest without the notifications page link:\n%s", d.Text)
	}

	// Never twice: the next days send nothing without something new.
	e.Clock.Advance(48 * time.Hour)
	e.DrainJobs(t)
	if got := len(e.SMTP.Messages()); got != 1 {
		t.Fatalf("%d emails after two more days, want still 1", got)
	}
	if got := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE emailed_at IS NULL`); got != 0 {
		t.Errorf("%d notifications left for a later digest", got)
	}
	// Something new goes in the next morning's digest, alone.
	e.Notify(t, note(to, 0, notify.Comments, "翌日のコメント"))
	advanceTo(t, e, nil, 8, 0)
	e.DrainJobs(t)
	msgs = e.SMTP.Messages()
	if len(msgs) != 2 || !strings.Contains(msgs[1].Text, "翌日のコメント") || strings.Contains(msgs[1].Text, "一つ目のコメント") {
		t.Fatalf("second digest: %d emails\n%s", len(msgs), msgs[len(msgs)-1].Text)
	}
}

func TestWeeklyDigestOnMondayJST(t *testing.T) {
	e := apptest.New(t)
	to := e.AddMember(t, e.Org, org.Alumni, "to@example.jp")
	if err := e.App.Orgs.SetLocale(t.Context(), to.OrgID, to.UserID, "en"); err != nil {
		t.Fatal(err)
	}
	setPref(t, e, to, notify.Groups, true, notify.Weekly)
	wednesday, monday := time.Wednesday, time.Monday
	advanceTo(t, e, &wednesday, 12, 0)
	e.Notify(t, note(to, 0, notify.Groups, "Joined the Kansai group"))
	e.Clock.Advance(48 * time.Hour) // Friday
	e.Notify(t, note(to, 0, notify.Groups, "Request approved"))
	advanceTo(t, e, &monday, 7, 59)
	e.DrainJobs(t)
	if got := len(e.SMTP.Messages()); got != 0 {
		t.Fatalf("%d emails before Monday 08:00 JST", got)
	}
	e.Clock.Advance(time.Minute)
	e.DrainJobs(t)
	msgs := e.SMTP.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d emails on Monday 08:00 JST, want one weekly digest", len(msgs))
	}
	if msgs[0].Subject != "[Sakura Technology] This week's notifications (2)" ||
		!strings.Contains(msgs[0].Text, "Joined the Kansai group") || !strings.Contains(msgs[0].Text, "Request approved") {
		t.Errorf("weekly digest %q:\n%s", msgs[0].Subject, msgs[0].Text)
	}
	e.Clock.Advance(8 * 24 * time.Hour)
	e.DrainJobs(t)
	if got := len(e.SMTP.Messages()); got != 1 {
		t.Errorf("%d emails a week later, want still 1", got)
	}
}

func TestDigestSkipsMembersWhoLeft(t *testing.T) {
	e := apptest.New(t)
	to := e.AddMember(t, e.Org, org.Alumni, "to@example.jp")
	e.Notify(t, note(to, 0, notify.Comments, "コメント"))
	if _, err := e.App.DB.Write().ExecContext(t.Context(), `UPDATE memberships SET ended_at = $1 WHERE org_id = $2 AND user_id = $3`,
		e.Clock.Now(), to.OrgID, to.UserID); err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(25 * time.Hour)
	e.DrainJobs(t)
	if got := len(e.SMTP.Messages()); got != 0 {
		t.Errorf("%d digests to someone whose membership ended", got)
	}
	if got := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE emailed_at IS NULL`); got != 0 {
		t.Errorf("%d notifications left pending for a former member", got)
	}
}

func TestDigestLeavesOutCategoriesTurnedOff(t *testing.T) {
	e := apptest.New(t)
	to := e.AddMember(t, e.Org, org.Alumni, "to@example.jp")
	e.Notify(t, note(to, 0, notify.Comments, "止めたコメント"))
	e.Notify(t, note(to, 0, notify.Groups, "グループの承認"))
	// The member stops comment emails before the digest goes out.
	setPref(t, e, to, notify.Comments, true, notify.Never)
	e.Clock.Advance(25 * time.Hour)
	e.DrainJobs(t)
	msgs := e.SMTP.Messages()
	if len(msgs) != 1 || strings.Contains(msgs[0].Text, "止めたコメント") || !strings.Contains(msgs[0].Text, "グループの承認") {
		t.Fatalf("want one digest with the group news only; got %d emails", len(msgs))
	}
	if !strings.Contains(msgs[0].Subject, "（1件）") {
		t.Errorf("subject %q should count one notification", msgs[0].Subject)
	}
	if got := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE emailed_at IS NULL`); got != 0 {
		t.Errorf("%d notifications left pending", got)
	}
}

func TestDigestCarriesCategoriesOffInTheApp(t *testing.T) {
	e := apptest.New(t)
	to := e.AddMember(t, e.Org, org.Alumni, "to@example.jp")
	setPref(t, e, to, notify.Groups, false, notify.Daily)
	e.Notify(t, note(to, 0, notify.Groups, "メールだけのグループ通知"))
	if got := unread(t, e, to); got != 0 {
		t.Errorf("badge = %d for a category off in the app", got)
	}
	e.Clock.Advance(25 * time.Hour)
	e.DrainJobs(t)
	msgs := e.SMTP.Messages()
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "メールだけのグループ通知") {
		t.Fatalf("want the digest with the app-off notification; got %d emails", len(msgs))
	}
}
