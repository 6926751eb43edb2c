package browsertest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
)

func (b *browser) eventSignOut() {
	b.t.Helper()
	b.do("sign out", chromedp.Click(chromedp.CSS(`header form.signout button[type="submit"]`)))
	b.waitFor("the sign-in page after signing out", fmt.Sprintf(`location.pathname === %s && document.readyState === "complete"`, jsString(b.e.OrgPath("/login"))))
}

// TestEventWaitlistPromotionOnAPhone: staff create an event with one seat;
// A takes it, B joins the waitlist and cannot see the venue; A cancels, B
// moves up and sees the venue.
func TestEventWaitlistPromotionOnAPhone(t *testing.T) {
	browserPath(t)
	axeSource := readAxe(t)
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Admin, adminEmail)
	e.AddProfile(t, e.Org, org.Alumni, "a@example.jp", org.Name{Family: "佐藤", Given: "花子"}, nil)
	e.AddProfile(t, e.Org, org.Alumni, "b@example.jp", org.Name{Family: "鈴木", Given: "一郎"}, nil)
	start := e.Clock.Now().In(time.FixedZone("JST", 9*3600)).Add(72 * time.Hour)

	b := newBrowser(t, e, phone)
	b.signIn(adminEmail)
	b.open(e.OrgPath("/events/new"))
	b.checkAxe(axeSource, "the new event form")
	b.checkNoSidewaysScroll("the new event form")
	b.do("fill in the event",
		chromedp.SendKeys(chromedp.ID("f-title"), "渋谷アルムナイ交流会"),
		chromedp.SetValue(chromedp.ID("f-start"), start.Format("2006-01-02T15:04")),
		chromedp.SetValue(chromedp.ID("f-end"), start.Add(2*time.Hour).Format("2006-01-02T15:04")),
		chromedp.SetValue(chromedp.ID("f-capacity"), "1"),
		chromedp.SendKeys(chromedp.ID("f-venue"), "渋谷区道玄坂1-2-3 さくらホール"),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
	)
	b.waitFor("the event page", `/\/events\/\d+$/.test(location.pathname) && document.readyState === "complete"`)
	path := evalJS[string](b, `location.pathname`)
	b.wantText("#h1", "渋谷アルムナイ交流会")
	if when := b.text("#event-when"); !strings.Contains(when, "JST (Asia/Tokyo)") {
		t.Errorf("time shown as %q", when)
	}
	b.eventSignOut()

	register := func(email, wantStatus string) {
		t.Helper()
		b.signIn(email)
		b.open(path)
		b.waitFor("the registration form", `document.getElementById("register") !== null`)
		b.do("accept the code of conduct and register",
			chromedp.Click(chromedp.ID("f-accept_conduct")),
			chromedp.Click(chromedp.ID("register")),
		)
		b.waitFor("the registration", `document.getElementById("rsvp-status") !== null && document.readyState === "complete"`)
		b.wantText("#rsvp-status", wantStatus)
	}
	register("a@example.jp", "参加登録済みです。")
	b.wantText("#event-venue", "渋谷区道玄坂1-2-3 さくらホール")
	b.checkAxe(axeSource, "the event page, registered")
	b.eventSignOut()

	register("b@example.jp", "キャンセル待ちに登録されています。")
	if n := evalJS[int](b, `document.querySelectorAll("#event-venue").length`); n != 0 {
		t.Fatal("the waitlist sees the venue")
	}
	b.wantText("#event-place-hidden", "会場・参加URLは参加が確定した方にお知らせします。")
	b.checkAxe(axeSource, "the event page, waitlisted")
	b.checkNoSidewaysScroll("the event page, waitlisted")
	b.eventSignOut()

	b.signIn("a@example.jp")
	b.open(path)
	b.do("cancel", chromedp.Click(chromedp.CSS(`form[action$="/unregister"] button`)))
	b.waitFor("the cancellation", `document.getElementById("register") !== null && document.readyState === "complete"`)
	b.eventSignOut()

	b.signIn("b@example.jp")
	b.open(path)
	b.wantText("#rsvp-status", "参加登録済みです。")
	b.wantText("#event-venue", "渋谷区道玄坂1-2-3 さくらホール")
	b.checkAxe(axeSource, "the event page, promoted")
	b.checkNoSidewaysScroll("the event page, promoted")
	for _, p := range []string{"/events", "/events/calendar", "/incident", path + "/incident"} {
		if !strings.HasPrefix(p, "/o/") {
			p = e.OrgPath(p)
		}
		b.open(p)
		b.checkAxe(axeSource, p)
		b.checkNoSidewaysScroll(p)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'event_promoted'`); n != 1 {
		t.Fatalf("%d promotion notifications", n)
	}
}
