package group_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/group"
	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/offboard"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

func actor(m org.Member) group.Actor {
	return group.Actor{UserID: m.UserID, Role: m.Role, Label: m.Email}
}

func TestOpenGroupJoinAndLeave(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	gs := e.App.Groups
	admin := e.AddMember(t, e.Org, org.Admin, "admin@example.com")
	alum := e.AddMember(t, e.Org, org.Alumni, "alum@example.com")
	g, err := gs.Create(ctx, e.Org.ID, actor(admin), group.Draft{Name: "ランニング部", Description: "週末に走ります", Kind: group.Open})
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := gs.IsMember(ctx, e.App.DB.Read(), e.Org.ID, g.ID, admin.UserID); !ok {
		t.Fatal("the creator is not a member")
	}
	if m, _ := gs.MembershipOf(ctx, e.Org.ID, g.ID, admin.UserID); !m.Manager {
		t.Fatal("the creator does not manage the group")
	}
	state, err := gs.Join(ctx, e.Org.ID, g.ID, actor(alum))
	if err != nil || state != "member" {
		t.Fatalf("join open group: %q %v", state, err)
	}
	if state, _ := gs.Join(ctx, e.Org.ID, g.ID, actor(alum)); state != "member" {
		t.Fatalf("joining twice gave %q", state)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM group_members WHERE group_id = $1`, g.ID); n != 2 {
		t.Fatalf("%d rows after joining twice", n)
	}
	pg, err := gs.PostableGroups(ctx, e.Org.ID, alum.UserID)
	if err != nil || len(pg) != 1 || pg[0].ID != g.ID {
		t.Fatalf("postable groups = %+v %v", pg, err)
	}
	if d, _ := gs.Discover(ctx, e.Org.ID, alum.UserID); len(d) != 0 {
		t.Fatalf("a joined group is still offered: %+v", d)
	}
	if err := gs.Leave(ctx, e.Org.ID, g.ID, actor(alum)); err != nil {
		t.Fatal(err)
	}
	if ok, _ := gs.IsMember(ctx, e.App.DB.Read(), e.Org.ID, g.ID, alum.UserID); ok {
		t.Fatal("still a member after leaving")
	}
	if pg, _ := gs.PostableGroups(ctx, e.Org.ID, alum.UserID); len(pg) != 0 {
		t.Fatalf("may still post to %+v", pg)
	}
	// Staff may address every active group.
	sup := e.AddMember(t, e.Org, org.Supporter, "sup@example.com")
	if pg, _ := gs.PostableGroups(ctx, e.Org.ID, sup.UserID); len(pg) != 1 {
		t.Fatalf("staff postable groups = %+v", pg)
	}
	// The only manager cannot leave while others remain.
	if _, err := gs.Join(ctx, e.Org.ID, g.ID, actor(alum)); err != nil {
		t.Fatal(err)
	}
	if err := gs.Leave(ctx, e.Org.ID, g.ID, actor(admin)); !errors.Is(err, group.ErrLastManager) {
		t.Fatalf("last manager left: %v", err)
	}
}

func TestApprovalFlowNotifies(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	gs := e.App.Groups
	sup := e.AddMember(t, e.Org, org.Supporter, "sup@example.com")
	alum := e.AddMember(t, e.Org, org.Alumni, "alum@example.com")
	other := e.AddMember(t, e.Org, org.Alumni, "other@example.com")
	g, err := gs.Create(ctx, e.Org.ID, actor(sup), group.Draft{Name: "経営企画OB会", Kind: group.Approval})
	if err != nil {
		t.Fatal(err)
	}
	state, err := gs.Join(ctx, e.Org.ID, g.ID, actor(alum))
	if err != nil || state != "pending" {
		t.Fatalf("request: %q %v", state, err)
	}
	if ok, _ := gs.IsMember(ctx, e.App.DB.Read(), e.Org.ID, g.ID, alum.UserID); ok {
		t.Fatal("a pending requester counts as a member")
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = 'group_request' AND category = 'groups' AND link = $2`,
		sup.UserID, group.Link(g.ID)); n != 1 {
		t.Fatalf("%d request notifications to the manager", n)
	}
	// The requester is named as each reader writes names.
	items, _, err := e.App.Notify.List(ctx, e.Org.ID, sup.UserID, 1)
	if err != nil || len(items) != 1 {
		t.Fatalf("manager's notifications %+v %v", items, err)
	}
	if ja, en := items[0].Text("ja"), items[0].Text("en"); !strings.Contains(ja, "田中 太郎さん") || !strings.Contains(en, "Taro Tanaka asked") {
		t.Errorf("request named as %q / %q", ja, en)
	}
	// A member who does not manage the group cannot decide.
	if err := gs.Decide(ctx, e.Org.ID, g.ID, alum.UserID, true, actor(other)); !errors.Is(err, group.ErrForbidden) {
		t.Fatalf("non-manager approved: %v", err)
	}
	if err := gs.Decide(ctx, e.Org.ID, g.ID, alum.UserID, true, actor(sup)); err != nil {
		t.Fatal(err)
	}
	if ok, _ := gs.IsMember(ctx, e.App.DB.Read(), e.Org.ID, g.ID, alum.UserID); !ok {
		t.Fatal("approved requester is not a member")
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = 'group_approved'`, alum.UserID); n != 1 {
		t.Fatalf("%d approval notifications", n)
	}
	// Declining removes the request and tells the requester.
	if _, err := gs.Join(ctx, e.Org.ID, g.ID, actor(other)); err != nil {
		t.Fatal(err)
	}
	if err := gs.Decide(ctx, e.Org.ID, g.ID, other.UserID, false, actor(sup)); err != nil {
		t.Fatal(err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM group_members WHERE group_id = $1 AND user_id = $2`, g.ID, other.UserID); n != 0 {
		t.Fatal("declined request left a row")
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = 'group_declined'`, other.UserID); n != 1 {
		t.Fatalf("%d decline notifications", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action IN ('group.request_approved', 'group.request_declined')`); n != 2 {
		t.Fatalf("%d decision audit entries", n)
	}
	// Deciding on nothing is not found, and changes nothing.
	if err := gs.Decide(ctx, e.Org.ID, g.ID, other.UserID, true, actor(sup)); !errors.Is(err, group.ErrNotFound) {
		t.Fatalf("decided a missing request: %v", err)
	}
}

func TestMembersCreateOnlyWhenAllowed(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	gs := e.App.Groups
	admin := e.AddMember(t, e.Org, org.Admin, "admin@example.com")
	alum := e.AddMember(t, e.Org, org.Alumni, "alum@example.com")
	if _, err := gs.Create(ctx, e.Org.ID, actor(alum), group.Draft{Name: "読書会", Kind: group.Open}); !errors.Is(err, group.ErrForbidden) {
		t.Fatalf("member created a group without permission: %v", err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM groups`); n != 0 {
		t.Fatalf("%d groups written", n)
	}
	if err := gs.SaveSettings(ctx, e.Org.ID, actor(alum), group.Settings{MembersMayCreate: true}); !errors.Is(err, group.ErrForbidden) {
		t.Fatalf("member changed the settings: %v", err)
	}
	if err := gs.SaveSettings(ctx, e.Org.ID, actor(admin), group.Settings{MembersMayCreate: true}); err != nil {
		t.Fatal(err)
	}
	g, err := gs.Create(ctx, e.Org.ID, actor(alum), group.Draft{Name: "読書会", Kind: group.Open})
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := gs.MembershipOf(ctx, e.Org.ID, g.ID, alum.UserID); !m.Manager {
		t.Fatal("member creator does not manage")
	}
	// Automatic groups stay with staff whatever the setting.
	_, err = gs.Create(ctx, e.Org.ID, actor(alum), group.Draft{Name: "関西在住", Kind: group.Auto, Rule: group.Rule{Field: group.RuleRegion, Value: "kansai"}})
	if !errors.Is(err, group.ErrForbidden) {
		t.Fatalf("member created an automatic group: %v", err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'group.settings_changed'`); n != 1 {
		t.Fatalf("%d settings audit entries", n)
	}
}

func TestNameAndLimitsWriteNothing(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	gs := e.App.Groups
	admin := e.AddMember(t, e.Org, org.Admin, "admin@example.com")
	cases := []struct {
		d     group.Draft
		field string
		key   string
	}{
		{group.Draft{Name: "  ", Kind: group.Open}, "name", "group.error.name_required"},
		{group.Draft{Name: strings.Repeat("あ", 51), Kind: group.Open}, "name", "group.error.name_too_long"},
		{group.Draft{Name: "ok", Description: strings.Repeat("x", 1001), Kind: group.Open}, "description", "group.error.description_too_long"},
		{group.Draft{Name: "ok", Kind: "secret"}, "kind", "form.choose"},
		{group.Draft{Name: "ok", Kind: group.Auto, Rule: group.Rule{Field: group.RuleLeftYear, Value: "去年"}}, "rule_value", "group.error.rule_year"},
		{group.Draft{Name: "ok", Kind: group.Auto, Rule: group.Rule{Field: group.RuleRegion, Value: "atlantis"}}, "rule_value", "group.error.rule_region"},
		{group.Draft{Name: "ok", Kind: group.Auto, Rule: group.Rule{Field: group.RulePrefecture, Value: "大阪"}}, "rule_value", "group.error.rule_prefecture"},
		{group.Draft{Name: "ok", Kind: group.Auto, Rule: group.Rule{Field: group.RuleIndustry, Value: "piracy"}}, "rule_value", "group.error.rule_industry"},
		{group.Draft{Name: "ok", Kind: group.Auto, Rule: group.Rule{Field: "salary", Value: "1"}}, "rule_field", "form.choose"},
	}
	for _, c := range cases {
		_, err := gs.Create(ctx, e.Org.ID, actor(admin), c.d)
		var errs group.Errors
		if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Field != c.field || errs[0].Key != c.key {
			t.Errorf("%+v: got %v, want %s %s", c.d, err, c.field, c.key)
		}
	}
	// Exactly 50 characters is fine.
	if _, err := gs.Create(ctx, e.Org.ID, actor(admin), group.Draft{Name: strings.Repeat("あ", 50), Kind: group.Open}); err != nil {
		t.Fatal(err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM groups`); n != 1 {
		t.Fatalf("%d groups after bad drafts", n)
	}
	first, err := gs.Create(ctx, e.Org.ID, actor(admin), group.Draft{Name: "営業部OB会", Kind: group.Open})
	if err != nil {
		t.Fatal(err)
	}
	before := e.Count(t, `SELECT COUNT(*) FROM group_members`)
	_, err = gs.Create(ctx, e.Org.ID, actor(admin), group.Draft{Name: " 営業部OB会 ", Kind: group.Approval})
	var errs group.Errors
	if !errors.As(err, &errs) || errs[0].Key != "group.error.name_taken" {
		t.Fatalf("duplicate name: %v", err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM groups`); n != 2 {
		t.Fatalf("%d groups after a duplicate", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM group_members`); n != before {
		t.Fatal("a duplicate wrote members")
	}
	// Another organization may use the name; an archived group frees it.
	o2 := e.AddOrg(t, "kaede")
	admin2 := e.AddMember(t, o2, org.Admin, "admin@kaede.example.com")
	if _, err := gs.Create(ctx, o2.ID, actor(admin2), group.Draft{Name: "営業部OB会", Kind: group.Open}); err != nil {
		t.Fatalf("same name in another organization: %v", err)
	}
	if err := gs.Archive(ctx, e.Org.ID, first.ID, actor(admin)); err != nil {
		t.Fatal(err)
	}
	if _, err := gs.Create(ctx, e.Org.ID, actor(admin), group.Draft{Name: "営業部OB会", Kind: group.Open}); err != nil {
		t.Fatalf("name of an archived group: %v", err)
	}
	// Renaming onto a taken name is refused and writes nothing.
	other, _ := gs.Create(ctx, e.Org.ID, actor(admin), group.Draft{Name: "写真部", Kind: group.Open})
	if _, err := gs.Update(ctx, e.Org.ID, other.ID, actor(admin), "営業部OB会", ""); !errors.As(err, &errs) || errs[0].Key != "group.error.name_taken" {
		t.Fatalf("rename onto a taken name: %v", err)
	}
	if g, _ := gs.Get(ctx, e.Org.ID, other.ID); g.Name != "写真部" {
		t.Fatalf("name changed to %q", g.Name)
	}
}

func TestArchivedAndForeignGroups(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	gs := e.App.Groups
	admin := e.AddMember(t, e.Org, org.Admin, "admin@example.com")
	alum := e.AddMember(t, e.Org, org.Alumni, "alum@example.com")
	req := e.AddMember(t, e.Org, org.Alumni, "req@example.com")
	g, _ := gs.Create(ctx, e.Org.ID, actor(admin), group.Draft{Name: "ゴルフ部", Kind: group.Approval})
	if _, err := gs.Join(ctx, e.Org.ID, g.ID, actor(req)); err != nil {
		t.Fatal(err)
	}
	if err := gs.Archive(ctx, e.Org.ID, g.ID, actor(alum)); !errors.Is(err, group.ErrForbidden) {
		t.Fatalf("a member archived: %v", err)
	}
	if err := gs.Archive(ctx, e.Org.ID, g.ID, actor(admin)); err != nil {
		t.Fatal(err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM group_members WHERE group_id = $1 AND state = 'pending'`, g.ID); n != 0 {
		t.Fatal("pending requests survive archiving")
	}
	if _, err := gs.Join(ctx, e.Org.ID, g.ID, actor(alum)); !errors.Is(err, group.ErrArchived) {
		t.Fatalf("joined an archived group: %v", err)
	}
	if ok, _ := gs.IsMember(ctx, e.App.DB.Read(), e.Org.ID, g.ID, admin.UserID); ok {
		t.Fatal("IsMember is true for an archived group")
	}
	if pg, _ := gs.PostableGroups(ctx, e.Org.ID, admin.UserID); len(pg) != 0 {
		t.Fatalf("archived group is postable: %+v", pg)
	}
	o2 := e.AddOrg(t, "kaede")
	if _, err := gs.Get(ctx, o2.ID, g.ID); !errors.Is(err, group.ErrNotFound) {
		t.Fatalf("foreign get: %v", err)
	}
	if ok, _ := gs.IsMember(ctx, e.App.DB.Read(), o2.ID, g.ID, admin.UserID); ok {
		t.Fatal("member through another organization")
	}
}

func profileName(family string) org.Name {
	return org.Name{Family: family, Given: "一郎", FamilyKana: "てすと", GivenKana: "いちろう"}
}

func TestAutoGroupsFollowProfiles(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	gs := e.App.Groups
	admin := e.AddMember(t, e.Org, org.Admin, "admin@example.com")
	osaka := e.AddProfile(t, e.Org, org.Alumni, "osaka@example.com", profileName("大阪"), func(p *member.Profile) { p.Location = "大阪府"; p.LeftYear = 2019 })
	kyoto := e.AddProfile(t, e.Org, org.Alumni, "kyoto@example.com", profileName("京都"), func(p *member.Profile) { p.Location = "京都" })
	tokyo := e.AddProfile(t, e.Org, org.Employee, "tokyo@example.com", profileName("東京"), func(p *member.Profile) { p.Location = "東京都" })
	hidden := e.AddProfile(t, e.Org, org.Alumni, "hidden@example.com", profileName("秘密"), func(p *member.Profile) {
		p.Location = "兵庫県"
		p.Visibility = map[string]member.Visibility{member.FieldLocation: member.OnlyAdmins}
	})
	sales := e.AddLeaver(t, e.Org, "sales@example.com", 2019, "営業部")
	_ = hidden

	rule := group.Rule{Field: group.RuleRegion, Value: "kansai"}
	if n, err := gs.Preview(ctx, e.Org.ID, rule); err != nil || n != 2 {
		t.Fatalf("preview = %d %v, want 2 (the admins-only location does not count)", n, err)
	}
	kansai, err := gs.Create(ctx, e.Org.ID, actor(admin), group.Draft{Name: "関西在住", Kind: group.Auto, Rule: rule})
	if err != nil {
		t.Fatal(err)
	}
	kanto, err := gs.Create(ctx, e.Org.ID, actor(admin), group.Draft{Name: "関東在住", Kind: group.Auto, Rule: group.Rule{Field: group.RuleRegion, Value: "kanto"}})
	if err != nil {
		t.Fatal(err)
	}
	left2019, err := gs.Create(ctx, e.Org.ID, actor(admin), group.Draft{Name: "2019年退職", Kind: group.Auto, Rule: group.Rule{Field: group.RuleLeftYear, Value: "2019"}})
	if err != nil {
		t.Fatal(err)
	}
	salesOB, err := gs.Create(ctx, e.Org.ID, actor(admin), group.Draft{Name: "営業部 OB/OG", Kind: group.Auto, Rule: group.Rule{Field: group.RuleDepartment, Value: "営業部"}})
	if err != nil {
		t.Fatal(err)
	}
	members := func(g group.Group) map[int64]bool {
		t.Helper()
		ps, err := gs.People(ctx, e.Org.ID, g.ID, "member")
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]bool{}
		for _, p := range ps {
			out[p.UserID] = true
		}
		return out
	}
	if m := members(kansai); len(m) != 2 || !m[osaka] || !m[kyoto] {
		t.Fatalf("関西在住 = %v", m)
	}
	if m := members(kanto); len(m) != 1 || !m[tokyo] {
		t.Fatalf("関東在住 = %v", m)
	}
	if m := members(left2019); len(m) != 2 || !m[osaka] || !m[sales.UserID] {
		t.Fatalf("2019年退職 = %v", m)
	}
	if m := members(salesOB); len(m) != 1 || !m[sales.UserID] {
		t.Fatalf("営業部 OB/OG (HR department) = %v", m)
	}
	// Moving from 東京都 to 大阪府 moves the member between the groups.
	p, _ := e.App.Members.Get(ctx, e.Org.ID, tokyo)
	p.Location = "大阪府"
	if err := e.App.Members.Update(ctx, p); err != nil {
		t.Fatal(err)
	}
	if m := members(kansai); !m[tokyo] {
		t.Fatal("moved to 大阪府 but not in 関西在住")
	}
	if m := members(kanto); m[tokyo] {
		t.Fatal("moved away but still in 関東在住")
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action IN ('group.auto_joined', 'group.auto_left') AND target = $1`, "user:"+itoa(tokyo)); n != 2 {
		t.Fatalf("%d audit entries for the move", n)
	}
	// Hiding the location takes the member out again.
	p, _ = e.App.Members.Get(ctx, e.Org.ID, tokyo)
	p.Visibility = map[string]member.Visibility{member.FieldLocation: member.OnlyAdmins}
	if err := e.App.Members.Update(ctx, p); err != nil {
		t.Fatal(err)
	}
	if m := members(kansai); m[tokyo] {
		t.Fatal("an admins-only location still places the member in 関西在住")
	}
	// Nobody joins or leaves an automatic group by hand.
	if _, err := gs.Join(ctx, e.Org.ID, kanto.ID, group.Actor{UserID: osaka, Role: org.Alumni}); !errors.Is(err, group.ErrAutomatic) {
		t.Fatalf("joined an automatic group: %v", err)
	}
	if err := gs.Leave(ctx, e.Org.ID, kansai.ID, group.Actor{UserID: osaka, Role: org.Alumni}); !errors.Is(err, group.ErrAutomatic) {
		t.Fatalf("left an automatic group: %v", err)
	}
	// Conversion to alumni (as offboarding does: the left year is written,
	// then the member is re-indexed) places an employee in the year's group.
	conv := e.AddProfile(t, e.Org, org.Employee, "conv@example.com", profileName("転出"), nil)
	err = e.App.DB.Tx(ctx, func(tx db.Tx) error {
		if err := e.App.Orgs.SetRole(ctx, tx, e.Org.ID, conv, org.Alumni); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE profiles SET left_year = 2019 WHERE org_id = $1 AND user_id = $2`, e.Org.ID, conv); err != nil {
			return err
		}
		return e.App.Members.Reindex(ctx, tx, e.Org.ID, conv)
	})
	if err != nil {
		t.Fatal(err)
	}
	if m := members(left2019); !m[conv] {
		t.Fatal("converted member not in 2019年退職")
	}
	// A member who leaves the network leaves every automatic group.
	err = e.App.DB.Tx(ctx, func(tx db.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE memberships SET ended_at = $3 WHERE org_id = $1 AND user_id = $2 AND ended_at IS NULL`, e.Org.ID, osaka, e.Clock.Now()); err != nil {
			return err
		}
		return e.App.Members.Reindex(ctx, tx, e.Org.ID, osaka)
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM group_members WHERE user_id = $1`, osaka); n != 0 {
		t.Fatalf("removed member still in %d groups", n)
	}
	// New members are placed at creation.
	late := e.AddProfile(t, e.Org, org.Alumni, "late@example.com", profileName("遅参"), func(p *member.Profile) { p.Location = "和歌山県" })
	if m := members(kansai); !m[late] {
		t.Fatal("new member not placed in 関西在住")
	}
	// Data written behind the member store's back is repaired by ResyncAll.
	if _, err := e.App.DB.Write().ExecContext(ctx, `UPDATE profiles SET prefecture = '千葉県' WHERE org_id = $1 AND user_id = $2`, e.Org.ID, kyoto); err != nil {
		t.Fatal(err)
	}
	if n, err := gs.ResyncAll(ctx, e.Org.ID); err != nil || n != 2 {
		t.Fatalf("resync changed %d (%v), want 2 (out of 関西, into 関東)", n, err)
	}
	if m := members(kansai); m[kyoto] {
		t.Fatal("resync left a member who moved away")
	}
	if m := members(kanto); !m[kyoto] {
		t.Fatal("resync did not place the member in 関東在住")
	}
	// Archived automatic groups no longer change.
	if err := gs.Archive(ctx, e.Org.ID, kansai.ID, actor(admin)); err != nil {
		t.Fatal(err)
	}
	e.AddProfile(t, e.Org, org.Alumni, "later@example.com", profileName("後発"), func(p *member.Profile) { p.Location = "奈良県" })
	if n := e.Count(t, `SELECT COUNT(*) FROM group_members WHERE group_id = $1`, kansai.ID); n != 1 {
		t.Fatalf("archived group has %d members", n)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestAutoGroupsFollowOffboarding runs the real conversion to alumni: on the
// last day the member gains the left year and HR's department, and the
// automatic groups take them in the same transaction.
func TestAutoGroupsFollowOffboarding(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	admin := e.AddMember(t, e.Org, org.Admin, "hr@example.com")
	leaver := e.AddMember(t, e.Org, org.Employee, "leaver@example.com")
	today, _ := time.Parse(time.DateOnly, e.App.Offboard.Today())
	lastDay := today.AddDate(0, 0, 1).Format(time.DateOnly)
	year := lastDay[:4]
	byYear, err := e.App.Groups.Create(ctx, e.Org.ID, actor(admin), group.Draft{Name: year + "年退職", Kind: group.Auto, Rule: group.Rule{Field: group.RuleLeftYear, Value: year}})
	if err != nil {
		t.Fatal(err)
	}
	sales, err := e.App.Groups.Create(ctx, e.Org.ID, actor(admin), group.Draft{Name: "営業部 OB/OG", Kind: group.Auto, Rule: group.Rule{Field: group.RuleDepartment, Value: "営業部"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Offboard.Record(ctx, e.Org, offboard.Input{Member: "leaver@example.com", LastDay: lastDay, Department: "営業部", Lang: "ja"},
		offboard.Actor{UserID: admin.UserID, Email: admin.Email}); err != nil {
		t.Fatal(err)
	}
	in := func(g group.Group) bool {
		ok, err := e.App.Groups.IsMember(ctx, e.App.DB.Read(), e.Org.ID, g.ID, leaver.UserID)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if in(byYear) {
		t.Fatal("in the year's group before leaving")
	}
	if d := offboard.ConvertAt(lastDay).Sub(e.Clock.Now()); d > 0 {
		e.Clock.Advance(d + time.Minute)
	}
	e.RunJobs(t)
	if m, _ := e.App.Orgs.Member(ctx, e.Org.ID, leaver.UserID); m.Role != org.Alumni {
		t.Fatalf("not converted: %s", m.Role)
	}
	if !in(byYear) || !in(sales) {
		t.Fatalf("after conversion: in %s年退職 %v, in 営業部 OB/OG %v", year, in(byYear), in(sales))
	}
}

func TestRegionsCoverEveryPrefectureOnce(t *testing.T) {
	seen := map[string]string{}
	for _, region := range group.RegionKeys {
		for _, p := range group.Regions[region] {
			if other, ok := seen[p]; ok {
				t.Errorf("%s is in %s and %s", p, other, region)
			}
			seen[p] = region
		}
	}
	if len(seen) != 47 || len(group.Regions) != len(group.RegionKeys) {
		t.Fatalf("%d prefectures in %d regions", len(seen), len(group.Regions))
	}
	for _, want := range []string{"大阪府", "京都府", "兵庫県", "奈良県", "滋賀県", "和歌山県"} {
		if seen[want] != "kansai" {
			t.Errorf("%s is in %q, want kansai", want, seen[want])
		}
	}
}
