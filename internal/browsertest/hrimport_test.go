package browsertest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
)

// TestHrimportOnAPhone uploads an HR file, checks it, watches the progress
// (htmx polling) and imports it, on a phone-sized screen, with axe on each
// step.
func TestHrimportOnAPhone(t *testing.T) {
	browserPath(t)
	axe, err := os.ReadFile(filepath.Join("..", "web", "testdata", "axe-4.14.1.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	axeSource := string(axe)
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Admin, adminEmail)
	file := filepath.Join(t.TempDir(), "退職者.csv")
	data := "\ufeff社員番号,姓,名,メールアドレス,入社日,退職日,部署,再雇用可否\r\n" +
		"E001,山田,花子,hanako@example.jp,2015/04/01,令和2年3月31日,営業部,可\r\n" +
		"E002,佐藤,一郎,ichiro@example.jp,2016/04/01,2019/13/01,開発部,\r\n"
	if err := os.WriteFile(file, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, e, phone)
	b.signIn(adminEmail)
	b.open(e.OrgPath("/admin/import"))
	b.checkAxe(axeSource, "the import page")
	b.checkNoSidewaysScroll("the import page")
	b.do("upload the file",
		chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{file}),
		chromedp.Click(chromedp.CSS(`form[action$="/admin/import"] button.primary`)),
	)
	b.waitFor("the mapping step", `document.getElementById("h-map") !== null`)
	if got := b.text("main dl.facts dd"); got != "UTF-8" {
		t.Errorf("detected encoding shown as %q", got)
	}
	b.checkAxe(axeSource, "the mapping step")
	b.checkNoSidewaysScroll("the mapping step")
	b.do("start the dry run", chromedp.Click(chromedp.CSS(`form[action$="/dry-run"] button`)))
	b.waitFor("the progress", `document.getElementById("import-progress") !== null`)
	b.checkAxe(axeSource, "the progress")
	e.RunJobs(t)
	// The polled fragment sends the page on to the report by itself.
	b.waitFor("the report", `document.getElementById("h-report") !== null`)
	if !evalJS[bool](b, `document.querySelector("main table[aria-labelledby], main").textContent.includes("日付として読めません（2019/13/01）")`) {
		t.Error("the report does not show the bad date")
	}
	b.checkAxe(axeSource, "the dry-run report")
	b.checkNoSidewaysScroll("the dry-run report")
	if n := e.Count(t, `SELECT COUNT(*) FROM users WHERE org_id = $1`, e.Org.ID); n != 1 {
		t.Fatalf("dry run wrote: %d users", n)
	}
	b.do("import row by row",
		chromedp.Click(chromedp.ID("mode-per-row")),
		chromedp.Click(chromedp.CSS(`form[action$="/run"] button.primary`)),
	)
	b.waitFor("the progress", `document.getElementById("import-progress") !== null`)
	e.RunJobs(t)
	b.waitFor("the result", `document.getElementById("h-report") !== null && document.getElementById("h-report").textContent.includes("取り込み結果")`)
	b.checkAxe(axeSource, "the result")
	if n := e.Count(t, `SELECT COUNT(*) FROM member_internal WHERE org_id = $1 AND employee_number = 'E001' AND hr_source = 'import'`, e.Org.ID); n != 1 {
		t.Fatalf("valid row not imported: %d", n)
	}
}
