package scim

import (
	"strconv"
	"strings"
	"time"
)

// URNs of the schemas this server speaks.
const (
	userURN       = "urn:ietf:params:scim:schemas:core:2.0:User"
	enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	listURN       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	errorURN      = "urn:ietf:params:scim:api:messages:2.0:Error"
	patchURN      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
)

type attrKind int

const (
	kString attrKind = iota
	kBool
	kDate
)

// field is one attribute's value on one person.
type field struct {
	s       string
	b       bool
	t       time.Time
	present bool
}

// attrDef is an attribute a filter may name.
type attrDef struct {
	name      string
	kind      attrKind
	caseExact bool
	get       func(r *record) field
}

func str(s string) field { return field{s: s, present: s != ""} }

// resolve finds the attribute a path names. scope is "" for a User, or
// "emails" inside emails[...].
func resolve(p AttrPath, scope string) (attrDef, error) {
	uri := strings.ToLower(p.URI)
	name, sub := strings.ToLower(p.Name), strings.ToLower(p.Sub)
	unsupported := filterErr("filtering on %q is not supported (supported: id, userName, externalId, displayName, name.familyName, name.givenName, emails.value, active, meta.created, meta.lastModified, and the enterprise employeeNumber and department)", p.String())
	if scope == "emails" {
		if uri != "" || sub != "" || p.Filter != nil {
			return attrDef{}, unsupported
		}
		return emailSubAttr(name, unsupported)
	}
	if uri == strings.ToLower(enterpriseURN) {
		if sub != "" || p.Filter != nil {
			return attrDef{}, unsupported
		}
		switch name {
		case "employeenumber":
			return attrDef{name: "employeeNumber", get: func(r *record) field { return str(r.EmployeeNumber) }}, nil
		case "department":
			return attrDef{name: "department", get: func(r *record) field { return str(r.Department) }}, nil
		}
		return attrDef{}, unsupported
	}
	if uri != "" && uri != strings.ToLower(userURN) {
		return attrDef{}, unsupported
	}
	if p.Filter != nil && name != "emails" {
		return attrDef{}, unsupported
	}
	switch {
	case name == "id" && sub == "":
		return attrDef{name: "id", caseExact: true, get: func(r *record) field { return str(strconv.FormatInt(r.UserID, 10)) }}, nil
	case name == "username" && sub == "":
		return attrDef{name: "userName", get: func(r *record) field { return str(r.Email) }}, nil
	case name == "externalid" && sub == "":
		return attrDef{name: "externalId", caseExact: true, get: func(r *record) field { return str(r.ExternalID) }}, nil
	case name == "displayname" && sub == "":
		return attrDef{name: "displayName", get: func(r *record) field { return str(r.displayName()) }}, nil
	case name == "name" && sub == "familyname":
		return attrDef{name: "name.familyName", get: func(r *record) field { return str(r.Family) }}, nil
	case name == "name" && sub == "givenname":
		return attrDef{name: "name.givenName", get: func(r *record) field { return str(r.Given) }}, nil
	case name == "name" && sub == "formatted":
		return attrDef{name: "name.formatted", get: func(r *record) field { return str(r.displayName()) }}, nil
	case name == "emails":
		if sub == "" {
			sub = "value" // a multi-valued attribute compares by its value
		}
		return emailSubAttr(sub, unsupported)
	case name == "active" && sub == "":
		return attrDef{name: "active", kind: kBool, get: func(r *record) field { return field{b: r.active(), present: true} }}, nil
	case name == "meta" && sub == "created":
		return attrDef{name: "meta.created", kind: kDate, get: func(r *record) field { return field{t: r.Created, present: true} }}, nil
	case name == "meta" && sub == "lastmodified":
		return attrDef{name: "meta.lastModified", kind: kDate, get: func(r *record) field { return field{t: r.Modified, present: true} }}, nil
	case name == "meta" && sub == "resourcetype":
		return attrDef{name: "meta.resourceType", caseExact: true, get: func(*record) field { return str("User") }}, nil
	}
	return attrDef{}, unsupported
}

// emailSubAttr is a sub-attribute of the one (work, primary) email, which is
// the userName.
func emailSubAttr(sub string, unsupported error) (attrDef, error) {
	switch sub {
	case "value":
		return attrDef{name: "emails.value", get: func(r *record) field { return str(r.Email) }}, nil
	case "type":
		return attrDef{name: "emails.type", get: func(*record) field { return str("work") }}, nil
	case "primary":
		return attrDef{name: "emails.primary", kind: kBool, get: func(*record) field { return field{b: true, present: true} }}, nil
	}
	return attrDef{}, unsupported
}

type predicate func(r *record) bool

// compile checks a filter against the known attributes and turns it into a
// predicate, so that an unsupported filter is refused even when no person
// would be tested.
func compile(e Expr, scope string) (predicate, error) {
	switch e := e.(type) {
	case Logical:
		l, err := compile(e.L, scope)
		if err != nil {
			return nil, err
		}
		r, err := compile(e.R, scope)
		if err != nil {
			return nil, err
		}
		if e.Op == "and" {
			return func(x *record) bool { return l(x) && r(x) }, nil
		}
		return func(x *record) bool { return l(x) || r(x) }, nil
	case Not:
		x, err := compile(e.X, scope)
		if err != nil {
			return nil, err
		}
		return func(r *record) bool { return !x(r) }, nil
	case Has:
		if !strings.EqualFold(e.Path.Name, "emails") || e.Path.URI != "" && !strings.EqualFold(e.Path.URI, userURN) || scope != "" {
			return nil, filterErr("filtering on %q is not supported", e.Path.String())
		}
		return compile(e.Path.Filter, "emails")
	case Compare:
		return compileCompare(e, scope)
	}
	return nil, filterErr("unsupported filter")
}

func compileCompare(c Compare, scope string) (predicate, error) {
	def, err := resolve(c.Path, scope)
	if err != nil {
		return nil, err
	}
	inner := func(*record) bool { return true }
	if c.Path.Filter != nil {
		if inner, err = compile(c.Path.Filter, "emails"); err != nil {
			return nil, err
		}
	}
	if c.Op == "pr" {
		return func(r *record) bool { return inner(r) && def.get(r).present }, nil
	}
	if c.Value.Kind == Null {
		switch c.Op {
		case "eq":
			return func(r *record) bool { return inner(r) && !def.get(r).present }, nil
		case "ne":
			return func(r *record) bool { return inner(r) && def.get(r).present }, nil
		}
		return nil, filterErr("%s can only be compared with null by eq or ne", def.name)
	}
	mismatch := filterErr("%s %s %s compares a %s attribute with the wrong kind of value", def.name, c.Op, c.Value, [...]string{"string", "boolean", "dateTime"}[def.kind])
	var test func(f field) bool
	switch def.kind {
	case kBool:
		if c.Value.Kind != Boolean || (c.Op != "eq" && c.Op != "ne") {
			return nil, mismatch
		}
		want := c.Value.Bool
		test = func(f field) bool { return f.present && (f.b == want) == (c.Op == "eq") }
	case kDate:
		if c.Value.Kind != String {
			return nil, mismatch
		}
		want, err := time.Parse(time.RFC3339Nano, c.Value.Str)
		if err != nil {
			return nil, filterErr("%q is not a date and time (use RFC 3339, e.g. 2026-04-01T00:00:00Z)", c.Value.Str)
		}
		cmp := map[string]func(time.Time) bool{
			"eq": func(t time.Time) bool { return t.Equal(want) }, "ne": func(t time.Time) bool { return !t.Equal(want) },
			"gt": func(t time.Time) bool { return t.After(want) }, "ge": func(t time.Time) bool { return !t.Before(want) },
			"lt": func(t time.Time) bool { return t.Before(want) }, "le": func(t time.Time) bool { return !t.After(want) },
		}[c.Op]
		if cmp == nil {
			return nil, filterErr("%s is a date: use eq, ne, gt, ge, lt, le or pr", def.name)
		}
		test = func(f field) bool { return f.present && cmp(f.t) }
	default:
		if c.Value.Kind != String {
			return nil, mismatch
		}
		want := c.Value.Str
		fold := func(s string) string { return s }
		if !def.caseExact {
			fold = strings.ToLower
			want = strings.ToLower(want)
		}
		var cmp func(string) bool
		switch c.Op {
		case "eq":
			cmp = func(s string) bool { return s == want }
		case "ne":
			cmp = func(s string) bool { return s != want }
		case "co":
			cmp = func(s string) bool { return strings.Contains(s, want) }
		case "sw":
			cmp = func(s string) bool { return strings.HasPrefix(s, want) }
		case "ew":
			cmp = func(s string) bool { return strings.HasSuffix(s, want) }
		case "gt":
			cmp = func(s string) bool { return s > want }
		case "ge":
			cmp = func(s string) bool { return s >= want }
		case "lt":
			cmp = func(s string) bool { return s < want }
		case "le":
			cmp = func(s string) bool { return s <= want }
		}
		// ne matches an absent value too (RFC 7644: "not equal" holds when
		// the attribute has no value); the other operators need a value.
		test = func(f field) bool { return (f.present || c.Op == "ne") && cmp(fold(f.s)) }
	}
	return func(r *record) bool { return inner(r) && test(def.get(r)) }, nil
}

// narrowing finds an "attr eq value" that every match must satisfy (the
// filter itself, or a term of a top-level "and"), to fetch only the rows
// that can match. The full filter still decides.
func narrowing(e Expr) (column string, arg any, ok bool) {
	switch e := e.(type) {
	case Logical:
		if e.Op != "and" {
			return "", nil, false
		}
		if c, a, ok := narrowing(e.L); ok {
			return c, a, ok
		}
		return narrowing(e.R)
	case Compare:
		if e.Op != "eq" || e.Value.Kind != String || e.Path.Filter != nil {
			return "", nil, false
		}
		def, err := resolve(e.Path, "")
		if err != nil {
			return "", nil, false
		}
		switch def.name {
		case "userName", "emails.value":
			return "u.email_lower", strings.ToLower(e.Value.Str), true
		case "externalId":
			return "s.external_id", e.Value.Str, true
		case "id":
			id, err := strconv.ParseInt(e.Value.Str, 10, 64)
			if err != nil {
				id = -1
			}
			return "u.id", id, true
		}
	}
	return "", nil, false
}
