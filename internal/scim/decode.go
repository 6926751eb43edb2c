package scim

import (
	"fmt"
	"strings"
)

// ignoredAttrs are User attributes of RFC 7643 (core and enterprise) that
// directories send and Tsunagu does not keep. They are accepted and
// dropped, so that a directory's default attribute mappings work; anything
// outside the schemas is refused.
var ignoredAttrs = map[string]bool{
	"id": true, "meta": true, "displayname": true, "nickname": true, "profileurl": true, "title": true, "usertype": true,
	"preferredlanguage": true, "locale": true, "timezone": true, "password": true, "phonenumbers": true, "ims": true,
	"photos": true, "addresses": true, "groups": true, "entitlements": true, "roles": true, "x509certificates": true,
	"emails": true, // the email is the userName
}

var ignoredEnterprise = map[string]bool{"costcenter": true, "organization": true, "division": true, "manager": true}

// lowerKeys gives an object's members by lower-case name: SCIM attribute
// names are case-insensitive.
func lowerKeys(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

func invalidValue(format string, args ...any) error {
	return scimError(400, "invalidValue", fmt.Sprintf(format, args...))
}

func asString(v any, attr string) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case nil:
		return "", nil
	}
	return "", invalidValue("%s must be a string", attr)
}

// asBool accepts JSON booleans and the strings "True"/"False" that Entra ID
// sends in PATCH operations.
func asBool(v any, attr string) (bool, error) {
	switch v := v.(type) {
	case bool:
		return v, nil
	case string:
		switch strings.ToLower(v) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, invalidValue("%s must be true or false", attr)
}

func asObject(v any, attr string) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, invalidValue("%s must be an object", attr)
	}
	return lowerKeys(m), nil
}

// checkSchemas requires want among the schemas and nothing unknown.
func checkSchemas(body map[string]any, want string, allowed ...string) error {
	raw, ok := body["schemas"].([]any)
	if !ok {
		return scimError(400, "invalidSyntax", fmt.Sprintf(`the body must have "schemas": [%q]`, want))
	}
	found := false
	for _, v := range raw {
		s, _ := v.(string)
		switch {
		case strings.EqualFold(s, want):
			found = true
		case containsFold(allowed, s):
		default:
			return scimError(400, "invalidSyntax", fmt.Sprintf("schema %q is not supported", s))
		}
	}
	if !found {
		return scimError(400, "invalidSyntax", fmt.Sprintf(`the body must have "schemas": [%q]`, want))
	}
	return nil
}

func containsFold(list []string, s string) bool {
	for _, l := range list {
		if strings.EqualFold(l, s) {
			return true
		}
	}
	return false
}

// decodeUser reads a User body (POST, PUT) over u.
func decodeUser(raw map[string]any, u *userState) error {
	body := lowerKeys(raw)
	if err := checkSchemas(body, userURN, enterpriseURN); err != nil {
		return err
	}
	var displayName string
	for k, v := range body {
		var err error
		switch k {
		case "schemas":
		case "username":
			u.UserName, err = asString(v, "userName")
		case "externalid":
			u.ExternalID, err = asString(v, "externalId")
		case "active":
			u.Active, err = asBool(v, "active")
		case "name":
			var n map[string]any
			if n, err = asObject(v, "name"); err != nil {
				return err
			}
			if u.Family, err = asString(n["familyname"], "name.familyName"); err != nil {
				return err
			}
			u.Given, err = asString(n["givenname"], "name.givenName")
		case strings.ToLower(enterpriseURN):
			var ent map[string]any
			if ent, err = asObject(v, enterpriseURN); err != nil {
				return err
			}
			u.EmployeeNumber, u.Department = "", ""
			for ek, ev := range ent {
				switch {
				case ek == "employeenumber":
					u.EmployeeNumber, err = asString(ev, "employeeNumber")
				case ek == "department":
					u.Department, err = asString(ev, "department")
				case !ignoredEnterprise[ek]:
					err = scimError(400, "invalidSyntax", fmt.Sprintf("%q is not an attribute of the enterprise extension", ek))
				}
				if err != nil {
					return err
				}
			}
		case "displayname":
			displayName, _ = v.(string)
		default:
			if !ignoredAttrs[k] {
				return scimError(400, "invalidSyntax", fmt.Sprintf("%q is not an attribute of a User", k))
			}
		}
		if err != nil {
			return err
		}
	}
	if strings.TrimSpace(u.UserName) == "" {
		return invalidValue("userName is required")
	}
	if strings.TrimSpace(u.Family) == "" && strings.TrimSpace(u.Given) == "" {
		// Some directory accounts have only a display name.
		u.Family = displayName
	}
	return nil
}

// maxOperations bounds one PATCH.
const maxOperations = 100

// applyPatch applies a PatchOp body (RFC 7644 section 3.5.2) to u, as Okta
// and Entra ID send it: ops in any case, with a path or with a value object
// whose keys are paths, booleans as strings.
func applyPatch(u userState, raw map[string]any) (userState, error) {
	body := lowerKeys(raw)
	if err := checkSchemas(body, patchURN); err != nil {
		return u, err
	}
	for k := range body {
		if k != "schemas" && k != "operations" {
			return u, scimError(400, "invalidSyntax", fmt.Sprintf("%q is not a member of a PatchOp", k))
		}
	}
	ops, ok := body["operations"].([]any)
	if !ok || len(ops) == 0 {
		return u, scimError(400, "invalidSyntax", `a PatchOp needs "Operations": [...]`)
	}
	if len(ops) > maxOperations {
		return u, scimError(400, "invalidSyntax", fmt.Sprintf("at most %d operations per request", maxOperations))
	}
	for i, rawOp := range ops {
		op, ok := rawOp.(map[string]any)
		if !ok {
			return u, scimError(400, "invalidSyntax", fmt.Sprintf("operation %d is not an object", i+1))
		}
		op = lowerKeys(op)
		name, _ := op["op"].(string)
		name = strings.ToLower(name)
		if name != "add" && name != "replace" && name != "remove" {
			return u, scimError(400, "invalidSyntax", fmt.Sprintf(`operation %d: "op" must be add, replace or remove`, i+1))
		}
		rawPath, hasPath := op["path"]
		pathStr, _ := rawPath.(string)
		if hasPath && rawPath != nil && pathStr == "" {
			return u, scimError(400, "invalidPath", fmt.Sprintf(`operation %d: "path" must be a non-empty string`, i+1))
		}
		value := op["value"]
		var err error
		switch {
		case pathStr != "":
			var p AttrPath
			if p, err = ParsePath(pathStr); err != nil {
				return u, scimError(400, "invalidPath", fmt.Sprintf("operation %d: %v", i+1, err))
			}
			if name != "remove" && !hasValue(op) {
				return u, invalidValue(`operation %d: %s needs a "value"`, i+1, name)
			}
			err = setPath(&u, p, pathStr, value, name == "remove")
		case name == "remove":
			return u, scimError(400, "noTarget", fmt.Sprintf(`operation %d: remove needs a "path"`, i+1))
		default:
			var obj map[string]any
			if obj, ok = value.(map[string]any); !ok {
				return u, invalidValue(`operation %d: without a "path", "value" must be an object of attributes`, i+1)
			}
			for k, v := range obj {
				var p AttrPath
				if p, err = ParsePath(k); err != nil {
					return u, scimError(400, "invalidPath", fmt.Sprintf("operation %d: %v", i+1, err))
				}
				if err = setPath(&u, p, k, v, false); err != nil {
					break
				}
			}
		}
		if err != nil {
			return u, err
		}
	}
	return u, nil
}

func hasValue(op map[string]any) bool {
	_, ok := op["value"]
	return ok
}

// setPath sets (or with remove, clears) the attribute p names.
func setPath(u *userState, p AttrPath, raw string, v any, remove bool) error {
	uri, name, sub := strings.ToLower(p.URI), strings.ToLower(p.Name), strings.ToLower(p.Sub)
	if strings.EqualFold(raw, enterpriseURN) {
		// The extension as a whole, with an object of its attributes.
		if remove {
			u.EmployeeNumber, u.Department = "", ""
			return nil
		}
		ent, err := asObject(v, enterpriseURN)
		if err != nil {
			return err
		}
		for k, ev := range ent {
			if err := setPath(u, AttrPath{URI: enterpriseURN, Name: k}, enterpriseURN+":"+k, ev, false); err != nil {
				return err
			}
		}
		return nil
	}
	str := func(dst *string, attr string) error {
		if remove {
			*dst = ""
			return nil
		}
		s, err := asString(v, attr)
		*dst = s
		return err
	}
	required := func(attr string) error {
		return scimError(400, "mutability", attr+" is required and cannot be removed")
	}
	if uri == strings.ToLower(enterpriseURN) && sub == "" && p.Filter == nil {
		switch {
		case name == "employeenumber":
			return str(&u.EmployeeNumber, "employeeNumber")
		case name == "department":
			return str(&u.Department, "department")
		case ignoredEnterprise[name]:
			return nil
		}
		return scimError(400, "invalidPath", fmt.Sprintf("%q is not an attribute of the enterprise extension", raw))
	}
	if uri != "" && uri != strings.ToLower(userURN) {
		return scimError(400, "invalidPath", fmt.Sprintf("%q is not an attribute of a User", raw))
	}
	if p.Filter != nil && name != "emails" && !ignoredAttrs[name] {
		return scimError(400, "invalidPath", fmt.Sprintf("%q: only multi-valued attributes take a [filter]", raw))
	}
	switch {
	case name == "active" && sub == "":
		if remove {
			return required("active")
		}
		b, err := asBool(v, "active")
		u.Active = b
		return err
	case name == "username" && sub == "":
		if remove {
			return required("userName")
		}
		return str(&u.UserName, "userName")
	case name == "externalid" && sub == "":
		return str(&u.ExternalID, "externalId")
	case name == "name" && sub == "familyname":
		if remove {
			return required("name.familyName")
		}
		return str(&u.Family, "name.familyName")
	case name == "name" && sub == "givenname":
		return str(&u.Given, "name.givenName")
	case name == "name" && sub == "":
		if remove {
			return required("name")
		}
		n, err := asObject(v, "name")
		if err != nil {
			return err
		}
		for k, nv := range n {
			switch k {
			case "familyname":
				u.Family, err = asString(nv, "name.familyName")
			case "givenname":
				u.Given, err = asString(nv, "name.givenName")
			}
			if err != nil {
				return err
			}
		}
		return nil
	case name == "name" && (sub == "formatted" || sub == "middlename" || sub == "honorificprefix" || sub == "honorificsuffix"):
		return nil
	case ignoredAttrs[name] && name != "id" && name != "meta":
		return nil
	}
	return scimError(400, "invalidPath", fmt.Sprintf("%q is not an attribute this server can change", raw))
}
