package app_test

import (
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/app"
	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/jobs"
	"github.com/tsunagu/tsunagu/internal/platform/mailtest"
)

func validConfig(t *testing.T) app.Config {
	return app.Config{Listen: "127.0.0.1:8080", DataDir: t.TempDir(), LogLevel: "info", LogFormat: "text", Workers: 2}
}

func TestValidateRefuses(t *testing.T) {
	for _, c := range []struct {
		name string
		set  func(*app.Config)
		want string
	}{
		{"mysql database", func(c *app.Config) { c.DatabaseURL = "mysql://x/y" }, `TSUNAGU_DATABASE_URL: database URL scheme "mysql" is not supported`},
		{"postgres without host", func(c *app.Config) { c.DatabaseURL = "postgres://" }, "TSUNAGU_DATABASE_URL: database URL has no host"},
		{"postgres bad port", func(c *app.Config) { c.DatabaseURL = "postgres://h:99999/db" }, `TSUNAGU_DATABASE_URL: database URL has an invalid port "99999"`},
		{"smtp http", func(c *app.Config) { c.SMTPURL = "http://mail" }, `TSUNAGU_SMTP_URL: invalid SMTP URL: unsupported scheme "http"`},
		{"smtp no host", func(c *app.Config) { c.SMTPURL = "smtp://:25" }, "TSUNAGU_SMTP_URL: invalid SMTP URL: empty host"},
		{"smtp bad tls", func(c *app.Config) { c.SMTPURL = "smtp://h:25?tls=maybe" }, `TSUNAGU_SMTP_URL: invalid SMTP URL: unknown tls value "maybe"`},
		{"smtp password stays secret", func(c *app.Config) { c.SMTPURL = "smtp://u:hunter2@h:25?tls=maybe" }, `unknown tls value "maybe"`},
		{"listen", func(c *app.Config) { c.Listen = "nonsense" }, `TSUNAGU_LISTEN "nonsense" is not host:port`},
		{"listen without port", func(c *app.Config) { c.Listen = "127.0.0.1:" }, `TSUNAGU_LISTEN "127.0.0.1:" is not host:port`},
		{"base URL ftp", func(c *app.Config) { c.BaseURL = "ftp://x" }, `TSUNAGU_BASE_URL "ftp://x" must be an http(s) URL`},
		{"base URL without host", func(c *app.Config) { c.BaseURL = "https://" }, `TSUNAGU_BASE_URL "https:" must be an http(s) URL`},
		{"data dir", func(c *app.Config) { c.DataDir = "" }, "TSUNAGU_DATA_DIR is empty"},
		{"mail from with a name", func(c *app.Config) { c.MailFrom = "Tsunagu <noreply@example.jp>" }, `TSUNAGU_MAIL_FROM "Tsunagu <noreply@example.jp>" must be a bare address`},
		{"mail from not an address", func(c *app.Config) { c.MailFrom = "noreply" }, `TSUNAGU_MAIL_FROM "noreply" must be a bare address`},
		{"trusted proxies", func(c *app.Config) { c.TrustedProxies = "10.0.0.1, 192.168.0.0/16, proxy.internal" },
			`TSUNAGU_TRUSTED_PROXIES: "proxy.internal" is neither an address nor a CIDR`},
		{"trusted proxies bad CIDR", func(c *app.Config) { c.TrustedProxies = "10.0.0.0/33" }, `TSUNAGU_TRUSTED_PROXIES: "10.0.0.0/33" is neither`},
		{"no workers", func(c *app.Config) { c.Workers = 0 }, "TSUNAGU_WORKERS 0 must be between 1 and 64"},
		{"too many workers", func(c *app.Config) { c.Workers = 65 }, "TSUNAGU_WORKERS 65 must be between 1 and 64"},
		{"log level", func(c *app.Config) { c.LogLevel = "verbose" }, `TSUNAGU_LOG_LEVEL "verbose" must be debug, info, warn or error`},
		{"log format", func(c *app.Config) { c.LogFormat = "xml" }, `TSUNAGU_LOG_FORMAT "xml" must be text or json`},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := validConfig(t)
			dir := cfg.DataDir
			c.set(&cfg)
			err := cfg.Validate()
			if err == nil {
				t.Fatalf("Validate accepted it")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not say %q", err, c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("one mistake, several errors:\n%v", err)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the SMTP password leaked: %v", err)
			}
			if dir != "" {
				if entries, _ := os.ReadDir(dir); len(entries) != 0 {
					t.Errorf("Validate wrote %s", entries[0].Name())
				}
			}
		})
	}
}

func TestValidateReportsEveryMistake(t *testing.T) {
	cfg := validConfig(t)
	cfg.Listen, cfg.SMTPURL, cfg.Workers = "nonsense", "http://mail", 99
	err := cfg.Validate()
	if err == nil {
		t.Fatal("Validate accepted it")
	}
	for _, want := range []string{"TSUNAGU_LISTEN", "TSUNAGU_SMTP_URL", "TSUNAGU_WORKERS"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%v does not name %s", err, want)
		}
	}
}

func TestValidateAccepts(t *testing.T) {
	for _, c := range []struct {
		name string
		set  func(*app.Config)
	}{
		{"defaults", func(*app.Config) {}},
		{"smtps with credentials", func(c *app.Config) { c.SMTPURL = "smtps://user:pass@mail.example.jp" }},
		{"smtp without TLS", func(c *app.Config) { c.SMTPURL = "smtp://127.0.0.1:2525?tls=none" }},
		{"postgres", func(c *app.Config) { c.DatabaseURL = "postgres://u:p@db.example.jp:5432/tsunagu?sslmode=require" }},
		{"sqlite URL", func(c *app.Config) { c.DatabaseURL = "sqlite:///var/lib/tsunagu/tsunagu.db" }},
		{"trusted proxies", func(c *app.Config) { c.TrustedProxies = " 10.0.0.1, 192.168.0.0/16,,::1 " }},
		{"workers bounds", func(c *app.Config) { c.Workers = 64 }},
		{"one worker", func(c *app.Config) { c.Workers = 1 }},
		{"json debug log", func(c *app.Config) { c.LogLevel, c.LogFormat = "debug", "json" }},
		{"IPv6 listen", func(c *app.Config) { c.Listen = "[::1]:8080" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := validConfig(t)
			c.set(&cfg)
			if err := cfg.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestValidateDefaults(t *testing.T) {
	for _, c := range []struct {
		listen, baseURL, mailFrom string
		wantBase, wantFrom        string
	}{
		{"0.0.0.0:8080", "", "", "http://localhost:8080", "noreply@localhost.localdomain"},
		{":8080", "", "", "http://localhost:8080", "noreply@localhost.localdomain"},
		{"[::]:9000", "", "", "http://localhost:9000", "noreply@localhost.localdomain"},
		{"127.0.0.1:8080", "", "", "http://127.0.0.1:8080", "noreply@127.0.0.1"},
		{"[::1]:8080", "", "", "http://[::1]:8080", "noreply@localhost.localdomain"},
		{"0.0.0.0:8080", "https://alumni.example.jp/", "", "https://alumni.example.jp", "noreply@alumni.example.jp"},
		{"0.0.0.0:8080", "https://alumni.example.jp:8443/", "", "https://alumni.example.jp:8443", "noreply@alumni.example.jp"},
		{"0.0.0.0:8080", "http://intranet:8080", "", "http://intranet:8080", "noreply@intranet.localdomain"},
		{"0.0.0.0:8080", "https://alumni.example.jp", "hr@example.co.jp", "https://alumni.example.jp", "hr@example.co.jp"},
	} {
		cfg := validConfig(t)
		cfg.Listen, cfg.BaseURL, cfg.MailFrom = c.listen, c.baseURL, c.mailFrom
		if err := cfg.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
			continue
		}
		if cfg.BaseURL != c.wantBase || cfg.MailFrom != c.wantFrom {
			t.Errorf("listen %q, base URL %q: got %q and %q, want %q and %q", c.listen, c.baseURL, cfg.BaseURL, cfg.MailFrom, c.wantBase, c.wantFrom)
		}
	}

	cfg := validConfig(t)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(cfg.DataDir, "tsunagu.db"); cfg.DatabaseURL != want {
		t.Errorf("database %q, want %q", cfg.DatabaseURL, want)
	}
	if cfg.ShutdownTimeout != 30*time.Second {
		t.Errorf("shutdown timeout %v, want 30s", cfg.ShutdownTimeout)
	}
}

func TestBindFlags(t *testing.T) {
	t.Setenv("TSUNAGU_LISTEN", ":9000")
	t.Setenv("TSUNAGU_WORKERS", "3")
	t.Setenv("TSUNAGU_SHUTDOWN_TIMEOUT", "5s")
	t.Setenv("TSUNAGU_SMTP_URL", "smtp://env.example.jp")
	var cfg app.Config
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	cfg.BindFlags(fs)
	if err := fs.Parse([]string{"-smtp-url", "smtp://flag.example.jp", "-data-dir", t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != ":9000" || cfg.Workers != 3 || cfg.ShutdownTimeout != 5*time.Second || cfg.SMTPURL != "smtp://flag.example.jp" {
		t.Errorf("variables or flags not applied: %+v", cfg)
	}

	// A malformed number in a variable is an error, not the default.
	t.Setenv("TSUNAGU_WORKERS", "many")
	t.Setenv("TSUNAGU_SHUTDOWN_TIMEOUT", "30")
	cfg = app.Config{}
	fs = flag.NewFlagSet("test", flag.ContinueOnError)
	cfg.BindFlags(fs)
	if err := fs.Parse([]string{"-data-dir", t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), `TSUNAGU_WORKERS "many" is not a whole number`) ||
		!strings.Contains(err.Error(), `TSUNAGU_SHUTDOWN_TIMEOUT "30" is not a duration`) {
		t.Errorf("malformed variables: %v", err)
	}
}

// mailJob returns the id of the only queued email.
func mailJob(t *testing.T, e *apptest.Env) int64 {
	t.Helper()
	var id int64
	if err := e.App.DB.Read().QueryRowContext(context.Background(), `SELECT id FROM jobs WHERE kind = 'mail.send'`).Scan(&id); err != nil {
		t.Fatalf("the queued email: %v", err)
	}
	return id
}

func jobState(t *testing.T, e *apptest.Env, id int64) (string, int, string) {
	t.Helper()
	state, attempts, lastErr, err := e.App.Jobs.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return state, attempts, lastErr
}

func TestPasswordResetMailInRecipientsLanguage(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	en := e.AddMember(t, e.Org, org.Alumni, "taro.en@example.jp")
	ja := e.AddMember(t, e.Org, org.Alumni, "taro.ja@example.jp")
	if err := e.App.Orgs.SetLocale(ctx, e.Org.ID, en.UserID, "en"); err != nil {
		t.Fatal(err)
	}
	if err := e.App.Orgs.SetLocale(ctx, e.Org.ID, ja.UserID, "ja"); err != nil {
		t.Fatal(err)
	}
	for _, m := range []org.Member{en, ja} {
		if err := e.App.Auth.RequestPasswordReset(ctx, e.Org, m.Email, auth.Client{IP: "127.0.0.1"}); err != nil {
			t.Fatal(err)
		}
	}
	// An unknown address queues nothing (and the form does not tell).
	if err := e.App.Auth.RequestPasswordReset(ctx, e.Org, "nobody@example.jp", auth.Client{IP: "127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM jobs`); n != 2 {
		t.Fatalf("%d jobs queued, want 2", n)
	}
	if len(e.SMTP.Messages()) != 0 {
		t.Fatal("mail was sent before the jobs ran")
	}
	if n := e.RunJobs(t); n != 2 {
		t.Fatalf("ran %d jobs, want 2", n)
	}
	msgs := e.SMTP.WaitFor(t, 2, 30*time.Second)
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want 2", len(msgs))
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM jobs WHERE state = 'done' AND attempts = 1`); n != 2 {
		t.Errorf("%d jobs done after one attempt, want 2", n)
	}

	for _, c := range []struct {
		to, lang, subject, fromName, toName, greeting string
	}{
		{"taro.en@example.jp", "en", "[Sakura Technology] Reset your password", "Sakura Technology", "Taro Tanaka", "Hello Taro Tanaka,"},
		{"taro.ja@example.jp", "ja", "【さくらテクノロジー株式会社】パスワード再設定のご案内", "さくらテクノロジー株式会社", "田中 太郎", "田中 太郎 様"},
	} {
		var m *mailtest.Received
		for i := range msgs {
			if len(msgs[i].To) == 1 && msgs[i].To[0] == c.to {
				m = &msgs[i]
			}
		}
		if m == nil {
			t.Errorf("no message to %s", c.to)
			continue
		}
		if m.Subject != c.subject {
			t.Errorf("%s: subject %q, want %q", c.to, m.Subject, c.subject)
		}
		if m.From != e.App.Cfg.MailFrom {
			t.Errorf("%s: envelope from %q, want %q", c.to, m.From, e.App.Cfg.MailFrom)
		}
		from, err := m.Header.AddressList("From")
		if err != nil || len(from) != 1 || from[0].Name != c.fromName || from[0].Address != e.App.Cfg.MailFrom {
			t.Errorf("%s: From %v (%v), want %q <%s>", c.to, from, err, c.fromName, e.App.Cfg.MailFrom)
		}
		to, err := m.Header.AddressList("To")
		if err != nil || len(to) != 1 || to[0].Name != c.toName || to[0].Address != c.to {
			t.Errorf("%s: To %v (%v), want %q <%s>", c.to, to, err, c.toName, c.to)
		}
		if m.ContentType != "multipart/alternative" {
			t.Errorf("%s: content type %q, want multipart/alternative", c.to, m.ContentType)
		}
		if !strings.HasPrefix(m.Text, c.greeting) {
			t.Errorf("%s: text does not start with %q:\n%s", c.to, c.greeting, m.Text)
		}
		link := apptest.LinkIn(t, m.Text)
		if !strings.HasPrefix(link, "/o/sakura/reset/") {
			t.Errorf("%s: link %q is not a reset link of sakura", c.to, link)
		}
		if !strings.Contains(m.HTML, `href="`+e.URL(link)+`"`) {
			t.Errorf("%s: the HTML part does not link to %s:\n%s", c.to, e.URL(link), m.HTML)
		}
		if !strings.Contains(m.HTML, `<html lang="`+c.lang+`">`) {
			t.Errorf("%s: the HTML part is not lang=%q:\n%s", c.to, c.lang, m.HTML)
		}
		// The link works.
		if res := e.Client(t).Get(link); res.StatusCode != http.StatusOK {
			t.Errorf("%s: GET %s: status %d", c.to, link, res.StatusCode)
		}
	}
}

func TestMailKeptWhileSMTPIsUnreachable(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	m := e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	if err := e.App.Auth.RequestPasswordReset(ctx, e.Org, m.Email, auth.Client{IP: "127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	id := mailJob(t, e)
	e.SMTP.Close()

	if n := e.RunJobs(t); n != 1 {
		t.Fatalf("ran %d jobs, want 1", n)
	}
	state, attempts, lastErr := jobState(t, e, id)
	if state != "pending" || attempts != 1 || !strings.Contains(lastErr, e.SMTP.Addr()) {
		t.Errorf("after a failed delivery: %s, %d attempts, last error %q; want pending, 1, naming %s", state, attempts, lastErr, e.SMTP.Addr())
	}
	// Not retried before its backoff...
	if n := e.RunJobs(t); n != 0 {
		t.Errorf("retried at once: %d jobs ran", n)
	}
	// ...and retried, not dropped, after it.
	e.Clock.Advance(time.Hour)
	if n := e.RunJobs(t); n != 1 {
		t.Errorf("ran %d jobs after the backoff, want 1", n)
	}
	if state, attempts, _ := jobState(t, e, id); state != "pending" || attempts != 2 {
		t.Errorf("after a second failure: %s, %d attempts; want pending, 2", state, attempts)
	}
}

func TestMailRetriedAfterTemporaryRefusal(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	m := e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	e.SMTP.FailNext(1, 451)
	if err := e.App.Auth.RequestPasswordReset(ctx, e.Org, m.Email, auth.Client{IP: "127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	id := mailJob(t, e)
	if n := e.RunJobs(t); n != 1 {
		t.Fatalf("ran %d jobs, want 1", n)
	}
	state, attempts, lastErr := jobState(t, e, id)
	if state != "pending" || attempts != 1 || !strings.Contains(lastErr, "451") || !strings.Contains(lastErr, e.SMTP.Addr()) {
		t.Errorf("after 451: %s, %d attempts, last error %q; want pending, 1, 451 from %s", state, attempts, lastErr, e.SMTP.Addr())
	}
	if e.SMTP.Rejected() != 1 || len(e.SMTP.Messages()) != 0 {
		t.Fatalf("%d rejected, %d accepted; want 1 and 0", e.SMTP.Rejected(), len(e.SMTP.Messages()))
	}
	if n := e.RunJobs(t); n != 0 {
		t.Errorf("retried before the backoff: %d jobs ran", n)
	}

	e.Clock.Advance(10 * time.Minute)
	if n := e.RunJobs(t); n != 1 {
		t.Fatalf("ran %d jobs after the backoff, want 1", n)
	}
	msgs := e.SMTP.WaitFor(t, 1, 30*time.Second)
	if len(msgs) != 1 || msgs[0].To[0] != "taro@example.jp" || !strings.Contains(msgs[0].Text, "/o/sakura/reset/") {
		t.Fatalf("want exactly the one reset email, got %d messages", len(msgs))
	}
	if state, attempts, _ := jobState(t, e, id); state != "done" || attempts != 2 {
		t.Errorf("after delivery: %s, %d attempts; want done, 2", state, attempts)
	}
	e.Clock.Advance(24 * time.Hour)
	if n := e.RunJobs(t); n != 0 || len(e.SMTP.Messages()) != 1 {
		t.Errorf("delivered mail ran again: %d jobs, %d messages", n, len(e.SMTP.Messages()))
	}
}

func TestMailPermanentRefusalIsNotRetried(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	m := e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	e.SMTP.FailNext(1, 550)
	if err := e.App.Auth.RequestPasswordReset(ctx, e.Org, m.Email, auth.Client{IP: "127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	id := mailJob(t, e)
	if n := e.RunJobs(t); n != 1 {
		t.Fatalf("ran %d jobs, want 1", n)
	}
	state, attempts, lastErr := jobState(t, e, id)
	if state != "failed" || attempts != 1 || !strings.Contains(lastErr, "550") {
		t.Errorf("after 550: %s, %d attempts, last error %q; want failed, 1, 550", state, attempts, lastErr)
	}
	e.Clock.Advance(24 * time.Hour)
	if n := e.RunJobs(t); n != 0 {
		t.Errorf("a failed email ran again: %d jobs", n)
	}
	if len(e.SMTP.Messages()) != 0 || e.SMTP.Rejected() != 1 {
		t.Errorf("%d accepted, %d rejected; want 0 and 1", len(e.SMTP.Messages()), e.SMTP.Rejected())
	}
}

func TestServeFinishesJobsOnShutdown(t *testing.T) {
	e := apptest.New(t)
	started := make(chan struct{})
	var finished atomic.Bool
	e.App.Jobs.Register("test.slow", 1, func(ctx context.Context, j jobs.Job) error {
		close(started)
		select {
		case <-time.After(500 * time.Millisecond):
			finished.Store(true)
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	id, err := e.App.Jobs.Enqueue(context.Background(), e.App.DB.Write(), e.Org.ID, "test.slow", map[string]string{"n": "1"}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	go func() { errc <- e.App.Serve(ctx, ready) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-errc:
		t.Fatalf("Serve: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("Serve did not start listening")
	}
	res, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(body) != "ok\n" {
		t.Errorf("/healthz: %q", body)
	}

	select {
	case <-started:
	case <-time.After(30 * time.Second):
		t.Fatal("the job did not start")
	}
	if state, attempts, _ := jobState(t, e, id); state != "running" || attempts != 1 {
		t.Fatalf("job %s after %d attempts, want running after 1", state, attempts)
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	if !finished.Load() {
		t.Error("the job's handler was interrupted instead of finishing")
	}
	if state, attempts, lastErr := jobState(t, e, id); state != "done" || attempts != 1 {
		t.Errorf("job %s after %d attempts (%q), want done after 1", state, attempts, lastErr)
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("the server still answers after Serve returned")
	}
}

func TestServeListenAddressTaken(t *testing.T) {
	e := apptest.New(t)
	e.App.Cfg.Listen = strings.TrimPrefix(e.Server.URL, "http://")
	err := e.App.Serve(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "TSUNAGU_LISTEN") {
		t.Errorf("Serve on a taken address: %v", err)
	}
}

func TestSeedDemo(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	o, accounts, err := e.App.SeedDemo(ctx, 200, 8)
	if err != nil {
		t.Fatal(err)
	}
	if o.Slug != "sakura-tech" || o.NameJA != "さくらテクノロジー株式会社" || o.NameEN == "" {
		t.Errorf("demo organization %+v", o)
	}
	counts, err := e.App.Orgs.CountByRole(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[org.Role]int{org.Admin: 1, org.Supporter: 1, org.Employee: 8, org.Alumni: 200}
	for _, r := range org.Roles {
		if counts[r] != want[r] {
			t.Errorf("%d %s, want %d", counts[r], r, want[r])
		}
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM users WHERE org_id = $1`, o.ID); n != 210 {
		t.Errorf("%d users, want 210", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM users WHERE org_id = $1 AND (family_name = '' OR given_name = ''
		OR family_kana = '' OR given_kana = '' OR family_romaji = '' OR given_romaji = '')`, o.ID); n != 0 {
		t.Errorf("%d demo members lack a kanji, kana or romaji name", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM profiles p JOIN memberships m ON m.org_id = p.org_id AND m.user_id = p.user_id AND m.ended_at IS NULL
		WHERE p.org_id = $1 AND m.role = 'alumni' AND (p.left_year = 0 OR p.joined_year = 0 OR p.left_year < p.joined_year OR p.current_company = '')`, o.ID); n != 0 {
		t.Errorf("%d alumni without a plausible departure year or current company", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM profiles p JOIN memberships m ON m.org_id = p.org_id AND m.user_id = p.user_id AND m.ended_at IS NULL
		WHERE p.org_id = $1 AND m.role IN ('admin', 'employee') AND (p.left_year <> 0 OR p.joined_year = 0)`, o.ID); n != 0 {
		t.Errorf("%d current staff with a departure year or without a joining year", n)
	}
	invited := e.Count(t, `SELECT COUNT(*) FROM users u JOIN memberships m ON m.org_id = u.org_id AND m.user_id = u.id AND m.ended_at IS NULL
		WHERE u.org_id = $1 AND m.role = 'alumni' AND u.password_hash = ''`, o.ID)
	if invited == 0 || invited > 200/4 {
		t.Errorf("%d of 200 alumni only invited; want some, about one in eight", invited)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE org_id = $1 AND action = 'admin.org_created' AND actor_label = 'tsunagu demo'
		AND detail = '{"alumni":"200","employees":"8"}'`, o.ID); n != 1 {
		t.Errorf("%d demo audit entries, want 1", n)
	}

	// The ways into the network have something to show: HR records for the
	// application page to match, departures with signed cards, a campaign.
	if n := e.Count(t, `SELECT COUNT(*) FROM member_internal WHERE org_id = $1 AND hr_source = 'import' AND employee_number <> ''
		AND hired_on <> '' AND left_on > hired_on`, o.ID); n != 200 {
		t.Errorf("%d alumni with an HR record, want 200", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM departures WHERE org_id = $1 AND state = 'pending'`, o.ID); n != 2 {
		t.Errorf("%d pending demo departures, want 2", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM card_messages c JOIN departures d ON d.id = c.departure_id WHERE d.org_id = $1`, o.ID); n != 5 {
		t.Errorf("%d demo card messages, want 5", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM invite_campaigns WHERE org_id = $1`, o.ID); n != 1 {
		t.Errorf("%d demo campaigns, want 1", n)
	}

	// And the community: groups with automatic members, posts with
	// reactions and comments, a relay waiting for the demo alumni account,
	// events with registrations, a message and an inquiry.
	for query, want := range map[string]int{
		`SELECT COUNT(*) FROM groups WHERE org_id = $1`:                                                                               5,
		`SELECT COUNT(*) FROM posts WHERE org_id = $1`:                                                                                6,
		`SELECT COUNT(*) FROM post_comments WHERE org_id = $1`:                                                                        2,
		`SELECT COUNT(*) FROM events WHERE org_id = $1`:                                                                               2,
		`SELECT COUNT(*) FROM event_registrations WHERE org_id = $1 AND status = 'registered'`:                                        10,
		`SELECT COUNT(*) FROM conversations WHERE org_id = $1`:                                                                        2,
		`SELECT COUNT(DISTINCT g.id) FROM groups g JOIN group_members m ON m.group_id = g.id WHERE g.org_id = $1 AND g.kind = 'auto'`: 3,
	} {
		if n := e.Count(t, query, o.ID); n != want {
			t.Errorf("%s = %d, want %d", query, n, want)
		}
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.org_id = $1 AND u.email = 'alumni@example.jp'`, o.ID); n < 2 {
		t.Errorf("the demo alumni account has %d notifications, want the relay and the message", n)
	}

	if len(accounts) != 4 {
		t.Fatalf("%d demo accounts, want 4: %+v", len(accounts), accounts)
	}
	wantAccounts := map[org.Role]string{org.Admin: "admin@sakura-tech.example.jp", org.Supporter: "supporter@example.jp",
		org.Alumni: "alumni@example.jp", org.Employee: "employee@sakura-tech.example.jp"}
	for _, a := range accounts {
		if wantAccounts[a.Role] != a.Email || strings.TrimSpace(a.Name) == "" {
			t.Errorf("demo account %+v", a)
			continue
		}
		_, m, err := e.App.Auth.SignIn(ctx, o, a.Email, app.DemoPassword, auth.Client{IP: "127.0.0.1"})
		if err != nil {
			t.Errorf("sign in as %s: %v", a.Email, err)
		} else if m.Role != a.Role {
			t.Errorf("%s is %s, want %s", a.Email, m.Role, a.Role)
		}
	}

	// Seeding again is refused and writes nothing.
	users := e.Count(t, `SELECT COUNT(*) FROM users`)
	_, _, err = e.App.SeedDemo(ctx, 10, 1)
	if !errors.Is(err, org.ErrSlugTaken) || !strings.Contains(err.Error(), "create demo organization") {
		t.Errorf("second SeedDemo: %v", err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM users`); n != users {
		t.Errorf("second SeedDemo wrote %d users", n-users)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM organizations`); n != 2 {
		t.Errorf("%d organizations, want 2 (sakura and the demo)", n)
	}
}
