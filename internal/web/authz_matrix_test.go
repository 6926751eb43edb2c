package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/org"
)

// who is a row of the matrix: a signed-out visitor or a member with a role.
type who string

const anon who = "anonymous"

// Outcomes of a cell.
const (
	ok       = http.StatusOK
	toLogin  = http.StatusSeeOther // redirected to the sign-in page
	denied   = http.StatusForbidden
	notFound = http.StatusNotFound
)

// route is a column: a request and who may make it. Each capability adds
// its routes from its own file (authz_<area>_test.go) in an init function.
type route struct {
	method, path string // {id} is replaced by a member id of the organization in the path, {name} by a fixture value
	form         url.Values
	// formFor, if set, builds the form per cell (e.g. a fresh email each time).
	formFor func(o org.Organization, w who) url.Values
	allowed []who // who gets success; everyone else is sent to sign in (signed out) or denied
	success int   // status on success
	// after, if set, runs after each cell, to put things back so that the
	// next cell starts equal.
	after func(t *testing.T, e *apptest.Env, o org.Organization, res *apptest.Response)
}

// matrixFixtures make the records a capability's routes name. Each returns
// placeholder values for one organization: {name} in a path becomes the
// organization's own value, {foreign_name} the other organization's.
var matrixFixtures []func(t *testing.T, e *apptest.Env, o org.Organization) map[string]string

var (
	everyone   = []who{anon, "alumni", "employee", "supporter", "admin"}
	members    = []who{"alumni", "employee", "supporter", "admin"}
	staff      = []who{"supporter", "admin"}
	adminsOnly = []who{"admin"}
)

var routes = []route{
	{method: "GET", path: "/login", allowed: []who{anon}, success: ok}, // signed in: redirected home
	{method: "GET", path: "/forgot", allowed: everyone, success: ok},
	{method: "GET", path: "/", allowed: members, success: ok},
	{method: "GET", path: "/account", allowed: members, success: ok},
	{method: "GET", path: "/admin/members", allowed: staff, success: ok},
	{method: "GET", path: "/admin/members?q=%E7%94%B0%E4%B8%AD&role=alumni", allowed: staff, success: ok},
	{method: "GET", path: "/admin/members/{id}", allowed: staff, success: ok},
	{method: "POST", path: "/admin/members/{id}/role", form: url.Values{"role": {"supporter"}}, allowed: adminsOnly, success: http.StatusSeeOther,
		after: func(t *testing.T, e *apptest.Env, o org.Organization, res *apptest.Response) {
			if res.StatusCode != http.StatusSeeOther {
				return
			}
			// Put the target back, so that the next cell starts equal.
			m, err := e.App.Orgs.MemberByEmail(t.Context(), o.ID, "target@"+o.Slug+".example.jp")
			if err == nil {
				err = e.App.DB.Tx(t.Context(), func(tx *sqlTx) error { return e.App.Orgs.SetRole(t.Context(), tx, o.ID, m.UserID, org.Alumni) })
			}
			if err != nil {
				t.Fatal(err)
			}
		}},
	{method: "GET", path: "/admin/invite", allowed: adminsOnly, success: ok},
	{method: "POST", path: "/admin/invite", formFor: func(o org.Organization, w who) url.Values {
		return inviteForm(fmt.Sprintf("new-%s-%s@example.jp", o.Slug, w), "ja", false)
	}, allowed: adminsOnly, success: http.StatusCreated},
	{method: "GET", path: "/admin", allowed: staff, success: ok},
	{method: "GET", path: "/admin/audit", allowed: adminsOnly, success: ok},
	{method: "GET", path: "/admin/api-tokens", allowed: adminsOnly, success: ok},
	{method: "POST", path: "/admin/api-tokens", form: url.Values{"name": {"matrix"}}, allowed: adminsOnly, success: http.StatusCreated},
	{method: "POST", path: "/admin/api-tokens/{token}/revoke", allowed: adminsOnly, success: http.StatusSeeOther},
	{method: "POST", path: "/admin/api-tokens/{foreign_token}/revoke", allowed: adminsOnly, success: notFound}, // another organization's token
	{method: "GET", path: "/admin/members.csv", allowed: adminsOnly, success: ok},
	{method: "GET", path: "/admin/members.csv?industry=it&open_to=rehire&q=%E7%94%B0%E4%B8%AD", allowed: adminsOnly, success: ok},
	{method: "GET", path: "/members", allowed: members, success: ok},
	{method: "GET", path: "/members?q=%E3%81%9F%E3%81%AA%E3%81%8B&industry=it&open_to=mentoring&sort=left_desc", allowed: members, success: ok},
	{method: "GET", path: "/members/{id}", allowed: members, success: ok},
	{method: "GET", path: "/members/{foreign_id}", allowed: members, success: notFound},     // another organization's member
	{method: "GET", path: "/members/{id}/photo/small", allowed: members, success: notFound}, // no photo uploaded
	{method: "GET", path: "/profile", allowed: members, success: ok},
	{method: "POST", path: "/profile", form: editForm(), allowed: members, success: http.StatusSeeOther},
	{method: "POST", path: "/profile/confirm", allowed: members, success: http.StatusSeeOther},
	{method: "POST", path: "/admin/members/{id}/internal", form: url.Values{"rehire_eligibility": {"eligible"}}, allowed: adminsOnly, success: http.StatusSeeOther},
	{method: "POST", path: "/admin/members/{foreign_id}/internal", form: url.Values{"rehire_eligibility": {"eligible"}}, allowed: adminsOnly, success: notFound},
}

func (r route) allows(w who) bool {
	for _, a := range r.allowed {
		if a == w {
			return true
		}
	}
	return false
}

func TestAuthorizationMatrix(t *testing.T) {
	e := apptest.New(t)
	orgs := []org.Organization{e.Org, e.AddOrg(t, "kaede")}
	roles := []org.Role{org.Alumni, org.Employee, org.Supporter, org.Admin}
	// target is a member whose id the {id} routes use, one per organization.
	target := map[string]org.Member{}
	token := map[string]int64{}
	for _, o := range orgs {
		for _, r := range roles {
			e.AddMember(t, o, r, fmt.Sprintf("%s@%s.example.jp", r, o.Slug))
		}
		target[o.Slug] = e.AddMember(t, o, org.Alumni, "target@"+o.Slug+".example.jp")
		// token is the API token the {token} routes use, one per organization.
		if err := e.App.DB.Tx(t.Context(), func(tx *sqlTx) error {
			_, id, err := auth.CreateAPIToken(t.Context(), tx, o.ID, auth.Actor{}, "matrix "+o.Slug, e.Clock.Now())
			token[o.Slug] = id
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	values := map[string]map[string]string{}
	for _, o := range orgs {
		values[o.Slug] = map[string]string{"id": fmt.Sprint(target[o.Slug].UserID), "token": fmt.Sprint(token[o.Slug])}
		for _, fixture := range matrixFixtures {
			for k, v := range fixture(t, e, o) {
				values[o.Slug][k] = v
			}
		}
	}
	cells := 0
	for _, o := range orgs {
		foreign := "kaede"
		if o.Slug == "kaede" {
			foreign = "sakura"
		}
		var pairs []string
		for k, v := range values[o.Slug] {
			pairs = append(pairs, "{"+k+"}", v, "{foreign_"+k+"}", values[foreign][k])
		}
		replacer := strings.NewReplacer(pairs...)
		for _, w := range append([]who{anon}, []who{"alumni", "employee", "supporter", "admin"}...) {
			for _, rt := range routes {
				// A fresh client and fresh sign-in per cell, so cells never see
				// each other's effects (a role change, a sign-out).
				c := e.Client(t)
				if w != anon {
					c.SignIn(o, fmt.Sprintf("%s@%s.example.jp", w, o.Slug), apptest.Password)
				}
				path := "/o/" + o.Slug + replacer.Replace(rt.path)
				if strings.Contains(path, "{") {
					t.Fatalf("%s: placeholder without a fixture", path)
				}
				form := rt.form
				if rt.formFor != nil {
					form = rt.formFor(o, w)
				}
				var res *apptest.Response
				if rt.method == "POST" {
					res = c.Post(path, form)
				} else {
					res = c.Get(path)
				}
				want := rt.success
				sentToLogin := false
				switch {
				case rt.allows(w):
				case w == anon:
					want, sentToLogin = toLogin, true
				case rt.path == "/login":
					want = http.StatusSeeOther // already signed in: sent home
				default:
					want = denied
				}
				cells++
				if res.StatusCode != want {
					t.Errorf("%s as %s: %s %s = %d, want %d", o.Slug, w, rt.method, path, res.StatusCode, want)
				}
				if sentToLogin && !strings.Contains(res.Header.Get("Location"), "/o/"+o.Slug+"/login") {
					t.Errorf("%s as %s: %s %s redirected to %q", o.Slug, w, rt.method, path, res.Header.Get("Location"))
				}
				if want == denied && !strings.Contains(res.Body, "権限がありません") {
					t.Errorf("%s as %s: %s %s: 403 without the localized message", o.Slug, w, rt.method, path)
				}
				if rt.after != nil {
					rt.after(t, e, o, res)
				}
			}
		}
	}
	if want := len(orgs) * 5 * len(routes); cells != want {
		t.Fatalf("asserted %d cells, want %d", cells, want)
	}
	t.Logf("asserted %d cells", cells)
}

// TestOtherOrganizationsAreSealed checks that ids, sessions and pages of one
// organization are unreachable from another.
func TestOtherOrganizationsAreSealed(t *testing.T) {
	e := apptest.New(t)
	kaede := e.AddOrg(t, "kaede")
	e.AddMember(t, e.Org, org.Admin, "admin@sakura.example.jp")
	e.AddMember(t, kaede, org.Admin, "admin@kaede.example.jp")
	foreign := e.AddMember(t, kaede, org.Alumni, "alumni@kaede.example.jp")

	admin := e.Client(t)
	admin.SignIn(e.Org, "admin@sakura.example.jp", apptest.Password)
	id := fmt.Sprint(foreign.UserID)
	if res := admin.Get(e.OrgPath("/admin/members/" + id)); res.StatusCode != notFound {
		t.Errorf("another organization's member by id: %d", res.StatusCode)
	}
	if res := admin.Post(e.OrgPath("/admin/members/"+id+"/role"), url.Values{"role": {"admin"}}); res.StatusCode != notFound {
		t.Errorf("role change of another organization's member: %d", res.StatusCode)
	}
	if m, _ := e.App.Orgs.Member(t.Context(), kaede.ID, foreign.UserID); m.Role != org.Alumni {
		t.Fatalf("foreign member's role changed to %s", m.Role)
	}
	if res := admin.Get(e.OrgPath("/admin/members?q=kaede")); strings.Contains(res.Body, "alumni@kaede.example.jp") {
		t.Error("member search shows another organization's member")
	}
	// The sakura session cookie replayed on kaede's pages finds no session.
	var value string
	for _, c := range admin.HTTP.Jar.Cookies(mustURL(t, e.URL(e.OrgPath("/")))) {
		if c.Name == "tsunagu_session" {
			value = c.Value
		}
	}
	if value == "" {
		t.Fatal("no session cookie")
	}
	replay := e.Client(t)
	replay.HTTP.Jar.SetCookies(mustURL(t, e.URL("/o/kaede/")), []*http.Cookie{{Name: "tsunagu_session", Value: value, Path: "/o/kaede/"}})
	for _, p := range []string{"/o/kaede/", "/o/kaede/admin/members", "/o/kaede/admin/audit"} {
		if res := replay.Get(p); res.StatusCode != toLogin {
			t.Errorf("sakura session on %s: %d", p, res.StatusCode)
		}
	}
	// Audit logs are per organization: kaede's sign-ins and organization
	// entry never show in sakura's log (sakura's own searches for "kaede" may).
	kaedeAdmin := e.Client(t)
	kaedeAdmin.SignIn(kaede, "admin@kaede.example.jp", apptest.Password)
	res := admin.Get(e.OrgPath("/admin/audit"))
	for _, foreign := range []string{"admin@kaede.example.jp", "org:kaede"} {
		if strings.Contains(res.Body, foreign) {
			t.Errorf("audit log shows another organization's entry %q", foreign)
		}
	}
	if own := kaedeAdmin.Get("/o/kaede/admin/audit"); !strings.Contains(own.Body, "admin@kaede.example.jp") || !strings.Contains(own.Body, "org:kaede") {
		t.Error("kaede's own audit log lacks its entries: the check above proves nothing")
	}
}

func TestAdminCannotDemoteThemselves(t *testing.T) {
	e := apptest.New(t)
	me := e.AddMember(t, e.Org, org.Admin, "admin@sakura.example.jp")
	c := e.Client(t)
	c.SignIn(e.Org, "admin@sakura.example.jp", apptest.Password)
	res := c.Post(e.OrgPath(fmt.Sprintf("/admin/members/%d/role", me.UserID)), url.Values{"role": {"alumni"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "自分自身のロールは変更できません") {
		t.Fatalf("self demotion: %d", res.StatusCode)
	}
	if m, _ := e.App.Orgs.Member(t.Context(), e.Org.ID, me.UserID); m.Role != org.Admin {
		t.Fatal("admin demoted themselves")
	}
	// A bogus role is refused without change.
	other := e.AddMember(t, e.Org, org.Alumni, "alumni@sakura.example.jp")
	if res := c.Post(e.OrgPath(fmt.Sprintf("/admin/members/%d/role", other.UserID)), url.Values{"role": {"owner"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bogus role: %d", res.StatusCode)
	}
	// A real change is recorded with from and to.
	if res := c.Post(e.OrgPath(fmt.Sprintf("/admin/members/%d/role", other.UserID)), url.Values{"role": {"supporter"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("role change: %d", res.StatusCode)
	}
	audit := c.Get(e.OrgPath("/admin/audit"))
	if !strings.Contains(audit.Body, "ロールを変更") || !strings.Contains(audit.Body, "from=alumni") || !strings.Contains(audit.Body, "to=supporter") {
		t.Errorf("role change not in the audit page:\n%s", audit.Body)
	}
	for _, bad := range []string{"/admin/members/abc", "/admin/members/-1", "/admin/members/99999999"} {
		if res := c.Get(e.OrgPath(bad)); res.StatusCode != notFound {
			t.Errorf("%s: %d", bad, res.StatusCode)
		}
	}
}

func TestMailQueueCountsArePerOrganization(t *testing.T) {
	e := apptest.New(t)
	kaede := e.AddOrg(t, "kaede")
	e.AddMember(t, e.Org, org.Admin, "admin@sakura.example.jp")
	e.AddMember(t, kaede, org.Alumni, "a@kaede.example.jp")
	e.AddMember(t, kaede, org.Alumni, "b@kaede.example.jp")
	for _, email := range []string{"a@kaede.example.jp", "b@kaede.example.jp"} {
		if res := e.Client(t).Post("/o/kaede/forgot", url.Values{"email": {email}}); res.StatusCode != http.StatusOK {
			t.Fatal(res.StatusCode)
		}
	}
	admin := e.Client(t)
	admin.SignIn(e.Org, "admin@sakura.example.jp", apptest.Password)
	if res := admin.Get(e.OrgPath("/")); !strings.Contains(res.Body, "送信待ち 0 件") {
		t.Fatalf("sakura's admin sees kaede's queued mail:\n%s", res.Body)
	}
	if st, err := e.App.Jobs.OrgStats(t.Context(), kaede.ID); err != nil || st.Pending != 2 {
		t.Fatalf("kaede stats %+v %v", st, err)
	}
}
