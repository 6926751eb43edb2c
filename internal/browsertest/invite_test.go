package browsertest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
)

// TestInviteCampaignPages walks HR through a campaign on a phone: the
// invitations page, the campaign form with an error, the preview, sending,
// the funnel; then the invited person joins and lands on their profile.
// Every page passes axe and fits 390 px.
func TestInviteCampaignPages(t *testing.T) {
	browserPath(t)
	axeSource, err := os.ReadFile(filepath.Join("..", "web", "testdata", "axe-4.14.1.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Admin, adminEmail)
	for _, addr := range []string{"a@example.com", "b@example.com"} {
		e.AddLeaver(t, e.Org, addr, 2020, "営業部")
	}
	b := newBrowser(t, e, phone)
	check := func(page string) {
		t.Helper()
		b.checkAxe(string(axeSource), page)
		b.checkNoSidewaysScroll(page)
		b.checkConsole("on " + page)
	}
	b.signIn(adminEmail)
	b.open(e.OrgPath("/admin/invitations"))
	check("the invitations page")
	b.open(e.OrgPath("/admin/invitations/new"))
	check("the campaign form")
	b.do("send the form with reversed years",
		chromedp.SendKeys(chromedp.ID("f-name"), "2020年の退職者"),
		chromedp.SendKeys(chromedp.ID("f-left_from"), "2021"),
		chromedp.SendKeys(chromedp.ID("f-left_to"), "2020"),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
	)
	b.waitFor("the error next to the year", `document.readyState === "complete" && document.querySelector("#e-left_to") !== null`)
	b.wantText("#e-left_to", "終わりの年は始まりの年以降にしてください。")
	b.checkAxe(string(axeSource), "the campaign form with an error")
	b.checkNoSidewaysScroll("the campaign form with an error")
	// The refused form answers 422, which the browser logs; that one is expected.
	_, _ = chromedp.Run(b.tab, chromedp.Evaluate[int](`1`))
	b.mu.Lock()
	for _, m := range b.console {
		if !strings.Contains(m, "422") {
			t.Errorf("browser console error on the campaign form with an error: %s", m)
		}
	}
	b.console = nil
	b.mu.Unlock()
	b.do("fix the years and send",
		chromedp.SetValue(chromedp.ID("f-left_from"), "2020"),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
	)
	b.waitFor("the preview", `document.readyState === "complete" && document.querySelector("#h-preview") !== null`)
	if got := b.text("#h-preview + p"); !strings.Contains(got, "2人") {
		t.Fatalf("preview says %q", got)
	}
	check("the campaign preview")
	b.do("send the campaign", chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	b.waitFor("the funnel", `document.readyState === "complete" && document.querySelector("#h-funnel") !== null`)
	e.RunJobs(t)
	msgs := e.SMTP.WaitFor(t, 2, 10*time.Second)
	b.open(evalJS[string](b, `location.pathname`))
	check("the campaign funnel")

	// The invited person joins from the email on their own phone.
	guest := newBrowser(t, e, phone)
	link := apptest.LinkIn(t, msgs[0].Text)
	guest.open(link)
	check2 := func(page string) {
		t.Helper()
		guest.checkAxe(string(axeSource), page)
		guest.checkNoSidewaysScroll(page)
	}
	check2("the join page")
	guest.do("set a password and join",
		chromedp.SetValue(chromedp.ID("f-password"), "a long enough passphrase"),
		chromedp.SetValue(chromedp.ID("f-password_confirm"), "a long enough passphrase"),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
	)
	guest.waitFor("the profile page", `location.pathname === "/o/sakura/profile" && document.readyState === "complete"`)
	if got := guest.text(".notice"); !strings.Contains(got, "プロフィールを入力して") {
		t.Errorf("welcome message %q", got)
	}
}
