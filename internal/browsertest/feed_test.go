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

func feedAxe(t *testing.T) string {
	axe, err := os.ReadFile(filepath.Join("..", "web", "testdata", "axe-4.14.1.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	return string(axe)
}

func (b *browser) feedSignOut() {
	b.t.Helper()
	b.do("sign out", chromedp.Click(chromedp.CSS(`header form.signout button[type="submit"]`)))
	b.waitFor("the sign-in page", `location.pathname === "/o/sakura/login"`)
}

// pick types into a picker field and chooses the suggestion named name.
func (b *browser) feedPick(inputID, query, name string) {
	b.t.Helper()
	b.do("search "+query, chromedp.SendKeys(chromedp.ID(inputID), query))
	sel := fmt.Sprintf(`[...document.querySelectorAll("[data-target] .feed-picker-results button")].find(x => x.textContent === %s)`, jsString(name))
	b.waitFor("the suggestion "+name, sel)
	b.exec(sel + `.click()`)
}

// TestFeedPostWithComment is issue 5's item 13: a member posts (mentioning
// a colleague through the picker), another member comments, the author
// sees the comment. On a phone, with axe on the feed and the post.
func TestFeedPostWithComment(t *testing.T) {
	browserPath(t)
	axe := feedAxe(t)
	e := apptest.New(t)
	e.AddProfile(t, e.Org, org.Alumni, "author@sakura.example.jp", org.Name{Family: "山本", Given: "一郎", FamilyKana: "やまもと", GivenKana: "いちろう"}, nil)
	hanako := e.AddProfile(t, e.Org, org.Alumni, "hanako@sakura.example.jp", org.Name{Family: "佐藤", Given: "花子", FamilyKana: "さとう", GivenKana: "はなこ"}, nil)

	b := newBrowser(t, e, phone)
	b.signIn("author@sakura.example.jp")
	b.open(e.OrgPath("/feed"))
	b.checkAxe(axe, "the feed")
	b.checkNoSidewaysScroll("the feed")
	b.do("write a post", chromedp.SendKeys(chromedp.ID("f-body"), "大阪に転勤しました。関西の皆さん、よろしくお願いします！ "))
	b.feedPick("f-body-mention", "佐藤", "佐藤 花子")
	if got := evalJS[string](b, `document.getElementById("f-body").value`); !strings.Contains(got, fmt.Sprintf("@[佐藤 花子](member:%d)", hanako)) {
		t.Fatalf("the picker inserted nothing: %q", got)
	}
	b.do("post", chromedp.Click(chromedp.CSS(`form[action$="/feed/posts"] button.primary`)))
	b.waitFor("the post page", `location.pathname.includes("/feed/posts/") && document.querySelector(".notice") !== null`)
	postPath := evalJS[string](b, `location.pathname`)
	if got := b.text(".feed-body a"); got != "@佐藤 花子" {
		t.Errorf("mention link %q", got)
	}
	b.checkAxe(axe, "a post")
	b.checkNoSidewaysScroll("a post")
	if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = 'feed.mention'`, hanako); n != 1 {
		t.Errorf("mention notifications: %d", n)
	}

	b.feedSignOut()
	b.signIn("hanako@sakura.example.jp")
	b.open(e.OrgPath("/feed"))
	b.checkAxe(axe, "the feed with a post")
	b.checkNoSidewaysScroll("the feed with a post")
	b.do("open the post", chromedp.Click(chromedp.CSS(`.feed-post .feed-actions a`)))
	b.waitFor("the post page", `location.pathname === `+jsString(postPath))
	b.do("react and comment",
		chromedp.Click(chromedp.CSS(`button.reaction[value="party"]`)),
	)
	b.waitFor("the reaction", `document.querySelector('button.reaction[value="party"]')?.getAttribute("aria-pressed") === "true"`)
	b.do("comment",
		chromedp.SendKeys(chromedp.ID("f-comment"), "おめでとうございます！大阪でもぜひ飲みに行きましょう。"),
		chromedp.Click(chromedp.CSS(`form[action$="/comments"] button.primary`)),
	)
	b.waitFor("the comment", `document.querySelectorAll(".feed-comments li").length === 1`)

	b.feedSignOut()
	b.signIn("author@sakura.example.jp")
	b.open(postPath)
	b.wantText(".feed-comment-body", "おめでとうございます！大阪でもぜひ飲みに行きましょう。")
	if got := b.text(".feed-comments strong"); got != "佐藤 花子" {
		t.Errorf("comment author %q", got)
	}
	for kind, want := range map[string]int{"feed.comment": 1, "feed.reaction": 1} {
		if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE kind = $1`, kind); n != want {
			t.Errorf("%s notifications: %d", kind, n)
		}
	}
}

// TestFeedRelayHandOver is issue 5's item 13: A writes an introduction and
// names B; B is notified, writes and names C; the chain shows all three.
func TestFeedRelayHandOver(t *testing.T) {
	browserPath(t)
	axe := feedAxe(t)
	e := apptest.New(t)
	e.AddProfile(t, e.Org, org.Alumni, "a@sakura.example.jp", org.Name{Family: "青木", Given: "彩", FamilyKana: "あおき", GivenKana: "あや"}, nil)
	bID := e.AddProfile(t, e.Org, org.Employee, "b@sakura.example.jp", org.Name{Family: "馬場", Given: "健", FamilyKana: "ばば", GivenKana: "けん"}, nil)
	cID := e.AddProfile(t, e.Org, org.Alumni, "c@sakura.example.jp", org.Name{Family: "千葉", Given: "智子", FamilyKana: "ちば", GivenKana: "ともこ"}, nil)

	b := newBrowser(t, e, phone)
	b.signIn("a@sakura.example.jp")
	b.open(e.OrgPath("/relay"))
	b.checkAxe(axe, "the relay page")
	b.checkNoSidewaysScroll("the relay page")
	b.do("write the first introduction", chromedp.SendKeys(chromedp.ID("f-body"), "2018年まで営業部にいた青木です。今は福岡でカフェを経営しています。"))
	b.feedPick("f-next", "馬場", "馬場 健")
	b.do("start the relay", chromedp.Click(chromedp.CSS(`form[action$="/relay"] button.primary`)))
	b.waitFor("the relay", `location.pathname.startsWith("/o/sakura/relay/") && document.querySelector(".notice") !== null`)
	relayPath := evalJS[string](b, `location.pathname`)
	b.checkAxe(axe, "a relay's chain")
	if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = 'feed.relay_named' AND category = 'relay'`, bID); n != 1 {
		t.Fatalf("B notified %d times", n)
	}

	b.feedSignOut()
	b.signIn("b@sakura.example.jp")
	b.open(e.OrgPath("/relay"))
	b.do("open my turn", chromedp.Click(chromedp.CSS(`#h-turns + ul a`)))
	b.waitFor("the relay", `location.pathname === `+jsString(relayPath)+` && document.getElementById("h-write") !== null`)
	b.checkAxe(axe, "the relay, my turn")
	b.checkNoSidewaysScroll("the relay, my turn")
	b.do("write my introduction",
		chromedp.SendKeys(chromedp.ID("f-body"), "青木さんからバトンを受け取りました。人事部の馬場です。"),
		chromedp.SendKeys(chromedp.ID("f-next"), "c@sakura.example.jp"),
		chromedp.Click(chromedp.CSS(`form[action$="/write"] button.primary`)),
	)
	b.waitFor("the chain of two", `document.querySelectorAll(".relay-chain li").length === 2 && document.querySelector(".notice") !== null`)
	chain := b.text(".relay-chain")
	for _, want := range []string{"青木 彩", "馬場 健さんを指名", "馬場 健", "千葉 智子さんを指名"} {
		if !strings.Contains(chain, want) {
			t.Errorf("chain %q lacks %q", chain, want)
		}
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = 'feed.relay_named'`, cID); n != 1 {
		t.Errorf("C notified %d times", n)
	}
	// The introductions are in the feed, marked as the relay.
	b.open(e.OrgPath("/feed"))
	if n := evalJS[int](b, `document.querySelectorAll(".feed-post a.badge[href*='/relay/']").length`); n != 2 {
		t.Errorf("relay posts in the feed: %d", n)
	}
}
