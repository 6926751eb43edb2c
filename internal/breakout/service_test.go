package breakout_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/breakout"
	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/org"
)

func TestJoinedBand(t *testing.T) {
	for year, want := range map[int]string{0: "", 2000: "2000-2004", 2004: "2000-2004", 2019: "2015-2019", 2020: "2020-2024"} {
		if got := breakout.JoinedBand(year); got != want {
			t.Errorf("JoinedBand(%d) = %q, want %q", year, got, want)
		}
	}
}

// people adds n alumni with profiles across three industries and registers them.
func people(t *testing.T, e *apptest.Env, o org.Organization, ev int64, n int) []int64 {
	industries := []string{"it", "finance", "retail"}
	var ids []int64
	for i := range n {
		id := e.AddProfile(t, o, org.Alumni, fmt.Sprintf("p%d@%s.example.jp", i, o.Slug), org.Name{Family: "参加", Given: fmt.Sprint(i)}, func(p *member.Profile) {
			p.Industry = industries[i%3]
			p.JoinedYear = 2000 + i%4*5
			p.LeftYear = 2015 + i%5
		})
		e.AddRegistration(t, o, ev, id, "registered")
		ids = append(ids, id)
	}
	return ids
}

func TestGenerateMovePublish(t *testing.T) {
	e := apptest.New(t)
	ctx := t.Context()
	o := e.Org
	staff := e.AddMember(t, o, org.Admin, "staff@sakura.example.jp")
	by := breakout.Actor{UserID: staff.UserID, Role: org.Admin, Email: staff.Email}
	ev := e.AddDoorEvent(t, o, "同窓会", 0)
	if err := e.App.Breakout.Generate(ctx, o.ID, ev, 3, breakout.ByIndustry, false, by); !errors.Is(err, breakout.ErrNoPeople) {
		t.Fatalf("no participants: %v", err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM event_breakouts`); n != 0 {
		t.Fatalf("refused generation wrote a plan")
	}
	ids := people(t, e, o, ev, 9)
	cancelled := e.AddProfile(t, o, org.Alumni, "cancel@sakura.example.jp", org.Name{Family: "取消"}, nil)
	e.AddRegistration(t, o, ev, cancelled, "cancelled")
	if err := e.App.Breakout.Generate(ctx, o.ID, ev, 1, breakout.ByIndustry, false, by); !errors.Is(err, breakout.ErrSize) {
		t.Fatalf("size 1: %v", err)
	}
	if err := e.App.Breakout.Generate(ctx, o.ID, ev, 3, breakout.ByIndustry, false, by); err != nil {
		t.Fatal(err)
	}
	plan, err := e.App.Breakout.Plan(ctx, o.ID, ev, by)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Groups) != 3 || len(plan.Unassigned) != 0 {
		t.Fatalf("plan: %+v", plan)
	}
	for _, g := range plan.Groups {
		if len(g.Members) != 3 {
			t.Fatalf("group %d has %d members", g.Number, len(g.Members))
		}
		for _, m := range g.Members {
			if m.UserID == cancelled {
				t.Fatalf("a cancelled registration was grouped")
			}
			if m.Industry != g.Members[0].Industry {
				t.Errorf("group %d mixes industries: %+v", g.Number, g.Members)
			}
		}
	}
	// Nobody sees anything before publishing.
	if _, err := e.App.Breakout.MyGroup(ctx, o.ID, ev, ids[0]); !errors.Is(err, breakout.ErrNotPublished) {
		t.Fatalf("before publishing: %v", err)
	}
	n, err := e.App.Breakout.Publish(ctx, o.ID, ev, "同窓会", by)
	if err != nil || n != 9 {
		t.Fatalf("publish: notified %d, %v", n, err)
	}
	if got := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'breakout_published' AND category = 'events'`); got != 9 {
		t.Errorf("%d notifications, want 9", got)
	}
	g, err := e.App.Breakout.MyGroup(ctx, o.ID, ev, ids[0])
	if err != nil || len(g.Members) != 3 {
		t.Fatalf("my group: %+v %v", g, err)
	}
	if _, err := e.App.Breakout.MyGroup(ctx, o.ID, ev, cancelled); !errors.Is(err, breakout.ErrNotPublished) {
		t.Errorf("a non-participant sees a group: %v", err)
	}
	if _, err := e.App.Breakout.MyGroup(ctx, o.ID, ev, staff.UserID); !errors.Is(err, breakout.ErrNotPublished) {
		t.Errorf("staff (not participating) has a group: %v", err)
	}

	// Move one person from group 1 to group 2: groups 1 and 2 change, group 3 does not.
	mover := plan.Groups[0].Members[0].UserID
	if err := e.App.Breakout.Move(ctx, o.ID, ev, mover, 2, by); err != nil {
		t.Fatal(err)
	}
	if err := e.App.Breakout.Move(ctx, o.ID, ev, mover, 9, by); !errors.Is(err, breakout.ErrNotFound) {
		t.Errorf("move to a missing group: %v", err)
	}
	if err := e.App.Breakout.Move(ctx, o.ID, ev, cancelled, 1, by); !errors.Is(err, breakout.ErrNotFound) {
		t.Errorf("move a cancelled registration: %v", err)
	}
	// The move is not visible until republished.
	if g, _ := e.App.Breakout.MyGroup(ctx, o.ID, ev, mover); g.Number != 1 {
		t.Errorf("unpublished move already visible: group %d", g.Number)
	}
	if err := e.App.Breakout.Rename(ctx, o.ID, ev, map[int]string{3: string(make([]rune, 51))}, by); !errors.Is(err, breakout.ErrNameTooLong) {
		t.Errorf("long name: %v", err)
	}
	before := e.Count(t, `SELECT COUNT(*) FROM notifications`)
	n, err = e.App.Breakout.Publish(ctx, o.ID, ev, "同窓会", by)
	if err != nil {
		t.Fatal(err)
	}
	// Group 1 lost one (2 left), group 2 gained one (4 now): 6 people see a change.
	if n != 6 || e.Count(t, `SELECT COUNT(*) FROM notifications`)-before != 6 {
		t.Errorf("republish notified %d, want 6", n)
	}
	if g, _ := e.App.Breakout.MyGroup(ctx, o.ID, ev, mover); g.Number != 2 || len(g.Members) != 4 {
		t.Errorf("after republish: %+v", g)
	}
	// Renaming group 3 is news to its three members only.
	if err := e.App.Breakout.Rename(ctx, o.ID, ev, map[int]string{3: "金融チーム"}, by); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.App.Breakout.Publish(ctx, o.ID, ev, "同窓会", by); n != 3 {
		t.Errorf("rename republish notified %d, want 3", n)
	}
	if n, _ := e.App.Breakout.Publish(ctx, o.ID, ev, "同窓会", by); n != 0 {
		t.Errorf("unchanged republish notified %d, want 0", n)
	}
	// Another organization's plan is out of reach.
	if _, err := e.App.Breakout.Plan(ctx, e.AddOrg(t, "ume").ID, ev, by); !errors.Is(err, breakout.ErrNoPlan) {
		t.Errorf("other organization: %v", err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'breakout.%'`); n != 7 {
		t.Errorf("%d audit entries, want 7 (generate, move, rename, 4 publishes)", n)
	}
}

// An organizer who is not an admin neither sees nor groups by what a
// participant showed to admins only.
func TestOrganizerSeesOnlyVisibleAttributes(t *testing.T) {
	e := apptest.New(t)
	ctx := t.Context()
	o := e.Org
	host := e.AddMember(t, o, org.Alumni, "host@sakura.example.jp")
	ev := e.AddDoorEvent(t, o, "OB会", host.UserID)
	private := e.AddProfile(t, o, org.Alumni, "private@sakura.example.jp", org.Name{Family: "非公開"}, func(p *member.Profile) {
		p.Industry, p.LeftYear, p.JoinedYear = "finance", 2019, 2010
		p.Visibility[member.FieldWork] = member.OnlyAdmins
		p.Visibility[member.FieldYears] = member.OnlyAdmins
	})
	open := e.AddProfile(t, o, org.Alumni, "open@sakura.example.jp", org.Name{Family: "公開"}, func(p *member.Profile) {
		p.Industry, p.LeftYear = "finance", 2019
	})
	e.AddRegistration(t, o, ev, private, "registered")
	e.AddRegistration(t, o, ev, open, "registered")
	organizer := breakout.Actor{UserID: host.UserID, Role: org.Alumni}
	if err := e.App.Breakout.Generate(ctx, o.ID, ev, 2, breakout.ByIndustry, false, organizer); err != nil {
		t.Fatal(err)
	}
	attrs := func(by breakout.Actor) map[int64]breakout.Member {
		plan, err := e.App.Breakout.Plan(ctx, o.ID, ev, by)
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]breakout.Member{}
		for _, g := range plan.Groups {
			for _, m := range g.Members {
				out[m.UserID] = m
			}
		}
		return out
	}
	seen := attrs(organizer)
	if m := seen[private]; m.Industry != "" || m.LeftYear != 0 || m.JoinedYear != 0 {
		t.Errorf("organizer sees admins-only attributes: %+v", m)
	}
	if m := seen[open]; m.Industry != "finance" || m.LeftYear != 2019 {
		t.Errorf("organizer misses visible attributes: %+v", m)
	}
	admin := e.AddMember(t, o, org.Admin, "admin@sakura.example.jp")
	if m := attrs(breakout.Actor{UserID: admin.UserID, Role: org.Admin})[private]; m.Industry != "finance" {
		t.Errorf("admin does not see the industry: %+v", m)
	}
}
