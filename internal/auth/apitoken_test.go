package auth_test

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/dbtest"
)

var apiTokenShape = regexp.MustCompile(`^tsu_[A-Za-z0-9_-]{43}$`)

func createAPIToken(t *testing.T, d *db.DB, orgID int64, by auth.Actor, name string, now time.Time) (string, int64) {
	t.Helper()
	var secret string
	var id int64
	err := d.Tx(context.Background(), func(tx db.Tx) error {
		var err error
		secret, id, err = auth.CreateAPIToken(context.Background(), tx, orgID, by, name, now)
		return err
	})
	if err != nil {
		t.Fatalf("create API token %q: %v", name, err)
	}
	return secret, id
}

func TestAPITokenLifecycle(t *testing.T) {
	d := dbtest.New(t)
	o, uid := newOrgAndMember(t, d)
	ctx := context.Background()
	now := db.Now()
	admin := auth.Actor{UserID: uid, Email: "taro@example.jp", IP: "192.0.2.1"}

	secret, id := createAPIToken(t, d, o.ID, admin, "  人事システム連携  ", now)
	if !apiTokenShape.MatchString(secret) {
		t.Fatalf("secret %q does not look like tsu_ + 43 base64url characters", secret)
	}
	other, _ := createAPIToken(t, d, o.ID, admin, "script", now)
	if other == secret {
		t.Fatal("two tokens share a secret")
	}
	// Only the SHA-256 is stored.
	if n := dbCount(t, d, `SELECT COUNT(*) FROM api_tokens WHERE hash = $1 OR hash LIKE $2`, secret, "%"+secret[4:]+"%"); n != 0 {
		t.Fatal("the API token secret is stored in clear")
	}

	list, err := auth.ListAPITokens(ctx, d.Read(), o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("listed %d tokens, want 2", len(list))
	}
	var got auth.APIToken
	for _, tk := range list {
		if tk.ID == id {
			got = tk
		}
	}
	if got.Name != "人事システム連携" || got.CreatedBy != uid || got.CreatedByEmail != "taro@example.jp" ||
		!got.LastUsedAt.IsZero() || got.Revoked() || !got.CreatedAt.Equal(now) {
		t.Fatalf("listed token %+v", got)
	}

	// Authentication finds the organization and records the use, at most
	// once a minute.
	gotOrg, gotID, err := auth.AuthenticateAPIToken(ctx, d, secret, now)
	if err != nil || gotOrg != o.ID || gotID != id {
		t.Fatalf("authenticate: org %d id %d err %v", gotOrg, gotID, err)
	}
	lastUsed := func() time.Time {
		t.Helper()
		list, err := auth.ListAPITokens(ctx, d.Read(), o.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range list {
			if tk.ID == id {
				return tk.LastUsedAt
			}
		}
		t.Fatal("token gone")
		return time.Time{}
	}
	if lu := lastUsed(); !lu.Equal(now) {
		t.Fatalf("last used %v, want %v", lu, now)
	}
	if _, _, err := auth.AuthenticateAPIToken(ctx, d, secret, now.Add(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	if lu := lastUsed(); !lu.Equal(now) {
		t.Fatalf("last used moved within the minute: %v", lu)
	}
	if _, _, err := auth.AuthenticateAPIToken(ctx, d, secret, now.Add(61*time.Second)); err != nil {
		t.Fatal(err)
	}
	if lu := lastUsed(); !lu.Equal(now.Add(61 * time.Second)) {
		t.Fatalf("last used not updated after a minute: %v", lu)
	}

	// Unknown and malformed secrets.
	for _, bad := range []string{"", "tsu_", secret[:len(secret)-1], secret + "A", "xyz_" + secret[4:],
		"tsu_" + strings.Repeat("A", 43), strings.ToUpper(secret)} {
		if _, _, err := auth.AuthenticateAPIToken(ctx, d, bad, now); !errors.Is(err, auth.ErrAPITokenInvalid) {
			t.Errorf("secret %q: %v, want ErrAPITokenInvalid", bad, err)
		}
	}

	// Revocation stops the token and is audited; a second revocation is a no-op.
	if err := d.Tx(ctx, func(tx db.Tx) error { return auth.RevokeAPIToken(ctx, tx, o.ID, id, admin, now) }); err != nil {
		t.Fatal(err)
	}
	if _, _, err := auth.AuthenticateAPIToken(ctx, d, secret, now.Add(time.Hour)); !errors.Is(err, auth.ErrAPITokenRevoked) {
		t.Fatalf("revoked token: %v", err)
	}
	if err := d.Tx(ctx, func(tx db.Tx) error { return auth.RevokeAPIToken(ctx, tx, o.ID, id, admin, now) }); err != nil {
		t.Fatalf("revoke twice: %v", err)
	}
	if _, _, err := auth.AuthenticateAPIToken(ctx, d, other, now); err != nil {
		t.Fatalf("revoking one token stopped another: %v", err)
	}

	entries, err := audit.List(ctx, d, o.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, e := range entries {
		count[e.Action]++
		if e.Action == "admin.api_token_revoked" {
			if e.ActorUserID != uid || e.IP != "192.0.2.1" || e.Detail["name"] != "人事システム連携" || e.Target != "api_token:"+strconv.FormatInt(id, 10) {
				t.Errorf("revocation entry %+v", e)
			}
		}
		for _, v := range e.Detail {
			if strings.Contains(v, secret[4:]) {
				t.Errorf("audit entry %s holds the secret", e.Action)
			}
		}
	}
	if count["admin.api_token_created"] != 2 || count["admin.api_token_revoked"] != 1 {
		t.Fatalf("audit entries %v, want 2 created and 1 revoked", count)
	}
}

func TestAPITokenIsSealedInItsOrganization(t *testing.T) {
	d := dbtest.New(t)
	o, uid := newOrgAndMember(t, d)
	ctx := context.Background()
	now := db.Now()
	kaede, err := org.NewStore(d).CreateOrganization(ctx, d.Write(), "kaede", "かえで", "Kaede")
	if err != nil {
		t.Fatal(err)
	}
	admin := auth.Actor{UserID: uid, Email: "taro@example.jp"}
	secret, id := createAPIToken(t, d, o.ID, admin, "sakura", now)
	kaedeSecret, _ := createAPIToken(t, d, kaede.ID, auth.Actor{}, "kaede", now)

	// Another organization's id: not found, and nothing changes.
	before := dbCount(t, d, `SELECT COUNT(*) FROM audit_log`)
	err = d.Tx(ctx, func(tx db.Tx) error { return auth.RevokeAPIToken(ctx, tx, kaede.ID, id, admin, now) })
	if !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("revoke another organization's token: %v, want ErrNotFound", err)
	}
	if n := dbCount(t, d, `SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NOT NULL`); n != 0 {
		t.Fatal("another organization's token was revoked")
	}
	if n := dbCount(t, d, `SELECT COUNT(*) FROM audit_log`); n != before {
		t.Fatal("a refused revocation wrote to the audit log")
	}
	if err := d.Tx(ctx, func(tx db.Tx) error { return auth.RevokeAPIToken(ctx, tx, o.ID, 999999, admin, now) }); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("revoke unknown id: %v", err)
	}

	// Lists and authentication keep to their organization.
	list, err := auth.ListAPITokens(ctx, d.Read(), kaede.ID)
	if err != nil || len(list) != 1 || list[0].Name != "kaede" {
		t.Fatalf("kaede's list: %+v %v", list, err)
	}
	if got, _, err := auth.AuthenticateAPIToken(ctx, d, secret, now); err != nil || got != o.ID {
		t.Fatalf("sakura's token: org %d %v", got, err)
	}
	if got, _, err := auth.AuthenticateAPIToken(ctx, d, kaedeSecret, now); err != nil || got != kaede.ID {
		t.Fatalf("kaede's token: org %d %v", got, err)
	}
}

func TestAPITokenName(t *testing.T) {
	d := dbtest.New(t)
	o, uid := newOrgAndMember(t, d)
	now := db.Now()
	for _, bad := range []string{"", "   ", strings.Repeat("あ", 101), "a\x00b", "line\nbreak"} {
		_, _, err := auth.CreateAPIToken(context.Background(), d.Write(), o.ID, auth.Actor{UserID: uid}, bad, now)
		if !errors.Is(err, auth.ErrAPITokenName) {
			t.Errorf("name %q: %v, want ErrAPITokenName", bad, err)
		}
	}
	if n := dbCount(t, d, `SELECT COUNT(*) FROM api_tokens`); n != 0 {
		t.Fatalf("%d tokens stored with bad names", n)
	}
	createAPIToken(t, d, o.ID, auth.Actor{UserID: uid}, strings.Repeat("あ", 100), now)
}
