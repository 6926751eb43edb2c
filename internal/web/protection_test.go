package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
)

func TestCrossSiteFormsAreRefused(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Admin, "hr@sakura.example.jp")
	admin := e.Client(t)
	admin.SignIn(e.Org, "hr@sakura.example.jp", apptest.Password)

	forged := func(path string, form url.Values, headers map[string]string) *apptest.Response {
		req, _ := http.NewRequest(http.MethodPost, e.URL(path), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		return admin.Do(req)
	}
	attacks := []map[string]string{
		{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
		{"Sec-Fetch-Site": "same-site", "Origin": "https://evil.sakura.example.jp"},
		{"Origin": "https://evil.example"}, // an older browser without Sec-Fetch-Site
	}
	for _, h := range attacks {
		res := forged(e.OrgPath("/admin/invite"), inviteForm("victim@example.jp", "ja", true), h)
		if res.StatusCode != http.StatusForbidden || !strings.Contains(res.Body, "別のサイトからの送信は受け付けられません") {
			t.Errorf("forged invite %v: %d", h, res.StatusCode)
		}
		res = forged(e.OrgPath("/account/signout-everywhere"), nil, h)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("forged sign-out %v: %d", h, res.StatusCode)
		}
	}
	if e.Count(t, `SELECT COUNT(*) FROM users WHERE email_lower = 'victim@example.jp'`) != 0 {
		t.Fatal("a forged request created an account")
	}
	if admin.Get(e.OrgPath("/")).StatusCode != http.StatusOK {
		t.Fatal("a forged request signed the admin out")
	}
	// The same form from the same origin works.
	if res := admin.Post(e.OrgPath("/admin/invite"), inviteForm("friend@example.jp", "ja", false)); res.StatusCode != http.StatusCreated {
		t.Fatalf("same-origin invite: %d", res.StatusCode)
	}
}

func TestOversizeBodyIsRefusedAndWritesNothing(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Admin, "hr@sakura.example.jp")
	admin := e.Client(t)
	admin.SignIn(e.Org, "hr@sakura.example.jp", apptest.Password)
	form := inviteForm("big@example.jp", "en", true)
	form.Set("given_name", strings.Repeat("x", 2<<20))
	admin.Lang = "en"
	res := admin.Post(e.OrgPath("/admin/invite"), form)
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(res.Body, "What you sent is too large") {
		t.Fatalf("oversize form: %d\n%.500s", res.StatusCode, res.Body)
	}
	// A body that lies about its length (chunked) is cut off while reading.
	req, _ := http.NewRequest(http.MethodPost, e.URL(e.OrgPath("/admin/invite")), strings.NewReader(form.Encode()))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if res := admin.Do(req); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked oversize form: %d", res.StatusCode)
	}
	if e.Count(t, `SELECT COUNT(*) FROM users WHERE email_lower = 'big@example.jp'`) != 0 {
		t.Fatal("an oversize request created an account")
	}
}

func TestSecurityHeadersAndRequestID(t *testing.T) {
	e := apptest.New(t)
	res := e.Client(t).Get(e.OrgPath("/login"))
	want := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "same-origin",
		"Cache-Control":          "no-store",
	}
	for k, v := range want {
		if got := res.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	csp := res.Header.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("CSP lacks %q: %s", d, csp)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows unsafe code: %s", csp)
	}
	id := res.Header.Get("X-Request-Id")
	if len(id) != 16 {
		t.Fatalf("X-Request-Id = %q", id)
	}
	if !strings.Contains(e.Logs.String(), "request_id="+id) {
		t.Error("request log line lacks the request id")
	}
	// No inline script or style anywhere in the page (the CSP would block it).
	for _, bad := range []string{"<script>", " style=\"", "onclick="} {
		if strings.Contains(res.Body, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
}

func TestHealthAndMetrics(t *testing.T) {
	e := apptest.New(t)
	c := e.Client(t)
	if res := c.Get("/healthz"); res.StatusCode != http.StatusOK || res.Body != "ok\n" {
		t.Fatalf("healthz: %d %q", res.StatusCode, res.Body)
	}
	if strings.Contains(e.Logs.String(), "path=/healthz") {
		t.Error("health probes fill the request log")
	}
	c.Get(e.OrgPath("/login"))
	res := c.Get("/metrics")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `tsunagu_http_requests_total{code="200",route="GET /o/{org}/login"}`) {
		t.Fatalf("metrics lack the login route:\n%.2000s", res.Body)
	}
	e.App.DB.Close()
	if res := c.Get("/healthz"); res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("healthz with the database closed: %d", res.StatusCode)
	}
}

func TestNotFoundPagesAreLocalized(t *testing.T) {
	e := apptest.New(t)
	c := e.Client(t)
	for path, want := range map[string]string{
		"/o/no-such-org/login": "お探しのページは見つかりませんでした",
		"/nothing-here":        "お探しのページは見つかりませんでした",
	} {
		res := c.Get(path)
		if res.StatusCode != http.StatusNotFound || !strings.Contains(res.Body, want) {
			t.Errorf("%s: %d", path, res.StatusCode)
		}
	}
	c.Lang = "en"
	if res := c.Get("/nothing-here"); !strings.Contains(res.Body, "We could not find that page") {
		t.Error("404 not in English for an English browser")
	}
}
