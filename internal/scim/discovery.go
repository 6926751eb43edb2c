package scim

import (
	"net/http"
)

// The discovery endpoints (RFC 7644 section 4) describe exactly what this
// server does: Users only, PATCH, filter; no bulk, sort, password change or
// ETags.

func (s *Service) serviceProviderConfig() map[string]any {
	return map[string]any{
		"schemas":          []string{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"},
		"documentationUri": "https://datatracker.ietf.org/doc/html/rfc7644",
		"patch":            map[string]any{"supported": true},
		"bulk":             map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":           map[string]any{"supported": true, "maxResults": maxCount},
		"changePassword":   map[string]any{"supported": false},
		"sort":             map[string]any{"supported": false},
		"etag":             map[string]any{"supported": false},
		"authenticationSchemes": []map[string]any{{
			"type": "oauthbearertoken", "name": "Bearer token", "primary": true,
			"description": "A SCIM token of the organization, created by an admin in Tsunagu, sent as Authorization: Bearer tsc_…",
		}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": s.BaseURL() + "/ServiceProviderConfig"},
	}
}

func (s *Service) resourceTypes() []map[string]any {
	return []map[string]any{{
		"schemas":          []string{"urn:ietf:params:scim:schemas:core:2.0:ResourceType"},
		"id":               "User",
		"name":             "User",
		"endpoint":         "/Users",
		"schema":           userURN,
		"schemaExtensions": []map[string]any{{"schema": enterpriseURN, "required": false}},
		"meta":             map[string]any{"resourceType": "ResourceType", "location": s.BaseURL() + "/ResourceTypes/User"},
	}}
}

func attr(name, typ string, required bool, mutability, uniqueness string, caseExact bool, sub ...map[string]any) map[string]any {
	a := map[string]any{"name": name, "type": typ, "multiValued": false, "required": required, "caseExact": caseExact,
		"mutability": mutability, "returned": "default", "uniqueness": uniqueness}
	if len(sub) > 0 {
		a["subAttributes"] = sub
	}
	return a
}

func (s *Service) schemas() []map[string]any {
	emails := attr("emails", "complex", false, "readOnly", "none", false,
		attr("value", "string", false, "readOnly", "none", false),
		attr("type", "string", false, "readOnly", "none", false),
		attr("primary", "boolean", false, "readOnly", "none", false))
	emails["multiValued"] = true
	emails["description"] = "The work email address; always the same as userName."
	return []map[string]any{
		{
			"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:Schema"},
			"id":          userURN,
			"name":        "User",
			"description": "A person of the organization. userName is the email address people sign in with.",
			"attributes": []map[string]any{
				attr("userName", "string", true, "readWrite", "server", false),
				attr("name", "complex", true, "readWrite", "none", false,
					attr("familyName", "string", true, "readWrite", "none", false),
					attr("givenName", "string", false, "readWrite", "none", false),
					attr("formatted", "string", false, "readOnly", "none", false)),
				attr("displayName", "string", false, "readOnly", "none", false),
				emails,
				attr("active", "boolean", false, "readWrite", "none", false),
			},
			"meta": map[string]any{"resourceType": "Schema", "location": s.BaseURL() + "/Schemas/" + userURN},
		},
		{
			"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:Schema"},
			"id":          enterpriseURN,
			"name":        "EnterpriseUser",
			"description": "HR fields kept with the person (visible to admins only).",
			"attributes": []map[string]any{
				attr("employeeNumber", "string", false, "readWrite", "server", true),
				attr("department", "string", false, "readWrite", "none", false),
			},
			"meta": map[string]any{"resourceType": "Schema", "location": s.BaseURL() + "/Schemas/" + enterpriseURN},
		},
	}
}

// discovery writes the list of resources, or the one named by id.
func (s *Service) discovery(w http.ResponseWriter, id string, all []map[string]any) {
	if id != "" {
		for _, r := range all {
			if r["id"] == id {
				s.write(w, http.StatusOK, r)
				return
			}
		}
	}
	s.write(w, http.StatusOK, map[string]any{"schemas": []string{listURN}, "totalResults": len(all),
		"startIndex": 1, "itemsPerPage": len(all), "Resources": all})
}
