package web_test

import (
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/i18n"
)

func TestLanguageChoice(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")

	c := e.Client(t)
	if res := c.Get(e.OrgPath("/login")); !strings.Contains(res.Body, `<html lang="ja">`) || res.Header.Get("Content-Language") != "ja" {
		t.Error("no Accept-Language: not Japanese")
	}
	c.Lang = "en-US,en;q=0.9"
	if res := c.Get(e.OrgPath("/login")); !strings.Contains(res.Body, `<html lang="en">`) || !strings.Contains(res.Body, "Sign in") {
		t.Error("Accept-Language en: not English")
	}
	// A signed-in member's saved choice beats the browser.
	c.SignIn(e.Org, "taro@example.jp", apptest.Password)
	if res := c.Post(e.OrgPath("/lang"), url.Values{"lang": {"ja"}, "next": {e.OrgPath("/account")}}); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != e.OrgPath("/account") {
		t.Fatalf("switch: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	fresh := e.Client(t)
	fresh.Lang = "en"
	fresh.SignIn(e.Org, "taro@example.jp", apptest.Password)
	if res := fresh.Get(e.OrgPath("/")); !strings.Contains(res.Body, `<html lang="ja">`) {
		t.Error("saved language not used on another device")
	}
	m, err := e.App.Orgs.MemberByEmail(t.Context(), e.Org.ID, "taro@example.jp")
	if err != nil || m.Locale != "ja" {
		t.Fatalf("saved locale = %q, %v", m.Locale, err)
	}
	if res := c.Post(e.OrgPath("/lang"), url.Values{"lang": {"fr"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("unsupported language: %d", res.StatusCode)
	}
	if m, _ := e.App.Orgs.MemberByEmail(t.Context(), e.Org.ID, "taro@example.jp"); m.Locale != "ja" {
		t.Error("an unsupported language changed the saved choice")
	}
	// English names are given-name first in romaji; Japanese family-first in kanji.
	if res := fresh.Post(e.OrgPath("/lang"), url.Values{"lang": {"en"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatal(res.StatusCode)
	}
	if res := fresh.Get(e.OrgPath("/")); !strings.Contains(res.Body, "Welcome, Taro Tanaka") {
		t.Errorf("English home:\n%s", res.Body)
	}
}

// TestEveryTemplateKeyExists fails when a page or handler uses a message key
// that is missing in either language.
func TestEveryTemplateKeyExists(t *testing.T) {
	key := regexp.MustCompile(`(?:\.T|\bT|i18n\.T\([a-zA-Z.]+,) ?\(?"([a-z0-9_]+(?:\.[a-z0-9_]+)+)"`)
	literal := regexp.MustCompile(`"((?:error|flash|token|member|invite|password|form|members|login|auth)\.[a-z0-9_]+)"`)
	found := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, "_test.go") {
			return err
		}
		if !strings.HasSuffix(path, ".html") && !strings.HasSuffix(path, ".go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var keys []string
		for _, m := range key.FindAllStringSubmatch(string(b), -1) {
			keys = append(keys, m[1])
		}
		if strings.HasSuffix(path, ".go") {
			for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
				keys = append(keys, m[1])
			}
		}
		for _, k := range keys {
			if strings.HasSuffix(k, ".html") || strings.HasSuffix(k, "_") {
				continue
			}
			found++
			for _, l := range i18n.Languages {
				if !i18n.Has(l, k) {
					t.Errorf("%s uses %q, missing in %s", path, k, l)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 100 {
		t.Fatalf("found only %d key uses: the scanner is broken", found)
	}
	// Keys built at run time: roles, token problems, audit actions.
	for _, r := range org.Roles {
		for _, l := range i18n.Languages {
			if !i18n.Has(l, "role."+string(r)) {
				t.Errorf("role.%s missing in %s", r, l)
			}
		}
	}
	for _, kind := range []string{"reset", "invite"} {
		for _, p := range []string{"expired", "used", "invalid"} {
			if !i18n.Has("en", "token."+kind+"_"+p) || !i18n.Has("ja", "token."+kind+"_"+p) {
				t.Errorf("token.%s_%s missing", kind, p)
			}
		}
	}
}

// TestEveryAuditActionHasALabel scans the code for audit actions and checks
// the audit page can name each one in both languages.
func TestEveryAuditActionHasALabel(t *testing.T) {
	action := regexp.MustCompile(`Action:\s+"([a-z_]+\.[a-z_]+)"`)
	seen := 0
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range action.FindAllStringSubmatch(string(b), -1) {
			seen++
			for _, l := range i18n.Languages {
				if !i18n.Has(l, "audit.action."+m[1]) {
					t.Errorf("%s: audit action %q has no label in %s", path, m[1], l)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 10 {
		t.Fatalf("found only %d audit actions: the scanner is broken", seen)
	}
}
