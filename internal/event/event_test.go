package event_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/event"
	"github.com/tsunagu/tsunagu/internal/notify"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/mailtest"
)

// fixture is an app with staff and members of "sakura".
type fixture struct {
	e      *apptest.Env
	admin  org.Member
	sup    org.Member
	alumni []org.Member
	emp    org.Member
}

func setup(t *testing.T) *fixture {
	t.Helper()
	e := apptest.New(t)
	f := &fixture{e: e, admin: e.AddMember(t, e.Org, org.Admin, "admin@sakura.example.jp"),
		sup: e.AddMember(t, e.Org, org.Supporter, "support@sakura.example.jp"),
		emp: e.AddMember(t, e.Org, org.Employee, "emp@sakura.example.jp")}
	for i := range 4 {
		f.alumni = append(f.alumni, e.AddMember(t, e.Org, org.Alumni, fmt.Sprintf("alum%d@sakura.example.jp", i)))
	}
	return f
}

func (f *fixture) actor(m org.Member) event.Actor { return event.Actor{Member: m, IP: "192.0.2.1"} }

// form is a valid offline event starting in 3 days at 19:00 Tokyo time.
func (f *fixture) form(capacity int) event.Form {
	start := f.e.Clock.Now().In(tokyo).Add(72 * time.Hour)
	start = time.Date(start.Year(), start.Month(), start.Day(), 19, 0, 0, 0, tokyo)
	return event.Form{Title: "大手町アルムナイ交流会", Description: "**ぜひ**ご参加ください", Format: event.Offline, TZ: "Asia/Tokyo",
		Start: start.Format(event.InputLayout), End: start.Add(2 * time.Hour).Format(event.InputLayout),
		Venue: "東京都千代田区大手町1-1 さくらビル3F", Capacity: fmt.Sprint(capacity), Audience: "network", Alcohol: true}
}

var tokyo, _ = time.LoadLocation("Asia/Tokyo")

func (f *fixture) create(t *testing.T, form event.Form) event.Event {
	t.Helper()
	ev, err := f.e.App.Events.Create(context.Background(), f.e.Org, f.actor(f.admin), form)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func (f *fixture) register(t *testing.T, m org.Member, id int64) event.Registration {
	t.Helper()
	r, err := f.e.App.Events.Register(context.Background(), f.e.Org, m, id, true)
	if err != nil {
		t.Fatalf("register %s: %v", m.Email, err)
	}
	return r
}

func (f *fixture) status(t *testing.T, id int64, m org.Member) string {
	t.Helper()
	r, err := f.e.App.Events.RegistrationOf(context.Background(), f.e.Org.ID, id, m.UserID)
	if err != nil {
		t.Fatal(err)
	}
	return r.Status
}

func TestCapacityWaitlistAndPromotionInOrder(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	ev := f.create(t, f.form(1))
	a, b, c := f.alumni[0], f.alumni[1], f.alumni[2]
	if r := f.register(t, a, ev.ID); r.Status != event.Registered || r.CheckinCode == "" || r.ConductAcceptedAt.IsZero() {
		t.Fatalf("first registration = %+v", r)
	}
	if r := f.register(t, b, ev.ID); r.Status != event.Waitlisted {
		t.Fatalf("second = %s, want waitlisted", r.Status)
	}
	f.e.Clock.Advance(time.Minute)
	if r := f.register(t, c, ev.ID); r.Status != event.Waitlisted {
		t.Fatalf("third = %s, want waitlisted", r.Status)
	}
	// Registering twice is refused and writes nothing.
	before := f.e.Count(t, `SELECT COUNT(*) FROM event_registrations`)
	if _, err := f.e.App.Events.Register(ctx, f.e.Org, a, ev.ID, true); !errors.Is(err, event.ErrAlreadyRegistered) {
		t.Fatalf("twice: %v", err)
	}
	if _, err := f.e.App.Events.Register(ctx, f.e.Org, b, ev.ID, true); !errors.Is(err, event.ErrAlreadyRegistered) {
		t.Fatalf("twice on the waitlist: %v", err)
	}
	if n := f.e.Count(t, `SELECT COUNT(*) FROM event_registrations`); n != before {
		t.Fatalf("registrations %d → %d", before, n)
	}
	// A cancels: B (first on the waitlist) moves up, C stays.
	if err := f.e.App.Events.Cancel(ctx, f.e.Org, a, ev.ID); err != nil {
		t.Fatal(err)
	}
	if f.status(t, ev.ID, a) != event.Cancelled || f.status(t, ev.ID, b) != event.Registered || f.status(t, ev.ID, c) != event.Waitlisted {
		t.Fatalf("after cancel: a=%s b=%s c=%s", f.status(t, ev.ID, a), f.status(t, ev.ID, b), f.status(t, ev.ID, c))
	}
	if n := f.e.Count(t, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = 'event_promoted'`, b.UserID); n != 1 {
		t.Fatalf("promotion notifications = %d", n)
	}
	if n := f.e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'event.promote'`); n != 1 {
		t.Fatalf("promotion audit entries = %d", n)
	}
	f.e.DrainJobs(t)
	// B keeps notify's default (events emailed instantly): one mail, through notify.
	msg := mailTo(t, f.e, b.Email, "繰り上がり")
	if !strings.Contains(msg.Text, "大手町アルムナイ交流会") || mailCount(f.e, b.Email) != 1 {
		t.Fatalf("promotion mail (%d to B): %s\n%s", mailCount(f.e, b.Email), msg.Subject, msg.Text)
	}
	// Cancelling twice is refused; A may register again, at the back of the queue.
	if err := f.e.App.Events.Cancel(ctx, f.e.Org, a, ev.ID); !errors.Is(err, event.ErrNotRegistered) {
		t.Fatalf("cancel twice: %v", err)
	}
	f.e.Clock.Advance(time.Minute)
	if r := f.register(t, a, ev.ID); r.Status != event.Waitlisted {
		t.Fatalf("re-registration = %s", r.Status)
	}
	if err := f.e.App.Events.Cancel(ctx, f.e.Org, b, ev.ID); err != nil {
		t.Fatal(err)
	}
	if f.status(t, ev.ID, c) != event.Registered || f.status(t, ev.ID, a) != event.Waitlisted {
		t.Fatalf("order not kept: c=%s a=%s", f.status(t, ev.ID, c), f.status(t, ev.ID, a))
	}
	// Raising the capacity promotes the rest.
	form := f.form(5)
	form.Start, form.End = event.FormOf(ev).Start, event.FormOf(ev).End
	if _, err := f.e.App.Events.Update(ctx, f.e.Org, f.actor(f.admin), ev.ID, form); err != nil {
		t.Fatal(err)
	}
	if f.status(t, ev.ID, a) != event.Registered {
		t.Fatalf("capacity raised: a=%s", f.status(t, ev.ID, a))
	}
}

// Two people race for the last seat: exactly one gets it, on both databases.
func TestRaceForTheLastSeat(t *testing.T) {
	f := setup(t)
	for round := range 5 {
		ev := f.create(t, f.form(1))
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = f.e.App.Events.Register(context.Background(), f.e.Org, f.alumni[i], ev.ID, true)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		reg := f.e.Count(t, `SELECT COUNT(*) FROM event_registrations WHERE event_id = $1 AND status = 'registered'`, ev.ID)
		wait := f.e.Count(t, `SELECT COUNT(*) FROM event_registrations WHERE event_id = $1 AND status = 'waitlisted'`, ev.ID)
		if reg != 1 || wait != 1 {
			t.Fatalf("round %d: %d registered, %d waitlisted", round, reg, wait)
		}
	}
}

func TestRegistrationRefusals(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	a := f.alumni[0]
	count := func() int { return f.e.Count(t, `SELECT COUNT(*) FROM event_registrations`) }

	// The code of conduct must be accepted for an in-person event.
	ev := f.create(t, f.form(0))
	if _, err := f.e.App.Events.Register(ctx, f.e.Org, a, ev.ID, false); !errors.Is(err, event.ErrConductRequired) {
		t.Fatalf("without conduct: %v", err)
	}
	// An online event has no policy to accept.
	online := f.form(0)
	online.Format, online.Venue, online.OnlineURL = event.Online, "", "https://meet.example.jp/abc"
	oe := f.create(t, online)
	if r, err := f.e.App.Events.Register(ctx, f.e.Org, a, oe.ID, false); err != nil || !r.ConductAcceptedAt.IsZero() {
		t.Fatalf("online: %+v %v", r, err)
	}

	// After the deadline.
	late := f.form(0)
	late.Deadline = f.e.Clock.Now().In(tokyo).Add(time.Hour).Format(event.InputLayout)
	le := f.create(t, late)
	f.e.Clock.Advance(2 * time.Hour)
	n := count()
	if _, err := f.e.App.Events.Register(ctx, f.e.Org, a, le.ID, true); !errors.Is(err, event.ErrDeadlinePassed) {
		t.Fatalf("after deadline: %v", err)
	}
	// Another organization's event: not found.
	kaede := f.e.AddOrg(t, "kaede")
	outsider := f.e.AddMember(t, kaede, org.Admin, "admin@kaede.example.jp")
	if _, err := f.e.App.Events.Register(ctx, kaede, outsider, ev.ID, true); !errors.Is(err, event.ErrNotFound) {
		t.Fatalf("foreign org: %v", err)
	}
	// Audience: alumni only refuses an employee; a group event refuses non-members.
	alumniOnly := f.form(0)
	alumniOnly.Audience = "alumni"
	ae := f.create(t, alumniOnly)
	if _, err := f.e.App.Events.Register(ctx, f.e.Org, f.emp, ae.ID, true); !errors.Is(err, event.ErrNotFound) {
		t.Fatalf("employee on alumni event: %v", err)
	}
	var groupID int64
	if err := f.e.App.DB.Write().QueryRow(`INSERT INTO groups (org_id, name, kind, created_at, updated_at) VALUES ($1, '2019年退職', 'open', $2, $2) RETURNING id`,
		f.e.Org.ID, f.e.Clock.Now()).Scan(&groupID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.App.DB.Write().Exec(`INSERT INTO group_members (org_id, group_id, user_id, state, created_at) VALUES ($1, $2, $3, 'member', $4)`,
		f.e.Org.ID, groupID, f.alumni[1].UserID, f.e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	gf := f.form(0)
	gf.Audience, gf.GroupID = "group", fmt.Sprint(groupID)
	ge := f.create(t, gf)
	if _, err := f.e.App.Events.Register(ctx, f.e.Org, a, ge.ID, true); !errors.Is(err, event.ErrNotFound) {
		t.Fatalf("outside the group: %v", err)
	}
	if ok, _ := f.e.App.Events.CanSee(ctx, a, ge); ok {
		t.Fatal("non-member sees the group event")
	}
	if count() != n {
		t.Fatalf("refusals wrote registrations: %d → %d", n, count())
	}
	f.register(t, f.alumni[1], ge.ID)
	// The list shows the group event to its member only.
	has := func(m org.Member, id int64) bool {
		list, err := f.e.App.Events.List(ctx, m, true, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range list {
			if e.ID == id {
				return true
			}
		}
		return false
	}
	if has(a, ge.ID) || !has(f.alumni[1], ge.ID) || !has(f.sup, ge.ID) || has(f.emp, ae.ID) {
		t.Fatal("list ignores the audience")
	}
	// Cancelling after the start is refused.
	f.e.Clock.Advance(ge.StartsAt.Sub(f.e.Clock.Now()) + time.Minute)
	if err := f.e.App.Events.Cancel(ctx, f.e.Org, f.alumni[1], ge.ID); !errors.Is(err, event.ErrStarted) {
		t.Fatalf("cancel after start: %v", err)
	}
}

func TestFormValidationWritesNothing(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	cases := []struct {
		name  string
		edit  func(*event.Form)
		field string
	}{
		{"end before start", func(fm *event.Form) { fm.End = fm.Start }, "end"},
		{"negative capacity", func(fm *event.Form) { fm.Capacity = "-1" }, "capacity"},
		{"capacity not a number", func(fm *event.Form) { fm.Capacity = "十" }, "capacity"},
		{"bad url", func(fm *event.Form) { fm.Format, fm.OnlineURL = event.Hybrid, "javascript:alert(1)" }, "online_url"},
		{"unknown tz", func(fm *event.Form) { fm.TZ = "Mars/Olympus" }, "tz"},
		{"no title", func(fm *event.Form) { fm.Title = " " }, "title"},
		{"no venue", func(fm *event.Form) { fm.Venue = "" }, "venue"},
		{"start in the past", func(fm *event.Form) { fm.Start, fm.End = "2001-01-01T10:00", "2001-01-01T12:00" }, "start"},
		{"bad date", func(fm *event.Form) { fm.Start = "2026-13-45T99:00" }, "start"},
		{"deadline after start", func(fm *event.Form) { fm.Deadline = fm.End }, "deadline"},
		{"unknown format", func(fm *event.Form) { fm.Format = "party" }, "format"},
		{"group without group", func(fm *event.Form) { fm.Audience = "group" }, "group_id"},
	}
	for _, c := range cases {
		fm := f.form(0)
		c.edit(&fm)
		_, err := f.e.App.Events.Create(ctx, f.e.Org, f.actor(f.admin), fm)
		var verrs event.ValidationErrors
		if !errors.As(err, &verrs) || !verrs.Has(c.field) {
			t.Errorf("%s: %v, want an error on %s", c.name, err, c.field)
		}
	}
	if n := f.e.Count(t, `SELECT COUNT(*) FROM events`); n != 0 {
		t.Fatalf("%d events written", n)
	}
	if n := f.e.Count(t, `SELECT COUNT(*) FROM jobs WHERE kind LIKE 'event.%'`); n != 0 {
		t.Fatalf("%d jobs written", n)
	}
	// Members do not create events directly.
	if _, err := f.e.App.Events.Create(ctx, f.e.Org, f.actor(f.alumni[0]), f.form(0)); !errors.Is(err, event.ErrForbidden) {
		t.Fatalf("member create: %v", err)
	}
}

func TestRemindersFollowTheStartAndSkipCancelled(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	ev := f.create(t, f.form(1)) // starts in 2.x days at 19:00 Tokyo
	a, b, c := f.alumni[0], f.alumni[1], f.alumni[2]
	f.register(t, a, ev.ID)
	f.register(t, b, ev.ID) // waitlisted
	f.register(t, c, ev.ID) // waitlisted, then cancels
	if err := f.e.App.Events.Cancel(ctx, f.e.Org, c, ev.ID); err != nil {
		t.Fatal(err)
	}
	reminders := func(kind string) int {
		return f.e.Count(t, `SELECT COUNT(*) FROM notifications WHERE kind = $1`, kind)
	}
	f.e.DrainJobs(t)
	if reminders("event_reminder_day") != 0 {
		t.Fatal("reminded too early")
	}
	// Move the event one day later: the old reminders must not fire.
	moved := f.form(1)
	start := ev.StartsAt.In(tokyo).Add(24 * time.Hour)
	moved.Start, moved.End = start.Format(event.InputLayout), start.Add(2*time.Hour).Format(event.InputLayout)
	if _, err := f.e.App.Events.Update(ctx, f.e.Org, f.actor(f.admin), ev.ID, moved); err != nil {
		t.Fatal(err)
	}
	if n := f.e.Count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'event_updated'`); n != 2 {
		t.Fatalf("update notices = %d, want 2 (registered and waitlisted)", n)
	}
	f.e.Clock.Advance(ev.StartsAt.Sub(f.e.Clock.Now()) - 23*time.Hour) // the old day-before time
	f.e.DrainJobs(t)
	if reminders("event_reminder_day") != 0 {
		t.Fatal("reminder for the old time was sent")
	}
	f.e.Clock.Advance(24 * time.Hour) // a day before the new start
	f.e.DrainJobs(t)
	if reminders("event_reminder_day") != 1 {
		t.Fatalf("day reminders = %d, want 1 (registered only)", reminders("event_reminder_day"))
	}
	if n := f.e.Count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'event_reminder_day' AND user_id = $1`, a.UserID); n != 1 {
		t.Fatal("the registered participant was not reminded")
	}
	mailTo(t, f.e, a.Email, "明日開催")
	f.e.Clock.Advance(22*time.Hour + 5*time.Minute) // 55 minutes before
	f.e.DrainJobs(t)
	if reminders("event_reminder_hour") != 1 || reminders("event_reminder_day") != 1 {
		t.Fatalf("hour reminders = %d, day = %d", reminders("event_reminder_hour"), reminders("event_reminder_day"))
	}
	// At the end the participants are asked for feedback.
	f.e.Clock.Advance(3 * time.Hour)
	f.e.DrainJobs(t)
	if n := f.e.Count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'event_feedback' AND user_id = $1`, a.UserID); n != 1 {
		t.Fatalf("feedback requests = %d", n)
	}
	if n := f.e.Count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'event_feedback'`); n != 1 {
		t.Fatalf("feedback asked of %d people, want 1", n)
	}
}

func parseICS(t *testing.T, body string) []goical.Event {
	t.Helper()
	cal, err := goical.NewDecoder(strings.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, body)
	}
	return cal.Events()
}

func prop(t *testing.T, ev goical.Event, name string) string {
	t.Helper()
	p := ev.Props.Get(name)
	if p == nil {
		return ""
	}
	return p.Value
}

func TestCalendarsKeepTheUIDAndRaiseTheSequence(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := f.e.App.Events
	ev := f.create(t, f.form(0))
	a := f.alumni[0]
	f.register(t, a, ev.ID)

	one := parseICS(t, svc.EventICS(f.e.Org, ev, "ja"))
	if len(one) != 1 {
		t.Fatalf("%d events", len(one))
	}
	uid := prop(t, one[0], "UID")
	if !strings.HasPrefix(uid, fmt.Sprintf("event-%d@", ev.ID)) || prop(t, one[0], "SEQUENCE") != "0" || prop(t, one[0], "STATUS") != "CONFIRMED" {
		t.Fatalf("uid %q seq %q status %q", uid, prop(t, one[0], "SEQUENCE"), prop(t, one[0], "STATUS"))
	}
	start, err := one[0].DateTimeStart(time.UTC)
	if err != nil || !start.Equal(ev.StartsAt) {
		t.Fatalf("DTSTART %v (%v), want %v", start, err, ev.StartsAt)
	}
	if prop(t, one[0], "LOCATION") != "" || !strings.Contains(prop(t, one[0], "DESCRIPTION"), fmt.Sprintf("/o/sakura/events/%d", ev.ID)) {
		t.Fatalf("the shared file: location %q description %q", prop(t, one[0], "LOCATION"), prop(t, one[0], "DESCRIPTION"))
	}

	token, err := svc.NewCalendarToken(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	m, err := svc.MemberByCalendarToken(ctx, f.e.Org.ID, token)
	if err != nil || m.UserID != a.UserID {
		t.Fatalf("token lookup: %v", err)
	}
	feed := func() goical.Event {
		body, err := svc.PersonalICS(ctx, f.e.Org, a)
		if err != nil {
			t.Fatal(err)
		}
		evs := parseICS(t, body)
		if len(evs) != 1 {
			t.Fatalf("feed has %d events", len(evs))
		}
		return evs[0]
	}
	got := feed()
	if prop(t, got, "UID") != uid || prop(t, got, "LOCATION") != "東京都千代田区大手町1-1 さくらビル3F" {
		t.Fatalf("personal feed: uid %q location %q", prop(t, got, "UID"), prop(t, got, "LOCATION"))
	}
	// A change of time raises SEQUENCE; the title alone does not.
	form := event.FormOf(ev)
	form.Title = "大手町アルムナイ交流会（第2回）"
	if _, err := svc.Update(ctx, f.e.Org, f.actor(f.admin), ev.ID, form); err != nil {
		t.Fatal(err)
	}
	if prop(t, feed(), "SEQUENCE") != "0" {
		t.Fatal("a new title raised the sequence")
	}
	start = ev.StartsAt.In(tokyo).Add(30 * time.Minute)
	form.Start, form.End = start.Format(event.InputLayout), start.Add(2*time.Hour).Format(event.InputLayout)
	if _, err := svc.Update(ctx, f.e.Org, f.actor(f.admin), ev.ID, form); err != nil {
		t.Fatal(err)
	}
	got = feed()
	if s, _ := got.DateTimeStart(time.UTC); prop(t, got, "SEQUENCE") != "1" || !s.Equal(ev.StartsAt.Add(30*time.Minute)) {
		t.Fatalf("after the move: seq %q start %v", prop(t, got, "SEQUENCE"), s)
	}
	if err := svc.CancelEvent(ctx, f.e.Org, f.actor(f.admin), ev.ID); err != nil {
		t.Fatal(err)
	}
	got = feed()
	if prop(t, got, "UID") != uid || prop(t, got, "SEQUENCE") != "2" || prop(t, got, "STATUS") != "CANCELLED" {
		t.Fatalf("cancelled: uid %q seq %q status %q", prop(t, got, "UID"), prop(t, got, "SEQUENCE"), prop(t, got, "STATUS"))
	}
	// A new token replaces the old one.
	if _, err := svc.NewCalendarToken(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.MemberByCalendarToken(ctx, f.e.Org.ID, token); !errors.Is(err, event.ErrNotFound) {
		t.Fatalf("old token: %v", err)
	}
}

func TestProposalReviewFlow(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := f.e.App.Events
	proposer, other := f.alumni[0], f.alumni[1]
	ev, err := svc.Propose(ctx, f.e.Org, f.actor(proposer), f.form(10))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Status != event.StatusProposed {
		t.Fatalf("status %s", ev.Status)
	}
	if n := f.e.Count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'event_proposed' AND category = 'staff'`); n != 2 {
		t.Fatalf("staff notified %d times, want 2 (admin and supporter)", n)
	}
	if ok, _ := svc.CanSee(ctx, other, ev); ok {
		t.Fatal("another member sees a proposal")
	}
	if _, err := svc.Register(ctx, f.e.Org, proposer, ev.ID, true); !errors.Is(err, event.ErrNotOpen) {
		t.Fatalf("register on a proposal: %v", err)
	}
	if err := svc.Review(ctx, f.e.Org, f.actor(other), ev.ID, event.Approve, ""); !errors.Is(err, event.ErrForbidden) {
		t.Fatalf("member review: %v", err)
	}
	if err := svc.Review(ctx, f.e.Org, f.actor(f.sup), ev.ID, event.RequestChanges, "  "); !errors.Is(err, event.ErrMessageRequired) {
		t.Fatalf("changes without message: %v", err)
	}
	if err := svc.Review(ctx, f.e.Org, f.actor(f.sup), ev.ID, event.RequestChanges, "会場の住所を詳しく書いてください"); err != nil {
		t.Fatal(err)
	}
	got, _ := svc.Get(ctx, f.e.Org.ID, ev.ID)
	if got.Status != event.StatusChangesRequested || got.ReviewMessage != "会場の住所を詳しく書いてください" {
		t.Fatalf("after changes: %s %q", got.Status, got.ReviewMessage)
	}
	if n := f.e.Count(t, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = 'event_changes_requested'`, proposer.UserID); n != 1 {
		t.Fatal("proposer not told of the changes")
	}
	// Another member cannot edit it; the proposer resubmits.
	if _, err := svc.Update(ctx, f.e.Org, f.actor(other), ev.ID, f.form(10)); !errors.Is(err, event.ErrNotFound) {
		t.Fatalf("other member edit: %v", err)
	}
	if _, err := svc.Update(ctx, f.e.Org, f.actor(proposer), ev.ID, f.form(10)); err != nil {
		t.Fatal(err)
	}
	got, _ = svc.Get(ctx, f.e.Org.ID, ev.ID)
	if got.Status != event.StatusProposed {
		t.Fatalf("resubmitted status %s", got.Status)
	}
	if err := svc.Review(ctx, f.e.Org, f.actor(f.admin), ev.ID, event.Approve, ""); err != nil {
		t.Fatal(err)
	}
	got, _ = svc.Get(ctx, f.e.Org.ID, ev.ID)
	if got.Status != event.StatusPublished {
		t.Fatalf("approved status %s", got.Status)
	}
	if err := svc.Review(ctx, f.e.Org, f.actor(f.admin), ev.ID, event.Decline, "x"); !errors.Is(err, event.ErrNotReviewable) {
		t.Fatalf("second review: %v", err)
	}
	f.register(t, other, ev.ID)
	if n := f.e.Count(t, `SELECT COUNT(*) FROM jobs WHERE kind = 'event.remind'`); n != 2 {
		t.Fatalf("reminders scheduled on approval: %d", n)
	}
	for _, action := range []string{"event.propose", "event.review.changes", "event.update", "event.review.approve"} {
		if n := f.e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = $1`, action); n != 1 {
			t.Errorf("audit %s: %d entries", action, n)
		}
	}
	// A declined proposal stays with its reason.
	ev2, err := svc.Propose(ctx, f.e.Org, f.actor(proposer), f.form(0))
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Review(ctx, f.e.Org, f.actor(f.admin), ev2.ID, event.Decline, "同じ週に別の会があるため"); err != nil {
		t.Fatal(err)
	}
	if n := f.e.Count(t, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = 'event_declined'`, proposer.UserID); n != 1 {
		t.Fatal("proposer not told of the decline")
	}
}

func TestIncidentsReachAdminsOnly(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := f.e.App.Events
	ev := f.create(t, f.form(0))
	if err := svc.ReportIncident(ctx, f.e.Org, f.actor(f.alumni[0]), ev.ID, " "); !errors.Is(err, event.ErrIncidentEmpty) {
		t.Fatalf("empty: %v", err)
	}
	if err := svc.ReportIncident(ctx, f.e.Org, f.actor(f.alumni[0]), ev.ID, strings.Repeat("あ", event.MaxIncident+1)); !errors.Is(err, event.ErrIncidentTooLong) {
		t.Fatalf("too long: %v", err)
	}
	if n := f.e.Count(t, `SELECT COUNT(*) FROM event_incidents`); n != 0 {
		t.Fatalf("%d incidents written by refused reports", n)
	}
	if err := svc.ReportIncident(ctx, f.e.Org, f.actor(f.alumni[0]), ev.ID, "懇親会で執拗に勧誘されました。"); err != nil {
		t.Fatal(err)
	}
	if err := svc.ReportIncident(ctx, f.e.Org, f.actor(f.alumni[1]), 0, "メッセージで不快な連絡がありました。"); err != nil {
		t.Fatal(err)
	}
	if n := f.e.Count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'event_incident' AND user_id = $1`, f.admin.UserID); n != 2 {
		t.Fatalf("admin notified %d times", n)
	}
	if n := f.e.Count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'event_incident' AND user_id <> $1`, f.admin.UserID); n != 0 {
		t.Fatalf("%d others notified", n)
	}
	list, err := svc.Incidents(ctx, f.admin)
	if err != nil || len(list) != 2 || list[1].EventID != ev.ID || list[0].EventID != 0 {
		t.Fatalf("incidents %+v %v", list, err)
	}
	for _, m := range []org.Member{f.sup, f.emp, f.alumni[0]} {
		if list, err := svc.Incidents(ctx, m); !errors.Is(err, event.ErrForbidden) || list != nil {
			t.Errorf("%s reads incidents: %d, %v", m.Role, len(list), err)
		}
	}
	if n := f.e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'event.incident'`); n != 2 {
		t.Fatalf("audit entries %d", n)
	}
	// The audit entry does not carry the report's text.
	if n := f.e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%勧誘%'`); n != 0 {
		t.Fatal("incident text in the audit log")
	}
}

func TestFeedbackOncePerParticipantEditableForTwoWeeks(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := f.e.App.Events
	ev := f.create(t, f.form(0))
	a, b, outsider := f.alumni[0], f.alumni[1], f.alumni[2]
	f.register(t, a, ev.ID)
	f.register(t, b, ev.ID)
	if err := svc.GiveFeedback(ctx, a, ev.ID, 5, "楽しかった"); !errors.Is(err, event.ErrNotEnded) {
		t.Fatalf("before the end: %v", err)
	}
	f.e.Clock.Advance(ev.EndsAt.Sub(f.e.Clock.Now()) + time.Minute)
	for _, bad := range []int{0, 6, -1} {
		if err := svc.GiveFeedback(ctx, a, ev.ID, bad, ""); !errors.Is(err, event.ErrRating) {
			t.Fatalf("rating %d: %v", bad, err)
		}
	}
	if err := svc.GiveFeedback(ctx, a, ev.ID, 4, strings.Repeat("x", event.MaxComment+1)); !errors.Is(err, event.ErrCommentTooLong) {
		t.Fatalf("long comment: %v", err)
	}
	if err := svc.GiveFeedback(ctx, outsider, ev.ID, 5, ""); !errors.Is(err, event.ErrFeedbackClosed) {
		t.Fatalf("non-participant: %v", err)
	}
	if n := f.e.Count(t, `SELECT COUNT(*) FROM event_feedback`); n != 0 {
		t.Fatalf("%d feedback rows from refused input", n)
	}
	if err := svc.GiveFeedback(ctx, a, ev.ID, 3, "普通"); err != nil {
		t.Fatal(err)
	}
	if err := svc.GiveFeedback(ctx, a, ev.ID, 5, "また参加したいです"); err != nil { // an edit, not a second answer
		t.Fatal(err)
	}
	if err := svc.GiveFeedback(ctx, b, ev.ID, 2, ""); err != nil {
		t.Fatal(err)
	}
	sum, err := svc.Summary(ctx, f.e.Org.ID, ev.ID)
	if err != nil || sum.Count != 2 || sum.Average != 3.5 || sum.Distribution != [5]int{0, 1, 0, 0, 1} || len(sum.Comments) != 1 {
		t.Fatalf("summary %+v %v", sum, err)
	}
	f.e.Clock.Advance(event.FeedbackWindow)
	if err := svc.GiveFeedback(ctx, a, ev.ID, 1, ""); !errors.Is(err, event.ErrFeedbackClosed) {
		t.Fatalf("after two weeks: %v", err)
	}
}

func TestFeedbackOnlyFromAttendeesOnceCheckInWasUsed(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	ev := f.create(t, f.form(0))
	a, b := f.alumni[0], f.alumni[1]
	f.register(t, a, ev.ID)
	f.register(t, b, ev.ID)
	if _, err := f.e.App.DB.Write().Exec(`UPDATE event_registrations SET checked_in_at = $1 WHERE user_id = $2`, f.e.Clock.Now(), a.UserID); err != nil {
		t.Fatal(err)
	}
	f.e.Clock.Advance(ev.EndsAt.Sub(f.e.Clock.Now()) + time.Minute)
	if err := f.e.App.Events.GiveFeedback(ctx, b, ev.ID, 5, ""); !errors.Is(err, event.ErrFeedbackClosed) {
		t.Fatalf("absent participant: %v", err)
	}
	if err := f.e.App.Events.GiveFeedback(ctx, a, ev.ID, 5, ""); err != nil {
		t.Fatal(err)
	}
}

func TestWhenShowsTheEventZone(t *testing.T) {
	e := event.Event{TZ: "Asia/Tokyo", StartsAt: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), EndsAt: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	if got := event.When(e, "ja"); got != "2026年12月1日(火) 19:00〜21:00 JST (Asia/Tokyo)" {
		t.Errorf("ja: %q", got)
	}
	e.TZ = "Europe/London"
	if got := event.When(e, "en"); got != "Tue 1 Dec 2026 10:00–12:00 GMT (Europe/London)" {
		t.Errorf("en: %q", got)
	}
	e.TZ, e.EndsAt = "UTC", time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	if got := event.When(e, "en"); got != "Tue 1 Dec 2026 10:00 – Wed 2 Dec 2026 09:00 UTC" {
		t.Errorf("en, two days: %q", got)
	}
	e.TZ = "Asia/Tokyo"
	if got := event.When(e, "ja"); got != "2026年12月1日(火) 19:00〜2026年12月2日(水) 18:00 JST (Asia/Tokyo)" {
		t.Errorf("ja, two days: %q", got)
	}
	if got := event.FormatTime(e, e.StartsAt, "ja"); got != "2026年12月1日(火) 19:00 JST (Asia/Tokyo)" {
		t.Errorf("FormatTime: %q", got)
	}
}

// mailTo returns the first message to addr whose subject contains
// subject, after the queue was drained.
func mailTo(t *testing.T, e *apptest.Env, addr, subject string) mailtest.Received {
	t.Helper()
	e.DrainJobs(t)
	for _, m := range e.SMTP.Messages() {
		if slices.Contains(m.To, addr) && strings.Contains(m.Subject, subject) {
			return m
		}
	}
	t.Fatalf("no mail to %s about %q", addr, subject)
	return mailtest.Received{}
}

func mailCount(e *apptest.Env, addr string) int {
	n := 0
	for _, m := range e.SMTP.Messages() {
		if slices.Contains(m.To, addr) {
			n++
		}
	}
	return n
}

// Someone who turned event emails off (or to a digest) still gets the
// seat and the reminders by email, straight from the event service.
func TestPromotionAndReminderMailDespiteDigestPreference(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	a, b := f.alumni[0], f.alumni[1]
	prefs, err := f.e.App.Notify.Preferences(ctx, f.e.Org.ID, b.UserID, false)
	if err != nil {
		t.Fatal(err)
	}
	for i := range prefs {
		if prefs[i].Category == notify.Events {
			prefs[i].Email = notify.Never
		}
	}
	if err := f.e.App.Notify.SavePreferences(ctx, f.e.Org.ID, b.UserID, false, prefs); err != nil {
		t.Fatal(err)
	}
	ev := f.create(t, f.form(1))
	f.register(t, a, ev.ID)
	f.register(t, b, ev.ID)
	if err := f.e.App.Events.Cancel(ctx, f.e.Org, a, ev.ID); err != nil {
		t.Fatal(err)
	}
	msg := mailTo(t, f.e, b.Email, "参加確定")
	if !strings.Contains(msg.Text, "大手町アルムナイ交流会") || !strings.Contains(msg.Text, "JST") {
		t.Fatalf("promotion mail: %s", msg.Text)
	}
	f.e.Clock.Advance(ev.StartsAt.Sub(f.e.Clock.Now()) - 23*time.Hour)
	mailTo(t, f.e, b.Email, "明日開催")
	if n := mailCount(f.e, b.Email); n != 2 {
		t.Fatalf("%d mails to B, want 2", n)
	}
}

// Every refused review, edit or cancellation leaves the event, the
// notifications and the audit log as they were.
func TestReviewEditCancelRefusalsWriteNothing(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := f.e.App.Events
	proposal, err := svc.Propose(ctx, f.e.Org, f.actor(f.alumni[0]), f.form(10))
	if err != nil {
		t.Fatal(err)
	}
	ev := f.create(t, f.form(10))
	written := func() int {
		return f.e.Count(t, `SELECT COUNT(*) FROM audit_log`) + f.e.Count(t, `SELECT COUNT(*) FROM notifications`) +
			f.e.Count(t, `SELECT COUNT(*) FROM events WHERE status <> 'proposed' AND id = $1`, proposal.ID)
	}
	before := written()
	for _, c := range []struct {
		name     string
		decision string
		message  string
		want     error
	}{
		{"too long", event.RequestChanges, strings.Repeat("あ", event.MaxMessage+1), event.ErrMessageTooLong},
		{"decline without reason", event.Decline, "\n ", event.ErrMessageRequired},
		{"unknown decision", "publish", "", event.ErrNotReviewable},
	} {
		if err := svc.Review(ctx, f.e.Org, f.actor(f.admin), proposal.ID, c.decision, c.message); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// Another member can neither cancel the event nor, seeing it, edit it.
	if err := svc.CancelEvent(ctx, f.e.Org, f.actor(f.alumni[1]), ev.ID); !errors.Is(err, event.ErrNotFound) {
		t.Errorf("member cancels: %v", err)
	}
	if _, err := svc.Update(ctx, f.e.Org, f.actor(f.alumni[1]), ev.ID, f.form(10)); !errors.Is(err, event.ErrForbidden) {
		t.Errorf("member edits: %v", err)
	}
	if n := written(); n != before {
		t.Fatalf("refusals wrote %d rows", n-before)
	}
	if err := svc.CancelEvent(ctx, f.e.Org, f.actor(f.admin), ev.ID); err != nil {
		t.Fatal(err)
	}
	before = written()
	if err := svc.CancelEvent(ctx, f.e.Org, f.actor(f.admin), ev.ID); !errors.Is(err, event.ErrNotOpen) {
		t.Errorf("second cancel: %v", err)
	}
	if _, err := svc.Update(ctx, f.e.Org, f.actor(f.admin), ev.ID, f.form(10)); !errors.Is(err, event.ErrNotOpen) {
		t.Errorf("edit a cancelled event: %v", err)
	}
	// Once its start has passed, a proposal cannot be approved.
	f.e.Clock.Advance(proposal.StartsAt.Sub(f.e.Clock.Now()) + time.Minute)
	if err := svc.Review(ctx, f.e.Org, f.actor(f.admin), proposal.ID, event.Approve, ""); !errors.Is(err, event.ErrStarted) {
		t.Errorf("approve after the start: %v", err)
	}
	if n := written(); n != before {
		t.Fatalf("refusals wrote %d rows", n-before)
	}
}
