package browsertest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/notify"
	"github.com/tsunagu/tsunagu/internal/org"
)

// TestNotifyBadgeListAndSettings: a member with unread notifications sees
// the count on 通知, opens the list, marks everything read, and changes how
// comments are emailed, on a phone.
func TestNotifyBadgeListAndSettings(t *testing.T) {
	browserPath(t)
	axe, err := os.ReadFile(filepath.Join("..", "web", "testdata", "axe-4.14.1.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	axeSource := string(axe)
	e := apptest.New(t)
	me := e.AddMember(t, e.Org, org.Alumni, "hanako@sakura.example.jp")
	for _, text := range []string{"佐藤さんがあなたの投稿にコメントしました", "関西OB・OG会への参加が承認されました"} {
		e.Notify(t, notify.Notification{OrgID: me.OrgID, UserID: me.UserID, Kind: "test", Category: notify.Comments,
			Args: map[string]string{"text": text}, Link: "/members"})
	}

	b := newBrowser(t, e, phone)
	b.signIn(me.Email)
	label := evalJS[string](b, `(() => { const a = document.querySelector('.main-nav a[href$="/notifications"]'); return a ? a.textContent.trim() : ""; })()`)
	if label != "通知 2（未読2件）" {
		t.Errorf("menu item reads %q, want the count and its label", label)
	}
	if got := b.text(".main-nav .nav-count"); got != "2" {
		t.Errorf("badge shows %q, want 2", got)
	}

	b.do("open the notifications", chromedp.Click(chromedp.CSS(`.main-nav a[href$="/notifications"]`)))
	b.waitFor("the notifications page", `location.pathname.endsWith("/notifications") && document.querySelectorAll(".notify-item.unread").length === 2`)
	b.checkAxe(axeSource, "the notifications page")
	b.checkNoSidewaysScroll("the notifications page")
	if first := b.text(".notify-item a"); first != "未読 確認用のお知らせ：関西OB・OG会への参加が承認されました" {
		t.Errorf("the newest notification reads %q", first)
	}

	b.do("mark all read", chromedp.Click(chromedp.CSS(`form[action$="/notifications/read"] button`)))
	b.waitFor("everything read", `document.querySelector(".notice") !== null && document.querySelectorAll(".notify-item.unread").length === 0 && document.querySelector(".nav-count") === null`)

	b.do("open the settings", chromedp.Click(chromedp.CSS(`a[href$="/notifications/settings"]`)))
	b.waitFor("the settings page", `location.pathname.endsWith("/notifications/settings") && document.getElementById("email_comments") !== null`)
	b.checkAxe(axeSource, "the notification settings")
	b.checkNoSidewaysScroll("the notification settings")
	if evalJS[bool](b, `document.getElementById("email_staff") !== null`) {
		t.Error("the staff category is offered to an alumna")
	}
	b.do("choose weekly comments and no reactions in the app",
		chromedp.SetValue(chromedp.ID("email_comments"), "weekly"),
		chromedp.Click(chromedp.ID("inapp_reactions")),
		chromedp.Click(chromedp.CSS(`form[action$="/notifications/settings"] button.primary`)),
	)
	b.waitFor("the saved settings", `document.querySelector(".notice") !== null && document.getElementById("email_comments").value === "weekly" && !document.getElementById("inapp_reactions").checked`)
	if got := e.Count(t, `SELECT COUNT(*) FROM notification_prefs WHERE user_id = $1 AND category = 'comments' AND email = 'weekly'`, me.UserID); got != 1 {
		t.Error("the weekly choice is not stored")
	}
}
