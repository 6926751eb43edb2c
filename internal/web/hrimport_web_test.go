package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/web"
)

func importUpload(t *testing.T, e *apptest.Env, c *apptest.Client, name string, body []byte) *apptest.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(body)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.URL(e.OrgPath("/admin/import")), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", e.Server.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.Do(req)
}

func TestHrimportWebFlow(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Admin, "admin@example.jp")
	c := e.Client(t)
	c.SignIn(e.Org, "admin@example.jp", apptest.Password)

	if res := c.Get(e.OrgPath("/admin/import")); res.StatusCode != 200 || !strings.Contains(res.Body, "人事データの取り込み") {
		t.Fatalf("index: %d", res.StatusCode)
	}
	tpl := c.Get(e.OrgPath("/admin/import/template.csv"))
	if tpl.StatusCode != 200 || !strings.HasPrefix(tpl.Body, "\ufeff社員番号,姓,名") {
		t.Fatalf("template: %d %q", tpl.StatusCode, tpl.Body[:20])
	}

	data := "社員番号,氏名,メールアドレス,入社日,退職日,備考\r\n" +
		"E001,山田 花子,hanako@example.jp,2015/04/01,2020/03/31,\r\n" +
		"E002,佐藤 一郎,bad-address,2016/04/01,,\"=HYPERLINK(\"\"http://evil\"\")\"\r\n" +
		"E003,=cmd|' /C calc'!A0,jiro@example.jp,R2.4.1,,\r\n"
	sjis, _ := japanese.ShiftJIS.NewEncoder().String(data)
	res := importUpload(t, e, c, "社員.csv", []byte(sjis))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", res.StatusCode, res.Body)
	}
	page := res.Header.Get("Location")
	show := c.Get(page)
	for _, want := range []string{"Shift_JIS（CP932）", "山田 花子", `<option value="1" selected>氏名</option>`, "確認する"} {
		if !strings.Contains(show.Body, want) {
			t.Errorf("mapping page lacks %q\n%s", want, show.Body)
		}
	}
	// A mapping without a key is refused next to the form; nothing starts.
	res = c.Post(page+"/dry-run", url.Values{"map_full_name": {"1"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "「社員番号」か「メールアドレス」の列を選んでください") {
		t.Fatalf("bad mapping: %d", res.StatusCode)
	}
	mapping := url.Values{"map_employee_number": {"0"}, "map_full_name": {"1"}, "map_email": {"2"}, "map_hired_on": {"3"}, "map_left_on": {"4"}, "map_notes": {"5"}}
	if res = c.Post(page+"/dry-run", mapping); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("dry run: %d", res.StatusCode)
	}
	// Queued: the page polls the progress fragment.
	show = c.Get(page)
	if !strings.Contains(show.Body, `hx-trigger="every 1s"`) {
		t.Errorf("running page does not poll")
	}
	e.RunJobs(t)
	req, _ := http.NewRequest(http.MethodGet, e.URL(page+"/progress"), nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "import-progress")
	if res = c.Do(req); res.Header.Get("HX-Redirect") != page {
		t.Errorf("finished progress: %d %q", res.StatusCode, res.Header.Get("HX-Redirect"))
	}
	show = c.Get(page)
	if !strings.Contains(show.Body, "確認結果") || !strings.Contains(show.Body, "メールアドレスの形式が正しくありません（bad-address）") {
		t.Fatalf("report: %s", show.Body)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM users WHERE org_id = $1`, e.Org.ID); n != 1 {
		t.Fatalf("dry run wrote users: %d", n)
	}
	// Choosing no mode is refused.
	if res = c.Post(page+"/run", url.Values{}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "取り込み方法を選んでください") {
		t.Errorf("no mode: %d", res.StatusCode)
	}
	if res = c.Post(page+"/run", url.Values{"mode": {"per_row"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("run: %d", res.StatusCode)
	}
	e.RunJobs(t)
	show = c.Get(page)
	if !strings.Contains(show.Body, "取り込み結果") {
		t.Fatal("no result")
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM users WHERE org_id = $1`, e.Org.ID); n != 3 {
		t.Fatalf("per-row run: %d users", n)
	}

	// The errors CSV: BOM, every error, formulas defused.
	csvRes := c.Get(page + "/errors.csv")
	if csvRes.StatusCode != 200 || !strings.HasPrefix(csvRes.Body, "\ufeff行,列,内容,値") {
		t.Fatalf("errors.csv: %d %q", csvRes.StatusCode, csvRes.Body)
	}
	if !strings.Contains(csvRes.Body, "3,メールアドレス,") || !regexp.MustCompile(`(?m)^3,.*,bad-address\r$`).MatchString(csvRes.Body) {
		t.Errorf("errors.csv body: %q", csvRes.Body)
	}
	if strings.Contains(csvRes.Body, ",=") || strings.Contains(csvRes.Body, ",\"=") {
		t.Errorf("formula not escaped: %q", csvRes.Body)
	}

	// Deleting removes the file and the report, not the people.
	if res = c.Post(page+"/delete", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	if res = c.Get(page); res.StatusCode != http.StatusNotFound {
		t.Errorf("deleted import: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM import_errors`); n != 0 {
		t.Errorf("%d errors left", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM users WHERE org_id = $1`, e.Org.ID); n != 3 {
		t.Errorf("delete removed people: %d", n)
	}
	if entries, _ := os.ReadDir(filepath.Join(e.App.Cfg.DataDir, "uploads", "imports")); len(entries) != 0 {
		t.Errorf("files left: %v", entries)
	}
}

func TestHrimportCSVFormulaEscaping(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Admin, "admin@example.jp")
	c := e.Client(t)
	c.SignIn(e.Org, "admin@example.jp", apptest.Password)
	data := "社員番号,姓,メールアドレス,入社日\r\n=1+1,山田,=1+2,+2024\r\n@SUM(A1),佐藤,-x@example.jp,-1\r\n"
	res := importUpload(t, e, c, "f.csv", []byte(data))
	page := res.Header.Get("Location")
	c.Post(page+"/dry-run", url.Values{"map_employee_number": {"0"}, "map_family": {"1"}, "map_email": {"2"}, "map_hired_on": {"3"}})
	e.RunJobs(t)
	body := c.Get(page + "/errors.csv").Body
	for _, cell := range []string{"'=1+2", "'+2024", "'-1"} {
		if !strings.Contains(body, cell) {
			t.Errorf("errors.csv lacks %q:\n%s", cell, body)
		}
	}
	for _, line := range strings.Split(body, "\r\n") {
		for _, cell := range strings.Split(line, ",") {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("cell %q starts with a formula character", cell)
			}
		}
	}
}

func TestHrimportUploadProblems(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Admin, "admin@example.jp")
	c := e.Client(t)
	c.SignIn(e.Org, "admin@example.jp", apptest.Password)
	before := e.Count(t, `SELECT COUNT(*) FROM imports`)
	if res := importUpload(t, e, c, "empty.csv", nil); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "ファイルが空です") {
		t.Errorf("empty: %d", res.StatusCode)
	}
	big := bytes.Repeat([]byte("a,b\r\n"), web.MaxImportBytes/5+10)
	if res := importUpload(t, e, c, "big.csv", big); res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(res.Body, "ファイルが大きすぎます（50 MB まで）") {
		t.Errorf("too large: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM imports`); n != before {
		t.Errorf("refused uploads recorded: %d", n-before)
	}
	// Broken quotes: stored, but the page says where and offers no run.
	res := importUpload(t, e, c, "q.csv", []byte("社員番号,姓\r\nE1,\"山田\r\n"))
	show := c.Get(res.Header.Get("Location"))
	if !strings.Contains(show.Body, "ダブルクォート") || strings.Contains(show.Body, "/dry-run") {
		t.Errorf("broken quotes page: %s", show.Body)
	}
	if res := c.Post(res.Header.Get("Location")+"/run", url.Values{"mode": {"all"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("run of a broken file: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM users WHERE org_id = $1`, e.Org.ID); n != 1 {
		t.Errorf("users written: %d", n)
	}
}
