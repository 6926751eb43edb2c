package auth_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/dbtest"
)

func TestPasswordHashUsesOWASPParameters(t *testing.T) {
	h, err := auth.HashPassword("パスワードは長い文がいい", auth.DefaultArgon2)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not carry the OWASP parameters", h)
	}
	ok, err := auth.VerifyPassword("パスワードは長い文がいい", h)
	if err != nil || !ok {
		t.Fatalf("verify own hash: %v %v", ok, err)
	}
	if ok, _ := auth.VerifyPassword("パスワードは長い文がいい ", h); ok {
		t.Fatal("a different password verified")
	}
	h2, _ := auth.HashPassword("パスワードは長い文がいい", auth.DefaultArgon2)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
}

func TestVerifyRejectsMalformedHashes(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=18$m=1,t=1,p=1$c2FsdA$aGFzaA",
		"$argon2id$v=19$m=x,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=64,t=1,p=1$!!!$aGFzaA", "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$"} {
		if ok, err := auth.VerifyPassword("x", h); ok || err == nil {
			t.Errorf("VerifyPassword(%q) = %v, %v; want an error", h, ok, err)
		}
	}
}

func TestPasswordPolicy(t *testing.T) {
	cases := map[string]error{
		"123456789":              auth.ErrPasswordTooShort,
		"あいうえおかきくけ":              auth.ErrPasswordTooShort, // counted in characters, not bytes
		"あいうえおかきくけこ":             nil,
		strings.Repeat("a", 256): nil,
		strings.Repeat("a", 257): auth.ErrPasswordTooLong,
		"correct horse battery":  nil,
	}
	for pw, want := range cases {
		if got := auth.CheckPasswordPolicy(pw); !errors.Is(got, want) {
			t.Errorf("CheckPasswordPolicy(%q) = %v, want %v", pw, got, want)
		}
	}
}

func newOrgAndMember(t *testing.T, d *db.DB) (org.Organization, int64) {
	t.Helper()
	ctx := context.Background()
	s := org.NewStore(d)
	o, err := s.CreateOrganization(ctx, d.Write(), "sakura", "さくら", "Sakura")
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.CreateMember(ctx, d.Write(), o.ID, org.NewMember{Email: "taro@example.jp", Name: org.Name{Family: "田中"}, Role: org.Alumni})
	if err != nil {
		t.Fatal(err)
	}
	return o, id
}

// TestTokenIsSingleUseUnderRace: many requests with the same link at once,
// exactly one wins.
func TestTokenIsSingleUseUnderRace(t *testing.T) {
	d := dbtest.New(t)
	o, uid := newOrgAndMember(t, d)
	ctx := context.Background()
	now := db.Now()
	secret, err := auth.IssueToken(ctx, d.Write(), auth.Token{OrgID: o.ID, Kind: auth.TokenReset, UserID: uid, ExpiresAt: now.Add(time.Hour)}, now)
	if err != nil {
		t.Fatal(err)
	}
	var wins, used atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := d.Tx(ctx, func(tx db.Tx) error {
				_, err := auth.ConsumeToken(ctx, tx, o.ID, auth.TokenReset, secret, now)
				return err
			})
			switch {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, auth.ErrTokenUsed):
				used.Add(1)
			default:
				t.Errorf("consume: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 || used.Load() != 7 {
		t.Fatalf("wins=%d used=%d, want 1 and 7", wins.Load(), used.Load())
	}
}

func TestTokenKindAndOrganizationMustMatch(t *testing.T) {
	d := dbtest.New(t)
	o, uid := newOrgAndMember(t, d)
	ctx := context.Background()
	now := db.Now()
	secret, err := auth.IssueToken(ctx, d.Write(), auth.Token{OrgID: o.ID, Kind: auth.TokenInvite, UserID: uid, ExpiresAt: now.Add(time.Hour)}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auth.PeekToken(ctx, d.Read(), o.ID, auth.TokenReset, secret, now); !errors.Is(err, auth.ErrTokenInvalid) {
		t.Errorf("invitation used as reset: %v", err)
	}
	if _, err := auth.PeekToken(ctx, d.Read(), o.ID+1, auth.TokenInvite, secret, now); !errors.Is(err, auth.ErrTokenInvalid) {
		t.Errorf("token used in another organization: %v", err)
	}
	if _, err := auth.PeekToken(ctx, d.Read(), o.ID, auth.TokenInvite, secret, now.Add(time.Hour)); !errors.Is(err, auth.ErrTokenExpired) {
		t.Errorf("token at its expiry instant: %v", err)
	}
	var stored string
	if err := d.Read().QueryRowContext(ctx, `SELECT hash FROM tokens`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored == secret || strings.Contains(stored, secret) {
		t.Fatal("the token secret is stored in clear")
	}
}

func TestSessionSecretIsNotStored(t *testing.T) {
	d := dbtest.New(t)
	o, uid := newOrgAndMember(t, d)
	ctx := context.Background()
	s := auth.NewSessions(d, auth.DefaultSessionPolicy)
	now := db.Now()
	secret, err := s.Create(ctx, d.Write(), o.ID, uid, "127.0.0.1", strings.Repeat("UA", 500), now)
	if err != nil {
		t.Fatal(err)
	}
	if n := dbCount(t, d, `SELECT COUNT(*) FROM sessions WHERE id_hash = $1`, secret); n != 0 {
		t.Fatal("session secret stored in clear")
	}
	if _, err := s.Lookup(ctx, o.ID, secret, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lookup(ctx, o.ID+1, secret, now); !errors.Is(err, auth.ErrNoSession) {
		t.Fatal("session found in another organization")
	}
	// Sweep removes only dead sessions.
	if n, err := s.Sweep(ctx, now.Add(time.Hour)); err != nil || n != 0 {
		t.Fatalf("sweep of a live session: %d %v", n, err)
	}
	if n, err := s.Sweep(ctx, now.Add(13*time.Hour)); err != nil || n != 1 {
		t.Fatalf("sweep of an idle session: %d %v", n, err)
	}
}

func dbCount(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.Read().QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
