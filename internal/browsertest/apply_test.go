package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
)

var applyVerifyLink = regexp.MustCompile(`https?://[^\s"<>]+(/o/[a-z0-9-]+/apply/verify/[A-Za-z0-9_-]+)`)

// TestApplicantAppliesAndAdminApproves is the application journey: a former
// employee applies from the public page on a phone, confirms the address from
// the email, an admin approves on a desktop, and the applicant joins from
// the second email and lands signed in.
func TestApplicantAppliesAndAdminApproves(t *testing.T) {
	browserPath(t) // skip or fail before starting the app
	axeSource, err := os.ReadFile(filepath.Join("..", "web", "testdata", "axe-4.14.1.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Admin, adminEmail)

	phoneB := newBrowser(t, e, phone)
	phoneB.open(e.OrgPath("/apply"))
	phoneB.wantLang("ja")
	phoneB.checkAxe(string(axeSource), "the application page")
	phoneB.checkNoSidewaysScroll("the application page")
	// English words are longer: the page must still fit a phone.
	phoneB.do("switch to English", chromedp.Click(chromedp.CSS(`header form.lang-switch button[value="en"]`)))
	phoneB.waitFor("the application page in English", `document.documentElement.lang === "en" && location.pathname.endsWith("/apply") && document.readyState === "complete"`)
	phoneB.checkAxe(string(axeSource), "the application page (en)")
	phoneB.checkNoSidewaysScroll("the application page (en)")
	phoneB.do("back to Japanese", chromedp.Click(chromedp.CSS(`header form.lang-switch button[value="ja"]`)))
	phoneB.waitFor("the application page in Japanese", `document.documentElement.lang === "ja" && location.pathname.endsWith("/apply") && document.readyState === "complete"`)

	// Forgetting the consent shows the error next to the checkbox and keeps what was typed.
	phoneB.do("fill in the application without consent",
		chromedp.SendKeys(chromedp.ID("f-family_name"), "中村"),
		chromedp.SendKeys(chromedp.ID("f-given_name"), "さくら"),
		chromedp.SendKeys(chromedp.ID("f-family_kana"), "なかむら"),
		chromedp.SendKeys(chromedp.ID("f-given_kana"), "さくら"),
		chromedp.SendKeys(chromedp.ID("f-email"), "sakura.n@example.com"),
		chromedp.SendKeys(chromedp.ID("f-joined_year"), "2014"),
		chromedp.SendKeys(chromedp.ID("f-left_year"), "2021"),
		chromedp.SendKeys(chromedp.ID("f-department"), "マーケティング部"),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
	)
	phoneB.waitFor("the consent error", `document.querySelector("#e-consent") !== null && document.readyState === "complete"`)
	phoneB.wantText("#e-consent", "申請には、情報の取り扱いへの同意が必要です。")
	if got := evalJS[string](phoneB, `document.querySelector("#f-family_name").value`); got != "中村" {
		t.Errorf("family name after the error = %q", got)
	}
	phoneB.checkAxe(string(axeSource), "the application page with an error")
	// The refused form answers 422, which Chromium logs as a failed load.
	phoneB.forgetConsole("status of 422")
	phoneB.do("agree and send", chromedp.Click(chromedp.ID("f-consent")), chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	phoneB.waitFor("the check-your-email page", fmt.Sprintf(`location.pathname === %s && document.readyState === "complete"`, jsString(e.OrgPath("/apply/sent"))))
	phoneB.wantText("h1", "お申し込みありがとうございます")

	e.RunJobs(t)
	msg := e.SMTP.WaitFor(t, 1, 10*time.Second)[0]
	m := applyVerifyLink.FindStringSubmatch(msg.Text)
	if m == nil {
		t.Fatalf("no verification link in:\n%s", msg.Text)
	}
	phoneB.open(m[1])
	phoneB.wantText("h1", "メールアドレスの確認")
	phoneB.do("confirm the address", chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	phoneB.waitFor("the confirmation", `document.readyState === "complete" && document.querySelector("h1")?.textContent.includes("確認が完了しました")`)

	adminB := newBrowser(t, e, desktop)
	adminB.signIn(adminEmail)
	adminB.open(e.OrgPath("/admin/applications"))
	adminB.checkAxe(string(axeSource), "the application queue")
	adminB.do("open the application", chromedp.Click(chromedp.CSS(`main table a`)))
	adminB.waitFor("the application", `document.readyState === "complete" && document.querySelector("#h-approve") !== null`)
	adminB.wantText("h1", "中村 さくら 未対応")
	adminB.checkAxe(string(axeSource), "an application")
	adminB.do("approve with a new account", chromedp.Click(chromedp.ID("t-new")), chromedp.Click(chromedp.CSS(`form[action$="/approve"] button[type="submit"]`)))
	adminB.waitFor("the queue with the confirmation", fmt.Sprintf(`location.pathname === %s && document.readyState === "complete" && document.querySelector(".notice") !== null`,
		jsString(e.OrgPath("/admin/applications"))))
	adminB.wantText("main .notice", "申請を承認し、参加用のリンクをメールで送りました。")

	e.RunJobs(t)
	approved := e.SMTP.WaitFor(t, 2, 10*time.Second)[1]
	if approved.To[0] != "sakura.n@example.com" {
		t.Fatalf("approval email to %v", approved.To)
	}
	phoneB.open(apptest.LinkIn(t, approved.Text))
	phoneB.do("set a password",
		chromedp.SendKeys(chromedp.ID("f-password"), "a long new passphrase"),
		chromedp.SendKeys(chromedp.ID("f-password_confirm"), "a long new passphrase"),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
	)
	phoneB.waitFor("signed in after joining", `document.readyState === "complete" && document.querySelector("form.signout") !== null`)
	member, err := e.App.Orgs.MemberByEmail(context.Background(), e.Org.ID, "sakura.n@example.com")
	if err != nil || !member.Activated || member.Role != org.Alumni {
		t.Fatalf("the applicant's account: %+v %v", member, err)
	}
}

// forgetConsole drops console messages containing substr that the test
// caused on purpose; anything else is still reported.
func (b *browser) forgetConsole(substr string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.tab, 5*time.Second)
	defer cancel()
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[int](`1`))
	b.mu.Lock()
	defer b.mu.Unlock()
	kept := b.console[:0]
	for _, m := range b.console {
		if !strings.Contains(m, substr) {
			kept = append(kept, m)
		}
	}
	b.console = kept
}
