package sso_test

import (
	"errors"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/sso"
	"github.com/tsunagu/tsunagu/internal/sso/ssotest"
)

func TestNilServiceIsDisabled(t *testing.T) {
	var s *sso.Service
	if s.Enabled(t.Context(), 1) {
		t.Fatal("nil service enabled")
	}
}

func TestSaveKeepsSecretAndValidates(t *testing.T) {
	e := apptest.New(t)
	p := ssotest.Start(t)
	s := e.App.SSO
	if s.Enabled(t.Context(), e.Org.ID) {
		t.Fatal("enabled before any settings")
	}
	_, err := s.Save(t.Context(), e.Org.ID, sso.Update{Enabled: true, Issuer: p.Issuer, ClientID: p.ClientID}, sso.Actor{})
	var invalid *sso.ValidationError
	if !errors.As(err, &invalid) || invalid.Fields["client_secret"] != "sso.settings.secret_required" || len(invalid.Fields) != 1 {
		t.Fatalf("enable without secret: %v", err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM sso_settings`); n != 0 {
		t.Fatal("invalid settings saved")
	}
	if _, err := s.Save(t.Context(), e.Org.ID, sso.Update{Enabled: true, Issuer: p.Issuer, ClientID: p.ClientID, ClientSecret: "first-secret",
		AllowedDomains: "Example.JP"}, sso.Actor{Email: "admin@example.jp"}); err != nil {
		t.Fatal(err)
	}
	if !s.Enabled(t.Context(), e.Org.ID) {
		t.Fatal("not enabled after saving")
	}
	// A blank secret keeps the stored one.
	st, err := s.Save(t.Context(), e.Org.ID, sso.Update{Enabled: true, Issuer: p.Issuer, ClientID: p.ClientID, DisplayName: "社内アカウント", AllowedDomains: "example.jp"}, sso.Actor{})
	if err != nil || !st.SecretSet || st.DisplayName != "社内アカウント" {
		t.Fatalf("re-save: %+v %v", st, err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM sso_settings WHERE client_secret LIKE 'v1:%' AND client_secret NOT LIKE '%first-secret%' AND allowed_domains = 'example.jp'`); n != 1 {
		t.Fatal("secret not sealed or domains not kept")
	}
	if err := s.TestConnection(t.Context(), p.Issuer); err != nil {
		t.Errorf("connection test: %v", err)
	}
	// A sealed secret moved to another organization's row does not open there.
	kaede := e.AddOrg(t, "kaede")
	if _, err := e.App.DB.Write().ExecContext(t.Context(), `INSERT INTO sso_settings (org_id, issuer, client_id, client_secret, enabled, updated_at)
		SELECT $1, issuer, client_id, client_secret, enabled, updated_at FROM sso_settings WHERE org_id = $2`, kaede.ID, e.Org.ID); err != nil {
		t.Fatal(err)
	}
	if moved, err := s.Get(t.Context(), kaede.ID); err != nil || moved.SecretSet || !moved.SecretUnreadable {
		t.Errorf("moved secret: set %v unreadable %v %v", moved.SecretSet, moved.SecretUnreadable, err)
	}
	if own, err := s.Get(t.Context(), e.Org.ID); err != nil || !own.SecretSet || own.SecretUnreadable {
		t.Errorf("own secret: %+v %v", own, err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'sso.settings_changed'`); n != 2 {
		t.Fatalf("audited %d times", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%first-secret%'`); n != 0 {
		t.Fatal("the secret is in the audit log")
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'sso.settings_changed' AND detail LIKE '%"secret_changed":"true"%'`); n != 1 {
		t.Error("secret change not recorded as such")
	}
	if err := s.TestConnection(t.Context(), p.Issuer); err != nil {
		t.Errorf("connection test: %v", err)
	}
	if err := s.TestConnection(t.Context(), "http://127.0.0.1:1"); !errors.Is(err, sso.ErrUnreachable) {
		t.Errorf("closed port: %v", err)
	}
}
