package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/org"
)

func groupID(t *testing.T, e *apptest.Env, name string) string {
	t.Helper()
	var id string
	if err := e.App.DB.Read().QueryRowContext(t.Context(), `SELECT CAST(id AS TEXT) FROM groups WHERE name = $1`, name).Scan(&id); err != nil {
		t.Fatalf("group %q: %v", name, err)
	}
	return id
}

func TestGroupWebApprovalFlow(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Supporter, "sup@example.jp")
	alum := e.AddMember(t, e.Org, org.Alumni, "alum@example.jp")
	staff := e.Client(t)
	staff.SignIn(e.Org, "sup@example.jp", apptest.Password)

	// Bad input: the message is next to the field, and nothing is written.
	res := staff.Post(e.OrgPath("/groups"), url.Values{"name": {strings.Repeat("営", 51)}, "description": {strings.Repeat("x", 1001)}, "kind": {"approval"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "グループ名は50文字以内で入力してください（現在51文字）") ||
		!strings.Contains(res.Body, "説明は1000文字以内") {
		t.Fatalf("long name: %d %s", res.StatusCode, res.Body)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM groups`); n != 0 {
		t.Fatalf("%d groups written on error", n)
	}
	res = staff.Post(e.OrgPath("/groups"), url.Values{"name": {"広報OB会"}, "description": {"広報部の卒業生の会"}, "kind": {"approval"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	id := groupID(t, e, "広報OB会")
	res = staff.Post(e.OrgPath("/groups"), url.Values{"name": {"広報OB会"}, "kind": {"open"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "同じ名前のグループがすでにあります") {
		t.Fatalf("duplicate: %d", res.StatusCode)
	}

	me := e.Client(t)
	me.SignIn(e.Org, "alum@example.jp", apptest.Password)
	if res := me.Get(e.OrgPath("/groups")); !strings.Contains(res.Body, "広報OB会") {
		t.Fatal("the group is not offered on /groups")
	}
	// Members may not create groups by default.
	if res := me.Get(e.OrgPath("/groups")); strings.Contains(res.Body, `action="/o/sakura/groups"`) {
		t.Fatal("the create form is shown to a member")
	}
	res = me.Post(e.OrgPath("/groups/"+id+"/join"), nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("request: %d", res.StatusCode)
	}
	if res := me.Get(e.OrgPath("/groups/" + id)); !strings.Contains(res.Body, "参加を申請中です") || !strings.Contains(res.Body, "参加を申請しました") {
		t.Fatal("the requester does not see the pending state and flash")
	}
	if res := staff.Get(e.OrgPath("/groups/" + id)); !strings.Contains(res.Body, "参加申請") || !strings.Contains(res.Body, "/requests/") {
		t.Fatal("the manager does not see the request")
	}
	// The requester cannot approve themselves.
	res = me.Post(e.OrgPath("/groups/"+id+"/requests/"+strconv.FormatInt(alum.UserID, 10)+"/approve"), nil)
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("self-approval: %d", res.StatusCode)
	}
	res = staff.Post(e.OrgPath("/groups/"+id+"/requests/"+strconv.FormatInt(alum.UserID, 10)+"/approve"), nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = 'group_approved'`, alum.UserID); n != 1 {
		t.Fatalf("%d approval notifications", n)
	}
	if res := me.Get(e.OrgPath("/groups")); !strings.Contains(res.Body, "参加しているグループ") || strings.Contains(res.Body, "まだどのグループにも参加していません") {
		t.Fatal("the group is not among my groups")
	}
	if res := me.Get(e.OrgPath("/groups/" + id)); !strings.Contains(res.Body, "このグループのメンバーです") {
		t.Fatal("not shown as a member")
	}
	// Editing: a bad name is refused next to the field with what was
	// typed kept, and nothing changes; a member who does not manage the
	// group may not edit it; a good edit is saved.
	res = staff.Post(e.OrgPath("/groups/"+id+"/edit"), url.Values{"name": {strings.Repeat("広", 51)}, "description": {"新しい説明"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "グループ名は50文字以内で入力してください（現在51文字）") ||
		!strings.Contains(res.Body, "新しい説明") {
		t.Fatalf("bad edit: %d %s", res.StatusCode, res.Body)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM groups WHERE name = '広報OB会' AND description = '広報部の卒業生の会'`); n != 1 {
		t.Fatal("a refused edit changed the group")
	}
	if res := me.Post(e.OrgPath("/groups/"+id+"/edit"), url.Values{"name": {"乗っ取り"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("edit by a plain member: %d", res.StatusCode)
	}
	if res := staff.Post(e.OrgPath("/groups/"+id+"/edit"), url.Values{"name": {"広報OB・OG会"}, "description": {"広報部の卒業生の会"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM groups WHERE name = '広報OB・OG会'`); n != 1 {
		t.Fatal("the edit was not saved")
	}
	// An archived group is read-only: joining says why, and writes nothing.
	if res := staff.Post(e.OrgPath("/groups/"+id+"/archive"), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("archive: %d", res.StatusCode)
	}
	e.AddMember(t, e.Org, org.Employee, "late@example.jp")
	late := e.Client(t)
	late.SignIn(e.Org, "late@example.jp", apptest.Password)
	before := e.Count(t, `SELECT COUNT(*) FROM group_members`)
	res = late.Post(e.OrgPath("/groups/"+id+"/join"), nil)
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "このグループはアーカイブされているため、変更できません。") {
		t.Fatalf("join archived: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM group_members`); n != before {
		t.Fatal("joining an archived group wrote a row")
	}
	if res := late.Get(e.OrgPath("/groups/" + id)); !strings.Contains(res.Body, "アーカイブされました") || strings.Contains(res.Body, "/join") {
		t.Fatal("the archived group page still offers to join")
	}
}

func TestGroupWebSettingsAndAutoForm(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Admin, "admin@example.jp")
	e.AddProfile(t, e.Org, org.Alumni, "osaka@example.jp", org.Name{Family: "大阪", Given: "花子"}, func(p *member.Profile) { p.Location = "大阪府" })
	e.AddProfile(t, e.Org, org.Alumni, "hidden@example.jp", org.Name{Family: "非公開", Given: "次郎"}, func(p *member.Profile) {
		p.Location = "京都府"
		p.Visibility = map[string]member.Visibility{member.FieldLocation: member.OnlyAdmins}
	})
	admin := e.Client(t)
	admin.SignIn(e.Org, "admin@example.jp", apptest.Password)
	if res := admin.Get(e.OrgPath("/admin")); !strings.Contains(res.Body, "/admin/groups") {
		t.Fatal("the administration page does not link to the group settings")
	}
	res := admin.Get(e.OrgPath("/admin/groups/preview?rule_field=region&value_region=kansai"))
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "1名") {
		t.Fatalf("preview: %d %q", res.StatusCode, res.Body)
	}
	res = admin.Post(e.OrgPath("/admin/groups/auto"), url.Values{"name": {"2019年退職"}, "rule_field": {"left_year"}, "value_left_year": {"去年"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `id="e-value_left_year"`) || !strings.Contains(res.Body, "西暦の4桁") {
		t.Fatalf("bad year: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM groups`); n != 0 {
		t.Fatal("a group was written on error")
	}
	res = admin.Post(e.OrgPath("/admin/groups/auto"), url.Values{"name": {"関西在住"}, "rule_field": {"region"}, "value_region": {"kansai"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create auto: %d %s", res.StatusCode, res.Body)
	}
	page := admin.Get(res.Header.Get("Location"))
	if !strings.Contains(page.Body, "大阪") || strings.Contains(page.Body, "非公開") || !strings.Contains(page.Body, "関西に住んでいる方") {
		t.Fatalf("auto group page: %s", page.Body)
	}

	e.AddMember(t, e.Org, org.Employee, "emp@example.jp")
	emp := e.Client(t)
	emp.SignIn(e.Org, "emp@example.jp", apptest.Password)
	if res := emp.Post(e.OrgPath("/groups"), url.Values{"name": {"写真部"}, "kind": {"open"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("member created without permission: %d", res.StatusCode)
	}
	if res := admin.Post(e.OrgPath("/admin/groups/settings"), url.Values{"members_may_create": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("settings: %d", res.StatusCode)
	}
	if res := emp.Post(e.OrgPath("/groups"), url.Values{"name": {"写真部"}, "kind": {"open"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("member create once allowed: %d %s", res.StatusCode, res.Body)
	}
	// The kind "auto" cannot be smuggled through the members' form.
	if res := emp.Post(e.OrgPath("/groups"), url.Values{"name": {"裏口"}, "kind": {"auto"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("auto through /groups: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM groups WHERE kind = 'auto'`); n != 1 {
		t.Fatalf("%d automatic groups", n)
	}
	// English pages.
	admin.Lang = "en"
	if res := admin.Get(e.OrgPath("/admin/groups")); res.StatusCode != http.StatusOK {
		t.Fatalf("admin groups: %d", res.StatusCode)
	}
}
