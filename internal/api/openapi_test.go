package api_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/tsunagu/tsunagu/internal/api"
	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/org"
)

// spec is the parsed OpenAPI document with helpers to walk it.
type spec struct {
	t    *testing.T
	root map[string]any
}

func loadSpec(t *testing.T) spec {
	t.Helper()
	var root map[string]any
	if err := yaml.Unmarshal(api.OpenAPI(), &root); err != nil {
		t.Fatalf("openapi.yaml is not valid YAML: %v", err)
	}
	return spec{t: t, root: root}
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }
func asList(v any) []any         { l, _ := v.([]any); return l }

// resolve follows a local $ref.
func (s spec) resolve(node map[string]any) map[string]any {
	s.t.Helper()
	for i := 0; i < 10; i++ {
		ref, ok := node["$ref"].(string)
		if !ok {
			return node
		}
		if !strings.HasPrefix(ref, "#/") {
			s.t.Fatalf("non-local $ref %q", ref)
		}
		var cur any = s.root
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			cur = asMap(cur)[part]
		}
		if cur == nil {
			s.t.Fatalf("$ref %q points nowhere", ref)
		}
		node = asMap(cur)
	}
	s.t.Fatal("$ref loop")
	return nil
}

func (s spec) server() string {
	servers := asList(s.root["servers"])
	if len(servers) != 1 {
		s.t.Fatalf("want one server, have %d", len(servers))
	}
	return strings.TrimSuffix(asMap(servers[0])["url"].(string), "/")
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// operation is one documented path and method.
type operation struct {
	method, path string // upper-case method, full path
	op           map[string]any
}

func (s spec) operations() []operation {
	var out []operation
	for p, item := range asMap(s.root["paths"]) {
		for _, m := range httpMethods {
			if op := asMap(asMap(item)[m]); op != nil {
				out = append(out, operation{method: strings.ToUpper(m), path: s.server() + p, op: op})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path+out[i].method < out[j].path+out[j].method })
	return out
}

func (s spec) operation(method, path string) map[string]any {
	for _, o := range s.operations() {
		if o.method == method && o.path == path {
			return o.op
		}
	}
	s.t.Fatalf("%s %s is not documented", method, path)
	return nil
}

// secured reports whether an operation needs the bearer token.
func (s spec) secured(op map[string]any) bool {
	sec, ok := op["security"]
	if !ok {
		sec = s.root["security"]
	}
	return len(asList(sec)) > 0
}

func (s spec) queryParams(op map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, p := range asList(op["parameters"]) {
		p := s.resolve(asMap(p))
		if p["in"] == "query" {
			out[p["name"].(string)] = p
		}
	}
	return out
}

func TestOpenAPIDocumentMatchesRoutes(t *testing.T) {
	s := loadSpec(t)
	if v := s.root["openapi"]; v != "3.1.0" {
		t.Fatalf("openapi version %v", v)
	}
	scheme := asMap(asMap(asMap(s.root["components"])["securitySchemes"])["bearerAuth"])
	if scheme["type"] != "http" || scheme["scheme"] != "bearer" {
		t.Fatalf("bearer auth not documented: %v", scheme)
	}
	documented := map[string]bool{}
	for _, o := range s.operations() {
		documented[o.method+" "+o.path] = true
	}
	served := map[string]bool{}
	for _, r := range api.Routes {
		served[r.Method+" "+r.Path] = true
		if !documented[r.Method+" "+r.Path] {
			t.Errorf("route %s %s is not in openapi.yaml", r.Method, r.Path)
		}
	}
	for op := range documented {
		if !served[op] {
			t.Errorf("openapi.yaml documents %s, which api.Routes does not list", op)
		}
	}

	n := newNetwork(t)
	for _, o := range s.operations() {
		var auth bool
		for _, r := range api.Routes {
			if r.Method == o.method && r.Path == o.path {
				auth = r.Auth
			}
		}
		if s.secured(o.op) != auth {
			t.Errorf("%s %s: documented security %v, route needs a token: %v", o.method, o.path, s.secured(o.op), auth)
		}
		res := call(t, n.e, o.method, o.path, n.token)
		if res.StatusCode == http.StatusNotFound || res.StatusCode == http.StatusMethodNotAllowed {
			t.Errorf("documented %s %s answers %d", o.method, o.path, res.StatusCode)
		}
		if _, ok := asMap(o.op["responses"])[fmt.Sprint(res.StatusCode)]; !ok {
			t.Errorf("%s %s answered %d, which is not documented", o.method, o.path, res.StatusCode)
		}
		if s.secured(o.op) {
			if res := call(t, n.e, o.method, o.path, ""); res.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s %s without a token: %d", o.method, o.path, res.StatusCode)
			}
		}
	}
	// The served document is the embedded one.
	res := call(t, n.e, "GET", "/api/v1/openapi.yaml", "")
	if res.StatusCode != http.StatusOK || res.Body != string(api.OpenAPI()) || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/yaml") {
		t.Fatalf("GET /api/v1/openapi.yaml: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

// exampleValues returns a valid value (or values, for arrays) of a
// documented parameter, from its example.
func exampleValues(t *testing.T, p map[string]any) []string {
	t.Helper()
	ex, ok := p["example"]
	if !ok {
		t.Fatalf("parameter %v has no example", p["name"])
	}
	if l, ok := ex.([]any); ok {
		var out []string
		for _, v := range l {
			out = append(out, fmt.Sprint(v))
		}
		return out
	}
	return []string{fmt.Sprint(ex)}
}

func enumOf(s spec, schema map[string]any) []string {
	schema = s.resolve(schema)
	if schema["type"] == "array" {
		schema = s.resolve(asMap(schema["items"]))
	}
	var out []string
	for _, v := range asList(schema["enum"]) {
		out = append(out, fmt.Sprint(v))
	}
	return out
}

func TestOpenAPIParametersMatchTheHandler(t *testing.T) {
	s := loadSpec(t)
	params := s.queryParams(s.operation("GET", "/api/v1/members"))
	var documented []string
	for name := range params {
		documented = append(documented, name)
	}
	slices.Sort(documented)
	read := api.MemberParamsRead()
	for _, name := range read {
		if !slices.Contains(documented, name) {
			t.Errorf("the handler reads parameter %q, which openapi.yaml does not document", name)
		}
	}
	for _, name := range documented {
		if !slices.Contains(read, name) {
			t.Errorf("openapi.yaml documents parameter %q, which the handler ignores", name)
		}
	}

	// The documented choices are the code's.
	roles := make([]string, len(org.Roles))
	for i, r := range org.Roles {
		roles[i] = string(r)
	}
	for name, want := range map[string][]string{"industry": member.Industries, "open_to": member.OpenToKeys, "sort": member.Sorts, "role": roles} {
		got := enumOf(s, asMap(params[name]["schema"]))
		if !slices.Equal(got, want) {
			t.Errorf("parameter %s: documented %v, code has %v", name, got, want)
		}
	}

	n := newNetwork(t)
	get := func(v url.Values) response {
		return call(t, n.e, "GET", "/api/v1/members?"+v.Encode(), n.token)
	}
	all := url.Values{}
	for _, name := range documented {
		p := params[name]
		schema := s.resolve(asMap(p["schema"]))
		// The example is accepted, alone and with every other parameter.
		v := url.Values{name: exampleValues(t, p)}
		all[name] = v[name]
		if r := get(v); r.StatusCode != http.StatusOK {
			t.Errorf("documented example %s: %d %s", v.Encode(), r.StatusCode, r.Body)
		}
		// Every documented choice is accepted.
		for _, choice := range enumOf(s, schema) {
			if r := get(url.Values{name: {choice}}); r.StatusCode != http.StatusOK {
				t.Errorf("documented value %s=%s: %d %s", name, choice, r.StatusCode, r.Body)
			}
		}
		// The documented bounds are the handler's.
		bound := func(key string, delta int, ok bool) {
			b, has := schema[key].(int)
			if !has {
				return
			}
			r := get(url.Values{name: {fmt.Sprint(b + delta)}})
			if ok && r.StatusCode != http.StatusOK {
				t.Errorf("%s=%d (documented %s): %d %s", name, b+delta, key, r.StatusCode, r.Body)
			}
			if !ok {
				if e := apiErrorOf(t, r, http.StatusBadRequest, "bad_request"); e["parameter"] != name {
					t.Errorf("%s=%d beyond the documented %s: %v", name, b+delta, key, e)
				}
			}
		}
		bound("minimum", 0, true)
		bound("maximum", 0, true)
		bound("minimum", -1, false)
		bound("maximum", 1, false)
		if maxLen, ok := schema["maxLength"].(int); ok {
			if r := get(url.Values{name: {strings.Repeat("あ", maxLen)}}); r.StatusCode != http.StatusOK {
				t.Errorf("%s of the documented maxLength %d: %d %s", name, maxLen, r.StatusCode, r.Body)
			}
			r := get(url.Values{name: {strings.Repeat("あ", maxLen+1)}})
			if e := apiErrorOf(t, r, http.StatusBadRequest, "bad_request"); e["parameter"] != name {
				t.Errorf("%s longer than the documented maxLength: %v", name, e)
			}
		}
	}
	if r := get(all); r.StatusCode != http.StatusOK {
		t.Errorf("every documented parameter at once (%s): %d %s", all.Encode(), r.StatusCode, r.Body)
	}
	all.Set("unknown_parameter", "1")
	if r := get(all); r.StatusCode != http.StatusOK {
		t.Errorf("an unknown parameter is not ignored: %d", r.StatusCode)
	}
}

// validate checks value against schema, strictly: an object may hold only
// documented properties. seen collects the schema paths that occurred.
func (s spec) validate(schema map[string]any, value any, at string, seen map[string]bool) []string {
	schema = s.resolve(schema)
	seen[at] = true
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, at+": "+fmt.Sprintf(format, args...)) }
	if enum := asList(schema["enum"]); enum != nil && !slices.ContainsFunc(enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(value) }) {
		bad("%v is not one of %v", value, enum)
	}
	switch schema["type"] {
	case "object":
		obj, ok := value.(map[string]any)
		if !ok {
			bad("want an object, have %T", value)
			return errs
		}
		props := asMap(schema["properties"])
		for _, r := range asList(schema["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				bad("required property %s missing", r)
			}
		}
		for k, v := range obj {
			ps, ok := props[k]
			if !ok {
				bad("property %q is not documented", k)
				continue
			}
			errs = append(errs, s.validate(asMap(ps), v, at+"."+k, seen)...)
		}
	case "array":
		list, ok := value.([]any)
		if !ok {
			bad("want an array, have %T", value)
			return errs
		}
		for _, v := range list {
			errs = append(errs, s.validate(asMap(schema["items"]), v, at+"[]", seen)...)
		}
	case "string":
		if _, ok := value.(string); !ok {
			bad("want a string, have %T", value)
		}
	case "integer":
		f, ok := value.(float64)
		if !ok || f != math.Trunc(f) {
			bad("want an integer, have %v", value)
		} else if m, ok := schema["minimum"].(int); ok && f < float64(m) {
			bad("%v is below the minimum %d", f, m)
		}
	case "boolean":
		if _, ok := value.(bool); !ok {
			bad("want a boolean, have %T", value)
		}
	default:
		bad("schema without a type")
	}
	return errs
}

// paths lists every property path a schema documents, as validate names them.
func (s spec) paths(schema map[string]any, at string, out map[string]bool) {
	schema = s.resolve(schema)
	out[at] = true
	switch schema["type"] {
	case "object":
		for k, v := range asMap(schema["properties"]) {
			s.paths(asMap(v), at+"."+k, out)
		}
	case "array":
		s.paths(asMap(schema["items"]), at+"[]", out)
	}
}

func (s spec) responseSchema(op map[string]any, status string) map[string]any {
	resp := s.resolve(asMap(asMap(op["responses"])[status]))
	schema := asMap(asMap(asMap(resp["content"])["application/json"])["schema"])
	if schema == nil {
		s.t.Fatalf("no JSON schema for response %s", status)
	}
	return schema
}

func TestOpenAPIResponsesMatchTheSchema(t *testing.T) {
	s := loadSpec(t)
	n := newNetwork(t)
	op := s.operation("GET", "/api/v1/members")
	check := func(r response, status string) map[string]bool {
		t.Helper()
		if fmt.Sprint(r.StatusCode) != status {
			t.Fatalf("%s: status %d, want %s", r.Request.URL, r.StatusCode, status)
		}
		var v any
		if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, e := range s.validate(s.responseSchema(op, status), v, "$", seen) {
			t.Errorf("%s: %s", r.Request.URL, e)
		}
		return seen
	}
	// A full page: every property of a real response is documented, and
	// every documented property occurs (hanako fills every field).
	seen := check(call(t, n.e, "GET", "/api/v1/members?per_page=100", n.token), "200")
	documented := map[string]bool{}
	s.paths(s.responseSchema(op, "200"), "$", documented)
	for p := range documented {
		if !seen[p] {
			t.Errorf("documented response field %s never occurs in a full response", p)
		}
	}
	check(call(t, n.e, "GET", "/api/v1/members?q=%E5%B1%B1%E7%94%B0&sort=left_desc&per_page=1", n.token), "200")
	check(call(t, n.e, "GET", "/api/v1/members?per_page=1000", n.token), "400")
	check(call(t, n.e, "GET", "/api/v1/members", ""), "401")
	check(call(t, n.e, "GET", "/api/v1/members", "tsu_nope"), "401")
	// Unknown paths answer with the same documented error shape.
	r := call(t, n.e, "GET", "/api/v1/unknown", n.token)
	var v any
	if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
		t.Fatal(err)
	}
	for _, e := range s.validate(asMap(asMap(asMap(s.root["components"])["schemas"])["Error"]), v, "$", map[string]bool{}) {
		t.Errorf("404 body: %s", e)
	}
}
