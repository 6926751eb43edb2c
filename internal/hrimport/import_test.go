package hrimport_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/hrimport"
	"github.com/tsunagu/tsunagu/internal/org"
)

var admin = hrimport.Actor{UserID: 0, Label: "test", IP: "127.0.0.1"}

const header = "社員番号,姓,名,セイ,メイ,メールアドレス,入社日,退職日,部署,役職,再雇用可否,備考\r\n"

// upload stores data as an import of o and checks it was read without a file problem.
func upload(t *testing.T, e *apptest.Env, o org.Organization, data string) hrimport.Import {
	t.Helper()
	i, err := e.App.Imports.Upload(context.Background(), o.ID, admin, "staff.csv", strings.NewReader(data), 50<<20)
	if err != nil {
		t.Fatal(err)
	}
	if i.Problem != "" {
		t.Fatalf("file problem %s at row %d", i.Problem, i.ProblemRow)
	}
	return i
}

func run(t *testing.T, e *apptest.Env, o org.Organization, i hrimport.Import, phase, mode string) hrimport.Import {
	t.Helper()
	i, err := e.App.Imports.RunNow(context.Background(), o.ID, i.ID, phase, mode, admin)
	if err != nil {
		t.Fatal(err)
	}
	if i.State != hrimport.StateDone {
		t.Fatalf("state %s (%s)", i.State, i.Problem)
	}
	return i
}

func rowErrors(t *testing.T, e *apptest.Env, i hrimport.Import) []hrimport.RowError {
	t.Helper()
	var out []hrimport.RowError
	if err := e.App.Imports.EachError(context.Background(), i.OrgID, i.ID, 0, func(re hrimport.RowError) error {
		out = append(out, re)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func counts(i hrimport.Import) [4]int { return [4]int{i.Created, i.Updated, i.Unchanged, i.Errors} }

func users(t *testing.T, e *apptest.Env, o org.Organization) int {
	return e.Count(t, `SELECT COUNT(*) FROM users WHERE org_id = $1`, o.ID)
}

const threeRows = header +
	"E001,山田,花子,ヤマダ,ハナコ,hanako@example.jp,2015/04/01,2020/03/31,営業部,課長,可,\r\n" +
	"E002,佐藤,一郎,ｻﾄｳ,ｲﾁﾛｳ,ichiro@example.jp,令和2年4月1日,,開発部,エンジニア,,\r\n" +
	"Ｅ００３,鈴木　,次郎,スズキ,ジロウ,jiro@example.jp,２０１８年４月１日,2023-09-30,人事部,,条件付,再雇用は要相談\r\n"

func TestImportEncodings(t *testing.T) {
	e := apptest.New(t)
	cp932, err := japanese.ShiftJIS.NewEncoder().String(threeRows)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, data, want string }{
		{"utf8", threeRows, hrimport.UTF8},
		{"bom", "\ufeff" + threeRows, hrimport.UTF8},
		{"cp932", cp932, hrimport.CP932},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := e.AddOrg(t, "enc-"+tc.name)
			i := upload(t, e, o, tc.data)
			if i.Detected != tc.want || i.Encoding != tc.want || i.Total != 3 || i.Header[0] != "社員番号" {
				t.Fatalf("detected %s, read %s, %d rows, header %q", i.Detected, i.Encoding, i.Total, i.Header)
			}
			if len(i.Mapping) != 12 {
				t.Errorf("suggested mapping %v", i.Mapping)
			}
			i = run(t, e, o, i, hrimport.PhaseRun, hrimport.ModeAll)
			if got := counts(i); got != [4]int{3, 0, 0, 0} {
				t.Fatalf("counts %v, errors %v", got, rowErrors(t, e, i))
			}
			var family, kana, number, hired, left, role, rehire, dept string
			err := e.App.DB.Read().QueryRow(`SELECT u.family_name, u.family_kana, mi.employee_number, mi.hired_on, mi.left_on, m.role,
				mi.rehire_eligibility, mi.hr_department FROM users u JOIN member_internal mi ON mi.user_id = u.id
				JOIN memberships m ON m.user_id = u.id AND m.ended_at IS NULL WHERE u.org_id = $1 AND u.email_lower = 'jiro@example.jp'`, o.ID).
				Scan(&family, &kana, &number, &hired, &left, &role, &rehire, &dept)
			if err != nil {
				t.Fatal(err)
			}
			if family != "鈴木" || kana != "スズキ" || number != "E003" || hired != "2018-04-01" || left != "2023-09-30" ||
				role != "alumni" || rehire != "conditional" || dept != "人事部" {
				t.Errorf("got %s %s %s %s %s %s %s %s", family, kana, number, hired, left, role, rehire, dept)
			}
			// Half-width kana from old HR systems is widened.
			if n := e.Count(t, `SELECT COUNT(*) FROM users WHERE org_id = $1 AND family_kana = 'サトウ' AND password_hash = '' AND activated_at IS NULL`, o.ID); n != 1 {
				t.Errorf("kana of 佐藤 not widened or account activated: %d", n)
			}
			if n := e.Count(t, `SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.org_id = $1 AND u.email_lower = 'ichiro@example.jp' AND m.role = 'employee'`, o.ID); n != 1 {
				t.Error("row without a leaving date is not an employee")
			}
			if n := e.Count(t, `SELECT COUNT(*) FROM profiles p JOIN users u ON u.id = p.user_id WHERE u.email_lower = 'hanako@example.jp' AND p.org_id = $1 AND p.joined_year = 2015 AND p.left_year = 2020 AND p.department = '営業部' AND p.job_title = '課長'`, o.ID); n != 1 {
				t.Error("profile facts not written")
			}
			if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE org_id = $1 AND action = 'hrimport.run'`, o.ID); n != 1 {
				t.Errorf("%d audit entries for the run", n)
			}
		})
	}
}

func TestImportWrongEncoding(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	cp932, _ := japanese.ShiftJIS.NewEncoder().String(threeRows)
	i := upload(t, e, e.Org, cp932)
	i, err := e.App.Imports.Reinspect(ctx, e.Org.ID, i.ID, hrimport.UTF8)
	if err != nil {
		t.Fatal(err)
	}
	if i.Problem != "hrimport.file.encoding" || i.Detected != hrimport.CP932 {
		t.Fatalf("problem %q detected %s", i.Problem, i.Detected)
	}
	if msg := hrimport.FileProblem("ja", i.Problem, i.ProblemRow); !strings.Contains(msg, "文字コード") {
		t.Errorf("message %q", msg)
	}
	if _, err := e.App.Imports.RunNow(ctx, e.Org.ID, i.ID, hrimport.PhaseRun, hrimport.ModePerRow, admin); err == nil {
		t.Fatal("ran a file read in the wrong encoding")
	}
	if n := users(t, e, e.Org); n != 0 {
		t.Fatalf("%d users written", n)
	}
	// Back to detection, it reads.
	if i, _ = e.App.Imports.Reinspect(ctx, e.Org.ID, i.ID, "auto"); i.Problem != "" || i.Encoding != hrimport.CP932 {
		t.Fatalf("auto: %q %s", i.Problem, i.Encoding)
	}
	// Bytes that are neither UTF-8 nor CP932.
	bad, err := e.App.Imports.Upload(ctx, e.Org.ID, admin, "bad.csv", bytes.NewReader([]byte("a,b\n\xff\xfe\xfd,\x80\x80\n")), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if bad.Detected != hrimport.Unknown || bad.Problem != "hrimport.file.unknown_encoding" {
		t.Fatalf("garbage: %s %q", bad.Detected, bad.Problem)
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"2024/04/01": "2024-04-01", "2024-04-01": "2024-04-01", "2024/4/1": "2024-04-01", "2024.4.1": "2024-04-01",
		"2024年4月1日": "2024-04-01", "令和6年4月1日": "2024-04-01", "R6.4.1": "2024-04-01", "令和元年5月1日": "2019-05-01",
		"平成31年4月30日": "2019-04-30", "H10.1.2": "1998-01-02", "昭和64年1月7日": "1989-01-07", "２０２４／０４／０１": "2024-04-01",
		"㋿6年4月1日": "2024-04-01", "2024/04/01 0:00": "2024-04-01", "20240401": "2024-04-01",
		"2024/02/30": "", "2024/13/01": "", "令和0年1月1日": "", "4/1/2024": "", "": "", "昨日": "",
	} {
		got, ok := hrimport.ParseDate(in)
		if got != want || ok != (want != "") {
			t.Errorf("ParseDate(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestImportDryRunReportsEveryRowAndWritesNothing(t *testing.T) {
	e := apptest.New(t)
	data := header +
		"E001,山田,花子,,,hanako@example.jp,2015/04/01,2020/03/31,,,,\r\n" +
		"E002,,一郎,,,ichiro@example.jp,2015/04/01,,,,,\r\n" + // row 3: no family name
		"E003,鈴木,次郎,,,not-an-email,2024/02/30,,,,たぶん,\r\n" + // row 4: email, date, rehire
		"E001,田中,三郎,,,saburo@example.jp,2019/04/01,2018/03/31,,,,\r\n" + // row 5: duplicate number, left before hired
		",高橋,四郎,,,,,,,,,\r\n" + // row 6: no key
		"E006,伊藤,五郎,,,,2019/04/01,,,,,\r\n" // row 7: new person without email
	i := upload(t, e, e.Org, data)
	before := users(t, e, e.Org)
	i = run(t, e, e.Org, i, hrimport.PhaseDryRun, "")
	if got := counts(i); got != [4]int{1, 0, 0, 5} {
		t.Fatalf("counts %v", got)
	}
	type want struct {
		row   int
		field hrimport.Field
		key   string
	}
	wants := []want{{3, "family", "hrimport.err.need_name"}, {4, "email", "hrimport.err.email"}, {4, "hired_on", "hrimport.err.date"},
		{4, "rehire_eligibility", "hrimport.err.rehire"}, {5, "left_on", "hrimport.err.left_before_hired"},
		{5, "employee_number", "hrimport.err.dup_number"}, {6, "employee_number", "hrimport.err.need_key"}, {7, "email", "hrimport.err.need_email"}}
	got := rowErrors(t, e, i)
	if len(got) != len(wants) {
		t.Fatalf("errors %+v", got)
	}
	for k, w := range wants {
		g := got[k]
		if g.Row != w.row || g.Field != w.field || g.Key != w.key {
			t.Errorf("error %d = %+v, want %+v", k, g, w)
		}
	}
	if got[1].Column != "メールアドレス" || !strings.Contains(got[1].Message("ja"), "not-an-email") || !strings.Contains(got[5].Message("en"), "row 2") {
		t.Errorf("messages: %q %q %q", got[1].Column, got[1].Message("ja"), got[5].Message("en"))
	}
	if n := users(t, e, e.Org); n != before {
		t.Fatalf("dry run wrote %d users", n-before)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE org_id = $1 AND action LIKE 'hrimport.%'`, e.Org.ID); n != 0 {
		t.Errorf("dry run audited as a run: %d", n)
	}
}

const mixedRows = header +
	"E001,山田,花子,,,hanako@example.jp,2015/04/01,2020/03/31,,,,\r\n" +
	"E002,佐藤,一郎,,,ichiro@example.jp,2016/04/01,,,,,\r\n" +
	"E003,鈴木,次郎,,,jiro@,2017/04/01,,,,,\r\n"

func TestImportAllOrNothingWritesNothingOnError(t *testing.T) {
	e := apptest.New(t)
	i := run(t, e, e.Org, upload(t, e, e.Org, mixedRows), hrimport.PhaseRun, hrimport.ModeAll)
	if got := counts(i); got != [4]int{2, 0, 0, 1} || i.Written {
		t.Fatalf("counts %v written %v", got, i.Written)
	}
	for _, q := range []string{`SELECT COUNT(*) FROM users WHERE org_id = $1`, `SELECT COUNT(*) FROM member_internal WHERE org_id = $1`,
		`SELECT COUNT(*) FROM memberships WHERE org_id = $1`} {
		if n := e.Count(t, q, e.Org.ID); n != 0 {
			t.Errorf("%s: %d", q, n)
		}
	}
	if errs := rowErrors(t, e, i); len(errs) != 1 || errs[0].Row != 4 {
		t.Errorf("errors %+v", errs)
	}
}

func TestImportPerRowWritesOnlyValidRows(t *testing.T) {
	e := apptest.New(t)
	i := run(t, e, e.Org, upload(t, e, e.Org, mixedRows), hrimport.PhaseRun, hrimport.ModePerRow)
	if got := counts(i); got != [4]int{2, 0, 0, 1} || !i.Written {
		t.Fatalf("counts %v", got)
	}
	if n := users(t, e, e.Org); n != 2 {
		t.Errorf("%d users", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM users WHERE org_id = $1 AND email_lower LIKE 'jiro%'`, e.Org.ID); n != 0 {
		t.Error("invalid row written")
	}
}

func TestImportIsIdempotentAndConvertsLeavers(t *testing.T) {
	e := apptest.New(t)
	first := run(t, e, e.Org, upload(t, e, e.Org, threeRows), hrimport.PhaseRun, hrimport.ModePerRow)
	if got := counts(first); got != [4]int{3, 0, 0, 0} {
		t.Fatalf("first %v", got)
	}
	again := run(t, e, e.Org, upload(t, e, e.Org, threeRows), hrimport.PhaseRun, hrimport.ModeAll)
	if got := counts(again); got != [4]int{0, 0, 3, 0} {
		t.Fatalf("second run %v, errors %v", got, rowErrors(t, e, again))
	}
	// E002 (佐藤, an employee) has left since; the file now says so.
	left := strings.Replace(threeRows, "令和2年4月1日,,", "令和2年4月1日,2025/12/31,", 1)
	i := upload(t, e, e.Org, left)
	dry := run(t, e, e.Org, i, hrimport.PhaseDryRun, "")
	if got := counts(dry); got != [4]int{0, 1, 2, 0} || dry.Converted != 1 {
		t.Fatalf("dry run %v converted %d", got, dry.Converted)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email_lower = 'ichiro@example.jp' AND m.role = 'alumni'`); n != 0 {
		t.Fatal("dry run converted")
	}
	done := run(t, e, e.Org, i, hrimport.PhaseRun, hrimport.ModeAll)
	if got := counts(done); got != [4]int{0, 1, 2, 0} || done.Converted != 1 {
		t.Fatalf("run %v", got)
	}
	var uid int64
	if err := e.App.DB.Read().QueryRow(`SELECT id FROM users WHERE org_id = $1 AND email_lower = 'ichiro@example.jp'`, e.Org.ID).Scan(&uid); err != nil {
		t.Fatal(err)
	}
	m, err := e.App.Orgs.Member(context.Background(), e.Org.ID, uid)
	if err != nil || m.Role != org.Alumni {
		t.Fatalf("role %s %v", m.Role, err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND user_id = $2`, e.Org.ID, uid); n != 2 {
		t.Errorf("membership history %d", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE org_id = $1 AND action = 'hrimport.converted' AND target = $2`, e.Org.ID, "user:"+itoa(uid)); n != 1 {
		t.Errorf("conversion audited %d times", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM profiles WHERE org_id = $1 AND user_id = $2 AND left_year = 2025`, e.Org.ID, uid); n != 1 {
		t.Error("left year not filled on conversion")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestImportDuplicatesAgainstDatabase(t *testing.T) {
	e := apptest.New(t)
	run(t, e, e.Org, upload(t, e, e.Org, header+"E001,山田,花子,,,hanako@example.jp,,,,,,\r\nE002,佐藤,一郎,,,ichiro@example.jp,,,,,,\r\n"),
		hrimport.PhaseRun, hrimport.ModeAll)
	data := header +
		"E001,山田,花子,,,ichiro@example.jp,,,,,,\r\n" + // E001 with 佐藤's email
		"E009,佐藤,一郎,,,ichiro@example.jp,,,,,,\r\n" // 佐藤's email with another number (also a duplicate email in the file)
	i := run(t, e, e.Org, upload(t, e, e.Org, data), hrimport.PhaseDryRun, "")
	errs := rowErrors(t, e, i)
	if len(errs) != 2 || errs[0].Key != "hrimport.err.email_other" || errs[1].Key != "hrimport.err.dup_email" {
		t.Fatalf("errors %+v", errs)
	}
	i = run(t, e, e.Org, upload(t, e, e.Org, header+"E009,佐藤,一郎,,,ichiro@example.jp,,,,,,\r\n"), hrimport.PhaseDryRun, "")
	if errs := rowErrors(t, e, i); len(errs) != 1 || errs[0].Key != "hrimport.err.number_conflict" || errs[0].Value != "E002" {
		t.Fatalf("errors %+v", errs)
	}
}

func TestImportKeepsWhatAMemberWrote(t *testing.T) {
	e := apptest.New(t)
	uid := e.AddProfile(t, e.Org, org.Alumni, "hanako@example.jp", org.Name{Family: "山田", Given: "花子", FamilyRomaji: "Yamada", GivenRomaji: "Hanako"}, nil)
	data := header + "E001,旧姓,花子,キュウセイ,ハナコ,hanako@example.jp,2015/04/01,2020/03/31,営業部,課長,不可,面談メモ\r\n"
	i := run(t, e, e.Org, upload(t, e, e.Org, data), hrimport.PhaseRun, hrimport.ModeAll)
	if got := counts(i); got != [4]int{0, 1, 0, 0} {
		t.Fatalf("counts %v", got)
	}
	m, _ := e.App.Orgs.Member(context.Background(), e.Org.ID, uid)
	if m.Name.Family != "山田" || m.Name.FamilyKana != "" {
		t.Errorf("member's name overwritten: %+v", m.Name)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM member_internal WHERE org_id = $1 AND user_id = $2 AND employee_number = 'E001'
		AND rehire_eligibility = 'not_eligible' AND notes = '面談メモ' AND hr_source = 'import'`, e.Org.ID, uid); n != 1 {
		t.Error("HR fields not written")
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM profiles WHERE org_id = $1 AND user_id = $2 AND joined_year = 2015 AND department = '営業部'`, e.Org.ID, uid); n != 1 {
		t.Error("empty profile facts not filled")
	}
}

func TestImportStaysInItsOrganization(t *testing.T) {
	e := apptest.New(t)
	other := e.AddOrg(t, "kaede")
	e.AddMember(t, other, org.Alumni, "hanako@example.jp")
	mine := upload(t, e, e.Org, threeRows)
	if _, err := e.App.Imports.Get(context.Background(), other.ID, mine.ID); !errors.Is(err, hrimport.ErrNotFound) {
		t.Fatalf("foreign import: %v", err)
	}
	if _, err := e.App.Imports.RunNow(context.Background(), other.ID, mine.ID, hrimport.PhaseRun, hrimport.ModeAll, admin); !errors.Is(err, hrimport.ErrNotFound) {
		t.Fatalf("ran a foreign import: %v", err)
	}
	i := run(t, e, e.Org, mine, hrimport.PhaseRun, hrimport.ModeAll)
	if got := counts(i); got != [4]int{3, 0, 0, 0} {
		t.Fatalf("counts %v (the other organization's member matched?)", got)
	}
	if n := users(t, e, other); n != 1 {
		t.Errorf("other organization has %d users", n)
	}
}

func TestImportBadFiles(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name, data, problem string
		row                 int
	}{
		{"quote", header + "E001,\"山田,花子,,,a@example.jp\r\nE002,佐藤\"x\",一郎,,,b@example.jp\r\n", "hrimport.file.quote", 2},
		{"bare quote", header + "E001,山\"田,花子,,,a@example.jp\r\n", "hrimport.file.quote", 2},
		{"empty", "", "hrimport.file.empty", 0},
		{"huge cell", header + "E001,山田,花子,,,a@example.jp\r\nE002," + strings.Repeat("あ", hrimport.MaxRecordBytes/3+10) + ",x\r\n", "hrimport.file.too_large_row", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			i, err := e.App.Imports.Upload(ctx, e.Org.ID, admin, "bad.csv", strings.NewReader(tc.data), 50<<20)
			if err != nil {
				t.Fatal(err)
			}
			if i.Problem != tc.problem || i.ProblemRow != tc.row {
				t.Fatalf("problem %q row %d", i.Problem, i.ProblemRow)
			}
			var fe *hrimport.FileError
			if _, err := e.App.Imports.RunNow(ctx, e.Org.ID, i.ID, hrimport.PhaseRun, hrimport.ModePerRow, admin); !errors.As(err, &fe) {
				t.Fatalf("run: %v", err)
			}
			if n := users(t, e, e.Org); n != 0 {
				t.Fatalf("%d users written", n)
			}
		})
	}
	// Over the upload limit: refused, nothing kept.
	if _, err := e.App.Imports.Upload(ctx, e.Org.ID, admin, "big.csv", strings.NewReader(strings.Repeat("x", 2000)), 1000); !errors.Is(err, hrimport.ErrTooLarge) {
		t.Fatalf("large upload: %v", err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM imports WHERE file_name = 'big.csv'`); n != 0 {
		t.Error("large upload recorded")
	}
}

func TestImportMapping(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	// English headers, a full-name column, trailing empty columns from Excel.
	data := "Employee No,Full Name,Email,Hire Date,Leaving date,Status,,\r\n" +
		"A-1,山田　花子,hanako@example.jp,2015/04/01,,alumni,,\r\n"
	i := upload(t, e, e.Org, data)
	if i.Mapping[hrimport.FieldEmployeeNumber] != 0 || i.Mapping[hrimport.FieldFullName] != 1 || i.Mapping[hrimport.FieldStatus] != 5 {
		t.Fatalf("suggested %v", i.Mapping)
	}
	// A mapping without a key or a name is refused.
	err := e.App.Imports.SetMapping(ctx, e.Org.ID, i.ID, hrimport.Mapping{hrimport.FieldFullName: 1})
	var me *hrimport.MappingError
	if !errors.As(err, &me) || me.Key != "hrimport.map.need_key" {
		t.Fatalf("no key: %v", err)
	}
	if err := e.App.Imports.SetMapping(ctx, e.Org.ID, i.ID, hrimport.Mapping{hrimport.FieldEmail: 2, hrimport.FieldGiven: 1}); !errors.As(err, &me) || me.Key != "hrimport.map.need_name" {
		t.Fatalf("no name: %v", err)
	}
	i = run(t, e, e.Org, i, hrimport.PhaseRun, hrimport.ModeAll)
	if got := counts(i); got != [4]int{1, 0, 0, 0} {
		t.Fatalf("counts %v %v", got, rowErrors(t, e, i))
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.org_id = $1 AND u.family_name = '山田' AND u.given_name = '花子' AND m.role = 'alumni'`, e.Org.ID); n != 1 {
		t.Error("full name not split or status ignored")
	}
	// A header missing entirely: the CLI's -map names a column that is not there.
	if _, err := hrimport.ParseMapping("email=メール", i.Header, i.Mapping); err == nil {
		t.Error("mapped a missing column")
	}
}

func TestImportAsJob(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	i := upload(t, e, e.Org, threeRows)
	if err := e.App.Imports.Start(ctx, e.Org.ID, i.ID, hrimport.PhaseRun, hrimport.ModePerRow, admin); err != nil {
		t.Fatal(err)
	}
	if err := e.App.Imports.Start(ctx, e.Org.ID, i.ID, hrimport.PhaseDryRun, "", admin); !errors.Is(err, hrimport.ErrBusy) {
		t.Fatalf("second start: %v", err)
	}
	e.RunJobs(t)
	i, _ = e.App.Imports.Get(ctx, e.Org.ID, i.ID)
	if i.State != hrimport.StateDone || i.Done != 3 || i.Created != 3 || i.Percent() != 100 {
		t.Fatalf("%+v", i)
	}
}

// countingReader serves size bytes of one endless cell and counts what was read.
type countingReader struct{ read, size int }

func (c *countingReader) Read(p []byte) (int, error) {
	if c.read >= c.size {
		return 0, io.EOF
	}
	n := min(len(p), c.size-c.read)
	for i := range p[:n] {
		p[i] = 'x'
	}
	if c.read == 0 && n > 4 {
		copy(p, "a,b\n") // a header, then the cell
	}
	c.read += n
	return n, nil
}

func TestHugeCellFailsFast(t *testing.T) {
	src := &countingReader{size: 200 << 20}
	rd, err := hrimport.NewReader(src, hrimport.UTF8)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := rd.Read(); err != nil {
		t.Fatal(err)
	}
	_, row, err := rd.Read()
	var fe *hrimport.FileError
	if !errors.As(err, &fe) || fe.Key != "hrimport.file.too_large_row" || row != 2 {
		t.Fatalf("row %d: %v", row, err)
	}
	if src.read > hrimport.MaxRecordBytes+1<<20 {
		t.Errorf("read %d MB of a 200 MB cell before refusing it", src.read>>20)
	}
}
