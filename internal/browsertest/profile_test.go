package browsertest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
)

// TestHideAFieldSearchAndExport: a member edits their profile and hides
// their company; another member searches in Japanese and finds the profile
// without the company; an admin filters by the hidden field and exports.
func TestHideAFieldSearchAndExport(t *testing.T) {
	e := apptest.New(t)
	owner := e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	peer := e.AddMember(t, e.Org, org.Alumni, "hanako@example.jp")
	hr := e.AddMember(t, e.Org, org.Admin, "hr@example.jp")
	// Everyone from AddMember is 田中 太郎: rename the others, so that a name
	// search finds only Taro.
	for _, m := range []org.Member{peer, hr} {
		n := m.Name
		n.Family, n.FamilyKana, n.FamilyRomaji = "佐藤", "さとう", "Sato"
		if err := e.App.Orgs.SetName(t.Context(), e.App.DB.Write(), e.Org.ID, m.UserID, n); err != nil {
			t.Fatal(err)
		}
	}

	// 1. Taro fills in his profile and hides his current company.
	b := newBrowser(t, e, phone)
	b.signIn("taro@example.jp")
	b.open(e.OrgPath("/profile"))
	b.do("fill in the profile",
		chromedp.SendKeys(chromedp.ID("f-current_company"), "株式会社ミライデータ"),
		chromedp.SetValue(chromedp.ID("f-industry"), "it"),
		chromedp.SendKeys(chromedp.ID("f-skills"), "データ分析\nPython"),
		chromedp.SendKeys(chromedp.ID("f-location"), "大阪府"),
		chromedp.SetValue(chromedp.ID("vis-work"), "admins"),
		chromedp.Click(chromedp.CSS(`form[action$="/profile"] button.primary`)),
	)
	b.waitFor("the saved profile page", fmt.Sprintf(`location.pathname === %s && document.querySelector(".notice")`, jsString(e.OrgPath(fmt.Sprintf("/members/%d", owner.UserID)))))
	if got := b.text("main"); !strings.Contains(got, "株式会社ミライデータ") {
		t.Fatalf("the owner does not see their own company: %s", got)
	}
	b.checkConsole("profile saved")

	// 2. Hanako searches for him in Japanese, in hiragana.
	h := newBrowser(t, e, phone)
	h.signIn("hanako@example.jp")
	h.open(e.OrgPath("/members"))
	h.do("search in hiragana", chromedp.SendKeys(chromedp.ID("q"), "たなか"))
	// The box searches as one types: wait for the answer to the whole word
	// (its URL is pushed), not to an intermediate た or たな.
	h.waitFor("one result for たなか", `decodeURIComponent(location.search).includes("q=たなか") && !document.querySelector(".htmx-request") && document.querySelector(".result-count")?.textContent.trim() === "1 人"`)
	h.do("open the profile", chromedp.Click(chromedp.CSS(".member-card a.member-name")))
	h.waitFor("the profile page", `document.querySelector("h1")?.textContent.includes("田中")`)
	main := h.text("main")
	if strings.Contains(main, "ミライデータ") {
		t.Fatalf("the hidden company is shown to another member: %s", main)
	}
	if !strings.Contains(main, "データ分析") || !strings.Contains(main, "大阪府") {
		t.Fatalf("visible fields missing: %s", main)
	}
	h.checkConsole("peer views profile")

	// 3. The admin filters by the hidden field and exports the result.
	a := newBrowser(t, e, desktop)
	a.signIn("hr@example.jp")
	a.open(e.OrgPath("/admin/members?industry=it"))
	a.waitFor("the filtered list", `document.querySelector(".result-count")?.textContent.trim() === "1 人"`)
	if got := a.text("#results"); !strings.Contains(got, "株式会社ミライデータ") {
		t.Fatalf("admin list lacks the company: %s", got)
	}
	// The export link carries the filters; fetch it as the browser would.
	csv, err := chromedp.Run(a.ctx, chromedp.Evaluate[string](
		`fetch(document.querySelector('a[href*="members.csv"]').href).then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	if lines := strings.Split(strings.TrimSpace(csv), "\n"); len(lines) != 2 || !strings.Contains(lines[1], "株式会社ミライデータ") {
		t.Fatalf("export should hold the header and Taro's row:\n%s", csv)
	}
	a.checkConsole("admin filter and export")
}
