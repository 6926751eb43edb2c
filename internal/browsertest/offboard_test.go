package browsertest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/offboard"
	"github.com/tsunagu/tsunagu/internal/org"
)

// TestOffboardFarewellCardJourney is issue 4's item 9a: HR records a
// departure, two colleagues sign the card, the day passes, the leaver
// receives the email, follows the link, joins and sees the card.
func TestOffboardFarewellCardJourney(t *testing.T) {
	browserPath(t) // skip or fail before starting the app
	axe, err := os.ReadFile(filepath.Join("..", "web", "testdata", "axe-4.14.1.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	axeSource := string(axe)
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Admin, adminEmail)
	leaver := e.AddWithoutPassword(t, e.Org, org.Employee, "hanako@sakura.example.jp",
		org.Name{Family: "佐藤", Given: "花子", FamilyKana: "さとう", GivenKana: "はなこ", FamilyRomaji: "Sato", GivenRomaji: "Hanako"})
	for _, email := range []string{"ichiro@sakura.example.jp", "jiro@sakura.example.jp"} {
		e.AddMember(t, e.Org, org.Employee, email)
	}
	tomorrow := func() string {
		d, _ := time.Parse(time.DateOnly, e.App.Offboard.Today())
		return d.AddDate(0, 0, 1).Format(time.DateOnly)
	}()

	// 1. HR records the departure on a phone.
	b := newBrowser(t, e, phone)
	b.signIn(adminEmail)
	b.open(e.OrgPath("/admin/departures"))
	b.checkAxe(axeSource, "the departures page")
	b.checkNoSidewaysScroll("the departures page")
	b.do("fill in the departure",
		chromedp.SendKeys(chromedp.ID("f-member"), leaver.Email),
		chromedp.SetValue(chromedp.ID("f-last_day"), tomorrow),
		chromedp.SendKeys(chromedp.ID("f-department"), "営業部"),
		chromedp.SendKeys(chromedp.ID("f-personal_email"), "hanako.sato@example.net"),
		chromedp.SetValue(chromedp.ID("f-rehire_eligibility"), "eligible"),
		chromedp.Click(chromedp.CSS(`form[action$="/admin/departures"] button.primary`)),
	)
	b.waitFor("the departure page", `location.pathname.includes("/admin/departures/") && document.querySelector(".notice") !== null`)
	b.checkAxe(axeSource, "a departure")
	cardURL := evalJS[string](b, `document.getElementById("card-link").value`)
	if !strings.Contains(cardURL, "/o/sakura/cards/") {
		t.Fatalf("card link %q", cardURL)
	}
	cardPath := cardURL[strings.Index(cardURL, "/o/"):]

	// 2. Two colleagues sign the card.
	for i, c := range []struct{ email, message string }{
		{"ichiro@sakura.example.jp", "花子さん、5年間ありがとうございました。\n新しい職場でもお元気で！"},
		{"jiro@sakura.example.jp", "いつでも遊びに来てください。"},
	} {
		b.do("sign out", chromedp.Click(chromedp.CSS(`header form.signout button[type="submit"]`)))
		b.waitFor("the sign-in page", `location.pathname === "/o/sakura/login"`)
		b.signIn(c.email)
		b.open(cardPath)
		if i == 0 {
			b.checkAxe(axeSource, "the card, to write on")
			b.checkNoSidewaysScroll("the card, to write on")
		}
		b.do("write a message",
			chromedp.SendKeys(chromedp.ID("f-body"), c.message),
			chromedp.Click(chromedp.CSS(`form[action$="/messages"] button.primary`)),
		)
		b.waitFor("the card with the message", `document.querySelector(".notice") !== null && document.querySelectorAll(".farewell-message").length === `+string(rune('1'+i)))
	}
	if got := b.text(".farewell-messages"); !strings.Contains(got, "新しい職場でもお元気で") {
		t.Errorf("the second colleague does not see the first message: %s", got)
	}
	b.do("sign out", chromedp.Click(chromedp.CSS(`header form.signout button[type="submit"]`)))
	b.waitFor("the sign-in page", `location.pathname === "/o/sakura/login" && document.readyState === "complete"`)

	// 3. The last day comes.
	if d := offboard.ConvertAt(tomorrow).Sub(e.Clock.Now()); d > 0 {
		e.Clock.Advance(d + time.Minute)
	}
	e.RunJobs(t)
	msgs := e.SMTP.WaitFor(t, 2, 10*time.Second) // the leaver's, and HR's notice
	msg := msgs[0]
	if msg.To[0] != "hanako.sato@example.net" {
		msg = msgs[1]
	}
	if msg.To[0] != "hanako.sato@example.net" || !strings.Contains(msg.Subject, "寄せ書き") || !strings.Contains(msg.Text, "2件のメッセージ") {
		t.Fatalf("farewell email to %v: %s\n%s", msg.To, msg.Subject, msg.Text)
	}
	if !strings.Contains(msg.Text, cardPath) {
		t.Fatalf("the email lacks the card link:\n%s", msg.Text)
	}
	join := apptest.LinkIn(t, msg.Text)

	// 4. The leaver follows the link, joins and sees the card.
	b.open(join)
	b.do("set a password",
		chromedp.SendKeys(chromedp.ID("f-password"), "farewell and thanks 2026"),
		chromedp.SendKeys(chromedp.ID("f-password_confirm"), "farewell and thanks 2026"),
		chromedp.Click(chromedp.CSS(`main form button.primary`)),
	)
	b.waitFor("signed in after joining", `document.querySelector("form.signout") !== null`)
	b.open(e.OrgPath("/"))
	b.do("open the card from the home page", chromedp.Click(chromedp.CSS(`main a[href="`+cardPath+`"]`)))
	b.waitFor("the card", `location.pathname === `+jsString(cardPath)+` && document.querySelectorAll(".farewell-message").length === 2`)
	b.wantText("h1", "佐藤 花子さんへの寄せ書き")
	if got := b.text(".farewell-messages"); !strings.Contains(got, "5年間ありがとうございました") || !strings.Contains(got, "いつでも遊びに来てください") {
		t.Errorf("the card shows: %s", got)
	}
	if evalJS[bool](b, `document.querySelector("form[action$='/messages']") !== null`) {
		t.Error("the leaver is offered the writing form")
	}
	b.checkAxe(axeSource, "the leaver's card")
	b.checkNoSidewaysScroll("the leaver's card")
	if m, err := e.App.Orgs.Member(t.Context(), e.Org.ID, leaver.UserID); err != nil || m.Role != org.Alumni || m.Email != "hanako.sato@example.net" {
		t.Errorf("after joining: %+v %v", m, err)
	}
	if !regexp.MustCompile(`/o/sakura/join/`).MatchString(join) {
		t.Errorf("join link %s", join)
	}
}
