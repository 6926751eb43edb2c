package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/group"
	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/org"
)

// TestGroupRequestApproved is the approval-group journey: on a phone, a
// member asks to join an approval-required group; the manager approves from
// the group page; the member then finds the group among their groups.
func TestGroupRequestApproved(t *testing.T) {
	browserPath(t)
	axeSource, err := os.ReadFile(filepath.Join("..", "web", "testdata", "axe-4.14.1.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	axe := string(axeSource)
	e := apptest.New(t)
	admin := e.AddMember(t, e.Org, org.Admin, adminEmail)
	e.AddMember(t, e.Org, org.Alumni, "alum@example.jp")
	e.AddProfile(t, e.Org, org.Alumni, "kobe@example.jp", org.Name{Family: "神戸", Given: "舞"}, func(p *member.Profile) { p.Location = "兵庫県" })
	g, err := e.App.Groups.Create(context.Background(), e.Org.ID, group.Actor{UserID: admin.UserID, Role: org.Admin},
		group.Draft{Name: "マーケティング部 OB/OG 会", Description: "マーケティング部の卒業生と現役の交流の場です。\n年に二回、勉強会を開いています。", Kind: group.Approval})
	if err != nil {
		t.Fatal(err)
	}
	groupPath := e.OrgPath(group.Link(g.ID))

	m := newBrowser(t, e, phone)
	m.signIn("alum@example.jp")
	m.open(e.OrgPath("/groups"))
	m.wantText("h1", "グループ")
	m.checkAxe(axe, "the groups page")
	m.checkNoSidewaysScroll("the groups page")
	m.do("open the group", chromedp.Click(chromedp.CSS(`#h-discover + ul a`)))
	m.waitFor("the group page", fmt.Sprintf(`location.pathname === %s && document.readyState === "complete"`, jsString(groupPath)))
	m.checkAxe(axe, "a group page (not a member)")
	m.checkNoSidewaysScroll("a group page")
	m.do("ask to join", chromedp.Click(chromedp.CSS(`form[action$="/join"] button`)))
	m.waitFor("the request notice", `document.readyState === "complete" && document.querySelector(".notice")?.textContent.includes("参加を申請しました")`)
	m.wantText("#my-state", "参加を申請中です。グループ管理者の承認をお待ちください。")

	a := newBrowser(t, e, phone)
	a.signIn(adminEmail)
	a.open(groupPath)
	a.wantText("#h-requests", "参加申請")
	if got := a.text("#h-requests + ul"); !strings.Contains(got, "田中 太郎") {
		t.Errorf("requests list = %q", got)
	}
	a.checkAxe(axe, "a group page with a request (manager)")
	a.checkNoSidewaysScroll("a group page with a request")
	a.do("approve", chromedp.Click(chromedp.CSS(`form[action$="/approve"] button`)))
	a.waitFor("the approval notice", `document.readyState === "complete" && document.querySelector(".notice")?.textContent.includes("参加を承認しました")`)
	if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'group_approved'`); n != 1 {
		t.Fatalf("%d approval notifications", n)
	}
	a.open(e.OrgPath("/admin/groups"))
	a.checkAxe(axe, "the group settings page")
	// The rule form counts matching members as it is filled in (htmx).
	a.exec(`const r = document.querySelector("#f-value_region"); r.value = "kansai"; r.dispatchEvent(new Event("change", {bubbles: true}))`)
	a.waitFor("the live count", `document.querySelector("#rule-preview").textContent.includes("該当するメンバーは1名です")`)
	a.checkNoSidewaysScroll("the group settings page")

	m.open(e.OrgPath("/groups"))
	if got := m.text("#h-mine + ul"); !strings.Contains(got, "マーケティング部 OB/OG 会") {
		t.Errorf("my groups = %q", got)
	}
	m.checkAxe(axe, "the groups page (member)")
	m.open(groupPath)
	m.wantText("#my-state", "このグループのメンバーです。")
	m.checkAxe(axe, "a group page (member)")
}
