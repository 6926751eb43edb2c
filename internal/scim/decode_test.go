package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// FuzzDecodeBodies: whatever JSON an identity provider sends, decoding a
// User or applying a PatchOp either succeeds or returns a SCIM error; it
// never panics and never fails in a way that would become a 500.
func FuzzDecodeBodies(f *testing.F) {
	for _, s := range []string{
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false,"name.givenName":"x"}}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","value":{"department":"x"}}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"emails[type eq \"work\"].value"}]}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a@b.jp","name":{"familyName":"A"},"active":true}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"a@b.jp","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":1}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		dec := json.NewDecoder(bytes.NewReader([]byte(s)))
		dec.UseNumber()
		var body map[string]any
		if dec.Decode(&body) != nil || body == nil {
			return
		}
		var e *Error
		u := userState{UserName: "a@b.jp", Family: "A", Active: true}
		if next, err := applyPatch(u, body); err != nil && !errors.As(err, &e) {
			t.Fatalf("applyPatch(%s): %v", s, err)
		} else if err == nil {
			if _, err := next.validate(); err != nil && !errors.As(err, &e) {
				t.Fatalf("validate after patch %s: %v", s, err)
			}
		}
		if err := decodeUser(body, &userState{}); err != nil && !errors.As(err, &e) {
			t.Fatalf("decodeUser(%s): %v", s, err)
		}
	})
}
