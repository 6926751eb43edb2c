// Package browsertest drives a whole Tsunagu with a real headless Chromium:
// sign-in, the language switch, htmx search, and accessibility (axe-core) on
// phone and desktop viewports. The tests are in browser_test.go; this file
// only makes the package exist for `go vet` and `go build`.
//
// The browser is TSUNAGU_CHROMIUM, or chromium, chromium-browser or
// google-chrome on PATH. Without one the tests skip, unless
// TSUNAGU_TEST_REQUIRE_BROWSER=1 (as CI sets it), when they fail.
package browsertest
