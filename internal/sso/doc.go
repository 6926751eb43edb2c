// Package sso signs members in with their organization's OpenID Connect
// provider (Google Workspace, Entra ID, Okta, Keycloak...): the admin
// configures the provider per organization, and a verified identity from it
// signs in a linked account, links an existing member by verified email,
// completes an invitation, or pre-registers an employee by email domain.
package sso

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// Config is what the service needs from the application.
type Config struct {
	BaseURL string // external URL, for the redirect URI
	Now     func() time.Time
	// HTTPClient talks to providers; default: a client with a 10 s timeout.
	HTTPClient *http.Client
	// SecretKey returns the key (KeySize bytes) that seals client secrets in
	// the database. It is called when a secret is first saved or read, so
	// that commands which never touch SSO (migrate) create no key file.
	// nil stores secrets as they are (tests only).
	SecretKey func() ([]byte, error)
	// LoginTTL bounds the time between leaving for the provider and coming
	// back; default 10 minutes.
	LoginTTL time.Duration
}

// Service configures single sign-on and runs the sign-in flow.
type Service struct {
	db   *db.DB
	orgs *org.Store
	auth *auth.Service
	cfg  Config

	mu        sync.Mutex
	providers map[string]*oidc.Provider // by issuer, discovery is not repeated per sign-in
}

// NewService builds the service.
func NewService(d *db.DB, orgs *org.Store, a *auth.Service, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = db.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.LoginTTL == 0 {
		cfg.LoginTTL = 10 * time.Minute
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &Service{db: d, orgs: orgs, auth: a, cfg: cfg, providers: map[string]*oidc.Provider{}}
}

// RedirectURI is the callback address to register at the provider.
func (s *Service) RedirectURI(o org.Organization) string {
	return s.cfg.BaseURL + "/o/" + o.Slug + "/sso/callback"
}
