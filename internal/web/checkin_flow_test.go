package web_test

import (
	"bytes"
	"fmt"
	"image"
	_ "image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
)

func TestCheckinDoor(t *testing.T) {
	e := apptest.New(t)
	o := e.Org
	e.AddMember(t, o, org.Supporter, "staff@sakura.example.jp")
	guest := e.AddProfile(t, o, org.Alumni, "guest@sakura.example.jp", org.Name{Family: "佐藤", Given: "花子"}, nil)
	waiting := e.AddMember(t, o, org.Alumni, "waiting@sakura.example.jp")
	gone := e.AddMember(t, o, org.Alumni, "gone@sakura.example.jp")
	ev := e.AddDoorEvent(t, o, "同窓会", 0)
	other := e.AddDoorEvent(t, o, "勉強会", 0)
	code := e.AddRegistration(t, o, ev, guest, "registered")
	waitCode := e.AddRegistration(t, o, ev, waiting.UserID, "waitlisted")
	goneCode := e.AddRegistration(t, o, ev, gone.UserID, "cancelled")
	otherCode := e.AddRegistration(t, o, other, guest, "registered")
	foreign := e.AddOrg(t, "ume")
	fm := e.AddMember(t, foreign, org.Alumni, "guest@ume.example.jp")
	foreignCode := e.AddRegistration(t, foreign, e.AddDoorEvent(t, foreign, "梅の会", 0), fm.UserID, "registered")

	c := e.Client(t)
	c.SignIn(o, "staff@sakura.example.jp", apptest.Password)
	door := e.OrgPath(fmt.Sprintf("/events/%d/checkin", ev))
	page := c.Get(door)
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "受付済み 0 名 ／ 参加登録 1 名") ||
		!strings.Contains(page.Body, `src="/static/jsqr-1.4.0.js"`) || !strings.Contains(page.Body, `src="/static/checkin.js"`) {
		t.Fatalf("door page: %d\n%s", page.StatusCode, page.Body)
	}
	if pp := page.Header.Get("Permissions-Policy"); !strings.Contains(pp, "camera=(self)") {
		t.Errorf("Permissions-Policy %q blocks the camera", pp)
	}
	for _, bad := range []struct{ name, code, want string }{
		{"empty", "", "受付コードを入力してください。"},
		{"forged", "AAAAAAAAAAAAAAAAAAAAAAAA", "このコードは見つかりません"},
		{"other event", otherCode, "別のイベントの受付コードです"},
		{"other organization", foreignCode, "このコードは見つかりません"},
		{"waitlisted", waitCode, "キャンセル待ち"},
		{"cancelled", goneCode, "キャンセルされています"},
	} {
		res := c.Post(door, url.Values{"code": {bad.code}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, bad.want) || !strings.Contains(res.Body, `id="e-code"`) {
			t.Errorf("%s: %d, want 422 with %q next to the field", bad.name, res.StatusCode, bad.want)
		}
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM event_registrations WHERE checked_in_at IS NOT NULL`); n != 0 {
		t.Fatalf("refused codes checked %d in", n)
	}
	res := c.Post(door, url.Values{"code": {" " + strings.ToLower(code) + " "}})
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "受付が完了しました") || !strings.Contains(res.Body, "佐藤 花子") ||
		!strings.Contains(res.Body, "受付済み 1 名 ／ 参加登録 1 名") {
		t.Fatalf("check-in: %d\n%s", res.StatusCode, res.Body)
	}
	e.Clock.Advance(600e9)
	res = c.Post(door, url.Values{"code": {code}})
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "この方は受付済みです") {
		t.Errorf("repeat: %d\n%s", res.StatusCode, res.Body)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'checkin.checked_in'`); n != 1 {
		t.Errorf("%d audit entries, want 1", n)
	}
	// The count refreshes through htmx with only the fragment.
	req, _ := http.NewRequest(http.MethodGet, e.URL(door), nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "checkin-count")
	frag := c.Do(req)
	if !strings.Contains(frag.Body, "受付済み 1 名") || strings.Contains(frag.Body, "<html") {
		t.Errorf("count fragment: %s", frag.Body)
	}
}

func TestCheckinOrganizerRunsTheDoor(t *testing.T) {
	e := apptest.New(t)
	o := e.Org
	host := e.AddMember(t, o, org.Alumni, "host@sakura.example.jp")
	e.AddMember(t, o, org.Alumni, "other@sakura.example.jp")
	guest := e.AddMember(t, o, org.Alumni, "guest@sakura.example.jp")
	ev := e.AddDoorEvent(t, o, "OB会", host.UserID)
	code := e.AddRegistration(t, o, ev, guest.UserID, "registered")
	door := e.OrgPath(fmt.Sprintf("/events/%d/checkin", ev))
	other := e.Client(t)
	other.SignIn(o, "other@sakura.example.jp", apptest.Password)
	if res := other.Post(door, url.Values{"code": {code}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("another member checked someone in: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM event_registrations WHERE checked_in_at IS NOT NULL`); n != 0 {
		t.Fatalf("refused check-in was written")
	}
	c := e.Client(t)
	c.SignIn(o, "host@sakura.example.jp", apptest.Password)
	if res := c.Post(door, url.Values{"code": {code}}); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "受付が完了しました") {
		t.Fatalf("organizer check-in: %d", res.StatusCode)
	}
}

func TestCheckinTicket(t *testing.T) {
	e := apptest.New(t)
	o := e.Org
	guest := e.AddMember(t, o, org.Alumni, "guest@sakura.example.jp")
	e.AddMember(t, o, org.Alumni, "other@sakura.example.jp")
	ev := e.AddDoorEvent(t, o, "同窓会", 0)
	code := e.AddRegistration(t, o, ev, guest.UserID, "registered")
	c := e.Client(t)
	c.SignIn(o, "guest@sakura.example.jp", apptest.Password)
	page := c.Get(e.OrgPath(fmt.Sprintf("/events/%d/ticket", ev)))
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, code) || !strings.Contains(page.Body, "ticket.png") {
		t.Fatalf("ticket: %d\n%s", page.StatusCode, page.Body)
	}
	png := c.Get(e.OrgPath(fmt.Sprintf("/events/%d/ticket.png", ev)))
	if png.Header.Get("Content-Type") != "image/png" || !strings.Contains(png.Header.Get("Cache-Control"), "no-store") {
		t.Errorf("ticket.png headers: %v", png.Header)
	}
	img, _, err := image.Decode(bytes.NewReader([]byte(png.Body)))
	if err != nil {
		t.Fatal(err)
	}
	bmp, _ := gozxing.NewBinaryBitmapFromImage(img)
	got, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil || got.GetText() != code {
		t.Errorf("QR decodes to %v (%v), want %q", got, err, code)
	}
	// Someone else's ticket is nobody else's business.
	other := e.Client(t)
	other.SignIn(o, "other@sakura.example.jp", apptest.Password)
	if res := other.Get(e.OrgPath(fmt.Sprintf("/events/%d/ticket.png", ev))); res.StatusCode != http.StatusNotFound {
		t.Errorf("a non-participant got a ticket: %d", res.StatusCode)
	}
}
