package checkin_test

import (
	"bytes"
	"errors"
	"image"
	_ "image/png"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"golang.org/x/text/width"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/checkin"
	"github.com/tsunagu/tsunagu/internal/org"
)

func TestCheckIn(t *testing.T) {
	e := apptest.New(t)
	ctx := t.Context()
	o := e.Org
	staff := e.AddMember(t, o, org.Supporter, "staff@sakura.example.jp")
	guest := e.AddMember(t, o, org.Alumni, "guest@sakura.example.jp")
	waiting := e.AddMember(t, o, org.Alumni, "waiting@sakura.example.jp")
	gone := e.AddMember(t, o, org.Alumni, "gone@sakura.example.jp")
	ev := e.AddDoorEvent(t, o, "同窓会", 0)
	other := e.AddDoorEvent(t, o, "勉強会", 0)
	code := e.AddRegistration(t, o, ev, guest.UserID, "registered")
	waitCode := e.AddRegistration(t, o, ev, waiting.UserID, "waitlisted")
	goneCode := e.AddRegistration(t, o, ev, gone.UserID, "cancelled")
	otherCode := e.AddRegistration(t, o, other, guest.UserID, "registered")
	foreign := e.AddOrg(t, "ume")
	fm := e.AddMember(t, foreign, org.Alumni, "guest@ume.example.jp")
	fev := e.AddDoorEvent(t, foreign, "梅の会", 0)
	foreignCode := e.AddRegistration(t, foreign, fev, fm.UserID, "registered")
	by := checkin.Staff{UserID: staff.UserID, Email: staff.Email}
	checkedIn := func() int {
		return e.Count(t, `SELECT COUNT(*) FROM event_registrations WHERE checked_in_at IS NOT NULL`)
	}
	audits := func() int { return e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'checkin.checked_in'`) }

	for _, c := range []struct {
		name, code string
		want       error
	}{
		{"empty", "  ", checkin.ErrEmptyCode},
		{"forged", "AAAAAAAAAAAAAAAAAAAAAAAA", checkin.ErrUnknownCode},
		{"too long", strings.Repeat("A", 500), checkin.ErrUnknownCode},
		{"other event", otherCode, checkin.ErrOtherEvent},
		{"other organization", foreignCode, checkin.ErrUnknownCode},
		{"waitlisted", waitCode, checkin.ErrWaitlisted},
		{"cancelled", goneCode, checkin.ErrCancelled},
	} {
		if _, err := e.App.Checkin.CheckIn(ctx, o.ID, ev, c.code, by); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if n := checkedIn(); n != 0 {
		t.Fatalf("refused codes checked %d people in", n)
	}
	if n := audits(); n != 0 {
		t.Fatalf("refused codes wrote %d audit entries", n)
	}

	// Typed by hand: lower case with spaces and a hyphen still finds it.
	typed := strings.ToLower(code[:4]) + " " + code[4:8] + "-" + code[8:]
	a, err := e.App.Checkin.CheckIn(ctx, o.ID, ev, typed, by)
	if err != nil {
		t.Fatal(err)
	}
	if a.UserID != guest.UserID || a.Already || a.Name.Family != "田中" || !a.CheckedInAt.Equal(e.Clock.Now()) {
		t.Errorf("check-in: %+v", a)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM event_registrations WHERE event_id = $1 AND user_id = $2 AND checked_in_at IS NOT NULL AND checked_in_by = $3`,
		ev, guest.UserID, staff.UserID); n != 1 {
		t.Errorf("attendance not recorded with who checked in")
	}
	if audits() != 1 {
		t.Errorf("check-in not audited")
	}
	first := a.CheckedInAt
	e.Clock.Advance(30 * 60e9)
	a, err = e.App.Checkin.CheckIn(ctx, o.ID, ev, code, by)
	if err != nil || !a.Already || !a.CheckedInAt.Equal(first) {
		t.Errorf("repeat: %+v %v, want already at %v", a, err, first)
	}
	if audits() != 1 || checkedIn() != 1 {
		t.Errorf("repeat scan wrote something")
	}
	// Typed on a Japanese keyboard: full-width letters, digits and spaces.
	if a, err := e.App.Checkin.CheckIn(ctx, o.ID, ev, width.Widen.String(code[:6]+" "+code[6:]), by); err != nil || !a.Already || a.UserID != guest.UserID {
		t.Errorf("full-width code: %+v %v", a, err)
	}
	c, err := e.App.Checkin.Count(ctx, o.ID, ev)
	if err != nil || c.CheckedIn != 1 || c.Registered != 1 {
		t.Errorf("count %+v %v, want 1 of 1", c, err)
	}
}

func TestTicketAndQR(t *testing.T) {
	e := apptest.New(t)
	ctx := t.Context()
	o := e.Org
	guest := e.AddMember(t, o, org.Alumni, "guest@sakura.example.jp")
	waiting := e.AddMember(t, o, org.Alumni, "waiting@sakura.example.jp")
	ev := e.AddDoorEvent(t, o, "同窓会", 0)
	code := e.AddRegistration(t, o, ev, guest.UserID, "registered")
	e.AddRegistration(t, o, ev, waiting.UserID, "waitlisted")
	tk, err := e.App.Checkin.Ticket(ctx, o.ID, ev, guest.UserID)
	if err != nil || tk.Code != code {
		t.Fatalf("ticket %+v %v", tk, err)
	}
	if _, err := e.App.Checkin.Ticket(ctx, o.ID, ev, waiting.UserID); !errors.Is(err, checkin.ErrNotFound) {
		t.Errorf("waitlisted ticket: %v, want not found", err)
	}
	png, err := checkin.QR(tk.Code, 320)
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeQR(t, png); got != code {
		t.Errorf("QR decodes to %q, want %q", got, code)
	}
}

// decodeQR reads a QR code PNG with an independent decoder (ZXing's port).
func decodeQR(t *testing.T, png []byte) string {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(png))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res.GetText()
}
