package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
)

// eventFormValues is a valid hybrid event for the form, 3 days ahead.
func eventFormValues(e *apptest.Env, capacity string) url.Values {
	start := e.Clock.Now().In(time.FixedZone("JST", 9*3600)).Add(72 * time.Hour)
	return url.Values{"title": {"大阪アルムナイ懇親会"}, "description": {"**軽食**あり <script>alert(1)</script>"}, "format": {"hybrid"},
		"tz": {"Asia/Tokyo"}, "start": {start.Format("2006-01-02T15:04")}, "end": {start.Add(2 * time.Hour).Format("2006-01-02T15:04")},
		"venue": {"大阪市北区梅田1-1 会議室A"}, "online_url": {"https://meet.example.jp/osaka"}, "capacity": {capacity},
		"audience": {"network"}, "alcohol": {"1"}}
}

func signedIn(t *testing.T, e *apptest.Env, role org.Role, email string) (*apptest.Client, org.Member) {
	t.Helper()
	m := e.AddMember(t, e.Org, role, email)
	c := e.Client(t)
	c.SignIn(e.Org, email, apptest.Password)
	return c, m
}

func TestEventFormErrorsWriteNothing(t *testing.T) {
	e := apptest.New(t)
	admin, _ := signedIn(t, e, org.Admin, "admin@sakura.example.jp")
	cases := []struct {
		edit func(url.Values)
		want string
	}{
		{func(v url.Values) { v.Set("end", v.Get("start")) }, "終了日時は開始日時より後にしてください。"},
		{func(v url.Values) { v.Set("capacity", "-3") }, "定員は0〜100000の整数で入力してください。"},
		{func(v url.Values) { v.Set("online_url", "ftp://example.jp/x") }, "参加URLは https:// で始まるURLを入力してください。"},
		{func(v url.Values) { v.Set("tz", "Tokyo/Nowhere") }, "タイムゾーンが正しくありません"},
		{func(v url.Values) { v.Set("venue", "") }, "会場を入力してください。"},
	}
	for _, c := range cases {
		v := eventFormValues(e, "10")
		c.edit(v)
		res := admin.Post(e.OrgPath("/events/new"), v)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, c.want) || !strings.Contains(res.Body, `aria-invalid="true"`) {
			t.Errorf("want %q: status %d", c.want, res.StatusCode)
		}
		// What was typed comes back.
		if !strings.Contains(res.Body, "大阪アルムナイ懇親会") {
			t.Error("the form lost the title")
		}
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM events`); n != 0 {
		t.Fatalf("%d events written", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'event.%'`); n != 0 {
		t.Fatalf("%d audit entries", n)
	}
}

func TestEventVenueOnlyForSeatHolders(t *testing.T) {
	e := apptest.New(t)
	admin, _ := signedIn(t, e, org.Admin, "admin@sakura.example.jp")
	res := admin.Post(e.OrgPath("/events/new"), eventFormValues(e, "1"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", res.StatusCode, res.Body)
	}
	path := res.Header.Get("Location")
	a, _ := signedIn(t, e, org.Alumni, "a@sakura.example.jp")
	b, _ := signedIn(t, e, org.Employee, "b@sakura.example.jp")
	hidden := func(c *apptest.Client, who string, wantHidden bool) {
		t.Helper()
		page := c.Get(path)
		if page.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", who, page.StatusCode)
		}
		if strings.Contains(page.Body, "<script>alert") || !strings.Contains(page.Body, "<strong>軽食</strong>") {
			t.Fatalf("%s: description not rendered safely", who)
		}
		has := strings.Contains(page.Body, "梅田1-1") || strings.Contains(page.Body, "meet.example.jp/osaka")
		if has == wantHidden {
			t.Fatalf("%s: venue shown = %v", who, has)
		}
	}
	hidden(a, "before registering", true)
	if !strings.Contains(a.Get(path).Body, "JST (Asia/Tokyo)") {
		t.Fatal("time shown without its zone")
	}
	// The code of conduct must be accepted: the error is next to the box, and nothing is written.
	res = a.Post(path+"/register", url.Values{})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "行動規範への同意が必要です") {
		t.Fatalf("without conduct: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM event_registrations`); n != 0 {
		t.Fatalf("%d registrations", n)
	}
	if res = a.Post(path+"/register", url.Values{"accept_conduct": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("register: %d", res.StatusCode)
	}
	hidden(a, "registered", false)
	res = a.Post(path+"/register", url.Values{"accept_conduct": {"1"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "すでに申し込み済みです") {
		t.Fatalf("twice: %d", res.StatusCode)
	}
	if res = b.Post(path+"/register", url.Values{"accept_conduct": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("b register: %d", res.StatusCode)
	}
	page := b.Get(path)
	if !strings.Contains(page.Body, "キャンセル待ちに登録されています") {
		t.Fatal("b not told of the waitlist")
	}
	hidden(b, "waitlisted", true)
	if list := b.Get(e.OrgPath("/events")); !strings.Contains(list.Body, "申し込み中のイベント") || !strings.Contains(list.Body, ">キャンセル待ち</span>") {
		t.Fatal("the waitlisted event is not among b's events")
	}
	// The .ics download names no venue; the page links it.
	ics := b.Get(path + "/event.ics")
	if ics.StatusCode != http.StatusOK || !strings.HasPrefix(ics.Header.Get("Content-Type"), "text/calendar") || strings.Contains(ics.Body, "梅田") {
		t.Fatalf("ics: %d %s", ics.StatusCode, ics.Header.Get("Content-Type"))
	}
	if res = a.Post(path+"/unregister", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel: %d", res.StatusCode)
	}
	hidden(b, "promoted", false)
	hidden(a, "cancelled", true)
	// Organizers see the participants.
	if page := admin.Get(path); !strings.Contains(page.Body, "参加者") || !strings.Contains(page.Body, "梅田1-1") {
		t.Fatal("organizer page incomplete")
	}
}

func TestEventPersonalFeedWithoutCookie(t *testing.T) {
	e := apptest.New(t)
	admin, _ := signedIn(t, e, org.Admin, "admin@sakura.example.jp")
	path := admin.Post(e.OrgPath("/events/new"), eventFormValues(e, "0")).Header.Get("Location")
	a, _ := signedIn(t, e, org.Alumni, "a@sakura.example.jp")
	if res := a.Post(path+"/register", url.Values{"accept_conduct": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("register: %d", res.StatusCode)
	}
	if page := a.Get(e.OrgPath("/events/calendar")); strings.Contains(page.Body, "/calendar/") && strings.Contains(page.Body, ".ics\"") {
		t.Fatal("a calendar address before one was made")
	}
	page := a.Post(e.OrgPath("/events/calendar"), nil)
	i := strings.Index(page.Body, "/o/sakura/calendar/")
	if page.StatusCode != http.StatusOK || i < 0 {
		t.Fatalf("no address: %d", page.StatusCode)
	}
	feedPath := page.Body[i : i+strings.Index(page.Body[i:], `"`)]
	res := e.Client(t).Get(feedPath) // signed out, like a calendar app
	if res.StatusCode != http.StatusOK {
		t.Fatalf("feed: %d", res.StatusCode)
	}
	cal, err := goical.NewDecoder(strings.NewReader(res.Body)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	if loc := evs[0].Props.Get("LOCATION"); loc == nil || loc.Value != "大阪市北区梅田1-1 会議室A" {
		t.Fatalf("location %+v", loc)
	}
	if uid, _ := evs[0].Props.Text("UID"); !strings.HasPrefix(uid, "event-") {
		t.Fatalf("uid %q", uid)
	}
	// A regenerated address replaces the old one.
	a.Post(e.OrgPath("/events/calendar"), nil)
	if res := e.Client(t).Get(feedPath); res.StatusCode != http.StatusNotFound {
		t.Fatalf("old address: %d", res.StatusCode)
	}
}

func TestEventIncidentsPageAdminsOnly(t *testing.T) {
	e := apptest.New(t)
	admin, _ := signedIn(t, e, org.Admin, "admin@sakura.example.jp")
	sup, _ := signedIn(t, e, org.Supporter, "sup@sakura.example.jp")
	a, _ := signedIn(t, e, org.Alumni, "a@sakura.example.jp")
	res := a.Post(e.OrgPath("/incident"), url.Values{"body": {"二次会で不適切な発言がありました。"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("report: %d", res.StatusCode)
	}
	res = a.Post(e.OrgPath("/incident"), url.Values{"body": {"  "}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "入力してください") {
		t.Fatalf("empty report: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM event_incidents`); n != 1 {
		t.Fatalf("%d incidents", n)
	}
	if page := admin.Get(e.OrgPath("/admin/events")); !strings.Contains(page.Body, "不適切な発言") {
		t.Fatal("admin does not see the report")
	}
	if page := sup.Get(e.OrgPath("/admin/events")); page.StatusCode != http.StatusOK || strings.Contains(page.Body, "不適切な発言") {
		t.Fatalf("supporter: %d, sees the report = %v", page.StatusCode, strings.Contains(page.Body, "不適切な発言"))
	}
	if page := admin.Get(e.OrgPath("/admin")); !strings.Contains(page.Body, "/admin/events") {
		t.Fatal("no entry on the administration page")
	}
}

func TestEventProposalThroughThePages(t *testing.T) {
	e := apptest.New(t)
	sup, _ := signedIn(t, e, org.Supporter, "sup@sakura.example.jp")
	a, _ := signedIn(t, e, org.Alumni, "a@sakura.example.jp")
	res := a.Post(e.OrgPath("/events/propose"), eventFormValues(e, "20"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("propose: %d\n%s", res.StatusCode, res.Body)
	}
	path := res.Header.Get("Location")
	if page := sup.Get(e.OrgPath("/admin/events")); !strings.Contains(page.Body, "大阪アルムナイ懇親会") {
		t.Fatal("proposal not listed for staff")
	}
	res = sup.Post(path+"/review", url.Values{"decision": {"decline"}, "message": {""}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "理由をご記入ください") {
		t.Fatalf("decline without reason: %d", res.StatusCode)
	}
	if res = sup.Post(path+"/review", url.Values{"decision": {"changes"}, "message": {"定員を教えてください"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("changes: %d", res.StatusCode)
	}
	if page := a.Get(path); !strings.Contains(page.Body, "定員を教えてください") || !strings.Contains(page.Body, "修正して再提出する") {
		t.Fatal("proposer does not see the request")
	}
	if res = a.Post(path+"/edit", eventFormValues(e, "30")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("resubmit: %d", res.StatusCode)
	}
	if res = sup.Post(path+"/review", url.Values{"decision": {"approve"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", res.StatusCode)
	}
	other, _ := signedIn(t, e, org.Employee, "emp@sakura.example.jp")
	if page := other.Get(e.OrgPath("/events")); !strings.Contains(page.Body, "大阪アルムナイ懇親会") {
		t.Fatal("approved event not listed")
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'event_approved'`); n != 1 {
		t.Fatalf("approval notifications %d", n)
	}
}

func TestEventFeedbackAfterTheEnd(t *testing.T) {
	e := apptest.New(t)
	admin, _ := signedIn(t, e, org.Admin, "admin@sakura.example.jp")
	path := admin.Post(e.OrgPath("/events/new"), eventFormValues(e, "0")).Header.Get("Location")
	a, _ := signedIn(t, e, org.Alumni, "a@sakura.example.jp")
	if res := a.Post(path+"/register", url.Values{"accept_conduct": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("register: %d", res.StatusCode)
	}
	if page := a.Get(path); strings.Contains(page.Body, `id="feedback"`) {
		t.Fatal("feedback form before the end")
	}
	e.Clock.Advance(72*time.Hour + 3*time.Hour)
	e.DrainJobs(t)
	// Sessions expired meanwhile.
	a.SignIn(e.Org, "a@sakura.example.jp", apptest.Password)
	admin.SignIn(e.Org, "admin@sakura.example.jp", apptest.Password)
	if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'event_feedback'`); n != 1 {
		t.Fatalf("%d feedback requests", n)
	}
	if page := a.Get(path); !strings.Contains(page.Body, `id="feedback"`) {
		t.Fatal("no feedback form after the end")
	}
	res := a.Post(path+"/feedback", url.Values{"rating": {"9"}, "comment": {"とても良かった"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "評価を1〜5から選んでください。") || !strings.Contains(res.Body, "とても良かった") {
		t.Fatalf("bad rating: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM event_feedback`); n != 0 {
		t.Fatalf("%d feedback rows", n)
	}
	if res = a.Post(path+"/feedback", url.Values{"rating": {"4"}, "comment": {"とても良かった"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("feedback: %d", res.StatusCode)
	}
	page := admin.Get(path)
	if !strings.Contains(page.Body, "平均 4.0（1件）") || !strings.Contains(page.Body, "とても良かった") {
		t.Fatal("organizer does not see the results")
	}
	// Someone who did not take part has no form and cannot post one.
	b, _ := signedIn(t, e, org.Alumni, "b@sakura.example.jp")
	if res := b.Post(path+"/feedback", url.Values{"rating": {"1"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "イベント終了後14日以内です。") || strings.Contains(res.Body, "ご回答ありがとうございました") {
		t.Fatalf("non-participant: %d, without the reason\n%s", res.StatusCode, res.Body)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM event_feedback`); n != 1 {
		t.Fatalf("%d feedback rows", n)
	}
}

// Refusals an organizer meets on the event page are shown there, and change nothing.
func TestEventReviewAndCancelRefusalsAreShown(t *testing.T) {
	e := apptest.New(t)
	sup, _ := signedIn(t, e, org.Supporter, "sup@sakura.example.jp")
	a, _ := signedIn(t, e, org.Alumni, "a@sakura.example.jp")
	proposal := a.Post(e.OrgPath("/events/propose"), eventFormValues(e, "20")).Header.Get("Location")
	published := sup.Post(e.OrgPath("/events/new"), eventFormValues(e, "20")).Header.Get("Location")
	if proposal == "" || published == "" {
		t.Fatal("setup: no events")
	}
	if res := sup.Post(published+"/cancel", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel: %d", res.StatusCode)
	}
	// A second cancel (another tab) tells why nothing happened.
	res := sup.Post(published+"/cancel", nil)
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "公開中のイベントだけが中止できます。") {
		t.Fatalf("second cancel: %d\n%s", res.StatusCode, res.Body)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'event.cancel'`); n != 1 {
		t.Fatalf("%d cancel audit entries", n)
	}
	// A proposal whose start has passed cannot be approved; staff are told what to do instead.
	e.Clock.Advance(73 * time.Hour)
	sup.SignIn(e.Org, "sup@sakura.example.jp", apptest.Password)
	res = sup.Post(proposal+"/review", url.Values{"decision": {"approve"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "開始日時を過ぎた提案は承認できません。") {
		t.Fatalf("approve after the start: %d\n%s", res.StatusCode, res.Body)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM events WHERE status = 'proposed'`); n != 1 {
		t.Fatalf("the proposal changed status")
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'event_approved'`); n != 0 {
		t.Fatalf("%d approval notifications", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'event.review.%'`); n != 0 {
		t.Fatalf("%d review audit entries", n)
	}
}
