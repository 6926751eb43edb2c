package org_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/dbtest"
)

func TestNameDisplay(t *testing.T) {
	n := org.Name{Family: "田中", Given: "太郎", FamilyKana: "たなか", GivenKana: "たろう", FamilyRomaji: "Tanaka", GivenRomaji: "Taro"}
	if got := n.Display("ja"); got != "田中 太郎" {
		t.Errorf("ja: %q", got)
	}
	if got := n.Display("en"); got != "Taro Tanaka" {
		t.Errorf("en: %q", got)
	}
	if got := (org.Name{Family: "林"}).Display("en"); got != "林" {
		t.Errorf("en without romaji falls back to the written name: %q", got)
	}
	if got := n.Kana(); got != "たなか たろう" {
		t.Errorf("kana: %q", got)
	}
}

func TestNormalizeEmail(t *testing.T) {
	good := map[string]string{" Taro@Example.JP ": "taro@example.jp", "a.b+c@sub.example.com": "a.b+c@sub.example.com"}
	for in, lower := range good {
		if _, got, err := org.NormalizeEmail(in); err != nil || got != lower {
			t.Errorf("NormalizeEmail(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "taro", "taro@", "@example.jp", "taro@localhost", "Taro <taro@example.jp>", "a@example.jp\r\nBcc: b@example.jp", "a b@example.jp"} {
		if _, _, err := org.NormalizeEmail(bad); !errors.Is(err, org.ErrInvalid) {
			t.Errorf("NormalizeEmail(%q) accepted", bad)
		}
	}
}

func setup(t *testing.T) (*org.Store, *db.DB, org.Organization) {
	d := dbtest.New(t)
	s := org.NewStore(d)
	o, err := s.CreateOrganization(context.Background(), d.Write(), "sakura", "さくら", "")
	if err != nil {
		t.Fatal(err)
	}
	if o.NameEN != "さくら" {
		t.Errorf("English name should default to the Japanese one, got %q", o.NameEN)
	}
	return s, d, o
}

func TestOrganizationValidation(t *testing.T) {
	s, d, _ := setup(t)
	ctx := context.Background()
	for _, slug := range []string{"", "Sakura", "-x", "x-", "a b", "さくら", "a_b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"} {
		if _, err := s.CreateOrganization(ctx, d.Write(), slug, "名前", ""); !errors.Is(err, org.ErrInvalid) {
			t.Errorf("slug %q accepted: %v", slug, err)
		}
	}
	if _, err := s.CreateOrganization(ctx, d.Write(), "sakura", "別の会社", ""); !errors.Is(err, org.ErrSlugTaken) {
		t.Errorf("duplicate slug: %v", err)
	}
	if _, err := s.CreateOrganization(ctx, d.Write(), "kaede", "  ", ""); !errors.Is(err, org.ErrInvalid) {
		t.Errorf("blank name: %v", err)
	}
	orgs, err := s.Organizations(ctx)
	if err != nil || len(orgs) != 1 {
		t.Fatalf("refused organizations were written: %d %v", len(orgs), err)
	}
}

// Organizations found by slug are kept; one not found is not, so that it
// is found once it is created.
func TestOrganizationBySlugFindsANewOrganization(t *testing.T) {
	s, d, _ := setup(t)
	ctx := context.Background()
	if _, err := s.OrganizationBySlug(ctx, "kaede"); !errors.Is(err, org.ErrNotFound) {
		t.Fatalf("missing organization: %v", err)
	}
	created, err := s.CreateOrganization(ctx, d.Write(), "kaede", "かえで株式会社", "Kaede Inc.")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		got, err := s.OrganizationBySlug(ctx, "kaede")
		if err != nil || got.ID != created.ID || got.NameJA != "かえで株式会社" || got.NameEN != "Kaede Inc." {
			t.Fatalf("after creation: %+v %v", got, err)
		}
	}
}

func TestMembersAndRoles(t *testing.T) {
	s, d, o := setup(t)
	ctx := context.Background()
	other, _ := s.CreateOrganization(ctx, d.Write(), "kaede", "かえで", "")
	add := func(o org.Organization, email string, n org.Name, r org.Role) int64 {
		id, err := s.CreateMember(ctx, d.Write(), o.ID, org.NewMember{Email: email, Name: n, Role: r})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	tanaka := add(o, "taro@example.jp", org.Name{Family: "田中", Given: "太郎", FamilyKana: "たなか", GivenKana: "たろう", FamilyRomaji: "Tanaka", GivenRomaji: "Taro"}, org.Alumni)
	add(o, "hanako@example.jp", org.Name{Family: "佐藤", Given: "花子", FamilyKana: "さとう", GivenKana: "はなこ", FamilyRomaji: "Sato", GivenRomaji: "Hanako"}, org.Employee)
	add(o, "pct@example.jp", org.Name{Family: "100%", Given: "_x"}, org.Alumni)
	add(other, "taro2@example.jp", org.Name{Family: "田中", Given: "次郎"}, org.Alumni)

	if _, err := s.CreateMember(ctx, d.Write(), o.ID, org.NewMember{Email: "TARO@example.jp", Name: org.Name{Family: "x"}, Role: org.Alumni}); !errors.Is(err, org.ErrEmailTaken) {
		t.Errorf("same email in another case: %v", err)
	}
	if _, err := s.CreateMember(ctx, d.Write(), other.ID, org.NewMember{Email: "taro@example.jp", Name: org.Name{Family: "x"}, Role: org.Alumni}); err != nil {
		t.Errorf("the same email in another organization is a different person: %v", err)
	}
	counts, err := s.CountByRole(ctx, o.ID)
	if err != nil || counts[org.Alumni] != 2 || counts[org.Employee] != 1 {
		t.Fatalf("counts %v %v", counts, err)
	}
	// A role change keeps the old membership as history.
	if err := d.Tx(ctx, func(tx db.Tx) error { return s.SetRole(ctx, tx, o.ID, tanaka, org.Supporter) }); err != nil {
		t.Fatal(err)
	}
	m, err := s.Member(ctx, o.ID, tanaka)
	if err != nil || m.Role != org.Supporter {
		t.Fatalf("after SetRole: %v %v", m.Role, err)
	}
	var history int
	if err := d.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND user_id = $2`, o.ID, tanaka).Scan(&history); err != nil || history != 2 {
		t.Fatalf("membership history rows = %d %v", history, err)
	}
	if err := d.Tx(ctx, func(tx db.Tx) error { return s.SetRole(ctx, tx, other.ID, tanaka, org.Admin) }); !errors.Is(err, org.ErrNotFound) {
		t.Fatalf("SetRole across organizations: %v", err)
	}
	if _, err := s.Member(ctx, other.ID, tanaka); !errors.Is(err, org.ErrNotFound) {
		t.Fatal("member found through another organization")
	}
}

func TestSafeNext(t *testing.T) {
	o := org.Organization{Slug: "sakura"}
	for next, want := range map[string]string{
		"/o/sakura/members?q=1":                 "/o/sakura/members?q=1",
		"/o/sakura/":                            "/o/sakura/",
		"":                                      "/o/sakura/",
		"https://evil.example/":                 "/o/sakura/",
		"//evil.example":                        "/o/sakura/",
		"/o/sakura//evil":                       "/o/sakura/",
		"/o/sakura/../kaede/":                   "/o/sakura/",
		"/o/kaede/":                             "/o/sakura/",
		"/o/sakura/\\evil":                      "/o/sakura/",
		"/o/sakura/\nSet-Cookie":                "/o/sakura/",
		"/o/sakuraX/":                           "/o/sakura/",
		"/o/sakura/" + strings.Repeat("a", 600): "/o/sakura/",
	} {
		if got := o.SafeNext(next); got != want {
			t.Errorf("SafeNext(%q) = %q, want %q", next, got, want)
		}
	}
}

// ActiveIDs finds the current members with the given roles, of one
// organization only, and nobody for no roles.
func TestActiveIDs(t *testing.T) {
	s, d, o := setup(t)
	ctx := context.Background()
	other, _ := s.CreateOrganization(ctx, d.Write(), "kaede", "かえで", "")
	add := func(o org.Organization, email string, r org.Role) int64 {
		id, err := s.CreateMember(ctx, d.Write(), o.ID, org.NewMember{Email: email, Name: org.Name{Family: "山田"}, Role: r})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	admin := add(o, "admin@example.jp", org.Admin)
	sup := add(o, "sup@example.jp", org.Supporter)
	add(o, "alum@example.jp", org.Alumni)
	add(other, "admin@kaede.example.jp", org.Admin)
	ended := add(o, "gone@example.jp", org.Admin)
	if _, err := d.Write().ExecContext(ctx, `UPDATE memberships SET ended_at = $3 WHERE org_id = $1 AND user_id = $2`, o.ID, ended, db.Now()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		roles []org.Role
		want  []int64
	}{{[]org.Role{org.Admin, org.Supporter}, []int64{admin, sup}}, {[]org.Role{org.Admin}, []int64{admin}}, {nil, nil}} {
		got, err := org.ActiveIDs(ctx, d.Read(), o.ID, c.roles...)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("ActiveIDs(%v) = %v %v, want %v", c.roles, got, err, c.want)
		}
	}
}
