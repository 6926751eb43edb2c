package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// network is an organization with members who show and hide things, an
// internal record, and a second organization next door.
type network struct {
	e                        *apptest.Env
	token                    string
	hanako, secretive, admin int64
	kaedeToken               string
	kaedeMember              int64
}

// Strings that must never appear in an API response.
var secrets = []string{
	"@",               // any email address
	"秘密商事", "finance", // a company and industry shown to admins only
	"内緒のプロフィール",                                               // a bio shown to admins only
	"社内メモ: 退職理由は極秘", "EMP-0042", "conditional", "再雇用は部長承認が必要", // internal fields
	"楓野", "kaede", // another organization's member
}

func newNetwork(t *testing.T) *network {
	t.Helper()
	e := apptest.New(t)
	n := &network{e: e}
	ctx := context.Background()
	n.admin = e.AddProfile(t, e.Org, org.Admin, "admin@sakura.example.jp",
		org.Name{Family: "佐藤", Given: "管理", FamilyKana: "さとう", GivenKana: "かんり", FamilyRomaji: "Sato", GivenRomaji: "Kanri"}, nil)
	n.hanako = e.AddProfile(t, e.Org, org.Alumni, "hanako@example.jp",
		org.Name{Family: "山田", Given: "花子", FamilyKana: "やまだ", GivenKana: "はなこ", FamilyRomaji: "Yamada", GivenRomaji: "Hanako"}, fullProfile)
	n.secretive = e.AddProfile(t, e.Org, org.Alumni, "secretive@example.jp",
		org.Name{Family: "鈴木", Given: "一郎", FamilyKana: "すずき", GivenKana: "いちろう", FamilyRomaji: "Suzuki", GivenRomaji: "Ichiro"},
		func(p *member.Profile) {
			fullProfile(p)
			p.CurrentCompany, p.Industry, p.CurrentRole = "秘密商事", "finance", "部長"
			p.Bio = "内緒のプロフィール"
			p.Visibility[member.FieldWork] = member.OnlyAdmins
			p.Visibility[member.FieldBio] = member.OnlyAdmins
		})
	err := e.App.Members.SetInternal(ctx, e.Org.ID, n.hanako, member.Internal{RehireEligibility: "conditional",
		RehireConditions: "再雇用は部長承認が必要", Notes: "社内メモ: 退職理由は極秘", EmployeeNumber: "EMP-0042"},
		member.Admin{UserID: n.admin, Email: "admin@sakura.example.jp"})
	if err != nil {
		t.Fatal(err)
	}
	n.token, _ = newToken(t, e, e.Org)

	kaede := e.AddOrg(t, "kaede")
	n.kaedeMember = e.AddProfile(t, kaede, org.Alumni, "kaede-member@kaede.example.jp",
		org.Name{Family: "楓野", Given: "次郎", FamilyKana: "かえでの", GivenKana: "じろう", FamilyRomaji: "Kaedeno", GivenRomaji: "Jiro"}, fullProfile)
	n.kaedeToken, _ = newToken(t, e, kaede)
	return n
}

func TestMembersAPIShowsWhatAMemberSees(t *testing.T) {
	n := newNetwork(t)
	e := n.e
	queries := []string{"", "?per_page=100", "?q=山田", "?q=yamada", "?industry=it", "?open_to=rehire&open_to=mentoring",
		"?skill=Go", "?location=東京都", "?left_from=2019&left_to=2021", "?role=alumni", "?sort=left_desc", "?sort=updated",
		"?q=%E7%A7%98%E5%AF%86%E5%95%86%E4%BA%8B", "?industry=finance", "?q=内緒"}
	for _, q := range queries {
		res := call(t, e, "GET", "/api/v1/members"+q, n.token)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", q, res.StatusCode, res.Body)
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", q, ct)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q", q, cc)
		}
		for _, s := range secrets {
			if strings.Contains(res.Body, s) {
				t.Errorf("%s: response contains %q:\n%s", q, s, res.Body)
			}
		}
	}

	all := memberList(t, call(t, e, "GET", "/api/v1/members", n.token))
	if all.Total != 3 || all.Page != 1 || all.Pages != 1 || len(all.Members) != 3 {
		t.Fatalf("all members: total %d page %d pages %d, %d listed", all.Total, all.Page, all.Pages, len(all.Members))
	}
	byID := all.ids()
	if _, ok := byID[n.kaedeMember]; ok {
		t.Fatal("another organization's member listed")
	}
	h := byID[n.hanako]
	want := map[string]any{"id": float64(n.hanako), "role": "alumni", "joined_year": float64(2012), "left_year": float64(2020),
		"current_company": "あおば商事", "industry": "it", "current_role": "CTO", "location": "東京都",
		"bio_markdown": "**よろしく**お願いします。"}
	for k, v := range want {
		if h[k] != v {
			t.Errorf("hanako %s = %v, want %v", k, h[k], v)
		}
	}
	if name, _ := json.Marshal(h["name"]); string(name) != `{"family":"山田","family_kana":"やまだ","family_romaji":"Yamada","given":"花子","given_kana":"はなこ","given_romaji":"Hanako"}` {
		t.Errorf("hanako name %s", name)
	}
	if open, _ := json.Marshal(h["open_to"]); string(open) != `{"mentoring":true,"referrals":true,"rehire":true,"side_work":true,"speaking":true}` {
		t.Errorf("hanako open_to %s", open)
	}
	if deps, _ := json.Marshal(h["departments"]); string(deps) != `["開発本部","人事部"]` {
		t.Errorf("hanako departments %s", deps)
	}

	// The member who shows their work to admins only: listed, without it.
	s := byID[n.secretive]
	for _, k := range []string{"current_company", "industry", "current_role", "bio_markdown"} {
		if _, ok := s[k]; ok {
			t.Errorf("secretive member's %s is in the API: %v", k, s[k])
		}
	}
	if s["location"] != "東京都" {
		t.Errorf("secretive member's visible location missing: %v", s)
	}
	// The admin has an empty profile: empty fields are left out.
	a := byID[n.admin]
	for k := range a {
		if k != "id" && k != "name" && k != "role" {
			t.Errorf("empty profile has %s = %v", k, a[k])
		}
	}

	// Filtering on a hidden field does not find the member.
	for _, q := range []string{"?industry=finance", "?q=" + url.QueryEscape("秘密商事"), "?q=" + url.QueryEscape("内緒")} {
		if l := memberList(t, call(t, e, "GET", "/api/v1/members"+q, n.token)); l.Total != 0 || len(l.Members) != 0 {
			t.Errorf("%s found %d members by a field shown to admins only", q, l.Total)
		}
	}
	// Filters that do match.
	cases := map[string][]int64{
		"?q=" + url.QueryEscape("山田"):       {n.hanako},
		"?q=hanako":                         {n.hanako},
		"?industry=it":                      {n.hanako},
		"?skill=Go":                         {n.hanako, n.secretive},
		"?open_to=rehire&open_to=mentoring": {n.hanako, n.secretive},
		"?role=admin":                       {n.admin},
		"?left_from=2020&left_to=2020":      {n.hanako, n.secretive},
		"?q=%21%21%21":                      {n.admin, n.hanako, n.secretive}, // only punctuation: no text filter
	}
	for q, ids := range cases {
		l := memberList(t, call(t, e, "GET", "/api/v1/members"+q, n.token))
		got := l.ids()
		if l.Total != len(ids) || len(got) != len(ids) {
			t.Errorf("%s: total %d, %d listed, want %d", q, l.Total, len(got), len(ids))
			continue
		}
		for _, id := range ids {
			if _, ok := got[id]; !ok {
				t.Errorf("%s: member %d missing", q, id)
			}
		}
	}

	// Paging.
	p2 := memberList(t, call(t, e, "GET", "/api/v1/members?per_page=2&page=2", n.token))
	if p2.Total != 3 || p2.Page != 2 || p2.Pages != 2 || len(p2.Members) != 1 {
		t.Errorf("page 2 of 2: %+v", p2)
	}
	if p9 := memberList(t, call(t, e, "GET", "/api/v1/members?page=9", n.token)); len(p9.Members) != 0 || p9.Total != 3 {
		t.Errorf("page past the end: %+v", p9)
	} else if !strings.Contains(call(t, e, "GET", "/api/v1/members?page=9", n.token).Body, `"members":[]`) {
		t.Error("an empty page is not an empty array")
	}

	// The other organization's token sees only its own member.
	k := memberList(t, call(t, e, "GET", "/api/v1/members", n.kaedeToken))
	if k.Total != 1 || len(k.Members) != 1 || int64(k.Members[0]["id"].(float64)) != n.kaedeMember {
		t.Fatalf("kaede's token: %+v", k)
	}
	for _, s := range []string{"山田", "鈴木", "佐藤", "@"} {
		if strings.Contains(call(t, e, "GET", "/api/v1/members?per_page=100", n.kaedeToken).Body, s) {
			t.Errorf("kaede's token sees %q", s)
		}
	}
}

// apiErrorOf decodes an error response and checks its shape and headers.
func apiErrorOf(t *testing.T, r response, status int, code string) map[string]string {
	t.Helper()
	if r.StatusCode != status {
		t.Errorf("%s %s: status %d, want %d\n%s", r.Request.Method, r.Request.URL, r.StatusCode, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("%s: Content-Type %q", r.Request.URL, ct)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("%s: Cache-Control %q", r.Request.URL, cc)
	}
	var body struct {
		Error map[string]string `json:"error"`
	}
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
		t.Fatalf("%s: not a JSON error: %v\n%s", r.Request.URL, err, r.Body)
	}
	if body.Error["code"] != code || body.Error["message"] == "" {
		t.Errorf("%s: error %v, want code %q", r.Request.URL, body.Error, code)
	}
	return body.Error
}

func TestMembersAPIRefusesWithoutAValidToken(t *testing.T) {
	n := newNetwork(t)
	e := n.e
	revoked, revokedID := newToken(t, e, e.Org)
	if err := e.App.DB.Tx(t.Context(), func(tx db.Tx) error {
		return auth.RevokeAPIToken(t.Context(), tx, e.Org.ID, revokedID, auth.Actor{}, e.Clock.Now())
	}); err != nil {
		t.Fatal(err)
	}
	send := func(header string) response { return callWith(t, e, "GET", "/api/v1/members", header) }
	headers := map[string]string{
		"missing":         "",
		"empty bearer":    "Bearer ",
		"basic":           "Basic " + n.token,
		"no scheme":       n.token,
		"unknown token":   "Bearer tsu_" + strings.Repeat("A", 43),
		"malformed":       "Bearer not-a-token",
		"revoked":         "Bearer " + revoked,
		"token with tail": "Bearer " + n.token + "x",
	}
	for name, h := range headers {
		r := send(h)
		apiErrorOf(t, r, http.StatusUnauthorized, "unauthorized")
		if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: WWW-Authenticate %q", name, r.Header.Get("WWW-Authenticate"))
		}
		for _, s := range []string{"山田", "花子"} {
			if strings.Contains(r.Body, s) {
				t.Errorf("%s: 401 body shows members", name)
			}
		}
	}
	// The scheme is case-insensitive (RFC 9110).
	if r := send("bearer " + n.token); r.StatusCode != http.StatusOK {
		t.Errorf("lower-case scheme: %d", r.StatusCode)
	}
}

func TestMembersAPIBadParameters(t *testing.T) {
	n := newNetwork(t)
	long := strings.Repeat("あ", 250)
	cases := map[string]string{
		"?page=abc":                    "page",
		"?page=0":                      "page",
		"?page=-1":                     "page",
		"?page=99999999999999999999":   "page",
		"?per_page=101":                "per_page",
		"?per_page=0":                  "per_page",
		"?per_page=ten":                "per_page",
		"?sort=random":                 "sort",
		"?open_to=rehire&open_to=golf": "open_to",
		"?open_to=":                    "open_to",
		"?q=" + url.QueryEscape(long):  "q",
		"?q=" + url.QueryEscape("a1 b2 c3 d4 e5 f6 g7 h8 i9 j10 k11"): "q",
		"?industry=banking":                     "industry",
		"?role=owner":                           "role",
		"?left_from=twenty":                     "left_from",
		"?left_to=1800":                         "left_to",
		"?left_from=2021&left_to=2020":          "left_from",
		"?skill=" + strings.Repeat("x", 101):    "skill",
		"?location=" + strings.Repeat("x", 101): "location",
	}
	for q, param := range cases {
		r := call(t, n.e, "GET", "/api/v1/members"+q, n.token)
		e := apiErrorOf(t, r, http.StatusBadRequest, "bad_request")
		if e["parameter"] != param || !strings.Contains(e["message"], param) {
			t.Errorf("%s: error %v does not name %q", q, e, param)
		}
	}
	// Bad parameters with a bad token: the token is checked first.
	apiErrorOf(t, call(t, n.e, "GET", "/api/v1/members?page=abc", ""), http.StatusUnauthorized, "unauthorized")
	// Unknown parameters are ignored.
	if r := call(t, n.e, "GET", "/api/v1/members?colour=blue&page=1", n.token); r.StatusCode != http.StatusOK {
		t.Errorf("unknown parameter: %d", r.StatusCode)
	}
}

func TestAPIUnknownPathsAndMethods(t *testing.T) {
	n := newNetwork(t)
	for _, p := range []string{"/api/v1/", "/api/v1/nothing", "/api/v1/members/1", "/api/v1/members/", "/api/v1/openapi.json"} {
		for _, tok := range []string{"", n.token} {
			apiErrorOf(t, call(t, n.e, "GET", p, tok), http.StatusNotFound, "not_found")
		}
	}
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH"} {
		r := call(t, n.e, m, "/api/v1/members", n.token)
		apiErrorOf(t, r, http.StatusMethodNotAllowed, "method_not_allowed")
		if r.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: Allow %q", m, r.Header.Get("Allow"))
		}
	}
	if n.e.Count(t, `SELECT COUNT(*) FROM api_tokens WHERE org_id = $1 AND revoked_at IS NOT NULL`, n.e.Org.ID) != 0 {
		t.Fatal("a request changed a token")
	}
}

func TestAPITokenUseIsRecorded(t *testing.T) {
	n := newNetwork(t)
	e := n.e
	lastUsed := func() bool {
		return e.Count(t, `SELECT COUNT(*) FROM api_tokens WHERE org_id = $1 AND last_used_at IS NOT NULL`, e.Org.ID) == 1
	}
	if lastUsed() {
		t.Fatal("a new token has been used")
	}
	memberList(t, call(t, e, "GET", "/api/v1/members", n.token))
	if !lastUsed() {
		t.Fatal("use of the token not recorded")
	}
}
