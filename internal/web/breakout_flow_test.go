package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/org"
)

func TestBreakoutPages(t *testing.T) {
	e := apptest.New(t)
	o := e.Org
	e.AddMember(t, o, org.Admin, "staff@sakura.example.jp")
	ev := e.AddDoorEvent(t, o, "同窓会", 0)
	industries := []string{"it", "finance"}
	var ids []int64
	for i := range 4 {
		id := e.AddProfile(t, o, org.Alumni, fmt.Sprintf("p%d@sakura.example.jp", i), org.Name{Family: "参加者", Given: fmt.Sprint(i)},
			func(p *member.Profile) { p.Industry = industries[i%2] })
		e.AddRegistration(t, o, ev, id, "registered")
		ids = append(ids, id)
	}
	e.AddMember(t, o, org.Alumni, "outsider@sakura.example.jp")
	base := e.OrgPath(fmt.Sprintf("/events/%d/breakouts", ev))
	c := e.Client(t)
	c.SignIn(o, "staff@sakura.example.jp", apptest.Password)
	page := c.Get(base)
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "入社年（5年刻み）で代用") {
		t.Fatalf("breakouts page: %d\n%s", page.StatusCode, page.Body)
	}
	for _, bad := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"size": {"1"}, "mode": {"industry"}}, "人数は2〜20の数字で入力してください。"},
		{url.Values{"size": {"x"}, "mode": {"industry"}}, "人数は2〜20の数字で入力してください。"},
		{url.Values{"size": {"2"}, "mode": {"age"}}, "分け方を選んでください。"},
		{url.Values{"size": {"2"}, "mode": {"industry"}, "only_checked_in": {"1"}}, "対象となる参加者がいません。"},
	} {
		res := c.Post(base, bad.form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, bad.want) {
			t.Errorf("%v: %d, want 422 with %q", bad.form, res.StatusCode, bad.want)
		}
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM event_breakouts`); n != 0 {
		t.Fatalf("refused forms wrote a plan")
	}
	if res := c.Post(base+"/publish", nil); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "先にグループ分けを作成してください。") {
		t.Errorf("publish without groups: %d", res.StatusCode)
	}
	if res := c.Post(base, url.Values{"size": {"2"}, "mode": {"industry"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("generate: %d\n%s", res.StatusCode, res.Body)
	}
	page = c.Get(base)
	if !strings.Contains(page.Body, "グループ1") || !strings.Contains(page.Body, "グループ2") || !strings.Contains(page.Body, "まだ公開していません") {
		t.Fatalf("plan not shown:\n%s", page.Body)
	}
	if res := c.Post(base+"/names", url.Values{"name_1": {strings.Repeat("長", 51)}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "グループ名は50文字以内") {
		t.Errorf("long name: %d", res.StatusCode)
	}
	if res := c.Post(base+"/names", url.Values{"name_1": {"ITの会"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("names: %d", res.StatusCode)
	}
	if res := c.Post(base+"/move", url.Values{"user": {fmt.Sprint(ids[0])}, "group": {"7"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("move to a missing group: %d", res.StatusCode)
	}

	ticket := func(email string) *apptest.Response {
		p := e.Client(t)
		p.SignIn(o, email, apptest.Password)
		return p.Get(e.OrgPath(fmt.Sprintf("/events/%d/ticket", ev)))
	}
	if res := ticket("p0@sakura.example.jp"); strings.Contains(res.Body, "あなたのグループ") {
		t.Fatalf("groups visible before publishing")
	}
	if res := c.Post(base+"/publish", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d", res.StatusCode)
	}
	res := ticket("p0@sakura.example.jp")
	if !strings.Contains(res.Body, "あなたのグループ") || !strings.Contains(res.Body, "参加者 2") {
		t.Errorf("participant does not see their group:\n%s", res.Body)
	}
	if strings.Contains(res.Body, "参加者 1") {
		t.Errorf("participant sees another group's member")
	}
	if res := ticket("outsider@sakura.example.jp"); res.StatusCode != http.StatusNotFound || strings.Contains(res.Body, "参加者 0") {
		t.Errorf("a non-participant sees the groups: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE kind = 'breakout_published'`); n != 4 {
		t.Errorf("%d notifications, want 4", n)
	}
}
