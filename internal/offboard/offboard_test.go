package offboard_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/offboard"
	"github.com/tsunagu/tsunagu/internal/org"
)

var hanako = org.Name{Family: "佐藤", Given: "花子", FamilyKana: "さとう", GivenKana: "はなこ", FamilyRomaji: "Sato", GivenRomaji: "Hanako"}

// day is the calendar day in Japan offset days from the env's clock.
func day(e *apptest.Env, offset int) string {
	t, _ := time.Parse(time.DateOnly, e.App.Offboard.Today())
	return t.AddDate(0, 0, offset).Format(time.DateOnly)
}

// advanceTo moves the clock just past t.
func advanceTo(e *apptest.Env, t time.Time) {
	if d := t.Sub(e.Clock.Now()); d > 0 {
		e.Clock.Advance(d + time.Minute)
	}
}

type fixture struct {
	e      *apptest.Env
	admin  org.Member
	leaver org.Member
	by     offboard.Actor
}

func setup(t *testing.T) fixture {
	e := apptest.New(t)
	admin := e.AddMember(t, e.Org, org.Admin, "hr@sakura.example.jp")
	leaver := e.AddWithoutPassword(t, e.Org, org.Employee, "hanako@sakura.example.jp", hanako)
	return fixture{e: e, admin: admin, leaver: leaver, by: offboard.Actor{UserID: admin.UserID, Email: admin.Email, IP: "192.0.2.1"}}
}

func (f fixture) role(t *testing.T, userID int64) org.Role {
	t.Helper()
	m, err := f.e.App.Orgs.Member(t.Context(), f.e.Org.ID, userID)
	if err != nil {
		t.Fatal(err)
	}
	return m.Role
}

func TestRecordAndConvertOnTheLastDay(t *testing.T) {
	f := setup(t)
	e, ctx := f.e, t.Context()
	lastDay := day(e, 1)
	d, err := e.App.Offboard.Record(ctx, e.Org, offboard.Input{Member: "Hanako@sakura.example.jp", LastDay: lastDay, HiredOn: "2015-04-01",
		Department: "営業部", JobTitle: "課長", RehireEligibility: "eligible", RehireConditions: "管理職として", Notes: "円満退職",
		PersonalEmail: "hanako.sato@example.net", Lang: "ja"}, f.by)
	if err != nil {
		t.Fatal(err)
	}
	if d.Tenure() != yearsSince2015(lastDay) {
		t.Errorf("tenure %d", d.Tenure())
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM member_internal WHERE org_id = $1 AND user_id = $2 AND rehire_eligibility = 'eligible' AND notes = '円満退職'`,
		e.Org.ID, f.leaver.UserID); n != 1 {
		t.Fatal("rehire fields not saved")
	}
	// Before the last day nothing happens, however often the jobs run.
	e.RunJobs(t)
	advanceTo(e, offboard.ConvertAt(lastDay).Add(-2*time.Hour))
	e.RunJobs(t)
	if r := f.role(t, f.leaver.UserID); r != org.Employee {
		t.Fatalf("converted before the last day: %s", r)
	}
	advanceTo(e, offboard.ConvertAt(lastDay))
	e.RunJobs(t)
	if r := f.role(t, f.leaver.UserID); r != org.Alumni {
		t.Fatalf("role on the last day = %s", r)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND user_id = $2`, e.Org.ID, f.leaver.UserID); n != 2 {
		t.Errorf("memberships = %d, want the employee one kept as history", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM member_internal WHERE org_id = $1 AND user_id = $2 AND left_on = $3 AND hr_department = '営業部'
		AND hr_job_title = '課長' AND hr_source = 'departure' AND hired_on = '2015-04-01' AND rehire_eligibility = 'eligible'`,
		e.Org.ID, f.leaver.UserID, lastDay); n != 1 {
		t.Error("HR fields not filled at conversion")
	}
	p, err := e.App.Members.Get(ctx, e.Org.ID, f.leaver.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if p.LeftYear != mustYear(lastDay) || p.JoinedYear != 2015 || len(p.Departments) != 1 || p.Departments[0] != "営業部" {
		t.Errorf("profile facts: left %d joined %d deps %q", p.LeftYear, p.JoinedYear, p.Departments)
	}
	if m, _ := e.App.Orgs.Member(ctx, e.Org.ID, f.leaver.UserID); m.Email != "hanako.sato@example.net" {
		t.Errorf("email = %s, want the personal one", m.Email)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE org_id = $1 AND action = 'offboard.converted' AND target = $2`,
		e.Org.ID, fmt.Sprintf("user:%d", f.leaver.UserID)); n != 1 {
		t.Errorf("converted audit entries = %d", n)
	}
	msgs := e.SMTP.WaitFor(t, 2, 10*time.Second)
	msg, notice := msgs[0], msgs[1]
	if msg.To[0] != "hanako.sato@example.net" {
		msg, notice = notice, msg
	}
	if notice.To[0] != "hr@sakura.example.jp" || !strings.Contains(notice.Subject, "佐藤 花子さんをアルムナイに切り替えました") {
		t.Errorf("notice to HR: %v %s", notice.To, notice.Subject)
	}
	if !strings.Contains(msg.Text, "個人用のメールアドレス（hanako.sato@example.net）") {
		t.Errorf("the farewell does not say which address to sign in with:\n%s", msg.Text)
	}
	if msg.To[0] != "hanako.sato@example.net" || !strings.Contains(msg.Subject, "寄せ書き") {
		t.Errorf("farewell mail to %v: %s", msg.To, msg.Subject)
	}
	if !strings.Contains(msg.Text, "/join/") || !strings.Contains(msg.Text, "/cards/"+d.CardID) || !strings.Contains(msg.Text, "佐藤 花子 様") {
		t.Errorf("farewell mail lacks the join or card link:\n%s", msg.Text)
	}
}

// TestAdminEditKeepsTheHRRecord: editing the rehire fields on the member
// page after the conversion keeps the dates and department of the departure.
func TestAdminEditKeepsTheHRRecord(t *testing.T) {
	f := setup(t)
	e, ctx := f.e, t.Context()
	if err := e.App.Offboard.StartFromDirectory(ctx, e.Org.ID, f.leaver.UserID, "scim"); err != nil {
		t.Fatal(err)
	}
	if err := e.App.Members.SetInternal(ctx, e.Org.ID, f.leaver.UserID, member.Internal{RehireEligibility: "eligible"},
		member.Admin{UserID: f.admin.UserID}); err != nil {
		t.Fatal(err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM member_internal WHERE user_id = $1 AND left_on = $2 AND hr_source = 'departure' AND rehire_eligibility = 'eligible'`,
		f.leaver.UserID, e.App.Offboard.Today()); n != 1 {
		t.Fatal("the member page's save wiped the HR record")
	}
}

func yearsSince2015(lastDay string) int {
	y := mustYear(lastDay) - 2015
	if lastDay[5:] < "04-01" {
		y--
	}
	return y
}

func mustYear(d string) int {
	var y int
	fmt.Sscanf(d, "%d", &y)
	return y
}

func TestSignInLinkWhenThePersonHasAPassword(t *testing.T) {
	f := setup(t)
	e := f.e
	m := e.AddMember(t, e.Org, org.Employee, "ken@sakura.example.jp")
	if _, err := e.App.Offboard.Record(t.Context(), e.Org, offboard.Input{Member: m.Email, LastDay: day(e, 0), Lang: "en"}, f.by); err != nil {
		t.Fatal(err)
	}
	advanceTo(e, offboard.ConvertAt(day(e, 0)))
	e.RunJobs(t)
	msgs := e.SMTP.WaitFor(t, 2, 10*time.Second)
	msg := msgs[0]
	if msg.To[0] != "ken@sakura.example.jp" {
		msg = msgs[1]
	}
	if msg.To[0] != "ken@sakura.example.jp" || strings.Contains(msg.Text, "/join/") || !strings.Contains(msg.Text, "/login?next=") ||
		!strings.Contains(msg.Subject, "Thank you") {
		t.Errorf("mail to %v %q:\n%s", msg.To, msg.Subject, msg.Text)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM tokens WHERE org_id = $1 AND user_id = $2`, e.Org.ID, m.UserID); n != 0 {
		t.Errorf("%d tokens issued for a member who has a password", n)
	}
}

func nothingWritten(t *testing.T, e *apptest.Env) {
	t.Helper()
	for q, want := range map[string]int{
		`SELECT COUNT(*) FROM departures`:                               0,
		`SELECT COUNT(*) FROM jobs WHERE kind = 'offboard.convert'`:     0,
		`SELECT COUNT(*) FROM audit_log WHERE action LIKE 'offboard.%'`: 0,
		`SELECT COUNT(*) FROM member_internal WHERE notes <> ''`:        0,
	} {
		if n := e.Count(t, q); n != want {
			t.Errorf("%s = %d, want %d", q, n, want)
		}
	}
}

func TestRecordRefusesBadInputAndWritesNothing(t *testing.T) {
	f := setup(t)
	e, ctx := f.e, t.Context()
	alumnus := e.AddMember(t, e.Org, org.Alumni, "old@sakura.example.jp")
	cases := []struct {
		name  string
		in    offboard.Input
		field string
		key   string
	}{
		{"no member", offboard.Input{LastDay: day(e, 3), Notes: "x"}, "member", "form.required"},
		{"unknown member", offboard.Input{Member: "nobody@sakura.example.jp", LastDay: day(e, 3), Notes: "x"}, "member", "offboard.error.no_member"},
		{"unknown employee number", offboard.Input{Member: "E-404", LastDay: day(e, 3), Notes: "x"}, "member", "offboard.error.no_member"},
		{"not an employee", offboard.Input{Member: alumnus.Email, LastDay: day(e, 3), Notes: "x"}, "member", "offboard.error.not_employee"},
		{"admin", offboard.Input{Member: f.admin.Email, LastDay: day(e, 3), Notes: "x"}, "member", "offboard.error.not_employee"},
		{"no last day", offboard.Input{Member: f.leaver.Email, Notes: "x"}, "last_day", "form.required"},
		{"bad date", offboard.Input{Member: f.leaver.Email, LastDay: "31/03/2026", Notes: "x"}, "last_day", "offboard.error.date"},
		{"past date", offboard.Input{Member: f.leaver.Email, LastDay: day(e, -1), Notes: "x"}, "last_day", "offboard.error.past"},
		{"hired after leaving", offboard.Input{Member: f.leaver.Email, LastDay: day(e, 3), HiredOn: day(e, 10), Notes: "x"}, "hired_on", "offboard.error.hired_after"},
		{"bad tenure", offboard.Input{Member: f.leaver.Email, LastDay: day(e, 3), TenureYears: "ten", Notes: "x"}, "tenure_years", "offboard.error.tenure"},
		{"bad personal email", offboard.Input{Member: f.leaver.Email, LastDay: day(e, 3), PersonalEmail: "hanako@", Notes: "x"}, "personal_email", "form.email_invalid"},
		{"bad eligibility", offboard.Input{Member: f.leaver.Email, LastDay: day(e, 3), RehireEligibility: "maybe", Notes: "x"}, "rehire_eligibility", "form.choose"},
		{"long notes", offboard.Input{Member: f.leaver.Email, LastDay: day(e, 3), Notes: strings.Repeat("あ", 4001)}, "notes", "form.too_long"},
		{"bad language", offboard.Input{Member: f.leaver.Email, LastDay: day(e, 3), Lang: "fr", Notes: "x"}, "lang", "form.choose"},
		{"manager is an alumnus", offboard.Input{Member: f.leaver.Email, LastDay: day(e, 3), CardManager: alumnus.Email, Notes: "x"}, "card_manager", "offboard.error.manager"},
		{"manager is the leaver", offboard.Input{Member: f.leaver.Email, LastDay: day(e, 3), CardManager: f.leaver.Email, Notes: "x"}, "card_manager", "offboard.error.manager_self"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.App.Offboard.Record(ctx, e.Org, c.in, f.by)
			var errs offboard.Errors
			if !errors.As(err, &errs) {
				t.Fatalf("err = %v, want validation errors", err)
			}
			found := false
			for _, fe := range errs {
				found = found || (fe.Field == c.field && fe.Key == c.key)
			}
			if !found {
				t.Errorf("errors %v lack %s=%s", errs, c.field, c.key)
			}
			nothingWritten(t, e)
		})
	}
	// A second departure for the same person is refused.
	if _, err := e.App.Offboard.Record(ctx, e.Org, offboard.Input{Member: f.leaver.Email, LastDay: day(e, 3)}, f.by); err != nil {
		t.Fatal(err)
	}
	_, err := e.App.Offboard.Record(ctx, e.Org, offboard.Input{Member: f.leaver.Email, LastDay: day(e, 4)}, f.by)
	var errs offboard.Errors
	if !errors.As(err, &errs) || errs[0].Key != "offboard.error.already_pending" {
		t.Fatalf("second departure: %v", err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM departures`); n != 1 {
		t.Fatalf("departures = %d", n)
	}
}

func TestRecordByEmployeeNumber(t *testing.T) {
	f := setup(t)
	e := f.e
	if _, err := e.App.DB.Write().ExecContext(t.Context(), `INSERT INTO member_internal (org_id, user_id, employee_number, updated_at) VALUES ($1, $2, 'E-0042', $3)`,
		e.Org.ID, f.leaver.UserID, e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	d, err := e.App.Offboard.Record(t.Context(), e.Org, offboard.Input{Member: "E-0042", LastDay: day(e, 2)}, f.by)
	if err != nil || d.UserID != f.leaver.UserID {
		t.Fatalf("by employee number: %+v %v", d, err)
	}
	// The employee number survives the rehire fields being saved.
	if n := e.Count(t, `SELECT COUNT(*) FROM member_internal WHERE employee_number = 'E-0042'`); n != 1 {
		t.Fatal("employee number lost")
	}
}

func TestBulkIsAllOrNothing(t *testing.T) {
	f := setup(t)
	e, ctx := f.e, t.Context()
	e.AddWithoutPassword(t, e.Org, org.Employee, "a@sakura.example.jp", hanako)
	e.AddWithoutPassword(t, e.Org, org.Employee, "b@sakura.example.jp", hanako)
	bad := strings.Join([]string{
		"a@sakura.example.jp," + day(e, 5),
		"",
		"b@sakura.example.jp,2026/13/40",
		"nobody@sakura.example.jp," + day(e, 5),
		"a@sakura.example.jp," + day(e, 6),
		"hanako@sakura.example.jp," + day(e, 5) + ",personal@example.net,extra",
	}, "\n")
	_, err := e.App.Offboard.RecordBulk(ctx, e.Org, bad, offboard.Input{Lang: "ja"}, f.by)
	var rows offboard.BulkError
	if !errors.As(err, &rows) {
		t.Fatalf("err = %v", err)
	}
	got := map[int]string{}
	for _, r := range rows {
		got[r.Line] = r.Errors[0].Key
	}
	want := map[int]string{3: "offboard.error.date", 4: "offboard.error.no_member", 5: "offboard.error.bulk_duplicate", 6: "offboard.error.bulk_columns"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("row errors %v, want %v", got, want)
	}
	nothingWritten(t, e)
	// No line at all, or too many lines: refused as a whole, nothing written.
	for name, text := range map[string]string{"empty": " \n\n", "too many": strings.Repeat("a@sakura.example.jp,"+day(e, 5)+"\n", 501)} {
		_, err := e.App.Offboard.RecordBulk(ctx, e.Org, text, offboard.Input{Lang: "ja"}, f.by)
		var errs offboard.Errors
		if !errors.As(err, &errs) || errs[0].Field != "lines" {
			t.Errorf("%s: %v", name, err)
		}
		nothingWritten(t, e)
	}

	good := "a@sakura.example.jp，" + day(e, 5) + "\r\nb@sakura.example.jp\t" + strings.ReplaceAll(day(e, 6), "-", "/") + "\thanako.b@example.net\n"
	n, err := e.App.Offboard.RecordBulk(ctx, e.Org, good, offboard.Input{Lang: "en"}, f.by)
	if err != nil || n != 2 {
		t.Fatalf("bulk: %d %v", n, err)
	}
	if c := e.Count(t, `SELECT COUNT(*) FROM departures WHERE state = 'pending' AND lang = 'en' AND source = 'bulk'`); c != 2 {
		t.Errorf("pending = %d", c)
	}
	if c := e.Count(t, `SELECT COUNT(*) FROM jobs WHERE kind = 'offboard.convert'`); c != 2 {
		t.Errorf("jobs = %d", c)
	}
}

func TestRescheduleAndCancel(t *testing.T) {
	f := setup(t)
	e, ctx := f.e, t.Context()
	d, err := e.App.Offboard.Record(ctx, e.Org, offboard.Input{Member: f.leaver.Email, LastDay: day(e, 1)}, f.by)
	if err != nil {
		t.Fatal(err)
	}
	later := day(e, 3)
	if err := e.App.Offboard.Update(ctx, e.Org, d.ID, offboard.Input{LastDay: later, Department: "開発部"}, f.by); err != nil {
		t.Fatal(err)
	}
	// The old date passes: the old job runs and does nothing.
	advanceTo(e, offboard.ConvertAt(day(e, 1)))
	if n := e.RunJobs(t); n != 1 {
		t.Errorf("ran %d jobs on the old day, want the old job", n)
	}
	if r := f.role(t, f.leaver.UserID); r != org.Employee {
		t.Fatalf("converted on the old date: %s", r)
	}
	advanceTo(e, offboard.ConvertAt(later))
	e.RunJobs(t)
	if r := f.role(t, f.leaver.UserID); r != org.Alumni {
		t.Fatalf("not converted on the new date: %s", r)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM member_internal WHERE left_on = $1 AND hr_department = '開発部'`, later); n != 1 {
		t.Error("HR record has the old date")
	}
	// Nothing can change a converted departure.
	if err := e.App.Offboard.Update(ctx, e.Org, d.ID, offboard.Input{LastDay: day(e, 9)}, f.by); !errors.Is(err, offboard.ErrNotPending) {
		t.Errorf("update after conversion: %v", err)
	}
	if err := e.App.Offboard.Cancel(ctx, e.Org, d.ID, f.by); !errors.Is(err, offboard.ErrNotPending) {
		t.Errorf("cancel after conversion: %v", err)
	}

	other := e.AddWithoutPassword(t, e.Org, org.Employee, "jiro@sakura.example.jp", hanako)
	d2, err := e.App.Offboard.Record(ctx, e.Org, offboard.Input{Member: other.Email, LastDay: day(e, 1)}, f.by)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.App.Offboard.Cancel(ctx, e.Org, d2.ID, f.by); err != nil {
		t.Fatal(err)
	}
	advanceTo(e, offboard.ConvertAt(day(e, 1)))
	e.RunJobs(t)
	if r := f.role(t, other.UserID); r != org.Employee {
		t.Fatalf("cancelled departure converted: %s", r)
	}
	if _, err := e.App.Offboard.Card(ctx, e.Org.ID, d2.CardID); !errors.Is(err, offboard.ErrNotFound) {
		t.Errorf("cancelled card still opens: %v", err)
	}
	// A cancelled departure lets HR record a new one.
	if _, err := e.App.Offboard.Record(ctx, e.Org, offboard.Input{Member: other.Email, LastDay: day(e, 2)}, f.by); err != nil {
		t.Fatalf("record after cancel: %v", err)
	}
	// Another organization's departure id is not found.
	kaede := e.AddOrg(t, "kaede")
	if err := e.App.Offboard.Cancel(ctx, kaede, d2.ID, f.by); !errors.Is(err, offboard.ErrNotFound) {
		t.Errorf("cancel from another organization: %v", err)
	}
}

func TestConversionRunsOnce(t *testing.T) {
	f := setup(t)
	e, ctx := f.e, t.Context()
	d, err := e.App.Offboard.Record(ctx, e.Org, offboard.Input{Member: f.leaver.Email, LastDay: day(e, 0)}, f.by)
	if err != nil {
		t.Fatal(err)
	}
	// The same job twice, as after a worker died mid-run.
	if _, err := e.App.Jobs.Enqueue(ctx, e.App.DB.Write(), e.Org.ID, offboard.KindConvert,
		map[string]any{"departure_id": d.ID, "last_day": d.LastDay}, offboard.ConvertAt(d.LastDay)); err != nil {
		t.Fatal(err)
	}
	advanceTo(e, offboard.ConvertAt(d.LastDay))
	e.RunJobs(t)
	e.RunJobs(t)
	if err := e.App.Offboard.StartFromDirectory(ctx, e.Org.ID, f.leaver.UserID, "scim"); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int{
		`SELECT COUNT(*) FROM memberships WHERE user_id = $1`:                                           2,
		`SELECT COUNT(*) FROM audit_log WHERE action = 'offboard.converted' AND target = 'user:' || $1`: 1,
		`SELECT COUNT(*) FROM tokens WHERE user_id = $1`:                                                1,
	} {
		if n := e.Count(t, q, fmt.Sprint(f.leaver.UserID)); n != want {
			t.Errorf("%s = %d, want %d", q, n, want)
		}
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM jobs WHERE kind = 'mail.send'`); n != 2 {
		t.Errorf("%d emails, want the farewell and HR's notice once each", n)
	}
}

func TestStartFromDirectory(t *testing.T) {
	f := setup(t)
	e, ctx := f.e, t.Context()
	// An employee without a departure: recorded today and converted now.
	if err := e.App.Offboard.StartFromDirectory(ctx, e.Org.ID, f.leaver.UserID, "scim"); err != nil {
		t.Fatal(err)
	}
	if r := f.role(t, f.leaver.UserID); r != org.Alumni {
		t.Fatalf("role %s", r)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM departures WHERE user_id = $1 AND state = 'converted' AND source = 'scim' AND last_day = $2`,
		f.leaver.UserID, e.App.Offboard.Today()); n != 1 {
		t.Error("no scim departure for today")
	}
	// Again: nothing changes.
	if err := e.App.Offboard.StartFromDirectory(ctx, e.Org.ID, f.leaver.UserID, "scim"); err != nil {
		t.Fatal(err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'offboard.converted'`); n != 1 {
		t.Errorf("converted %d times", n)
	}
	// A pending departure is converted now, not on its last day.
	jiro := e.AddWithoutPassword(t, e.Org, org.Employee, "jiro@sakura.example.jp", hanako)
	d, err := e.App.Offboard.Record(ctx, e.Org, offboard.Input{Member: jiro.Email, LastDay: day(e, 20), PersonalEmail: "jiro@example.net"}, f.by)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.App.Offboard.StartFromDirectory(ctx, e.Org.ID, jiro.UserID, "scim"); err != nil {
		t.Fatal(err)
	}
	got, _ := e.App.Offboard.Get(ctx, e.Org.ID, d.ID)
	if got.State != offboard.Converted || f.role(t, jiro.UserID) != org.Alumni || got.Email != "jiro@example.net" {
		t.Errorf("pending departure: %+v", got)
	}
	// Staff and alumni are left alone.
	if err := e.App.Offboard.StartFromDirectory(ctx, e.Org.ID, f.admin.UserID, "scim"); err != nil || f.role(t, f.admin.UserID) != org.Admin {
		t.Errorf("admin: %v", err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM departures WHERE user_id = $1`, f.admin.UserID); n != 0 {
		t.Error("departure recorded for an admin")
	}
	// Unknown or foreign people are not found.
	kaede := e.AddOrg(t, "kaede")
	if err := e.App.Offboard.StartFromDirectory(ctx, kaede.ID, jiro.UserID, "scim"); !errors.Is(err, org.ErrNotFound) {
		t.Errorf("foreign: %v", err)
	}
}

func TestCard(t *testing.T) {
	f := setup(t)
	e, ctx := f.e, t.Context()
	colleague := e.AddMember(t, e.Org, org.Employee, "colleague@sakura.example.jp")
	alumnus := e.AddMember(t, e.Org, org.Alumni, "old@sakura.example.jp")
	lastDay := day(e, 2)
	d, err := e.App.Offboard.Record(ctx, e.Org, offboard.Input{Member: f.leaver.Email, LastDay: lastDay}, f.by)
	if err != nil {
		t.Fatal(err)
	}
	svc := e.App.Offboard
	leaver := f.leaver
	if a := svc.AccessOf(d, &leaver); a.See || a.Write {
		t.Fatalf("the leaver sees the card before the last day: %+v", a)
	}
	if _, err := svc.Write(ctx, d, offboard.Writer{Member: &leaver}, "自分で", ""); err == nil {
		t.Fatal("the leaver wrote on their own card")
	}
	// Validation: empty, too long; nothing written.
	for body, key := range map[string]string{"  \n ": "form.required", strings.Repeat("あ", offboard.MaxMessageLen+1): "form.too_long"} {
		_, err := svc.Write(ctx, d, offboard.Writer{Member: &colleague}, body, "")
		var errs offboard.Errors
		if !errors.As(err, &errs) || errs[0].Key != key {
			t.Errorf("body of %d runes: %v", len([]rune(body)), err)
		}
	}
	// Signed-out and alumni writers are refused while HR has not allowed them.
	if _, err := svc.Write(ctx, d, offboard.Writer{Name: "山田"}, "ありがとう", ""); !errors.Is(err, offboard.ErrNotFound) {
		t.Errorf("anonymous while not allowed: %v", err)
	}
	if _, err := svc.Write(ctx, d, offboard.Writer{Member: &alumnus, Name: ""}, "ありがとう", ""); !errors.Is(err, offboard.ErrNotFound) {
		t.Errorf("alumnus while not allowed: %v", err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM card_messages`); n != 0 {
		t.Fatalf("%d messages written by refused writers", n)
	}
	keep, err := svc.Write(ctx, d, offboard.Writer{Member: &colleague}, "お世話になりました。\n新天地でも頑張ってください！", "")
	if err != nil {
		t.Fatal(err)
	}
	rude, err := svc.Write(ctx, d, offboard.Writer{Member: &f.admin}, "不適切なメッセージ", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SetHidden(ctx, d, rude, true, f.by); err != nil {
		t.Fatal(err)
	}
	// Anonymous writing once allowed, with a name, capped per address.
	in := offboard.Input{LastDay: lastDay, CardAnonymous: true}
	if err := svc.Update(ctx, e.Org, d.ID, in, f.by); err != nil {
		t.Fatal(err)
	}
	d, _ = svc.Get(ctx, e.Org.ID, d.ID)
	if _, err := svc.Write(ctx, d, offboard.Writer{IP: "198.51.100.7"}, "名前なし", ""); err == nil {
		t.Error("anonymous message without a name accepted")
	}
	for i := range offboard.MaxAnonymousPerIP {
		if _, err := svc.Write(ctx, d, offboard.Writer{Name: fmt.Sprintf("取引先 %d", i), IP: "198.51.100.7"}, "ありがとうございました", ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.Write(ctx, d, offboard.Writer{Name: "もう一度", IP: "198.51.100.7"}, "しつこい", ""); !errors.Is(err, offboard.ErrTooMany) {
		t.Errorf("over the per-address cap: %v", err)
	}
	// Writing closes at the end of the day before the last day.
	advanceTo(e, offboard.WritingClosesAt(lastDay))
	if _, err := svc.Write(ctx, d, offboard.Writer{Member: &colleague}, "遅れてすみません", ""); !errors.Is(err, offboard.ErrClosed) {
		t.Errorf("after the deadline: %v", err)
	}
	// The leaver, now alumni, sees the messages but never the hidden one.
	advanceTo(e, offboard.ConvertAt(lastDay))
	e.RunJobs(t)
	d, _ = svc.Get(ctx, e.Org.ID, d.ID)
	converted, _ := e.App.Orgs.Member(ctx, e.Org.ID, leaver.UserID)
	a := svc.AccessOf(d, &converted)
	if !a.See || !a.SeeMessages || a.Manage || a.Write {
		t.Fatalf("leaver access after conversion: %+v", a)
	}
	msgs, err := svc.Messages(ctx, e.Org.ID, d.ID, a.Manage)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1+offboard.MaxAnonymousPerIP || msgs[0].ID != keep {
		t.Errorf("leaver sees %d messages", len(msgs))
	}
	for _, m := range msgs {
		if m.ID == rude || m.Hidden {
			t.Error("the leaver sees the hidden message")
		}
	}
	if cards, err := svc.CardsOf(ctx, e.Org.ID, leaver.UserID); err != nil || len(cards) != 1 {
		t.Errorf("cards of the leaver: %d %v", len(cards), err)
	}
	// Another organization cannot open the card by its id.
	kaede := e.AddOrg(t, "kaede")
	if _, err := svc.Card(ctx, kaede.ID, d.CardID); !errors.Is(err, offboard.ErrNotFound) {
		t.Errorf("foreign organization opened the card: %v", err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'offboard.message_hidden'`); n != 1 {
		t.Errorf("hide not audited")
	}
}

func TestCardManagerMayHideMessages(t *testing.T) {
	f := setup(t)
	e, ctx := f.e, t.Context()
	manager := e.AddMember(t, e.Org, org.Employee, "boss@sakura.example.jp")
	colleague := e.AddMember(t, e.Org, org.Employee, "colleague@sakura.example.jp")
	supporter := e.AddMember(t, e.Org, org.Supporter, "supporter@sakura.example.jp")
	d, err := e.App.Offboard.Record(ctx, e.Org, offboard.Input{Member: f.leaver.Email, LastDay: day(e, 3), CardManager: "Boss@sakura.example.jp"}, f.by)
	if err != nil {
		t.Fatal(err)
	}
	svc := e.App.Offboard
	for _, c := range []struct {
		m      org.Member
		manage bool
	}{{manager, true}, {f.admin, true}, {colleague, false}, {supporter, false}} {
		if a := svc.AccessOf(d, &c.m); a.Manage != c.manage || !a.Write {
			t.Errorf("%s: %+v", c.m.Email, a)
		}
	}
	if got, _ := svc.Get(ctx, e.Org.ID, d.ID); got.ManagerEmail != "boss@sakura.example.jp" {
		t.Errorf("manager %q", got.ManagerEmail)
	}
}
