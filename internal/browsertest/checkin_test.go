package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/org"
)

func readAxe(t *testing.T) string {
	t.Helper()
	axe, err := os.ReadFile(filepath.Join("..", "web", "testdata", "axe-4.14.1.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	return string(axe)
}

// stubCamera replaces getUserMedia, before any page script runs, with one
// that counts its calls and refuses, as a person denying the camera would:
// a headless browser has no camera to scan with.
func (b *browser) stubCamera() {
	b.t.Helper()
	const src = `window.__cameraAsked = 0;
if (navigator.mediaDevices) {
	navigator.mediaDevices.getUserMedia = function () {
		window.__cameraAsked++;
		return Promise.reject(new DOMException("denied in the test", "NotAllowedError"));
	};
}`
	b.do("stub the camera", func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src})
		return chromedp.Void{}, err
	})
}

// TestCheckinAtTheDoorOnAPhone: staff open the door page on a phone, the
// camera is asked for only when they press the button, and they check a
// registrant in by typing the code from the ticket.
func TestCheckinAtTheDoorOnAPhone(t *testing.T) {
	browserPath(t)
	axeSource := readAxe(t)
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Supporter, "door@example.jp")
	guest := e.AddProfile(t, e.Org, org.Alumni, "guest@example.jp", org.Name{Family: "山本", Given: "美咲"}, nil)
	ev := e.AddDoorEvent(t, e.Org, "新年交流会", 0)
	code := e.AddRegistration(t, e.Org, ev, guest, "registered")

	b := newBrowser(t, e, phone)
	b.stubCamera()
	// The participant's ticket first: QR image and the code to type.
	b.signIn("guest@example.jp")
	b.open(e.OrgPath(fmt.Sprintf("/events/%d/ticket", ev)))
	b.waitFor("the QR image", `document.querySelector(".checkin-qr img") && document.querySelector(".checkin-qr img").complete && document.querySelector(".checkin-qr img").naturalWidth > 200`)
	b.wantText("#checkin-code", code)
	b.checkAxe(axeSource, "the ticket")
	b.checkNoSidewaysScroll("the ticket")
	b.checkinSignOut()

	b.signIn("door@example.jp")
	b.open(e.OrgPath(fmt.Sprintf("/events/%d/checkin", ev)))
	b.waitFor("the scanner script", `typeof window.jsQR === "function" && document.readyState === "complete"`)
	if n := evalJS[int](b, `window.__cameraAsked`); n != 0 {
		t.Fatalf("the page asked for the camera %d times before the button was pressed", n)
	}
	b.wantText("#checkin-count", "受付済み 0 名 ／ 参加登録 1 名")
	b.checkAxe(axeSource, "the door page")
	b.checkNoSidewaysScroll("the door page")
	b.do("press the camera button", chromedp.Click(chromedp.ID("checkin-start")))
	b.waitFor("the camera refusal message", `!document.getElementById("checkin-camera-error").hidden`)
	if n := evalJS[int](b, `window.__cameraAsked`); n != 1 {
		t.Errorf("the button asked for the camera %d times, want 1", n)
	}
	if got := b.text("#checkin-camera-error"); !strings.Contains(got, "カメラを使用できませんでした") {
		t.Errorf("camera refusal shown as %q", got)
	}

	b.do("type the code", chromedp.SendKeys(chromedp.ID("f-code"), strings.ToLower(code)), chromedp.Click(chromedp.CSS(`#checkin-form button[type="submit"]`)))
	b.waitFor("the attendee", `document.getElementById("attendee-name") !== null`)
	b.wantText("#attendee-name", "山本 美咲")
	b.wantText("#h-result", "受付が完了しました")
	b.wantText("#checkin-count", "受付済み 1 名 ／ 参加登録 1 名")
	b.checkAxe(axeSource, "the check-in result")
	b.checkNoSidewaysScroll("the check-in result")
	if n := e.Count(t, `SELECT COUNT(*) FROM event_registrations WHERE user_id = $1 AND checked_in_at IS NOT NULL`, guest); n != 1 {
		t.Fatalf("attendance not recorded")
	}
}

// TestBreakoutGroupingOnAPhone: the organizer makes groups by industry,
// moves a person, publishes, and that person sees their new group.
func TestBreakoutGroupingOnAPhone(t *testing.T) {
	browserPath(t)
	axeSource := readAxe(t)
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Admin, adminEmail)
	ev := e.AddDoorEvent(t, e.Org, "業界別交流会", 0)
	industries := []string{"it", "finance"}
	var ids []int64
	for i := range 4 {
		id := e.AddProfile(t, e.Org, org.Alumni, fmt.Sprintf("p%d@example.jp", i), org.Name{Family: "参加", Given: fmt.Sprintf("%d号", i)},
			func(p *member.Profile) { p.Industry = industries[i%2] })
		e.AddRegistration(t, e.Org, ev, id, "registered")
		ids = append(ids, id)
	}

	b := newBrowser(t, e, phone)
	b.signIn(adminEmail)
	b.open(e.OrgPath(fmt.Sprintf("/events/%d/breakouts", ev)))
	b.checkAxe(axeSource, "the breakout page")
	b.do("ask for groups of 2 by industry",
		chromedp.SetValue(chromedp.ID("f-size"), "2"),
		chromedp.Click(chromedp.CSS(`input[name="mode"][value="industry"]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/breakouts"] button.primary`)),
	)
	b.waitFor("the groups", `document.getElementById("group-2") !== null`)
	b.checkAxe(axeSource, "the groups")
	b.checkNoSidewaysScroll("the groups")
	// p0 (IT) is with p2 (IT); move p0 to the other group, the finance one.
	sel := fmt.Sprintf("move-%d", ids[0])
	from := evalJS[string](b, fmt.Sprintf(`document.getElementById(%q).closest("section").id`, sel))
	to := map[string]string{"group-1": "2", "group-2": "1"}[from]
	if got := b.text("#" + from + " ul"); to == "" || !strings.Contains(got, "参加 2号") {
		t.Fatalf("p0 is in %q with %q", from, got)
	}
	b.do("move p0 to the other group",
		chromedp.SetValue(chromedp.ID(sel), to),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`li:has(#%s) button`, sel))),
	)
	b.waitFor("the move", fmt.Sprintf(`document.querySelectorAll("#group-%s .breakout-member").length === 3`, to))
	b.do("name the group", chromedp.SendKeys(chromedp.ID("name-"+to), "金融と仲間"), chromedp.Click(chromedp.CSS(`button[form="breakout-names"]`)))
	b.waitFor("the name", fmt.Sprintf(`document.querySelector("#h-g%s") && document.querySelector("#h-g%s").textContent.includes("金融と仲間")`, to, to))
	b.do("publish", chromedp.Click(chromedp.ID("breakout-publish")))
	b.waitFor("published", `document.querySelector(".notice") && document.querySelector(".notice").textContent.includes("公開しました")`)
	b.checkAxe(axeSource, "the published groups")
	b.checkinSignOut()

	b.signIn("p0@example.jp")
	b.open(e.OrgPath(fmt.Sprintf("/events/%d/ticket", ev)))
	b.waitFor("my group", `document.getElementById("my-group") !== null`)
	if got := b.text("#h-group"); !strings.Contains(got, "金融と仲間") {
		t.Errorf("group heading %q", got)
	}
	got := b.text("#my-group")
	for _, name := range []string{"参加 0号", "参加 1号", "参加 3号"} {
		if !strings.Contains(got, name) {
			t.Errorf("my group %q lacks %s", got, name)
		}
	}
	if strings.Contains(got, "参加 2号") {
		t.Errorf("my group %q still shows the old group mate", got)
	}
	b.checkAxe(axeSource, "the participant's group")
	b.checkNoSidewaysScroll("the participant's group")
}

// checkinSignOut signs out through the header button and waits for the sign-in page.
func (b *browser) checkinSignOut() {
	b.t.Helper()
	b.do("sign out", chromedp.Click(chromedp.CSS(`header form.signout button[type="submit"]`)))
	b.waitFor("the sign-in page after signing out", fmt.Sprintf(`location.pathname === %s && document.readyState === "complete"`, jsString(b.e.OrgPath("/login"))))
}
