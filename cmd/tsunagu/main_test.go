package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/app"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/dbtest"
)

// configVars are every TSUNAGU_* variable the commands read.
var configVars = []string{
	"TSUNAGU_LISTEN", "TSUNAGU_DATA_DIR", "TSUNAGU_DATABASE_URL", "TSUNAGU_BASE_URL", "TSUNAGU_SMTP_URL",
	"TSUNAGU_MAIL_FROM", "TSUNAGU_LOG_LEVEL", "TSUNAGU_LOG_FORMAT", "TSUNAGU_TRUSTED_PROXIES", "TSUNAGU_ORG_SLUG",
	"TSUNAGU_ORG_NAME", "TSUNAGU_SHUTDOWN_TIMEOUT", "TSUNAGU_WORKERS",
}

// cleanEnv unsets every TSUNAGU_* configuration variable for the test (and
// restores them after it), so that the developer's environment cannot leak
// in. The server log goes to the process's stderr: keep it to warnings.
func cleanEnv(t *testing.T) {
	t.Helper()
	for _, v := range configVars {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	t.Setenv("TSUNAGU_LOG_LEVEL", "warn")
	// The default data directory is relative: never let it land in the
	// source tree.
	t.Chdir(t.TempDir())
}

type result struct {
	code           int
	stdout, stderr string
}

func runCmd(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	// A command that should have been refused but serves instead ends here
	// rather than hanging the test.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := run(ctx, args, &out, &errb)
	return result{code, out.String(), errb.String()}
}

func (r result) String() string {
	return "exit " + strconv.Itoa(r.code) + "\nstdout:\n" + r.stdout + "\nstderr:\n" + r.stderr
}

// syncBuffer is a bytes.Buffer safe to write from the command's goroutine
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// count runs a COUNT query on the database at dbURL.
func count(t *testing.T, dbURL, query string, args ...any) int {
	t.Helper()
	d, err := db.Open(context.Background(), dbURL, db.Options{MaxReadConns: 1})
	if err != nil {
		t.Fatalf("open %s: %v", dbURL, err)
	}
	defer d.Close()
	var n int
	if err := d.Read().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// assertNotCreated fails unless dir does not exist or is empty.
func assertNotCreated(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("data directory holds %s after a refused configuration", e.Name())
	}
}

func TestVersionAndUsage(t *testing.T) {
	cleanEnv(t)
	r := runCmd(t, "version")
	if r.code != 0 || r.stdout != "tsunagu dev\n" {
		t.Errorf("version: %v", r)
	}

	r = runCmd(t)
	if r.code != 2 || !strings.Contains(r.stderr, "Usage:\n  tsunagu <command> [flags]") || !strings.Contains(r.stderr, "serve") {
		t.Errorf("no arguments: %v", r)
	}

	r = runCmd(t, "frobnicate")
	if r.code != 2 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) || !strings.Contains(r.stderr, "Usage:") {
		t.Errorf("unknown command: %v", r)
	}

	r = runCmd(t, "help")
	if r.code != 0 || !strings.Contains(r.stdout, "Commands:") {
		t.Errorf("help: %v", r)
	}
}

func TestServeHelpListsEnvironment(t *testing.T) {
	cleanEnv(t)
	dir := filepath.Join(t.TempDir(), "data")
	r := runCmd(t, "serve", "-h", "-data-dir", dir)
	if r.code != 0 {
		t.Fatalf("serve -h: %v", r)
	}
	help := r.stdout + r.stderr
	for _, v := range []string{"TSUNAGU_LISTEN", "TSUNAGU_DATA_DIR", "TSUNAGU_DATABASE_URL", "TSUNAGU_BASE_URL", "TSUNAGU_SMTP_URL",
		"TSUNAGU_MAIL_FROM", "TSUNAGU_TRUSTED_PROXIES", "TSUNAGU_WORKERS", "-listen", "-database-url"} {
		if !strings.Contains(help, v) {
			t.Errorf("serve -h does not mention %s:\n%s", v, help)
		}
	}
	assertNotCreated(t, dir)
}

// badSettings are malformed values, each with the flag and variable that
// set it and the start of the message that must name it.
var badSettings = []struct {
	name, flag, env, value, want string
}{
	{"mysql database", "database-url", "TSUNAGU_DATABASE_URL", "mysql://x/y", `TSUNAGU_DATABASE_URL: database URL scheme "mysql" is not supported`},
	{"postgres without host", "database-url", "TSUNAGU_DATABASE_URL", "postgres://", "TSUNAGU_DATABASE_URL: database URL has no host"},
	{"postgres bad port", "database-url", "TSUNAGU_DATABASE_URL", "postgres://h:99999/db", `TSUNAGU_DATABASE_URL: database URL has an invalid port "99999"`},
	{"postgres without database", "database-url", "TSUNAGU_DATABASE_URL", "postgres://h:5432", "TSUNAGU_DATABASE_URL: database URL names no database"},
	{"smtp http scheme", "smtp-url", "TSUNAGU_SMTP_URL", "http://mail", `TSUNAGU_SMTP_URL: invalid SMTP URL: unsupported scheme "http"`},
	{"smtp without host", "smtp-url", "TSUNAGU_SMTP_URL", "smtp://:25", "TSUNAGU_SMTP_URL: invalid SMTP URL: empty host"},
	{"smtp bad tls", "smtp-url", "TSUNAGU_SMTP_URL", "smtp://h:25?tls=maybe", `TSUNAGU_SMTP_URL: invalid SMTP URL: unknown tls value "maybe"`},
	{"listen without port", "listen", "TSUNAGU_LISTEN", "nonsense", `TSUNAGU_LISTEN "nonsense" is not host:port`},
	{"ftp base URL", "base-url", "TSUNAGU_BASE_URL", "ftp://x", `TSUNAGU_BASE_URL "ftp://x" must be an http(s) URL`},
	{"mail from", "mail-from", "TSUNAGU_MAIL_FROM", "Tsunagu <noreply@example.jp>", `TSUNAGU_MAIL_FROM "Tsunagu <noreply@example.jp>" must be a bare address`},
	{"trusted proxy", "trusted-proxies", "TSUNAGU_TRUSTED_PROXIES", "10.0.0.1, proxy.internal", `TSUNAGU_TRUSTED_PROXIES: "proxy.internal" is neither an address nor a CIDR`},
	{"workers zero", "workers", "TSUNAGU_WORKERS", "0", "TSUNAGU_WORKERS 0 must be between 1 and 64"},
	{"workers too many", "workers", "TSUNAGU_WORKERS", "65", "TSUNAGU_WORKERS 65 must be between 1 and 64"},
	{"log level", "log-level", "TSUNAGU_LOG_LEVEL", "verbose", `TSUNAGU_LOG_LEVEL "verbose" must be debug, info, warn or error`},
	{"log format", "log-format", "TSUNAGU_LOG_FORMAT", "xml", `TSUNAGU_LOG_FORMAT "xml" must be text or json`},
}

func TestBadConfiguration(t *testing.T) {
	for _, c := range badSettings {
		for _, how := range []string{"flag", "env"} {
			for _, command := range [][]string{{"serve"}, {"migrate"}, {"admin", "list-orgs"}} {
				t.Run(c.name+"/"+how+"/"+strings.Join(command, "-"), func(t *testing.T) {
					cleanEnv(t)
					dir := filepath.Join(t.TempDir(), "data")
					args := append(append([]string(nil), command...), "-data-dir", dir)
					if c.flag != "listen" {
						// Should serve start after all, it does not take 8080.
						args = append(args, "-listen", "127.0.0.1:0")
					}
					if how == "flag" {
						args = append(args, "-"+c.flag, c.value)
					} else {
						t.Setenv(c.env, c.value)
					}
					r := runCmd(t, args...)
					if r.code != 2 {
						t.Errorf("exit %d, want 2\n%v", r.code, r)
					}
					if !strings.Contains(r.stderr, "tsunagu: configuration:") || !strings.Contains(r.stderr, c.want) {
						t.Errorf("stderr does not say %q:\n%s", c.want, r.stderr)
					}
					if r.stdout != "" {
						t.Errorf("stdout: %q", r.stdout)
					}
					assertNotCreated(t, dir)
				})
			}
		}
	}
}

func TestBadConfigurationReportsEveryMistake(t *testing.T) {
	cleanEnv(t)
	dir := filepath.Join(t.TempDir(), "data")
	t.Setenv("TSUNAGU_SMTP_URL", "http://mail")
	r := runCmd(t, "serve", "-data-dir", dir, "-listen", "nonsense", "-database-url", "mysql://x/y")
	if r.code != 2 {
		t.Fatalf("want exit 2: %v", r)
	}
	for _, want := range []string{"TSUNAGU_LISTEN", "TSUNAGU_DATABASE_URL", "TSUNAGU_SMTP_URL"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr does not name %s:\n%s", want, r.stderr)
		}
	}
	assertNotCreated(t, dir)
}

// A malformed number or duration in the environment must not be silently
// replaced by the default.
func TestMalformedNumbersInEnvironment(t *testing.T) {
	for _, c := range []struct{ env, value, want string }{
		{"TSUNAGU_WORKERS", "eight", `TSUNAGU_WORKERS "eight" is not a whole number`},
		{"TSUNAGU_SHUTDOWN_TIMEOUT", "10", `TSUNAGU_SHUTDOWN_TIMEOUT "10" is not a duration`},
	} {
		t.Run(c.env, func(t *testing.T) {
			cleanEnv(t)
			dir := filepath.Join(t.TempDir(), "data")
			t.Setenv(c.env, c.value)
			r := runCmd(t, "migrate", "-data-dir", dir)
			if r.code != 2 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("want exit 2 and %q: %v", c.want, r)
			}
			assertNotCreated(t, dir)
		})
	}
	// The flag's own parser reports malformed values too.
	cleanEnv(t)
	dir := filepath.Join(t.TempDir(), "data")
	r := runCmd(t, "migrate", "-data-dir", dir, "-workers", "eight")
	if r.code != 2 || !strings.Contains(r.stderr, `invalid value "eight" for flag -workers`) {
		t.Errorf("-workers eight: %v", r)
	}
	assertNotCreated(t, dir)
}

func TestFlagBeatsEnvironment(t *testing.T) {
	cleanEnv(t)
	dbURL := dbtest.URL(t)
	dir := t.TempDir()

	// Bad variables, good flags: the flags win.
	t.Setenv("TSUNAGU_LISTEN", "nonsense")
	t.Setenv("TSUNAGU_DATABASE_URL", "mysql://x/y")
	t.Setenv("TSUNAGU_SMTP_URL", "http://mail")
	t.Setenv("TSUNAGU_BASE_URL", "ftp://x")
	r := runCmd(t, "migrate", "-data-dir", dir, "-listen", "127.0.0.1:0", "-database-url", dbURL, "-smtp-url=", "-base-url", "https://alumni.example.jp")
	if r.code != 0 || !strings.Contains(r.stdout, "is up to date") {
		t.Fatalf("good flags over bad variables: %v", r)
	}

	// Good variables, a bad flag: the flag wins.
	cleanEnv(t)
	t.Setenv("TSUNAGU_DATA_DIR", dir)
	t.Setenv("TSUNAGU_DATABASE_URL", dbURL)
	r = runCmd(t, "migrate", "-database-url", "mysql://x/y")
	if r.code != 2 || !strings.Contains(r.stderr, `"mysql" is not supported`) {
		t.Errorf("bad flag over good variable: %v", r)
	}

	// And the variable beats the default: the database named by
	// TSUNAGU_DATABASE_URL is the one used, not a file in the data dir.
	r = runCmd(t, "migrate")
	if r.code != 0 {
		t.Fatalf("migrate from variables: %v", r)
	}
	name := dbURL
	if dbtest.Dialect() == db.Postgres {
		u, _ := url.Parse(dbURL)
		name = u.Path
	}
	if !strings.Contains(r.stdout, name) {
		t.Errorf("migrate used another database than %s:\n%s", name, r.stdout)
	}
	if dbtest.Dialect() == db.Postgres {
		assertNotCreated(t, dir)
	}
}

func TestUnreachablePostgres(t *testing.T) {
	cleanEnv(t)
	dir := filepath.Join(t.TempDir(), "data")
	for _, args := range [][]string{
		{"migrate", "-data-dir", dir, "-database-url", "postgres://u:secret@127.0.0.1:1/db?connect_timeout=2"},
		{"admin", "list-orgs", "-data-dir", dir, "-database-url", "postgres://u:secret@127.0.0.1:1/db?connect_timeout=2"},
	} {
		r := runCmd(t, args...)
		if r.code != 1 {
			t.Errorf("%v: exit %d, want 1\n%v", args, r.code, r)
		}
		if !strings.Contains(r.stderr, "not reachable") || !strings.Contains(r.stderr, "127.0.0.1:1") {
			t.Errorf("%v: stderr does not say the database is not reachable:\n%s", args, r.stderr)
		}
		if strings.Contains(r.stderr+r.stdout, "secret") {
			t.Errorf("%v: the password leaked:\n%s", args, r.stderr)
		}
	}
	assertNotCreated(t, dir)
}

func TestMigrate(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	dbURL := dbtest.URL(t)
	// On a fresh SQLite file, status shows what is pending and applies nothing.
	fresh := filepath.Join(t.TempDir(), "fresh.db")
	r := runCmd(t, "migrate", "status", "-data-dir", dir, "-database-url", fresh)
	if r.code != 0 || !regexp.MustCompile(`(?m)^00001 pending`).MatchString(r.stdout) {
		t.Fatalf("status of a fresh database: %v", r)
	}
	if r = runCmd(t, "migrate", "status", "-data-dir", dir, "-database-url", fresh); !strings.Contains(r.stdout, "00001 pending") {
		t.Fatalf("status applied migrations: %v", r)
	}
	r = runCmd(t, "migrate", "-data-dir", dir, "-database-url", dbURL)
	if r.code != 0 || !strings.Contains(r.stdout, "is up to date") {
		t.Fatalf("migrate: %v", r)
	}
	// "status" before or after the flags: both name the same database.
	for _, args := range [][]string{
		{"migrate", "status", "-data-dir", dir, "-database-url", dbURL},
		{"migrate", "-data-dir", dir, "-database-url", dbURL, "status"},
	} {
		r = runCmd(t, args...)
		if r.code != 0 {
			t.Fatalf("%v: %v", args, r)
		}
		if !regexp.MustCompile(`(?m)^00001 applied\s+00001_foundation\.sql$`).MatchString(r.stdout) || strings.Contains(r.stdout, "pending") {
			t.Errorf("%v:\n%s", args, r.stdout)
		}
	}
	if dbtest.Dialect() == db.Postgres {
		assertNotCreated(t, dir)
	}
	// Nor was the default ./data used instead of the flags.
	assertNotCreated(t, "data")
	r = runCmd(t, "migrate", "-data-dir", dir, "-database-url", dbURL, "sideways")
	if r.code != 2 || !strings.Contains(r.stderr, `migrate: unknown argument "sideways"`) {
		t.Errorf("migrate sideways: %v", r)
	}
}

func TestAdmin(t *testing.T) {
	cleanEnv(t)
	dbURL := dbtest.URL(t)
	t.Setenv("TSUNAGU_DATA_DIR", t.TempDir())
	t.Setenv("TSUNAGU_DATABASE_URL", dbURL)
	orgs := func() int { return count(t, dbURL, `SELECT COUNT(*) FROM organizations`) }
	users := func() int { return count(t, dbURL, `SELECT COUNT(*) FROM users`) }
	tokens := func() int { return count(t, dbURL, `SELECT COUNT(*) FROM tokens`) }

	r := runCmd(t, "admin")
	if r.code != 2 || !strings.Contains(r.stdout, "create-org") || !strings.Contains(r.stderr, "which task?") {
		t.Errorf("admin without a task: %v", r)
	}
	r = runCmd(t, "admin", "-h")
	if r.code != 0 || !strings.Contains(r.stdout, "reset-password") {
		t.Errorf("admin -h: %v", r)
	}

	r = runCmd(t, "admin", "create-org", "--slug", "acme", "--name", "アクメ株式会社")
	if r.code != 0 || !strings.Contains(r.stdout, "Created アクメ株式会社 at http://127.0.0.1:8080/o/acme/") {
		t.Fatalf("create-org: %v", r)
	}
	r = runCmd(t, "admin", "list-orgs")
	if r.code != 0 || !regexp.MustCompile(`(?m)^acme\s+アクメ株式会社 / アクメ株式会社$`).MatchString(r.stdout) {
		t.Errorf("list-orgs: %v", r)
	}
	if n := count(t, dbURL, `SELECT COUNT(*) FROM audit_log WHERE action = 'admin.org_created' AND target = 'org:acme'`); n != 1 {
		t.Errorf("%d audit entries for the new organization, want 1", n)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--slug", "Acme!", "--name", "アクメ"}, `invalid input: slug "Acme!" must be 1-40 lowercase letters, digits or hyphens`},
		{[]string{"--slug", "beta", "--name", "  "}, "invalid input: organization name is required"},
		{[]string{"--slug", "acme", "--name", "別のアクメ"}, "organization slug already taken"},
	} {
		r = runCmd(t, append([]string{"admin", "create-org"}, c.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("create-org %v: want exit 2 and %q\n%v", c.args, c.want, r)
		}
		if n := orgs(); n != 1 {
			t.Errorf("create-org %v: %d organizations, want 1", c.args, n)
		}
	}

	r = runCmd(t, "admin", "create-admin", "--org", "acme", "--email", "hr@acme.example.jp", "--name", "山田 花子")
	if r.code != 0 || !regexp.MustCompile(`http://127\.0\.0\.1:8080/o/acme/join/[A-Za-z0-9_-]{20,}\n`).MatchString(r.stdout) {
		t.Fatalf("create-admin: %v", r)
	}
	if n := count(t, dbURL, `SELECT COUNT(*) FROM users u JOIN memberships m ON m.user_id = u.id AND m.ended_at IS NULL
		JOIN organizations o ON o.id = u.org_id
		WHERE o.slug = 'acme' AND u.email = 'hr@acme.example.jp' AND u.family_name = '山田' AND u.given_name = '花子'
		AND m.role = 'admin' AND u.password_hash = ''`); n != 1 {
		t.Errorf("create-admin: %d matching admin rows, want 1", n)
	}
	if n := count(t, dbURL, `SELECT COUNT(*) FROM jobs`); n != 0 {
		t.Errorf("create-admin queued %d emails; the link is only printed", n)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--org", "nowhere", "--email", "x@acme.example.jp", "--name", "佐藤 一郎"}, `no organization "nowhere"`},
		{[]string{"--org", "acme", "--email", "not-an-email", "--name", "佐藤 一郎"}, "invalid input: email"},
		{[]string{"--org", "acme", "--email", "sato@localhost", "--name", "佐藤 一郎"}, "invalid input: email"},
		{[]string{"--org", "acme", "--email", "sato@acme.example.jp", "--name", ""}, "invalid input: family name"},
		{[]string{"--org", "acme", "--email", "HR@acme.example.jp", "--name", "山田 花子"}, "email already registered"},
	} {
		r = runCmd(t, append([]string{"admin", "create-admin"}, c.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("create-admin %v: want exit 2 and %q\n%v", c.args, c.want, r)
		}
		if n := users(); n != 1 {
			t.Errorf("create-admin %v: %d users, want 1", c.args, n)
		}
		if n := tokens(); n != 1 {
			t.Errorf("create-admin %v: %d tokens, want 1", c.args, n)
		}
	}

	r = runCmd(t, "admin", "reset-password", "--org", "acme", "--email", "hr@acme.example.jp")
	if r.code != 0 || !regexp.MustCompile(`http://127\.0\.0\.1:8080/o/acme/reset/[A-Za-z0-9_-]{20,}\n`).MatchString(r.stdout) {
		t.Fatalf("reset-password: %v", r)
	}
	if n := count(t, dbURL, `SELECT COUNT(*) FROM tokens WHERE kind = 'reset'`); n != 1 {
		t.Errorf("%d reset tokens, want 1", n)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--org", "acme", "--email", "nobody@acme.example.jp"}, `no member with email "nobody@acme.example.jp" in acme`},
		{[]string{"--org", "nowhere", "--email", "hr@acme.example.jp"}, `no organization "nowhere"`},
	} {
		r = runCmd(t, append([]string{"admin", "reset-password"}, c.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("reset-password %v: want exit 2 and %q\n%v", c.args, c.want, r)
		}
		if n := tokens(); n != 2 {
			t.Errorf("reset-password %v: %d tokens, want 2", c.args, n)
		}
	}

	// A flag of another task is refused by the flag parser.
	r = runCmd(t, "admin", "list-orgs", "--slug", "acme")
	if r.code != 2 || !strings.Contains(r.stderr, "flag provided but not defined: -slug") {
		t.Errorf("list-orgs --slug: %v", r)
	}
	if orgs() != 1 || users() != 1 {
		t.Errorf("something was written by a refused command")
	}
}

func TestAdminUnknownTaskWritesNothing(t *testing.T) {
	cleanEnv(t)
	dir := filepath.Join(t.TempDir(), "data")
	r := runCmd(t, "admin", "frobnicate", "-data-dir", dir)
	if r.code != 2 || !strings.Contains(r.stderr, `admin: unknown task "frobnicate"`) {
		t.Errorf("admin frobnicate: %v", r)
	}
	assertNotCreated(t, dir)
}

// startCmd runs a long-lived command (serve, demo) in the background. The
// returned channel yields its exit code.
func startCmd(ctx context.Context, args ...string) (stdout, stderr *syncBuffer, done <-chan int) {
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	c := make(chan int, 1)
	go func() { c <- run(ctx, args, stdout, stderr) }()
	return stdout, stderr, c
}

// waitFor polls cond until it holds; it fails the test if the command
// exits first or after a generous bound.
func waitFor(t *testing.T, what string, done <-chan int, stderr *syncBuffer, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		select {
		case code := <-done:
			t.Fatalf("waiting for %s: the command exited with %d\n%s", what, code, stderr)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited too long for %s\n%s", what, stderr)
		}
	}
}

func healthy(base string) func() bool {
	return func() bool {
		res, err := http.Get(base + "/healthz")
		if err != nil {
			return false
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode == http.StatusOK && string(b) == "ok\n"
	}
}

// stop cancels a background command and checks that it ends with exit 0.
func stop(t *testing.T, cancel context.CancelFunc, done <-chan int, stderr *syncBuffer) {
	t.Helper()
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d after cancel, want 0\n%s", code, stderr)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the command did not stop after its context was cancelled")
	}
}

func noRedirectClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func TestServe(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	dbURL := dbtest.URL(t)
	addr := freeAddr(t)
	base := "http://" + addr

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stderr, done := startCmd(ctx, "serve", "-data-dir", dir, "-database-url", dbURL, "-listen", addr)
	waitFor(t, "/healthz", done, stderr, healthy(base))

	want := `Created organization "アルムナイネットワーク" at ` + base + "/o/alumni/\n"
	if !strings.Contains(stdout.String(), want) || !strings.Contains(stdout.String(), "tsunagu admin create-admin --org alumni") {
		t.Errorf("serve did not announce the new organization:\n%s", stdout)
	}
	res, err := noRedirectClient().Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/o/alumni/" {
		t.Errorf("GET /: %d to %q, want 303 to /o/alumni/", res.StatusCode, res.Header.Get("Location"))
	}
	res, err = http.Get(base + "/o/alumni/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET /o/alumni/login: %d", res.StatusCode)
	}
	stop(t, cancel, done, stderr)
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("the server still answers after serve returned")
	}

	// A second start finds the organization and creates no other.
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	addr = freeAddr(t)
	stdout, stderr, done = startCmd(ctx2, "serve", "-data-dir", dir, "-database-url", dbURL, "-listen", addr)
	waitFor(t, "/healthz after restart", done, stderr, healthy("http://"+addr))
	stop(t, cancel2, done, stderr)
	if strings.Contains(stdout.String(), "Created organization") {
		t.Errorf("second start created an organization again:\n%s", stdout)
	}
	if n := count(t, dbURL, `SELECT COUNT(*) FROM organizations`); n != 1 {
		t.Errorf("%d organizations, want 1", n)
	}
}

func TestServeListenAddressTaken(t *testing.T) {
	cleanEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	r := runCmd(t, "serve", "-data-dir", t.TempDir(), "-database-url", dbtest.URL(t), "-listen", ln.Addr().String())
	if r.code != 1 || !strings.Contains(r.stderr, "listen on "+ln.Addr().String()+" (TSUNAGU_LISTEN)") {
		t.Errorf("serve on a taken port: %v", r)
	}
}

var totalMembers = regexp.MustCompile(`<span class="stat-value">(\d+)</span><span class="stat-label">メンバー合計</span>`)

func TestDemo(t *testing.T) {
	cleanEnv(t)
	// The demo makes its own temporary directory: keep it inside the test's.
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	addr := freeAddr(t)
	base := "http://" + addr

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stderr, done := startCmd(ctx, "demo", "-alumni", "50", "-employees", "3", "-listen", addr)
	waitFor(t, "the demo accounts", done, stderr, func() bool { return strings.Contains(stdout.String(), "Stop with Ctrl+C") })
	out := stdout.String()
	for _, want := range []string{
		"Creating the demo company with 50 alumni",
		"さくらテクノロジー株式会社 (Sakura Technology Co., Ltd.)",
		"Open: " + base + "/o/sakura-tech/",
		"(password: " + app.DemoPassword + ")",
		"admin@sakura-tech.example.jp", "supporter@example.jp", "alumni@example.jp", "employee@sakura-tech.example.jp",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	for _, role := range []string{"admin", "supporter", "alumni", "employee"} {
		if !regexp.MustCompile(`(?m)^    ` + role + `\s+\S+@\S+\s+\S+`).MatchString(out) {
			t.Errorf("no %s account line:\n%s", role, out)
		}
	}
	dirs, _ := filepath.Glob(filepath.Join(tmp, "tsunagu-demo-*"))
	if len(dirs) != 1 {
		t.Errorf("demo directories in TMPDIR: %v", dirs)
	}
	waitFor(t, "/healthz", done, stderr, healthy(base))

	c := noRedirectClient()
	form := url.Values{"email": {"admin@sakura-tech.example.jp"}, "password": {app.DemoPassword}}
	req, _ := http.NewRequest(http.MethodPost, base+"/o/sakura-tech/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as the demo admin: status %d", res.StatusCode)
	}
	req, _ = http.NewRequest(http.MethodGet, base+"/o/sakura-tech/", nil)
	req.Header.Set("Accept-Language", "ja")
	res, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := totalMembers.FindSubmatch(body)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("home page: status %d, no member total\n%s", res.StatusCode, body)
	}
	// 50 alumni, 3 employees, the admin and the supporter.
	if n, _ := strconv.Atoi(string(m[1])); n != 55 {
		t.Errorf("home page shows %d members in total, want 55 (50 alumni, 3 employees, admin, supporter)", n)
	}

	stop(t, cancel, done, stderr)
	if dirs, _ := filepath.Glob(filepath.Join(tmp, "tsunagu-demo-*")); len(dirs) != 0 {
		t.Errorf("the demo left its directory behind: %v", dirs)
	}
}

func TestDemoRefusals(t *testing.T) {
	cleanEnv(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	leftovers := func() {
		t.Helper()
		if dirs, _ := filepath.Glob(filepath.Join(tmp, "tsunagu-demo-*")); len(dirs) != 0 {
			t.Errorf("a refused demo left its directory behind: %v", dirs)
		}
	}

	r := runCmd(t, "demo", "-database-url", "x")
	if r.code != 2 || !strings.Contains(r.stderr, "do not set a database URL") {
		t.Errorf("demo -database-url x: %v", r)
	}
	leftovers()

	t.Setenv("TSUNAGU_DATABASE_URL", "postgres://u@db.example.jp/tsunagu")
	r = runCmd(t, "demo")
	if r.code != 2 || !strings.Contains(r.stderr, "do not set a database URL") {
		t.Errorf("demo with TSUNAGU_DATABASE_URL: %v", r)
	}
	leftovers()
	os.Unsetenv("TSUNAGU_DATABASE_URL")

	for _, args := range [][]string{{"-alumni", "0"}, {"-employees", "0"}, {"-alumni", "200001"}} {
		r = runCmd(t, append([]string{"demo", "-listen", "127.0.0.1:0"}, args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, "-alumni must be 1..200000 and -employees 1..10000") {
			t.Errorf("demo %v: %v", args, r)
		}
		leftovers()
	}

	// A data directory that holds data is never seeded over.
	dir := t.TempDir()
	if r := runCmd(t, "admin", "create-org", "-data-dir", dir, "--slug", "acme", "--name", "アクメ"); r.code != 0 {
		t.Fatalf("create-org: %v", r)
	}
	r = runCmd(t, "demo", "-data-dir", dir, "-listen", "127.0.0.1:0")
	if r.code != 2 || !strings.Contains(r.stderr, "already holds data") {
		t.Errorf("demo on a used data directory: %v", r)
	}
	if n := count(t, filepath.Join(dir, "tsunagu.db"), `SELECT COUNT(*) FROM organizations`); n != 1 {
		t.Errorf("%d organizations after the refused demo, want 1", n)
	}
}
