package sso

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// Settings are an organization's provider configuration. The client secret
// never leaves the service: SecretSet only says whether one is stored.
type Settings struct {
	OrgID          int64
	Issuer         string
	ClientID       string
	DisplayName    string
	AllowedDomains []string
	Enabled        bool
	SecretSet      bool
	// SecretUnreadable says a secret is stored but this server's key cannot
	// open it (the key file was replaced): the admin must enter it again.
	SecretUnreadable bool

	clientSecret string
}

// Limits on the settings form.
const (
	MaxIssuerLen      = 500
	MaxClientIDLen    = 255
	MaxSecretLen      = 1000
	MaxDisplayNameLen = 60
	MaxDomains        = 20
)

// Update is what the admin submits. An empty ClientSecret keeps the stored
// one, so that the form never has to show it.
type Update struct {
	Issuer         string
	ClientID       string
	ClientSecret   string
	DisplayName    string
	AllowedDomains string // separated by commas, spaces or lines
	Enabled        bool
}

// ValidationError names each wrong field with a message key.
type ValidationError struct{ Fields map[string]string }

func (e *ValidationError) Error() string { return fmt.Sprintf("sso settings invalid: %v", e.Fields) }

// Actor is the admin making a change, for the audit log.
type Actor struct {
	UserID int64
	Email  string
	IP     string
}

// Get returns the organization's settings (zero, disabled ones if never saved).
func (s *Service) Get(ctx context.Context, orgID int64) (Settings, error) {
	return s.getSettings(ctx, s.db.Read(), orgID)
}

func (s *Service) getSettings(ctx context.Context, q db.Querier, orgID int64) (Settings, error) {
	st := Settings{OrgID: orgID}
	var domains string
	err := q.QueryRowContext(ctx, `SELECT issuer, client_id, client_secret, display_name, allowed_domains, enabled
		FROM sso_settings WHERE org_id = $1`, orgID).Scan(&st.Issuer, &st.ClientID, &st.clientSecret, &st.DisplayName, &domains, &st.Enabled)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	key, err := s.secretKey()
	if err != nil {
		return st, err
	}
	if st.clientSecret, err = unseal(key, orgID, st.clientSecret); errors.Is(err, errUnsealable) {
		st.SecretUnreadable = true
	} else if err != nil {
		return st, err
	}
	st.SecretSet = st.clientSecret != ""
	st.AllowedDomains = splitDomains(domains)
	return st, nil
}

// Enabled tells whether members of the organization can sign in with SSO.
// Errors count as disabled: the button is an offer, not a promise.
func (s *Service) Enabled(ctx context.Context, orgID int64) bool {
	if s == nil {
		return false
	}
	st, err := s.Get(ctx, orgID)
	return err == nil && st.Enabled
}

func splitDomains(raw string) []string {
	var out []string
	for _, d := range strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == '、' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		d = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@"))
		if d != "" && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

var domainPattern = regexp.MustCompile(`^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

// checkIssuer requires an absolute https URL; plain http only on the local
// machine, where a development provider runs.
func checkIssuer(raw string) (string, string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return raw, "sso.settings.issuer_required"
	}
	if len(raw) > MaxIssuerLen {
		return raw, "sso.settings.issuer_invalid"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return raw, "sso.settings.issuer_invalid"
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !loopback(u.Hostname()) {
			return raw, "sso.settings.issuer_https"
		}
	default:
		return raw, "sso.settings.issuer_invalid"
	}
	return raw, ""
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Save validates and stores the settings, with an audit entry that never
// contains the secret.
func (s *Service) Save(ctx context.Context, orgID int64, u Update, actor Actor) (Settings, error) {
	fields := map[string]string{}
	issuer, key := checkIssuer(u.Issuer)
	if key != "" && (issuer != "" || u.Enabled) {
		fields["issuer"] = key
	}
	clientID := strings.TrimSpace(u.ClientID)
	switch {
	case clientID == "" && u.Enabled:
		fields["client_id"] = "sso.settings.client_id_required"
	case len(clientID) > MaxClientIDLen || strings.ContainsAny(clientID, " \t\r\n"):
		fields["client_id"] = "sso.settings.client_id_invalid"
	}
	secret := strings.TrimSpace(u.ClientSecret)
	if len(secret) > MaxSecretLen || strings.ContainsAny(secret, "\r\n") {
		fields["client_secret"] = "sso.settings.secret_invalid"
	}
	display := strings.TrimSpace(u.DisplayName)
	if utf8.RuneCountInString(display) > MaxDisplayNameLen {
		fields["display_name"] = "sso.settings.display_name_too_long"
	}
	domains := splitDomains(u.AllowedDomains)
	if len(domains) > MaxDomains {
		fields["allowed_domains"] = "sso.settings.domains_too_many"
	}
	for _, d := range domains {
		if !domainPattern.MatchString(d) {
			fields["allowed_domains"] = "sso.settings.domain_invalid"
		}
	}
	var saved Settings
	err := s.db.Tx(ctx, func(tx db.Tx) error {
		old, err := s.getSettings(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if secret == "" {
			secret = old.clientSecret
		}
		if secret == "" && u.Enabled && fields["client_secret"] == "" {
			fields["client_secret"] = "sso.settings.secret_required"
		}
		if len(fields) > 0 {
			return &ValidationError{Fields: fields}
		}
		key, err := s.secretKey()
		if err != nil {
			return err
		}
		sealed, err := seal(key, orgID, secret)
		if err != nil {
			return err
		}
		now := s.cfg.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO sso_settings (org_id, issuer, client_id, client_secret, display_name, allowed_domains, enabled, updated_at, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (org_id) DO UPDATE SET issuer = excluded.issuer, client_id = excluded.client_id, client_secret = excluded.client_secret,
			display_name = excluded.display_name, allowed_domains = excluded.allowed_domains, enabled = excluded.enabled,
			updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			orgID, issuer, clientID, sealed, display, strings.Join(domains, "\n"), u.Enabled, now, nullID(actor.UserID)); err != nil {
			return err
		}
		saved = Settings{OrgID: orgID, Issuer: issuer, ClientID: clientID, DisplayName: display, AllowedDomains: domains,
			Enabled: u.Enabled, SecretSet: secret != "", clientSecret: secret}
		return audit.Log(ctx, tx, audit.Entry{OrgID: orgID, ActorUserID: actor.UserID, ActorLabel: actor.Email, Action: "sso.settings_changed",
			Target: "sso", IP: actor.IP, Detail: map[string]string{
				"issuer": issuer, "client_id": clientID, "display_name": display, "allowed_domains": strings.Join(domains, ","),
				"enabled": fmt.Sprint(u.Enabled), "secret_changed": fmt.Sprint(secret != old.clientSecret)}})
	})
	return saved, err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Reasons a connection test or a discovery fails, for the admin.
var (
	ErrIssuerInvalid  = errors.New("issuer URL invalid")
	ErrUnreachable    = errors.New("provider unreachable")
	ErrIssuerMismatch = errors.New("provider reports another issuer")
	ErrDiscovery      = errors.New("discovery document unusable")
)

// TestConnection fetches the issuer's discovery document and says what is
// wrong, in terms an admin can act on. The error wraps the technical detail.
func (s *Service) TestConnection(ctx context.Context, issuer string) error {
	issuer, key := checkIssuer(issuer)
	if key != "" {
		return ErrIssuerInvalid
	}
	_, err := s.discover(ctx, issuer, true)
	return err
}

// discover returns the provider for an issuer, from the cache unless fresh
// is asked for (the connection test must really reach the provider).
func (s *Service) discover(ctx context.Context, issuer string, fresh bool) (*oidc.Provider, error) {
	s.mu.Lock()
	p, ok := s.providers[issuer]
	s.mu.Unlock()
	if ok && !fresh {
		return p, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, s.cfg.HTTPClient), issuer)
	if err != nil {
		var mismatch *oidc.IssuerMismatchError
		var netErr net.Error
		var urlErr *url.Error
		switch {
		case errors.As(err, &mismatch):
			return nil, fmt.Errorf("%w: %v", ErrIssuerMismatch, err)
		case errors.As(err, &netErr), errors.As(err, &urlErr):
			return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
		default:
			return nil, fmt.Errorf("%w: %v", ErrDiscovery, err)
		}
	}
	s.mu.Lock()
	s.providers[issuer] = p
	s.mu.Unlock()
	return p, nil
}

// secretKey is the sealing key, or nil when none is configured.
func (s *Service) secretKey() ([]byte, error) {
	if s.cfg.SecretKey == nil {
		return nil, nil
	}
	return s.cfg.SecretKey()
}
