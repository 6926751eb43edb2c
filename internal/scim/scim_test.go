package scim_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/org"
)

// idp is an identity provider calling the SCIM endpoints with a token: no
// cookies, no Origin or Sec-Fetch-Site headers, like Entra ID and Okta.
type idp struct {
	t     *testing.T
	e     *apptest.Env
	token string
}

type reply struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

func (c idp) do(method, path, body string) reply {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, c.e.URL("/scim/v2"+path), rd)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	r := reply{status: res.StatusCode, header: res.Header, raw: string(b)}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &r.body); err != nil {
			c.t.Fatalf("%s %s: %d, body is not JSON: %s", method, path, res.StatusCode, b)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/scim+json") {
			c.t.Errorf("%s %s: Content-Type %q", method, path, ct)
		}
	}
	return r
}

// wantError checks a SCIM error response.
func (r reply) wantError(t *testing.T, status int, scimType, detail string) {
	t.Helper()
	if r.status != status || r.body["status"] != fmt.Sprint(status) || fmt.Sprint(r.body["scimType"]) != scimType && scimType != "" ||
		!strings.Contains(fmt.Sprint(r.body["detail"]), detail) || fmt.Sprint(r.body["schemas"]) != "[urn:ietf:params:scim:api:messages:2.0:Error]" {
		t.Errorf("want %d %s %q, got %d %s", status, scimType, detail, r.status, r.raw)
	}
}

func (r reply) str(path ...string) string {
	var v any = r.body
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// Bodies as the identity providers send them (Okta's SCIM 2.0 guide and
// Microsoft's "Develop a SCIM endpoint" reference), with email-shaped
// userNames as Tsunagu requires.
const oktaCreate = `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
  "userName": "Test.User@sakura.example.jp",
  "name": {"givenName": "Test", "familyName": "User"},
  "emails": [{"primary": true, "value": "test.user@sakura.example.jp", "type": "work"}],
  "displayName": "Test User",
  "locale": "en-US",
  "externalId": "00ujl29u0le5T6Aj10h7",
  "groups": [],
  "password": "1mz050nq",
  "active": true
}`

const entraCreate = `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
  "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
  "userName": "hanako.sato@sakura.example.jp",
  "active": true,
  "emails": [{"primary": true, "type": "work", "value": "hanako.sato@sakura.example.jp"}],
  "meta": {"resourceType": "User"},
  "name": {"formatted": "佐藤 花子", "familyName": "佐藤", "givenName": "花子"},
  "roles": [],
  "title": "営業",
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984", "department": "営業部",
    "manager": {"value": "26118915-6090-4610-87a4-49d0ca808b9c"}}
}`

func newIdP(t *testing.T) (*apptest.Env, idp) {
	e := apptest.New(t)
	return e, idp{t: t, e: e, token: e.SCIMToken(t, e.Org, "Entra ID")}
}

func TestSCIMCreateGetAndList(t *testing.T) {
	e, c := newIdP(t)
	res := c.do("POST", "/Users", oktaCreate)
	if res.status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.status, res.raw)
	}
	id := res.str("id")
	loc := e.URL("/scim/v2/Users/" + id)
	if res.header.Get("Location") != loc || res.str("meta", "location") != loc || res.str("meta", "resourceType") != "User" ||
		res.str("meta", "created") == "" || res.str("meta", "lastModified") == "" {
		t.Errorf("meta: %s (Location %s)", res.raw, res.header.Get("Location"))
	}
	if res.str("userName") != "Test.User@sakura.example.jp" || res.str("externalId") != "00ujl29u0le5T6Aj10h7" ||
		res.str("active") != "true" || res.str("name", "familyName") != "User" || res.str("name", "givenName") != "Test" ||
		res.str("schemas") != "[urn:ietf:params:scim:schemas:core:2.0:User]" || strings.Contains(res.raw, "1mz050nq") {
		t.Errorf("created user: %s", res.raw)
	}
	m, err := e.App.Orgs.MemberByEmail(t.Context(), e.Org.ID, "test.user@sakura.example.jp")
	if err != nil || m.Role != org.Employee || m.PasswordSet || m.Activated || fmt.Sprint(m.UserID) != id {
		t.Fatalf("member: %+v %v", m, err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE org_id = $1 AND action = 'scim.user_created' AND actor_label = 'SCIM: Entra ID'`, e.Org.ID); n != 1 {
		t.Errorf("%d audit entries for the creation", n)
	}

	// Entra ID: enterprise extension → HR fields, kept as HR data from SCIM.
	res = c.do("POST", "/Users", entraCreate)
	if res.status != http.StatusCreated || res.str("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "employeeNumber") != "701984" ||
		res.str("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "department") != "営業部" || res.str("displayName") != "佐藤 花子" {
		t.Fatalf("entra create: %d %s", res.status, res.raw)
	}
	hanako := res.str("id")
	if n := e.Count(t, `SELECT COUNT(*) FROM member_internal WHERE org_id = $1 AND user_id = $2 AND employee_number = '701984'
		AND hr_department = '営業部' AND hr_source = 'scim'`, e.Org.ID, hanako); n != 1 {
		t.Error("HR fields not stored from the enterprise extension")
	}

	res = c.do("GET", "/Users/"+id, "")
	if res.status != http.StatusOK || res.str("id") != id || res.str("userName") != "Test.User@sakura.example.jp" {
		t.Errorf("get: %d %s", res.status, res.raw)
	}

	// Employees SCIM did not create (pre-registered by HR) are listed too,
	// so that a directory can match and link them; admins and alumni are not.
	pre := e.AddMember(t, e.Org, org.Employee, "pre@sakura.example.jp")
	admin := e.AddMember(t, e.Org, org.Admin, "admin@sakura.example.jp")
	alum := e.AddMember(t, e.Org, org.Alumni, "alum@sakura.example.jp")
	for filter, want := range map[string][]string{
		``: {id, hanako, fmt.Sprint(pre.UserID)},
		`userName eq "test.user@SAKURA.example.jp"`:                                             {id},
		`externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`:                                  {hanako},
		`emails[type eq "work"].value eq "pre@sakura.example.jp"`:                               {fmt.Sprint(pre.UserID)},
		`userName eq "admin@sakura.example.jp"`:                                                 {},
		`userName eq "alum@sakura.example.jp" or userName sw "admin"`:                           {},
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"`: {hanako},
		`not (externalId pr) and active eq true`:                                                {fmt.Sprint(pre.UserID)},
	} {
		res := c.do("GET", "/Users?filter="+url.QueryEscape(filter), "")
		var got []string
		for _, r := range res.body["Resources"].([]any) {
			got = append(got, fmt.Sprint(r.(map[string]any)["id"]))
		}
		if res.status != http.StatusOK || fmt.Sprint(got) != fmt.Sprint(want) || res.str("totalResults") != fmt.Sprint(len(want)) ||
			res.str("schemas") != "[urn:ietf:params:scim:api:messages:2.0:ListResponse]" {
			t.Errorf("filter %s: %d %v, want %v\n%s", filter, res.status, got, want, res.raw)
		}
	}
	for _, other := range []int64{admin.UserID, alum.UserID} {
		c.do("GET", fmt.Sprint("/Users/", other), "").wantError(t, 404, "", "no such user")
	}

	// Paging: startIndex is 1-based; totalResults counts every match.
	res = c.do("GET", "/Users?startIndex=2&count=1", "")
	if res.str("totalResults") != "3" || res.str("startIndex") != "2" || res.str("itemsPerPage") != "1" ||
		fmt.Sprint(res.body["Resources"].([]any)[0].(map[string]any)["id"]) != hanako {
		t.Errorf("page 2: %s", res.raw)
	}
	res = c.do("GET", "/Users?startIndex=0&count=0", "")
	if res.str("totalResults") != "3" || res.str("startIndex") != "1" || len(res.body["Resources"].([]any)) != 0 {
		t.Errorf("count=0: %s", res.raw)
	}
	c.do("GET", "/Users?count=many", "").wantError(t, 400, "invalidValue", "count must be an integer")
}

// counts is what a refused request must leave as it was.
func counts(t *testing.T, e *apptest.Env) string {
	return fmt.Sprint(e.Count(t, `SELECT COUNT(*) FROM users`), e.Count(t, `SELECT COUNT(*) FROM memberships`),
		e.Count(t, `SELECT COUNT(*) FROM scim_users`), e.Count(t, `SELECT COUNT(*) FROM member_internal`),
		e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'scim.user%'`),
		e.Count(t, `SELECT COUNT(*) FROM users WHERE updated_at <> created_at`))
}

func TestSCIMBadRequestsWriteNothing(t *testing.T) {
	e, c := newIdP(t)
	if res := c.do("POST", "/Users", entraCreate); res.status != http.StatusCreated {
		t.Fatal(res.raw)
	}
	id := c.do("GET", "/Users?filter="+url.QueryEscape(`userName eq "hanako.sato@sakura.example.jp"`), "").body["Resources"].([]any)[0].(map[string]any)["id"]
	admin := e.AddMember(t, e.Org, org.Admin, "admin@sakura.example.jp")
	before := counts(t, e)
	user := func(mod func(string) string) string { return mod(oktaCreate) }
	patch := func(ops string) string {
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + ops + `]}`
	}
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		scimType, detail         string
	}{
		{"duplicate userName", "POST", "/Users", strings.Replace(entraCreate, `"701984"`, `"1"`, 1), 409, "uniqueness", "already exists"},
		{"duplicate of an admin", "POST", "/Users", strings.ReplaceAll(oktaCreate, "Test.User@", "admin@"), 409, "uniqueness", "already exists"},
		{"duplicate employeeNumber", "POST", "/Users", strings.ReplaceAll(entraCreate, "hanako.sato@", "other@"), 409, "uniqueness", "employeeNumber"},
		{"no schemas", "POST", "/Users", `{"userName":"a@sakura.example.jp","name":{"familyName":"A"}}`, 400, "invalidSyntax", `"schemas"`},
		{"wrong schema", "POST", "/Users", user(func(s string) string { return strings.Replace(s, "core:2.0:User", "core:2.0:Group", 1) }), 400, "invalidSyntax", "is not supported"},
		{"unknown extension", "POST", "/Users", strings.Replace(oktaCreate, `"groups": [],`, `"urn:example:custom:1.0:User": {"x": 1},`, 1), 400, "invalidSyntax", "is not an attribute of a User"},
		{"not JSON", "POST", "/Users", `{"schemas":`, 400, "invalidSyntax", "not a JSON object"},
		{"two objects", "POST", "/Users", oktaCreate + oktaCreate, 400, "invalidSyntax", "one JSON object"},
		{"userName not an email", "POST", "/Users", strings.Replace(oktaCreate, "Test.User@sakura.example.jp", "Test_User_ab6490ee", 1), 400, "invalidValue", "email address"},
		{"userName a number", "POST", "/Users", strings.Replace(oktaCreate, `"Test.User@sakura.example.jp"`, `42`, 1), 400, "invalidValue", "userName must be a string"},
		{"no name", "POST", "/Users", strings.Replace(strings.Replace(oktaCreate, `"name": {"givenName": "Test", "familyName": "User"},`, "", 1), `"displayName": "Test User",`, "", 1), 400, "invalidValue", "familyName is required"},
		{"active maybe", "POST", "/Users", strings.Replace(oktaCreate, `"active": true`, `"active": "maybe"`, 1), 400, "invalidValue", "true or false"},
		{"long employeeNumber", "POST", "/Users", strings.Replace(entraCreate, `"701984"`, `"`+strings.Repeat("9", 51)+`"`, 1), 400, "invalidValue", "employeeNumber must be one line"},
		{"bad filter", "GET", "/Users?filter=" + url.QueryEscape(`userName eq`), "", 400, "invalidFilter", "ends where a value"},
		{"unsupported filter", "GET", "/Users?filter=" + url.QueryEscape(`title eq "x"`), "", 400, "invalidFilter", "not supported"},
		{"patch without PatchOp schema", "PATCH", fmt.Sprint("/Users/", id), `{"Operations":[{"op":"replace","path":"active","value":false}]}`, 400, "invalidSyntax", "PatchOp"},
		{"patch bad op", "PATCH", fmt.Sprint("/Users/", id), patch(`{"op":"move","path":"active","value":false}`), 400, "invalidSyntax", "add, replace or remove"},
		{"patch bad path", "PATCH", fmt.Sprint("/Users/", id), patch(`{"op":"replace","path":"name.familyName","value":"X"},{"op":"replace","path":"favouriteColour","value":"red"}`), 400, "invalidPath", "favouriteColour"},
		{"patch unparseable path", "PATCH", fmt.Sprint("/Users/", id), patch(`{"op":"replace","path":"emails[type eq","value":"x"}`), 400, "invalidPath", "ends where a value"},
		{"patch remove userName", "PATCH", fmt.Sprint("/Users/", id), patch(`{"op":"remove","path":"userName"}`), 400, "mutability", "cannot be removed"},
		{"patch remove without path", "PATCH", fmt.Sprint("/Users/", id), patch(`{"op":"remove"}`), 400, "noTarget", "needs a \"path\""},
		{"patch value not object", "PATCH", fmt.Sprint("/Users/", id), patch(`{"op":"replace","value":"False"}`), 400, "invalidValue", "must be an object"},
		{"patch bad email", "PATCH", fmt.Sprint("/Users/", id), patch(`{"op":"replace","path":"name.givenName","value":"X"},{"op":"replace","path":"userName","value":"not-an-email"}`), 400, "invalidValue", "email address"},
		{"patch to an admin's email", "PATCH", fmt.Sprint("/Users/", id), patch(`{"op":"replace","path":"name.givenName","value":"X"},{"op":"replace","path":"userName","value":"ADMIN@sakura.example.jp"}`), 409, "uniqueness", "already has this userName"},
		{"put without userName", "PUT", fmt.Sprint("/Users/", id), `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"name":{"familyName":"X"}}`, 400, "invalidValue", "userName is required"},
		{"admin is invisible", "PATCH", fmt.Sprint("/Users/", admin.UserID), patch(`{"op":"replace","path":"active","value":false}`), 404, "", "no such user"},
		{"delete an admin", "DELETE", fmt.Sprint("/Users/", admin.UserID), "", 404, "", "no such user"},
		{"not a number", "GET", "/Users/abc", "", 404, "", "no such user"},
		{"leading zero", "GET", fmt.Sprint("/Users/0", id), "", 404, "", "no such user"},
		{"groups", "GET", "/Groups", "", 404, "", "no such endpoint"},
		{"method", "POST", fmt.Sprint("/Users/", id), oktaCreate, 405, "", "not supported"},
	} {
		res := c.do(tc.method, tc.path, tc.body)
		t.Run(tc.name, func(t *testing.T) { res.wantError(t, tc.status, tc.scimType, tc.detail) })
		if got := counts(t, e); got != before {
			t.Errorf("%s wrote something: %s → %s", tc.name, before, got)
		}
	}
	if m, _ := e.App.Orgs.Member(t.Context(), e.Org.ID, admin.UserID); m.Role != org.Admin || m.Email != "admin@sakura.example.jp" {
		t.Errorf("admin changed: %+v", m)
	}
}

func TestSCIMReplaceAndPatch(t *testing.T) {
	e, c := newIdP(t)
	id := c.do("POST", "/Users", entraCreate).str("id")
	path := "/Users/" + id
	patch := func(ops string) reply {
		t.Helper()
		return c.do("PATCH", path, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+ops+`]}`)
	}

	// Entra ID: ops in capitals, paths with filters, the enterprise
	// extension by URN; attributes Tsunagu does not keep are accepted.
	res := patch(`{"op":"Replace","path":"emails[type eq \"work\"].value","value":"hanako.sato@sakura.example.jp"},
		{"op":"Replace","path":"name.familyName","value":"鈴木"},
		{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"人事部"},
		{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"26118915"},
		{"op":"Replace","path":"addresses[type eq \"work\"].country","value":"JP"},
		{"op":"Add","path":"title","value":"部長"}`)
	if res.status != http.StatusOK || res.str("name", "familyName") != "鈴木" ||
		res.str("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "department") != "人事部" || res.str("active") != "true" {
		t.Fatalf("entra patch: %d %s", res.status, res.raw)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM users WHERE id = $1 AND family_name = '鈴木'`, id); n != 1 {
		t.Error("family name not stored")
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'scim.user_updated' AND target = $1`, "user:"+id); n != 1 {
		t.Errorf("%d audit entries for the patch", n)
	}

	// Okta: lower-case ops and a value object without a path.
	res = patch(`{"op":"replace","value":{"name.givenName":"花","userName":"hana.suzuki@sakura.example.jp","externalId":"okta-1"}}`)
	if res.status != http.StatusOK || res.str("userName") != "hana.suzuki@sakura.example.jp" || res.str("name", "givenName") != "花" || res.str("externalId") != "okta-1" {
		t.Fatalf("okta patch: %d %s", res.status, res.raw)
	}
	if m, err := e.App.Orgs.MemberByEmail(t.Context(), e.Org.ID, "hana.suzuki@sakura.example.jp"); err != nil || fmt.Sprint(m.UserID) != id {
		t.Errorf("email not changed: %v", err)
	}

	// A patch that changes nothing writes nothing.
	before := counts(t, e)
	if res := patch(`{"op":"replace","path":"active","value":true}`); res.status != http.StatusOK {
		t.Fatal(res.raw)
	}
	if counts(t, e) != before {
		t.Error("a no-op patch wrote")
	}

	// PUT replaces: attributes not sent are cleared; the enterprise HR fields
	// stay when the extension is not sent at all.
	res = c.do("PUT", path, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"`+id+`",
		"userName":"hana.suzuki@sakura.example.jp","name":{"familyName":"鈴木","givenName":"はな"},"active":true,
		"emails":[{"value":"hana.suzuki@sakura.example.jp","primary":true}]}`)
	if res.status != http.StatusOK || res.str("name", "givenName") != "はな" || res.str("externalId") != "" ||
		res.str("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "employeeNumber") != "701984" {
		t.Fatalf("put: %d %s", res.status, res.raw)
	}
	res = c.do("PUT", path, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"userName":"hana.suzuki@sakura.example.jp","name":{"familyName":"鈴木"},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"総務部"}}`)
	if res.status != http.StatusOK || res.str("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "employeeNumber") != "" ||
		res.str("name", "givenName") != "" || res.str("active") != "true" {
		t.Fatalf("put with the extension: %d %s", res.status, res.raw)
	}

	// A pre-registered employee found by filter is linked on the first write.
	pre := e.AddMember(t, e.Org, org.Employee, "pre@sakura.example.jp")
	res = c.do("PATCH", fmt.Sprint("/Users/", pre.UserID), `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"add","path":"externalId","value":"ext-pre"}]}`)
	if res.status != http.StatusOK || e.Count(t, `SELECT COUNT(*) FROM scim_users WHERE user_id = $1 AND external_id = 'ext-pre'`, pre.UserID) != 1 {
		t.Errorf("link: %d %s", res.status, res.raw)
	}
}

func TestSCIMDeactivateStartsDeparture(t *testing.T) {
	e, c := newIdP(t)
	entra := c.do("POST", "/Users", entraCreate).str("id")
	okta := c.do("POST", "/Users", oktaCreate).str("id")

	// Entra ID deactivates with the string "False".
	res := c.do("PATCH", "/Users/"+entra, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"Replace","path":"active","value":"False"}]}`)
	if res.status != http.StatusOK || res.str("active") != "false" {
		t.Fatalf("deactivate: %d %s", res.status, res.raw)
	}
	m, err := e.App.Orgs.Member(t.Context(), e.Org.ID, mustID(t, entra))
	if err != nil || m.Role != org.Alumni {
		t.Fatalf("after active=false: %+v %v", m, err)
	}
	if e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'offboard.converted' AND target = $1`, "user:"+entra) != 1 ||
		e.Count(t, `SELECT COUNT(*) FROM memberships WHERE user_id = $1`, entra) != 2 {
		t.Error("departure not audited or membership history lost")
	}
	// Sent again (directories retry): nothing more happens.
	before := counts(t, e)
	res = c.do("PATCH", "/Users/"+entra, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"Replace","path":"active","value":"False"}]}`)
	if res.status != http.StatusOK || counts(t, e) != before {
		t.Errorf("repeat: %d %s", res.status, res.raw)
	}
	// A former employee is theirs now: no reactivation, no email change.
	res = c.do("PATCH", "/Users/"+entra, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"replace","value":{"active":true}}]}`)
	res.wantError(t, 403, "", "has left the organization")
	res = c.do("PATCH", "/Users/"+entra, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"replace","path":"userName","value":"attacker@evil.example"}]}`)
	res.wantError(t, 403, "", "has left the organization")
	if counts(t, e) != before {
		t.Error("refused writes to a former employee wrote")
	}

	// Okta deactivates with a value object.
	res = c.do("PATCH", "/Users/"+okta, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`)
	if res.status != http.StatusOK || res.str("active") != "false" {
		t.Fatalf("okta deactivate: %d %s", res.status, res.raw)
	}

	// An admin linked to SCIM (promoted after provisioning) is never demoted.
	boss := c.do("POST", "/Users", strings.ReplaceAll(oktaCreate, "Test.User@", "boss@")).str("id")
	if err := e.App.DB.Tx(t.Context(), func(tx *sqlTx) error {
		return e.App.Orgs.SetRole(t.Context(), tx, e.Org.ID, mustID(t, boss), org.Admin)
	}); err != nil {
		t.Fatal(err)
	}
	before = counts(t, e)
	c.do("PATCH", "/Users/"+boss, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`).
		wantError(t, 403, "", "administrator or supporter")
	c.do("PUT", "/Users/"+boss, strings.ReplaceAll(oktaCreate, "Test.User@", "other@")).wantError(t, 403, "", "administrator or supporter")
	if m, _ := e.App.Orgs.Member(t.Context(), e.Org.ID, mustID(t, boss)); m.Role != org.Admin || counts(t, e) != before {
		t.Errorf("admin changed: %+v", m)
	}
	// The directory still reads them (no-op writes pass).
	if res := c.do("GET", "/Users/"+boss, ""); res.status != 200 || res.str("active") != "true" {
		t.Errorf("linked admin: %s", res.raw)
	}
	// DELETE only unlinks them: still an admin, no longer seen by SCIM.
	if res := c.do("DELETE", "/Users/"+boss, ""); res.status != http.StatusNoContent {
		t.Fatalf("delete a linked admin: %d %s", res.status, res.raw)
	}
	if m, _ := e.App.Orgs.Member(t.Context(), e.Org.ID, mustID(t, boss)); m.Role != org.Admin {
		t.Errorf("admin after delete: %+v", m)
	}
	c.do("GET", "/Users/"+boss, "").wantError(t, 404, "", "no such user")

	// Sent inactive from the start: a former employee's record, no departure.
	res = c.do("POST", "/Users", strings.ReplaceAll(strings.Replace(oktaCreate, `"active": true`, `"active": false`, 1), "Test.User@", "gone@"))
	if res.status != http.StatusCreated || res.str("active") != "false" {
		t.Fatalf("create inactive: %d %s", res.status, res.raw)
	}
	if m, _ := e.App.Orgs.Member(t.Context(), e.Org.ID, mustID(t, res.str("id"))); m.Role != org.Alumni ||
		e.Count(t, `SELECT COUNT(*) FROM departures WHERE user_id = $1`, res.str("id")) != 0 {
		t.Errorf("created inactive: %+v", m)
	}
}

func TestSCIMDelete(t *testing.T) {
	e, c := newIdP(t)
	id := c.do("POST", "/Users", entraCreate).str("id")
	res := c.do("DELETE", "/Users/"+id, "")
	if res.status != http.StatusNoContent || res.raw != "" {
		t.Fatalf("delete: %d %s", res.status, res.raw)
	}
	c.do("GET", "/Users/"+id, "").wantError(t, 404, "", "no such user")
	c.do("DELETE", "/Users/"+id, "").wantError(t, 404, "", "no such user")
	// The person, their history and HR record stay; they are alumni now.
	m, err := e.App.Orgs.Member(t.Context(), e.Org.ID, mustID(t, id))
	if err != nil || m.Role != org.Alumni {
		t.Fatalf("after delete: %+v %v", m, err)
	}
	if e.Count(t, `SELECT COUNT(*) FROM member_internal WHERE user_id = $1 AND employee_number = '701984'`, id) != 1 ||
		e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action IN ('scim.user_deleted', 'offboard.converted') AND target = $1`, "user:"+id) != 2 {
		t.Error("history or audit missing after delete")
	}
	if res := c.do("GET", "/Users?filter="+url.QueryEscape(`userName eq "hanako.sato@sakura.example.jp"`), ""); res.str("totalResults") != "0" {
		t.Errorf("deleted user still listed: %s", res.raw)
	}
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscan(s, &id); err != nil || id <= 0 {
		t.Fatalf("id %q", s)
	}
	return id
}

func TestSCIMTokensAndOrganizations(t *testing.T) {
	e, c := newIdP(t)
	kaede := e.AddOrg(t, "kaede")
	other := idp{t: t, e: e, token: e.SCIMToken(t, kaede, "kaede Okta")}
	id := c.do("POST", "/Users", entraCreate).str("id")

	// Another organization's token sees none of sakura's people and can
	// touch none of them; the same email is a different person there.
	before := counts(t, e)
	other.do("GET", "/Users/"+id, "").wantError(t, 404, "", "no such user")
	other.do("PUT", "/Users/"+id, oktaCreate).wantError(t, 404, "", "no such user")
	other.do("PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`).
		wantError(t, 404, "", "no such user")
	other.do("DELETE", "/Users/"+id, "").wantError(t, 404, "", "no such user")
	if res := other.do("GET", "/Users", ""); res.str("totalResults") != "0" {
		t.Errorf("kaede lists sakura's people: %s", res.raw)
	}
	if counts(t, e) != before {
		t.Error("another organization's token wrote")
	}
	if res := other.do("POST", "/Users", entraCreate); res.status != http.StatusCreated {
		t.Errorf("same person in kaede: %d %s", res.status, res.raw)
	}

	// Without a token, with a wrong one, with an API token, with a revoked
	// one: 401 with WWW-Authenticate, nothing written.
	before = counts(t, e)
	for name, token := range map[string]string{"none": "", "garbage": "tsc_nope", "api token": apiToken(t, e)} {
		res := idp{t: t, e: e, token: token}.do("POST", "/Users", strings.ReplaceAll(oktaCreate, "Test.User@", "x@"))
		res.wantError(t, 401, "", "")
		if !strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: WWW-Authenticate %q", name, res.header.Get("WWW-Authenticate"))
		}
	}
	if _, err := e.App.DB.Write().ExecContext(t.Context(), `UPDATE scim_tokens SET revoked_at = $1 WHERE org_id = $2`, e.Clock.Now(), e.Org.ID); err != nil {
		t.Fatal(err)
	}
	res := c.do("GET", "/Users/"+id, "")
	res.wantError(t, 401, "", "revoked")
	if !strings.Contains(res.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Errorf("revoked: WWW-Authenticate %q", res.header.Get("WWW-Authenticate"))
	}
	if counts(t, e) != before {
		t.Error("refused tokens wrote")
	}
	if e.Count(t, `SELECT COUNT(*) FROM scim_tokens WHERE last_used_at IS NOT NULL`) != 2 {
		t.Error("token use not recorded")
	}
}

func apiToken(t *testing.T, e *apptest.Env) string {
	var secret string
	if err := e.App.DB.Tx(t.Context(), func(tx *sqlTx) error {
		var err error
		secret, _, err = auth.CreateAPIToken(t.Context(), tx, e.Org.ID, auth.Actor{}, "read", e.Clock.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return secret
}

// The SCIM endpoints are not browser routes: a signed-in admin's cookies
// grant nothing, and Go's cross-origin protection lets non-browser clients
// (no Origin, no Sec-Fetch-Site) through while still stopping a cross-site
// browser request.
func TestSCIMIsNotABrowserRoute(t *testing.T) {
	e, _ := newIdP(t)
	e.AddMember(t, e.Org, org.Admin, "admin@sakura.example.jp")
	browser := e.Client(t)
	browser.SignIn(e.Org, "admin@sakura.example.jp", apptest.Password)
	req, _ := http.NewRequest("GET", e.URL("/scim/v2/Users"), nil)
	if res := browser.Do(req); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("cookies granted SCIM access: %d %s", res.StatusCode, res.Body)
	}
	req, _ = http.NewRequest("POST", e.URL("/scim/v2/Users"), strings.NewReader(oktaCreate))
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if res := browser.Do(req); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site browser POST: %d", res.StatusCode)
	}
	if e.Count(t, `SELECT COUNT(*) FROM users`) != 1 {
		t.Error("a browser request wrote")
	}
}

func TestSCIMDiscovery(t *testing.T) {
	e, c := newIdP(t)
	res := c.do("GET", "/ServiceProviderConfig", "")
	if res.status != 200 || res.str("patch", "supported") != "true" || res.str("bulk", "supported") != "false" ||
		res.str("filter", "supported") != "true" || !strings.Contains(res.raw, "oauthbearertoken") {
		t.Errorf("ServiceProviderConfig: %s", res.raw)
	}
	res = c.do("GET", "/ResourceTypes", "")
	if res.str("totalResults") != "1" || !strings.Contains(res.raw, `"endpoint":"/Users"`) {
		t.Errorf("ResourceTypes: %s", res.raw)
	}
	if res := c.do("GET", "/ResourceTypes/User", ""); res.str("id") != "User" {
		t.Errorf("ResourceTypes/User: %s", res.raw)
	}
	res = c.do("GET", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", "")
	if res.str("id") != "urn:ietf:params:scim:schemas:core:2.0:User" || !strings.Contains(res.raw, `"name":"userName"`) {
		t.Errorf("Schemas/User: %s", res.raw)
	}
	if res := c.do("GET", "/Schemas", ""); res.str("totalResults") != "2" {
		t.Errorf("Schemas: %s", res.raw)
	}
	idp{t: t, e: e}.do("GET", "/ServiceProviderConfig", "").wantError(t, 401, "", "missing bearer token")
}
