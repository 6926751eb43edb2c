package browsertest

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
)

// TestSCIMSettingsOnAPhone: an admin creates a SCIM token on a phone, copies
// it with the base URL into the identity provider (here: an HTTP request),
// and revokes it; the page passes axe at 390 px in each state.
func TestSCIMSettingsOnAPhone(t *testing.T) {
	browserPath(t)
	axeSource, err := os.ReadFile(filepath.Join("..", "web", "testdata", "axe-4.14.1.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Admin, adminEmail)
	b := newBrowser(t, e, phone)
	check := func(page string) {
		t.Helper()
		b.checkAxe(string(axeSource), page)
		b.checkNoSidewaysScroll(page)
		b.checkConsole("on " + page)
	}
	b.signIn(adminEmail)
	b.open(e.OrgPath("/admin/scim"))
	check("the SCIM page")
	base := evalJS[string](b, `document.getElementById("scim-base-url").value`)
	if base != e.URL("/scim/v2") {
		t.Fatalf("base URL on the page: %q", base)
	}

	b.do("create a token",
		chromedp.SendKeys(chromedp.ID("f-name"), "Entra ID"),
		chromedp.Click(chromedp.CSS(`form[action$="/admin/scim"] button[type="submit"]`)),
	)
	b.waitFor("the new token", `document.readyState === "complete" && document.getElementById("scim-secret") !== null`)
	check("the SCIM page with a new token")
	secret := evalJS[string](b, `document.getElementById("scim-secret").value`)
	status := func() int {
		req, _ := http.NewRequest("GET", base+"/Users", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if !strings.HasPrefix(secret, "tsc_") || status() != http.StatusOK {
		t.Fatalf("token %q does not work", secret)
	}

	b.do("revoke it", chromedp.Click(chromedp.CSS(`form[action$="/revoke"] button[type="submit"]`)))
	b.waitFor("the notice", `document.readyState === "complete" && document.querySelector(".notice") !== null && document.getElementById("scim-secret") === null`)
	if got := b.text(".notice"); !strings.Contains(got, "SCIMトークンを無効化しました") {
		t.Errorf("notice: %q", got)
	}
	check("the SCIM page after revoking")
	if status() != http.StatusUnauthorized {
		t.Error("the revoked token still works")
	}
}
