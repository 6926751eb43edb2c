// Package apptest runs a whole Tsunagu for tests: a throwaway database
// (SQLite, or PostgreSQL under TSUNAGU_TEST_DATABASE), a real SMTP server in
// process, a real HTTP server, and a clock the test moves.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/app"
	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/dbtest"
	"github.com/tsunagu/tsunagu/internal/platform/mailtest"
)

// Clock is a settable time source.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// Env is one running Tsunagu.
type Env struct {
	App    *app.App
	Server *httptest.Server
	SMTP   *mailtest.Server
	Clock  *Clock
	Org    org.Organization
	Logs   *syncBuffer
}

// TestArgon2 is a cheap cost for tests, where thousands of hashes would
// otherwise dominate the run; the production parameters have their own test.
var TestArgon2 = auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}

// New starts an Env with one organization, "sakura".
func New(t testing.TB) *Env {
	t.Helper()
	e := &Env{SMTP: mailtest.Start(t), Clock: &Clock{now: db.Now()}, Logs: &syncBuffer{}}
	cfg := app.Config{
		Listen: "127.0.0.1:0", DataDir: t.TempDir(), DatabaseURL: dbtest.URL(t), SMTPURL: e.SMTP.URL(),
		LogLevel: "debug", LogFormat: "text", Workers: 1, Argon2: TestArgon2, Now: e.Clock.Now,
		OrgSlug: "sakura", OrgName: "さくらテクノロジー株式会社",
	}
	// The base URL must be known before the server starts, for emailed links;
	// an unstarted httptest server has its address already.
	srv := httptest.NewUnstartedServer(nil)
	cfg.BaseURL = "http://" + srv.Listener.Addr().String()
	var logOut io.Writer = e.Logs
	if testing.Verbose() {
		logOut = io.MultiWriter(e.Logs, os.Stderr)
	}
	log := slog.New(app.RequestIDHandler(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: slog.LevelDebug})))
	a, err := app.Open(context.Background(), cfg, log)
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	e.App = a
	t.Cleanup(func() { a.Close() })
	if e.Org, _, err = a.CreateOrganization(context.Background(), "sakura", "さくらテクノロジー株式会社", "Sakura Technology"); err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = a.Web.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	e.Server = srv
	return e
}

// URL is the absolute URL of a path.
func (e *Env) URL(path string) string { return e.Server.URL + path }

// OrgPath is a path inside the default organization.
func (e *Env) OrgPath(rest string) string { return "/o/" + e.Org.Slug + rest }

// AddOrg creates another organization.
func (e *Env) AddOrg(t testing.TB, slug string) org.Organization {
	t.Helper()
	o, _, err := e.App.CreateOrganization(context.Background(), slug, slug+"株式会社", slug+" Inc.")
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// Password is what AddMember sets.
const Password = "correct horse battery"

// AddMember creates a member with Password set, in o.
func (e *Env) AddMember(t testing.TB, o org.Organization, role org.Role, email string) org.Member {
	t.Helper()
	ctx := context.Background()
	hash, err := auth.HashPassword(Password, TestArgon2)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	err = e.App.DB.Tx(ctx, func(tx db.Tx) error {
		id, err = e.App.Orgs.CreateMember(ctx, tx, o.ID, org.NewMember{Email: email, Role: role, PasswordHash: hash,
			Name: org.Name{Family: "田中", Given: "太郎", FamilyKana: "たなか", GivenKana: "たろう", FamilyRomaji: "Tanaka", GivenRomaji: "Taro"}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.App.Orgs.Member(ctx, o.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// AddProfile adds a member of o with their own name and a profile edited by
// edit (may be nil), saved through the member store, which validates it and
// keeps the search index current.
func (e *Env) AddProfile(t testing.TB, o org.Organization, role org.Role, email string, name org.Name, edit func(*member.Profile)) int64 {
	t.Helper()
	ctx := context.Background()
	m := e.AddMember(t, o, role, email)
	p, err := e.App.Members.Get(ctx, o.ID, m.UserID)
	if err != nil {
		t.Fatal(err)
	}
	p.Name = name
	if edit != nil {
		edit(&p)
	}
	if err := e.App.Members.Update(ctx, p); err != nil {
		t.Fatalf("profile of %s: %v", email, err)
	}
	return m.UserID
}

// RunJobs runs every ready job (e.g. sends queued mail) and returns how many ran.
func (e *Env) RunJobs(t testing.TB) int {
	t.Helper()
	n, err := e.App.Jobs.RunOnce(context.Background())
	if err != nil {
		t.Fatalf("run jobs: %v", err)
	}
	return n
}

// Count runs a COUNT query, for checking that nothing was written.
func (e *Env) Count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.App.DB.Read().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// Client is a browser-like HTTP client: it keeps cookies, does not follow
// redirects (tests assert them), and sends the Origin and Sec-Fetch-Site
// headers a real browser sends on same-origin form posts.
type Client struct {
	t    testing.TB
	e    *Env
	HTTP *http.Client
	Lang string // Accept-Language
}

// Client returns a new, signed-out client.
func (e *Env) Client(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{t: t, e: e, HTTP: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Response is a read response.
type Response struct {
	*http.Response
	Body string
}

// Do sends a request and reads the whole body.
func (c *Client) Do(req *http.Request) *Response {
	c.t.Helper()
	if c.Lang != "" {
		req.Header.Set("Accept-Language", c.Lang)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return &Response{Response: res, Body: string(b)}
}

// Get fetches a path.
func (c *Client) Get(path string) *Response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.e.URL(path), nil)
	req.Header.Set("Sec-Fetch-Site", "none")
	return c.Do(req)
}

// Post submits a form as a same-origin browser would.
func (c *Client) Post(path string, form url.Values) *Response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.e.URL(path), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.e.Server.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.Do(req)
}

// SignIn signs in to o and fails the test unless it worked.
func (c *Client) SignIn(o org.Organization, email, password string) {
	c.t.Helper()
	res := c.Post("/o/"+o.Slug+"/login", url.Values{"email": {email}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("sign in as %s: status %d\n%s", email, res.StatusCode, res.Body)
	}
}

var linkPattern = regexp.MustCompile(`https?://[^\s"<>]+/o/[a-z0-9-]+/(?:reset|join)/[A-Za-z0-9_-]+`)

// LinkIn returns the first reset or join link in a text, as a path.
func LinkIn(t testing.TB, text string) string {
	t.Helper()
	l := linkPattern.FindString(text)
	if l == "" {
		t.Fatalf("no link in:\n%s", text)
	}
	u, err := url.Parse(l)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was logged.
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }
