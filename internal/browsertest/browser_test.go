package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// testTimeout bounds each browser session. It is generous on purpose: the
// tests assert behaviour, never speed, and run under -race and on PostgreSQL.
const testTimeout = 90 * time.Second

const adminEmail = "admin@example.jp"

// viewport is a screen size the tests use.
type viewport struct {
	name          string
	width, height int64
	mobile        bool // emulate a phone: touch-less, but honour <meta name="viewport">
}

var (
	phone   = viewport{name: "phone_390x844", width: 390, height: 844, mobile: true}
	desktop = viewport{name: "desktop_1280x800", width: 1280, height: 800}
)

// TestSignInSwitchLanguageSignOut walks the first minutes of a member on a
// phone: a Japanese sign-in page, the home page with the admin menu, the
// switch to English that sticks, and signing out.
func TestSignInSwitchLanguageSignOut(t *testing.T) {
	browserPath(t) // skip or fail before starting the app
	e := apptest.New(t)
	admin := e.AddMember(t, e.Org, org.Admin, adminEmail)
	b := newBrowser(t, e, phone)

	if lang := evalJS[string](b, `navigator.language`); !strings.HasPrefix(lang, "ja") {
		t.Errorf("navigator.language = %q, want Japanese: the browser was not started with --lang=ja", lang)
	}

	b.open(e.OrgPath("/login"))
	b.wantLang("ja")
	b.wantText("h1", "ログイン")

	b.signIn(adminEmail)
	if h1 := b.text("h1"); !strings.Contains(h1, "ようこそ") {
		t.Fatalf("home h1 = %q, want it to contain ようこそ", h1)
	}
	b.wantText("h1", "ようこそ、田中 太郎さん")
	nav := evalJS[[]string](b, `[...document.querySelectorAll("nav.main-nav li a")].map(a => a.textContent.trim())`)
	for _, want := range []string{"メンバーを探す", "管理", "プロフィール"} {
		if !slices.Contains(nav, want) {
			t.Errorf("main menu %q has no %q for an admin", nav, want)
		}
	}
	// The menu stays on one row of a phone: staff pages are reached from the
	// administration page.
	if rows := evalJS[int](b, `new Set([...document.querySelectorAll("nav.main-nav li")].map(li => li.offsetTop)).size`); rows != 1 {
		t.Errorf("main menu takes %d rows at phone width", rows)
	}

	b.do("click the English button in the header", chromedp.Click(chromedp.CSS(`header form.lang-switch button[value="en"]`)))
	b.waitFor("the home page in English", `document.documentElement.lang === "en" && location.pathname === "/o/sakura/" && document.readyState === "complete"`)
	b.wantText("h1", "Welcome, Taro Tanaka")
	b.wantLang("en")

	// The choice is saved on the account, not only in the language cookie.
	m, err := e.App.Orgs.Member(context.Background(), e.Org.ID, admin.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Locale != "en" {
		t.Errorf("saved locale = %q after switching to English, want en", m.Locale)
	}
	b.exec(`window.__beforeReload = true`)
	b.do("reload", chromedp.Reload())
	if evalJS[bool](b, `window.__beforeReload === true`) {
		t.Fatal("the page did not reload")
	}
	b.wantLang("en")
	b.wantText("h1", "Welcome, Taro Tanaka")

	b.do("click the sign-out button", chromedp.Click(chromedp.CSS(`header form.signout button[type="submit"]`)))
	b.waitFor("the sign-in page after signing out", `location.pathname === "/o/sakura/login" && document.readyState === "complete"`)
	b.wantLang("en")
	b.wantText("h1", "Sign in")
	b.wantText("main .notice[role=status]", "You have signed out.")

	b.open(e.OrgPath("/"))
	if got := evalJS[string](b, `location.pathname + location.search`); got != "/o/sakura/login?next=%2Fo%2Fsakura%2F" {
		t.Errorf("after signing out, /o/sakura/ led to %s, want the sign-in page", got)
	}
	b.wantText("h1", "Sign in")
	if evalJS[bool](b, `document.querySelector(".notice") !== null`) {
		t.Errorf("the sign-out message shows twice: %q", b.text(".notice"))
	}
}

// TestAccessibility runs axe-core (WCAG 2 A and AA) on every page of the
// foundation, signed out and signed in as an admin, in Japanese and in
// English, on a phone and on a desktop, and checks that no page scrolls
// sideways (wide tables scroll inside their .table-wrap instead).
func TestAccessibility(t *testing.T) {
	browserPath(t) // skip or fail before starting the app
	axeSource, err := os.ReadFile(filepath.Join("..", "web", "testdata", "axe-4.14.1.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	for _, vp := range []viewport{phone, desktop} {
		t.Run(vp.name, func(t *testing.T) {
			e := apptest.New(t)
			e.AddMember(t, e.Org, org.Admin, adminEmail)
			addMembers(t, e, 6)
			b := newBrowser(t, e, vp)
			check := func(page string) {
				t.Helper()
				b.checkAxe(string(axeSource), page)
				b.checkNoSidewaysScroll(page)
				b.checkConsole("on " + page)
			}

			b.open(e.OrgPath("/login"))
			check("the sign-in page")
			b.signIn(adminEmail)
			// Japanese first, then the same pages in English, whose longer
			// words are the likelier to overflow a phone.
			for _, lang := range []string{"ja", "en"} {
				if lang == "en" {
					b.do("switch to English", chromedp.Click(chromedp.CSS(`header form.lang-switch button[value="en"]`)))
					b.waitFor("the page in English", `document.documentElement.lang === "en" && document.readyState === "complete"`)
				}
				for _, path := range []string{"/", "/account", "/admin/members", "/admin/invite", "/admin/audit"} {
					b.open(e.OrgPath(path))
					if got := evalJS[string](b, `location.pathname`); got != e.OrgPath(path) {
						t.Fatalf("opening %s led to %s", e.OrgPath(path), got)
					}
					b.wantLang(lang)
					check(e.OrgPath(path) + " (" + lang + ")")
				}
			}
			// Signed out again, with the flash message showing.
			b.do("sign out", chromedp.Click(chromedp.CSS(`header form.signout button[type="submit"]`)))
			b.waitFor("the sign-in page with its message", `location.pathname === "/o/sakura/login" && document.readyState === "complete" && document.querySelector(".notice") !== null`)
			check("the sign-in page after signing out (en)")
		})
	}
}

// TestMemberSearchWithHtmx types a reading into the member search and checks
// that htmx replaces the results in place, with the query pushed to the URL.
func TestMemberSearchWithHtmx(t *testing.T) {
	browserPath(t) // skip or fail before starting the app
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Admin, adminEmail)
	addMembers(t, e, 30)
	b := newBrowser(t, e, phone)

	b.signIn(adminEmail)
	b.open(e.OrgPath("/admin/members"))
	// 31 members, 30 to a page.
	if n := evalJS[int](b, `document.querySelectorAll("#results tbody tr").length`); n != 30 {
		t.Fatalf("the member list shows %d rows before searching, want the first 30", n)
	}
	b.wantText("#results [role=status]", "31 人")

	b.exec(`window.__noNavigation = "still the same page"`)
	b.do("type さとう into the search box", chromedp.SendKeys(chromedp.ID("q"), "さとう"))
	b.waitFor("the results to show only さとう, with ?q= in the URL", `(() => {
		const rows = [...document.querySelectorAll("#results tbody tr")];
		return rows.length === 3 && rows.every(r => r.textContent.includes("さとう")) &&
			new URLSearchParams(location.search).get("q") === "さとう";
	})()`)

	if got := evalJS[string](b, `String(window.__noNavigation)`); got != "still the same page" {
		t.Errorf("window.__noNavigation = %q after the search: the page was reloaded, not swapped by htmx", got)
	}
	if got := evalJS[string](b, `location.pathname`); got != e.OrgPath("/admin/members") {
		t.Errorf("the search moved to %s", got)
	}
	names := evalJS[[]string](b, `[...document.querySelectorAll("#results tbody tr td:first-child a")].map(a => a.textContent.trim())`)
	slices.Sort(names)
	if want := []string{"佐藤 健太", "佐藤 美咲", "佐藤 花子"}; !slices.Equal(names, want) {
		t.Errorf("found %q, want %q", names, want)
	}
	b.wantText("#results [role=status]", "3 人")
	if n := evalJS[int](b, `document.querySelectorAll("#results").length`); n != 1 {
		t.Errorf("%d elements with id results after the swap, want 1", n)
	}
	if got := evalJS[string](b, `document.getElementById("q").value`); got != "さとう" {
		t.Errorf("the search box holds %q after the swap, want さとう", got)
	}

	// A filter in the panel narrows the same search, still without a page load.
	b.exec(`document.querySelector(".more-filters").open = true`)
	b.do("choose the admin role", chromedp.SetValue(chromedp.ID("role"), "admin"))
	b.exec(`document.getElementById("role").dispatchEvent(new Event("change", {bubbles: true}))`)
	b.waitFor("the role filter applied", `decodeURIComponent(location.search).includes("role=admin") && document.querySelector("#results [role=status]")?.textContent.trim() === "0 人"`)
	if got := evalJS[string](b, `window.__noNavigation ?? ""`); got != "still the same page" {
		t.Error("changing a filter loaded a new page")
	}
}

// Families and given names, with readings and romaji, for test members.
var (
	families = [][3]string{
		{"佐藤", "さとう", "Sato"}, {"鈴木", "すずき", "Suzuki"}, {"高橋", "たかはし", "Takahashi"},
		{"伊藤", "いとう", "Ito"}, {"渡辺", "わたなべ", "Watanabe"}, {"山本", "やまもと", "Yamamoto"},
		{"中村", "なかむら", "Nakamura"}, {"小林", "こばやし", "Kobayashi"}, {"加藤", "かとう", "Kato"},
		{"吉田", "よしだ", "Yoshida"},
	}
	givens = [][3]string{{"花子", "はなこ", "Hanako"}, {"健太", "けんた", "Kenta"}, {"美咲", "みさき", "Misaki"}}
)

// addMembers creates n members with Japanese names, walking the families
// first: with n >= 10 every family appears, and with n = 30 each family has
// the three given names. They are invited, with no password.
func addMembers(t *testing.T, e *apptest.Env, n int) {
	t.Helper()
	ctx := context.Background()
	roles := []org.Role{org.Alumni, org.Employee, org.Alumni, org.Supporter}
	err := e.App.DB.Tx(ctx, func(tx db.Tx) error {
		for i := range n {
			f, g := families[i%len(families)], givens[(i/len(families))%len(givens)]
			_, err := e.App.Orgs.CreateMember(ctx, tx, e.Org.ID, org.NewMember{
				Email: fmt.Sprintf("%s.%s.%d@example.jp", strings.ToLower(g[2]), strings.ToLower(f[2]), i),
				Role:  roles[i%len(roles)],
				Name: org.Name{Family: f[0], Given: g[0], FamilyKana: f[1], GivenKana: g[1],
					FamilyRomaji: f[2], GivenRomaji: g[2]},
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("add members: %v", err)
	}
}

// browser is one headless Chromium with one tab, for one test.
type browser struct {
	t   *testing.T
	e   *apptest.Env
	vp  viewport
	tab context.Context // the tab with no deadline, for the failure screenshot
	ctx context.Context // the tab with the test's deadline

	mu      sync.Mutex
	console []string // console errors not yet reported
	output  *lockedBuffer
}

// newBrowser starts Chromium with a fresh profile, in Japanese, at a
// viewport. On failure it saves a screenshot; console errors fail the test.
func newBrowser(t *testing.T, e *apptest.Env, vp viewport) *browser {
	t.Helper()
	path := browserPath(t)
	profile, err := os.MkdirTemp("", "tsunagu-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeProfile(t, profile) })

	b := &browser{t: t, e: e, vp: vp, output: &lockedBuffer{}}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-default-apps", true),
		// /dev/shm is small in containers, where Chromium crashes when it fills.
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profile),
		chromedp.Flag("lang", "ja"),
		chromedp.Flag("accept-lang", "ja"),
		chromedp.WindowSize(int(vp.width), int(vp.height)),
		chromedp.CombinedOutput(b.output),
	)
	t.Cleanup(cancelAlloc) // waits for the browser to exit
	tab, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelTab)
	b.tab = tab

	// Listen starts the browser, bound to tab (no deadline), and sees every
	// event in order, before the reply to the next command.
	if err := chromedp.Listen(tab, b.onEvent); err != nil {
		t.Fatalf("start %s: %v\n%s", path, err, b.output.tail(4000))
	}
	ctx, cancel := context.WithTimeout(tab, testTimeout)
	t.Cleanup(cancel)
	b.ctx = ctx
	// Cleanups run last first: console check, then the screenshot (so that a
	// console error gets one too), then the browser closes.
	t.Cleanup(b.screenshotIfFailed)
	t.Cleanup(func() { b.checkConsole("during the test") })

	opts := []chromedp.EmulateViewportOption{chromedp.EmulateLandscape}
	if vp.mobile {
		opts = []chromedp.EmulateViewportOption{chromedp.EmulatePortrait, chromedp.EmulateMobile}
	}
	b.do("set the viewport", chromedp.EmulateViewport(vp.width, vp.height, opts...))
	return b
}

// browserPath finds Chromium: TSUNAGU_CHROMIUM, else chromium,
// chromium-browser or google-chrome on PATH. Without one the test skips, or
// fails when TSUNAGU_TEST_REQUIRE_BROWSER=1, as in CI.
func browserPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TSUNAGU_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("TSUNAGU_CHROMIUM: %v", err)
		}
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "no browser: set TSUNAGU_CHROMIUM or put chromium, chromium-browser or google-chrome on PATH"
	if os.Getenv("TSUNAGU_TEST_REQUIRE_BROWSER") == "1" {
		t.Fatal(msg + " (TSUNAGU_TEST_REQUIRE_BROWSER=1 makes this a failure)")
	}
	t.Skip(msg)
	return ""
}

// removeProfile deletes the browser profile. Chromium's helpers can outlive
// the main process by a moment, so a failed removal is retried, then logged.
func removeProfile(t *testing.T, dir string) {
	var err error
	for range 50 {
		if err = os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("remove browser profile %s: %v", dir, err)
}

// onEvent collects console errors, uncaught exceptions and browser log
// errors (CSP violations, failed loads). It runs in the tab's read loop, so
// it only appends.
func (b *browser) onEvent(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		var parts []string
		for _, a := range ev.Args {
			switch {
			case a.Description != "":
				parts = append(parts, a.Description)
			case len(a.Value) > 0:
				parts = append(parts, string(a.Value))
			default:
				parts = append(parts, string(a.Type))
			}
		}
		msg = fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(parts, " "))
		if st := ev.StackTrace; st != nil && len(st.CallFrames) > 0 {
			msg += fmt.Sprintf(" (at %s:%d)", st.CallFrames[0].URL, st.CallFrames[0].LineNumber+1)
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		if d == nil {
			return
		}
		msg = "uncaught exception: " + d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
		if d.URL != "" {
			msg += fmt.Sprintf(" (at %s:%d)", d.URL, d.LineNumber+1)
		}
	case *log.EventEntryAdded:
		if ev.Entry == nil || ev.Entry.Level != log.EntryLevelError {
			return
		}
		msg = fmt.Sprintf("%s: %s", ev.Entry.Source, ev.Entry.Text)
		if ev.Entry.URL != "" {
			msg += " (" + ev.Entry.URL + ")"
		}
	default:
		return
	}
	b.mu.Lock()
	b.console = append(b.console, msg)
	b.mu.Unlock()
}

// checkConsole fails the test for each console error since the last check.
func (b *browser) checkConsole(when string) {
	b.t.Helper()
	// A round trip: events the page sent before its reply have been seen.
	ctx, cancel := context.WithTimeout(b.tab, 5*time.Second)
	defer cancel()
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[int](`1`))
	b.mu.Lock()
	msgs := b.console
	b.console = nil
	b.mu.Unlock()
	for _, m := range msgs {
		b.t.Errorf("browser console error %s: %s", when, m)
	}
}

// screenshotIfFailed saves the whole page as screenshots/<test>.png when
// the test failed.
func (b *browser) screenshotIfFailed() {
	if !b.t.Failed() {
		return
	}
	ctx, cancel := context.WithTimeout(b.tab, 15*time.Second)
	defer cancel()
	where, _ := chromedp.Run(ctx, chromedp.Location())
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		b.t.Logf("no failure screenshot: %v", err)
		return
	}
	name := strings.NewReplacer("/", "_", " ", "_", ":", "_").Replace(b.t.Name()) + ".png"
	if err := os.MkdirAll("screenshots", 0o755); err != nil {
		b.t.Logf("no failure screenshot: %v", err)
		return
	}
	path, _ := filepath.Abs(filepath.Join("screenshots", name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Logf("no failure screenshot: %v", err)
		return
	}
	b.t.Logf("screenshot of %s at the failure: %s", where, path)
	if out := b.output.tail(4000); out != "" {
		b.t.Logf("browser output (end):\n%s", out)
	}
}

// do runs actions and stops the test if one fails.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// open loads a path of the app and waits for the load event.
func (b *browser) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.e.URL(path)))
}

// exec runs a statement in the page.
func (b *browser) exec(js string) {
	b.t.Helper()
	b.do(js, chromedp.Evaluate[chromedp.Void](js+"; undefined"))
}

// evalJS evaluates an expression in the page and decodes its value.
func evalJS[T any](b *browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor polls a boolean expression until it is true. It survives
// navigations: an evaluation that fails while a page unloads is retried.
func (b *browser) waitFor(what, expr string) {
	b.t.Helper()
	var lastErr error
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`!!(`+expr+`)`))
		if err == nil && ok {
			return
		}
		lastErr = err
		select {
		case <-b.ctx.Done():
			where, _ := chromedp.Run(b.tab, chromedp.Location())
			b.t.Fatalf("waiting for %s: %v (on %s, last error: %v)", what, b.ctx.Err(), where, lastErr)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// text is the text of the first element a CSS selector finds, with white
// space collapsed; "" when there is none.
func (b *browser) text(css string) string {
	b.t.Helper()
	return evalJS[string](b, fmt.Sprintf(`(document.querySelector(%s)?.textContent ?? "").replace(/\s+/g, " ").trim()`, jsString(css)))
}

func (b *browser) wantText(css, want string) {
	b.t.Helper()
	if got := b.text(css); got != want {
		b.t.Errorf("%s = %q, want %q", css, got, want)
	}
}

func (b *browser) wantLang(want string) {
	b.t.Helper()
	if got := evalJS[string](b, `document.documentElement.lang`); got != want {
		b.t.Errorf(`<html lang=%q>, want %q`, got, want)
	}
}

// signIn signs in through the form and waits for the home page.
func (b *browser) signIn(email string) {
	b.t.Helper()
	b.open(b.e.OrgPath("/login"))
	b.do("fill in and send the sign-in form",
		chromedp.SendKeys(chromedp.ID("f-email"), email),
		chromedp.SendKeys(chromedp.ID("f-password"), apptest.Password),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
	)
	b.waitFor("the home page after signing in", fmt.Sprintf(
		`location.pathname === %s && document.readyState === "complete" && document.querySelector("h1") !== null`,
		jsString(b.e.OrgPath("/"))))
}

// axeFinding is one axe-core rule result, cut down to what a report needs.
type axeFinding struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target  string `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

const axeRun = `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]}}).then(r => {
	const cut = list => list.map(v => ({id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
		nodes: v.nodes.map(n => ({target: n.target.map(String).join(" "), html: n.html, summary: n.failureSummary || ""}))}));
	return {violations: cut(r.violations), incomplete: cut(r.incomplete)};
})`

// checkAxe injects axe-core into the page and fails the test for every
// WCAG 2 A/AA violation. What axe cannot decide is logged for a person.
func (b *browser) checkAxe(axeSource, page string) {
	b.t.Helper()
	// Runtime.evaluate is not subject to the page's CSP. The trailing
	// undefined keeps the script's completion value from being serialized.
	b.do("inject axe-core", chromedp.Evaluate[chromedp.Void](axeSource+"\n;undefined"))
	res, err := chromedp.Run(b.ctx, chromedp.Evaluate[struct {
		Violations []axeFinding `json:"violations"`
		Incomplete []axeFinding `json:"incomplete"`
	}](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("axe on %s: %v", page, err)
	}
	for _, v := range res.Violations {
		var sb strings.Builder
		fmt.Fprintf(&sb, "axe on %s (%s): %s [%s]: %s\n    %s", page, b.vp.name, v.ID, v.Impact, v.Help, v.HelpURL)
		for i, n := range v.Nodes {
			if i == 3 {
				fmt.Fprintf(&sb, "\n    ... and %d more", len(v.Nodes)-3)
				break
			}
			fmt.Fprintf(&sb, "\n    - %s\n      %s\n      %s", n.Target, clip(n.HTML, 200), strings.ReplaceAll(n.Summary, "\n", "\n      "))
		}
		b.t.Error(sb.String())
	}
	for _, v := range res.Incomplete {
		b.t.Logf("axe on %s: needs review by a person: %s (%d nodes): %s", page, v.ID, len(v.Nodes), v.Help)
	}
}

// checkNoSidewaysScroll fails when the page is wider than the viewport:
// only .table-wrap may scroll sideways, inside itself. It compares with the
// emulated width, not only window.innerWidth: a phone zooms a too-wide page
// out, and then innerWidth grows with it.
func (b *browser) checkNoSidewaysScroll(page string) {
	b.t.Helper()
	res := evalJS[struct {
		ScrollWidth int64    `json:"scrollWidth"`
		InnerWidth  int64    `json:"innerWidth"`
		Wide        []string `json:"wide"`
	}](b, `(() => {
		const w = `+fmt.Sprint(b.vp.width)+`, over = [];
		for (const el of document.body.querySelectorAll("*")) {
			if (el.parentElement && el.parentElement.closest(".table-wrap")) continue;
			const r = el.getBoundingClientRect();
			if (r.width > 0 && r.right > w + 0.5) over.push(el);
		}
		// Name the innermost culprits, not every box that holds them.
		const wide = over.filter(el => !over.some(o => o !== el && el.contains(o))).map(el =>
			el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
			(typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).join(".") : "") +
			" (right edge at " + Math.round(el.getBoundingClientRect().right) + "px)");
		return {scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth), innerWidth: window.innerWidth, wide: wide.slice(0, 10)};
	})()`)
	if res.ScrollWidth > res.InnerWidth || res.ScrollWidth > b.vp.width {
		b.t.Errorf("%s scrolls sideways at %dpx: the page is %dpx wide (window %dpx); too wide: %s",
			page, b.vp.width, res.ScrollWidth, res.InnerWidth, strings.Join(res.Wide, ", "))
	}
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// lockedBuffer collects the browser's output from its own goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b = append(l.b, p...)
	return len(p), nil
}

// tail is the end of what was written, at most n bytes, without the lines
// about D-Bus, which a headless Chromium in a container writes by the dozen.
func (l *lockedBuffer) tail(n int) string {
	l.mu.Lock()
	lines := strings.Split(string(l.b), "\n")
	l.mu.Unlock()
	var keep []string
	size := 0
	for i := len(lines) - 1; i >= 0 && size < n; i-- {
		if line := strings.TrimSpace(lines[i]); line != "" && !strings.Contains(line, "dbus") {
			keep = append(keep, line)
			size += len(line) + 1
		}
	}
	slices.Reverse(keep)
	return strings.Join(keep, "\n")
}
