package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"

	"github.com/tsunagu/tsunagu/internal/platform/dbtest"
)

func TestImport(t *testing.T) {
	cleanEnv(t)
	dbURL := dbtest.URL(t)
	t.Setenv("TSUNAGU_DATA_DIR", t.TempDir())
	t.Setenv("TSUNAGU_DATABASE_URL", dbURL)
	if r := runCmd(t, "admin", "create-org", "--slug", "acme", "--name", "アクメ株式会社"); r.code != 0 {
		t.Fatal(r)
	}
	users := func() int { return count(t, dbURL, `SELECT COUNT(*) FROM users`) }
	dir := t.TempDir()
	write := func(name, text string, cp932 bool) string {
		t.Helper()
		if cp932 {
			var err error
			if text, err = japanese.ShiftJIS.NewEncoder().String(text); err != nil {
				t.Fatal(err)
			}
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.csv", "社員番号,氏名,連絡先,入社日,退職日\r\n"+
		"E001,山田 花子,hanako@example.jp,2015/04/01,令和2年3月31日\r\n"+
		"E002,佐藤 一郎,ichiro@example.jp,2016/04/01,\r\n", true)

	// The email header is not one Tsunagu knows: without -map there is still
	// a key (the employee number), but new people need an email.
	r := runCmd(t, "import", "-org", "acme", "-dry-run", good)
	if r.code != 1 || !strings.Contains(r.stdout, "Encoding:  cp932 (detected: cp932)") ||
		!strings.Contains(r.stdout, "row 2 [email]: A new person needs an email address.") || !strings.Contains(r.stderr, "2 rows have errors") {
		t.Fatalf("dry run without the email column: %v", r)
	}
	r = runCmd(t, "import", "-org", "acme", "-dry-run", "-map", "email=連絡先", good)
	if r.code != 0 || !strings.Contains(r.stdout, "Dry run (nothing written): 2 rows; create 2, update 0, unchanged 0, errors 0") {
		t.Fatalf("dry run: %v", r)
	}
	if n := users(); n != 0 {
		t.Fatalf("dry run wrote %d users", n)
	}
	r = runCmd(t, "import", "-org", "acme", "-map", "email=連絡先", good)
	if r.code != 0 || !strings.Contains(r.stdout, "Import: 2 rows; create 2, update 0") {
		t.Fatalf("import: %v", r)
	}
	if n := count(t, dbURL, `SELECT COUNT(*) FROM memberships WHERE role = 'alumni' AND ended_at IS NULL`); n != 1 {
		t.Errorf("%d alumni", n)
	}
	r = runCmd(t, "import", "-org", "acme", "-map", "email=連絡先", good)
	if r.code != 0 || !strings.Contains(r.stdout, "create 0, update 0, unchanged 2, errors 0") {
		t.Fatalf("re-import: %v", r)
	}

	// Forcing the wrong encoding is refused with the reason.
	r = runCmd(t, "import", "-org", "acme", "-encoding", "utf-8", "-map", "email=連絡先", good)
	if r.code != 1 || !strings.Contains(r.stderr, "not in the chosen encoding") {
		t.Errorf("wrong encoding: %v", r)
	}
	// All or nothing: one bad row, nothing written; per-row writes the good one.
	bad := write("bad.csv", "社員番号,姓,名,メールアドレス,入社日\nE010,鈴木,次郎,jiro@example.jp,2020/01/01\nE011,高橋,,not-mail,2020/13/01\n", false)
	r = runCmd(t, "import", "-org", "acme", "-lang", "ja", bad)
	if r.code != 1 || !strings.Contains(r.stdout, "nothing written") || !strings.Contains(r.stdout, "row 3 [メールアドレス]: メールアドレスの形式が正しくありません（not-mail）。") ||
		!strings.Contains(r.stdout, "row 3 [入社日]: 日付として読めません") {
		t.Errorf("all or nothing: %v", r)
	}
	if n := users(); n != 2 {
		t.Fatalf("all-or-nothing wrote: %d users", n)
	}
	r = runCmd(t, "import", "-org", "acme", "-mode", "per-row", bad)
	if r.code != 1 || !strings.Contains(r.stdout, "create 1, update 0, unchanged 0, errors 1") {
		t.Errorf("per row: %v", r)
	}
	if n := users(); n != 3 {
		t.Fatalf("per-row: %d users", n)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"import"}, "exactly one CSV file"},
		{[]string{"import", "-mode", "sometimes", good}, "-mode"},
		{[]string{"import", "-encoding", "latin1", good}, "-encoding"},
		{[]string{"import", "-org", "nope", good}, "no organization"},
		{[]string{"import", "-org", "acme", "-map", "colour=連絡先", good}, "unknown field"},
		{[]string{"import", "-org", "acme", "-map", "employee_number=", good}, "employee number or the email"},
	} {
		if r := runCmd(t, c.args...); r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: want exit 2 and %q\n%v", c.args, c.want, r)
		}
	}
	if n := users(); n != 3 {
		t.Errorf("refused commands wrote: %d users", n)
	}
}
