package browsertest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
)

// TestMessageExchangeOnPhones: A opens B's profile and sends a message; B
// sees the unread count, opens the conversation and replies (htmx, no page
// load); A sees the reply. Every message page passes axe at phone width.
func TestMessageExchangeOnPhones(t *testing.T) {
	browserPath(t) // skip or fail before starting the app
	axeSource, err := os.ReadFile(filepath.Join("..", "web", "testdata", "axe-4.14.1.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	e := apptest.New(t)
	e.AddProfile(t, e.Org, org.Alumni, "aoki@example.jp", org.Name{Family: "青木", Given: "彩", FamilyKana: "あおき", GivenKana: "あや"}, nil)
	bID := e.AddProfile(t, e.Org, org.Employee, "baba@example.jp", org.Name{Family: "馬場", Given: "勉", FamilyKana: "ばば", GivenKana: "つとむ"}, nil)
	e.AddProfile(t, e.Org, org.Admin, "hr@example.jp", org.Name{Family: "人事", Given: "花子"}, nil)

	a := newBrowser(t, e, phone)
	check := func(b *browser, page string) {
		t.Helper()
		b.checkAxe(string(axeSource), page)
		b.checkNoSidewaysScroll(page)
		b.checkConsole("on " + page)
	}

	// 1. A opens B's profile and follows "メッセージを送る".
	a.signIn("aoki@example.jp")
	a.open(e.OrgPath(fmt.Sprintf("/members/%d", bID)))
	a.do("click メッセージを送る", chromedp.Click(chromedp.CSS(`main a[href*="/messages/new?to="]`)))
	a.waitFor("the new message form", `location.pathname.endsWith("/messages/new") && document.getElementById("f-body") !== null`)
	a.wantText("h1", "馬場 勉さんへのメッセージ")
	check(a, "the new message page")
	a.do("write and send",
		chromedp.SendKeys(chromedp.ID("f-body"), "馬場さん、お久しぶりです。\n今度お茶でもいかがですか？"),
		chromedp.Click(chromedp.CSS(`main form button.primary`)),
	)
	a.waitFor("the conversation", `/\/messages\/\d+$/.test(location.pathname) && document.querySelector(".msg.mine") !== null`)
	thread := evalJS[string](a, `location.pathname`)
	if got := a.text(".msg.mine .msg-body"); got != "馬場さん、お久しぶりです。今度お茶でもいかがですか？" {
		t.Errorf("A's message shows as %q", got)
	}
	if n := evalJS[int](a, `document.querySelectorAll(".msg.mine .msg-body br").length`); n != 1 {
		t.Errorf("the line break shows as %d <br>", n)
	}
	check(a, "the conversation (A)")

	// 2. B sees one unread message and opens it.
	b := newBrowser(t, e, phone)
	b.signIn("baba@example.jp")
	b.open(e.OrgPath("/messages"))
	if h1 := b.text("main h1"); !strings.Contains(h1, "未読1件") {
		t.Errorf("B's messages heading %q lacks the unread count", h1)
	}
	b.wantText(".conversation .unread-badge", "未読1件")
	check(b, "the message list with an unread conversation")
	b.do("open the conversation", chromedp.Click(chromedp.CSS(`.conversation-name a`)))
	b.waitFor("the conversation", fmt.Sprintf(`location.pathname === %s && document.querySelector(".msg") !== null`, jsString(thread)))
	if got := b.text(".msg .msg-from"); got != "青木 彩" {
		t.Errorf("B sees the sender as %q", got)
	}

	// 3. B replies; htmx swaps the conversation in place.
	b.exec(`window.__samePage = true`)
	b.do("write and send the reply",
		chromedp.SendKeys(chromedp.ID("f-body"), "ぜひ！来週はいかがでしょう。"),
		chromedp.Click(chromedp.CSS(`#conversation form button.primary`)),
	)
	b.waitFor("the reply in the conversation", `[...document.querySelectorAll(".msg.mine .msg-body")].some(p => p.textContent.includes("来週"))`)
	if !evalJS[bool](b, `window.__samePage === true`) {
		t.Error("sending reloaded the page instead of swapping the conversation")
	}
	if got := evalJS[string](b, `document.getElementById("f-body").value`); got != "" {
		t.Errorf("the box still holds %q after sending", got)
	}
	if n := evalJS[int](b, `document.querySelectorAll("#conversation").length`); n != 1 {
		t.Errorf("%d #conversation elements after the swap", n)
	}
	check(b, "the conversation after an htmx reply (B)")
	b.open(e.OrgPath("/messages"))
	if n := evalJS[int](b, `document.querySelectorAll(".unread-badge").length`); n != 0 {
		t.Error("B still has unread messages after reading")
	}

	// 4. A sees the reply.
	a.open(e.OrgPath("/messages"))
	a.wantText(".conversation .unread-badge", "未読1件")
	a.open(thread)
	if got := a.text(".msg:not(.mine) .msg-body"); got != "ぜひ！来週はいかがでしょう。" {
		t.Errorf("A sees the reply as %q", got)
	}

	// 5. The company inbox pages: A writes to the company, HR answers.
	a.open(e.OrgPath("/messages/company"))
	check(a, "the company inquiry form")
	a.do("write to the company",
		chromedp.SendKeys(chromedp.ID("f-body"), "再入社について相談させてください。"),
		chromedp.Click(chromedp.CSS(`main form button.primary`)),
	)
	a.waitFor("the company thread", `/\/messages\/\d+$/.test(location.pathname) && document.querySelector(".notice") !== null`)
	check(a, "the company thread (member)")
	hr := newBrowser(t, e, phone)
	hr.signIn("hr@example.jp")
	hr.open(e.OrgPath("/admin/inbox"))
	check(hr, "the HR inbox")
	hr.do("open the inquiry", chromedp.Click(chromedp.CSS(`.conversation-name a`)))
	hr.waitFor("the inquiry", `/\/admin\/inbox\/\d+$/.test(location.pathname) && document.getElementById("f-body") !== null`)
	hr.do("reply as the company",
		chromedp.SendKeys(chromedp.ID("f-body"), "人事部です。面談の候補日をお送りします。"),
		chromedp.Click(chromedp.CSS(`#conversation form button.primary`)),
	)
	hr.waitFor("the reply", `[...document.querySelectorAll(".msg.mine .msg-body")].some(p => p.textContent.includes("面談"))`)
	check(hr, "the inquiry thread (HR)")
	a.open(e.OrgPath("/messages/company"))
	a.waitFor("the company thread", `document.querySelector(".msg:not(.mine)") !== null`)
	if got := a.text(".msg:not(.mine) .msg-from"); got != e.Org.Name("ja") {
		t.Errorf("the member sees the reply from %q, want the company", got)
	}
	a.open(e.OrgPath("/messages/blocked"))
	check(a, "the blocked members page")
}
