package sso

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEmailVerifiedForms(t *testing.T) {
	for raw, want := range map[string]bool{`true`: true, `"true"`: true, `false`: false, `"false"`: false, `null`: false, ``: false, `1`: false} {
		var c claims
		if raw != "" {
			c.EmailVerified = json.RawMessage(raw)
		}
		if got := c.verified(); got != want {
			t.Errorf("email_verified %s: %v, want %v", raw, got, want)
		}
	}
}

func TestNameFromClaims(t *testing.T) {
	cases := []struct {
		c                           claims
		family, given, familyRomaji string
	}{
		{claims{FamilyName: "鈴木", GivenName: "次郎"}, "鈴木", "次郎", ""},
		{claims{FamilyName: "Suzuki", GivenName: "Jiro"}, "Suzuki", "Jiro", "Suzuki"},
		{claims{Name: "鈴木 次郎"}, "鈴木 次郎", "", ""},
		{claims{}, "jiro.suzuki", "", "jiro.suzuki"},
	}
	for _, tc := range cases {
		n := tc.c.name("jiro.suzuki@example.jp")
		if n.Family != tc.family || n.Given != tc.given || n.FamilyRomaji != tc.familyRomaji {
			t.Errorf("%+v → %+v", tc.c, n)
		}
		if err := n.Validate(); err != nil {
			t.Errorf("%+v: %v", tc.c, err)
		}
	}
}

func TestSplitDomains(t *testing.T) {
	got := splitDomains(" @Sakura-Tech.co.jp, example.org\nexample.org、corp.example.jp ")
	want := []string{"sakura-tech.co.jp", "example.org", "corp.example.jp"}
	if len(got) != len(want) {
		t.Fatalf("%q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%q, want %q", got, want)
		}
	}
}

func TestSealOpensOnlyWithKeyAndOrg(t *testing.T) {
	key := make([]byte, KeySize)
	key[0] = 1
	sealed, err := seal(key, 7, "top-secret")
	if err != nil || sealed == "top-secret" || !strings.HasPrefix(sealed, sealedPrefix) {
		t.Fatalf("sealed = %q, %v", sealed, err)
	}
	if plain, err := unseal(key, 7, sealed); err != nil || plain != "top-secret" {
		t.Fatalf("unseal = %q, %v", plain, err)
	}
	other := make([]byte, KeySize)
	for _, tc := range []struct {
		key   []byte
		orgID int64
	}{{other, 7}, {key, 8}, {nil, 7}} {
		if _, err := unseal(tc.key, tc.orgID, sealed); err != errUnsealable {
			t.Errorf("opened with key %v org %d: %v", tc.key != nil && tc.key[0] == 1, tc.orgID, err)
		}
	}
	if plain, err := unseal(key, 7, "saved-before-a-key"); err != nil || plain != "saved-before-a-key" {
		t.Errorf("plain value: %q %v", plain, err)
	}
	dir := t.TempDir()
	k1, err := LoadOrCreateKey(filepath.Join(dir, "keys", "sso.key"))
	if err != nil {
		t.Fatal(err)
	}
	k2, err := LoadOrCreateKey(filepath.Join(dir, "keys", "sso.key"))
	if err != nil || string(k1) != string(k2) || len(k1) != KeySize {
		t.Fatalf("second load: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "keys", "sso.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode: %v %v", fi.Mode(), err)
	}
}
