package sso

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// Why a sign-in failed. Each has its own message for the person; none of
// them writes anything but a short audit entry.
var (
	ErrDisabled         = errors.New("single sign-on is not enabled")
	ErrState            = errors.New("sign-in state missing or not from this browser")
	ErrLoginExpired     = errors.New("sign-in took too long")
	ErrProvider         = errors.New("the provider refused the sign-in")
	ErrExchange         = errors.New("code exchange failed")
	ErrTokenExpired     = errors.New("ID token expired")
	ErrTokenInvalid     = errors.New("ID token invalid")
	ErrNonce            = errors.New("ID token nonce does not match")
	ErrEmailUnverified  = errors.New("email not verified by the provider")
	ErrNotMember        = errors.New("no membership for this identity")
	ErrIdentityConflict = errors.New("identity or account already linked elsewhere")
)

// How a sign-in found its account, for the audit log and tests.
const (
	BySubject     = "subject"
	ByInvitation  = "invitation"
	ByEmail       = "email"
	ByPreregister = "preregistered"
	hrSourceSSO   = "sso"
	cookieBytes   = 32
)

// Result is a completed sign-in.
type Result struct {
	SessionSecret string
	UserID        int64
	Redirect      string // where to go next, inside the organization
	How           string
}

func randomString() string {
	b := make([]byte, cookieBytes)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func (s *Service) oauthConfig(o org.Organization, st Settings, p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: st.ClientID, ClientSecret: st.clientSecret, Endpoint: p.Endpoint(),
		RedirectURL: s.RedirectURI(o), Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
}

// Begin starts a sign-in: it remembers state, nonce and the PKCE verifier
// for this browser and returns the provider's authorization URL and the
// value of the cookie that binds the sign-in to the browser. join, if not
// empty, is an invitation secret the sign-in will complete.
func (s *Service) Begin(ctx context.Context, o org.Organization, next, join string) (authURL, browserSecret string, err error) {
	st, err := s.Get(ctx, o.ID)
	if err != nil {
		return "", "", err
	}
	if !st.Enabled {
		return "", "", ErrDisabled
	}
	now := s.cfg.Now()
	if join != "" {
		// Say now that a link is stale, rather than after a trip to the provider.
		if _, err := auth.PeekToken(ctx, s.db.Read(), o.ID, auth.TokenInvite, join, now); err != nil {
			return "", "", err
		}
		next = "/o/" + o.Slug + "/profile"
	}
	p, err := s.discover(ctx, st.Issuer, false)
	if err != nil {
		return "", "", err
	}
	state, nonce, verifier := randomString(), randomString(), oauth2.GenerateVerifier()
	browserSecret = randomString()
	err = s.db.Tx(ctx, func(tx db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sso_logins WHERE org_id = $1 AND expires_at < $2`, o.ID, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sso_logins (state_hash, org_id, browser_hash, nonce, code_verifier, next_path, join_secret, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			hash(state), o.ID, hash(browserSecret), nonce, verifier, o.SafeNext(next), join, now, now.Add(s.cfg.LoginTTL))
		return err
	})
	if err != nil {
		return "", "", err
	}
	return s.oauthConfig(o, st, p).AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)), browserSecret, nil
}

type pendingLogin struct {
	nonce, verifier, next, join string
}

// takeLogin finds and removes the sign-in that state names, if this browser
// started it in this organization: a state is used once.
func (s *Service) takeLogin(ctx context.Context, orgID int64, state, browserSecret string) (pendingLogin, error) {
	var pl pendingLogin
	if state == "" || browserSecret == "" {
		return pl, ErrState
	}
	var expires sql.NullTime
	err := s.db.Write().QueryRowContext(ctx, `DELETE FROM sso_logins WHERE state_hash = $1 AND org_id = $2 AND browser_hash = $3
		RETURNING nonce, code_verifier, next_path, join_secret, expires_at`, hash(state), orgID, hash(browserSecret)).
		Scan(&pl.nonce, &pl.verifier, &pl.next, &pl.join, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return pl, ErrState
	}
	if err != nil {
		return pl, err
	}
	if !s.cfg.Now().Before(expires.Time) {
		return pl, ErrLoginExpired
	}
	return pl, nil
}

// claims are what Tsunagu reads from an ID token.
type claims struct {
	Email         string          `json:"email"`
	EmailVerified json.RawMessage `json:"email_verified"`
	Name          string          `json:"name"`
	GivenName     string          `json:"given_name"`
	FamilyName    string          `json:"family_name"`
}

// verified accepts true, and "true" as some providers send it.
func (c claims) verified() bool {
	v := strings.TrimSpace(string(c.EmailVerified))
	return v == "true" || v == `"true"`
}

func (c claims) name(email string) org.Name {
	n := org.Name{Family: strings.TrimSpace(c.FamilyName), Given: strings.TrimSpace(c.GivenName)}
	if n.Family == "" {
		n.Family, n.Given = strings.TrimSpace(c.Name), ""
	}
	if n.Family == "" {
		n.Family = email[:strings.IndexByte(email, '@')]
	}
	if isASCII(n.Family + n.Given) {
		n.FamilyRomaji, n.GivenRomaji = n.Family, n.Given
	}
	for _, f := range []*string{&n.Family, &n.Given, &n.FamilyRomaji, &n.GivenRomaji} {
		if r := []rune(*f); len(r) > org.MaxNameLen {
			*f = string(r[:org.MaxNameLen])
		}
	}
	return n
}

func isASCII(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII {
			return false
		}
	}
	return true
}

// Finish completes a sign-in from the provider's redirect (its query) and
// the browser's cookie. On success a session exists; on any failure nothing
// about people was written (only an audit entry for failures past the state check).
func (s *Service) Finish(ctx context.Context, o org.Organization, browserSecret string, query map[string][]string, c auth.Client) (Result, error) {
	get := func(k string) string {
		if v := query[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	pl, err := s.takeLogin(ctx, o.ID, get("state"), browserSecret)
	if err != nil {
		return Result{}, err
	}
	res, email, err := s.finish(ctx, o, pl, get, c)
	if err != nil {
		_ = audit.Log(ctx, s.db.Write(), audit.Entry{OrgID: o.ID, ActorLabel: email, Action: "auth.sso_failed", IP: c.IP,
			Detail: map[string]string{"reason": err.Error()}})
	}
	return res, err
}

func (s *Service) finish(ctx context.Context, o org.Organization, pl pendingLogin, get func(string) string, c auth.Client) (Result, string, error) {
	if e := get("error"); e != "" {
		return Result{}, "", fmt.Errorf("%w: %.100s %.200s", ErrProvider, e, get("error_description"))
	}
	st, err := s.Get(ctx, o.ID)
	if err != nil {
		return Result{}, "", err
	}
	if !st.Enabled {
		return Result{}, "", ErrDisabled
	}
	p, err := s.discover(ctx, st.Issuer, false)
	if err != nil {
		return Result{}, "", err
	}
	hctx := context.WithValue(oidc.ClientContext(ctx, s.cfg.HTTPClient), oauth2.HTTPClient, s.cfg.HTTPClient)
	tok, err := s.oauthConfig(o, st, p).Exchange(hctx, get("code"), oauth2.VerifierOption(pl.verifier))
	if err != nil {
		return Result{}, "", fmt.Errorf("%w: %v", ErrExchange, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Result{}, "", fmt.Errorf("%w: no id_token in the token response", ErrTokenInvalid)
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: st.ClientID, Now: s.cfg.Now}).Verify(hctx, raw)
	if err != nil {
		var expired *oidc.TokenExpiredError
		if errors.As(err, &expired) {
			return Result{}, "", fmt.Errorf("%w: %v", ErrTokenExpired, err)
		}
		return Result{}, "", fmt.Errorf("%w: %v", ErrTokenInvalid, err)
	}
	if idt.Nonce == "" || idt.Nonce != pl.nonce {
		return Result{}, "", ErrNonce
	}
	var cl claims
	if err := idt.Claims(&cl); err != nil {
		return Result{}, "", fmt.Errorf("%w: %v", ErrTokenInvalid, err)
	}
	email, lower, err := org.NormalizeEmail(cl.Email)
	if err != nil || !cl.verified() {
		return Result{}, cl.Email, ErrEmailUnverified
	}
	res := Result{Redirect: o.SafeNext(pl.next)}
	now := s.cfg.Now()
	err = s.db.Tx(ctx, func(tx db.Tx) error {
		linkedUser, err := identityUser(ctx, tx, o.ID, idt.Issuer, idt.Subject)
		if err != nil {
			return err
		}
		link := linkedUser == 0
		switch {
		case pl.join != "":
			t, err := auth.ConsumeToken(ctx, tx, o.ID, auth.TokenInvite, pl.join, now)
			if err != nil {
				return err
			}
			if linkedUser != 0 && linkedUser != t.UserID {
				return ErrIdentityConflict
			}
			res.UserID, res.How, res.Redirect = t.UserID, ByInvitation, "/o/"+o.Slug+"/profile"
		case linkedUser != 0:
			res.UserID, res.How = linkedUser, BySubject
		default:
			if res.UserID, err = activeUserByEmail(ctx, tx, o.ID, lower); err != nil {
				return err
			}
			res.How = ByEmail
			if res.UserID == 0 {
				if !slices.Contains(st.AllowedDomains, lower[strings.LastIndexByte(lower, '@')+1:]) {
					return ErrNotMember
				}
				if res.UserID, err = s.preregister(ctx, tx, o, email, cl.name(email)); err != nil {
					return err
				}
				res.How = ByPreregister
			}
		}
		// An ended membership (and no new one) means no access, whichever way the person came.
		if ok, err := activeMembership(ctx, tx, o.ID, res.UserID); err != nil || !ok {
			return cmpErr(err, ErrNotMember)
		}
		if link {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sso_identities (org_id, user_id, issuer, subject, email, created_at, last_signin_at)
				VALUES ($1, $2, $3, $4, $5, $6, $6)`, o.ID, res.UserID, idt.Issuer, idt.Subject, email, now); err != nil {
				if db.IsUniqueViolation(err) {
					// The account is linked to another subject of this provider:
					// an address reassigned at the provider must not take it over.
					return ErrIdentityConflict
				}
				return err
			}
			if err := audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorUserID: res.UserID, ActorLabel: email, Action: "sso.identity_linked",
				Target: fmt.Sprintf("user:%d", res.UserID), IP: c.IP, Detail: map[string]string{"issuer": idt.Issuer, "how": res.How}}); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `UPDATE sso_identities SET last_signin_at = $4, email = $5 WHERE org_id = $1 AND issuer = $2 AND subject = $3`,
			o.ID, idt.Issuer, idt.Subject, now, email); err != nil {
			return err
		}
		if err := s.orgs.MarkActivated(ctx, tx, o.ID, res.UserID, now); err != nil {
			return err
		}
		if res.SessionSecret, err = s.auth.Sessions.Create(ctx, tx, o.ID, res.UserID, c.IP, c.UserAgent, now); err != nil {
			return err
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorUserID: res.UserID, ActorLabel: email, Action: "auth.sso_signin", IP: c.IP,
			Detail: map[string]string{"how": res.How, "issuer": idt.Issuer}})
	})
	if err != nil {
		return Result{}, email, err
	}
	return res, email, nil
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

func identityUser(ctx context.Context, q db.Querier, orgID int64, issuer, subject string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT user_id FROM sso_identities WHERE org_id = $1 AND issuer = $2 AND subject = $3`, orgID, issuer, subject).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

func activeUserByEmail(ctx context.Context, q db.Querier, orgID int64, lower string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT u.id FROM users u
		JOIN memberships m ON m.org_id = u.org_id AND m.user_id = u.id AND m.ended_at IS NULL
		WHERE u.org_id = $1 AND u.email_lower = $2`, orgID, lower).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

func activeMembership(ctx context.Context, q db.Querier, orgID, userID int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND user_id = $2 AND ended_at IS NULL`, orgID, userID).Scan(&n)
	return n > 0, err
}

// preregister creates a current employee's account from a verified address
// at an allowed domain: no password, employee membership, HR source "sso".
// When the person leaves, the departure converts this account.
func (s *Service) preregister(ctx context.Context, tx db.Tx, o org.Organization, email string, name org.Name) (int64, error) {
	id, err := s.orgs.CreateMember(ctx, tx, o.ID, org.NewMember{Email: email, Name: name, Role: org.Employee})
	if errors.Is(err, org.ErrEmailTaken) {
		// The address belongs to an account without a membership now (it ended).
		return 0, ErrNotMember
	}
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO member_internal (org_id, user_id, hr_source, updated_at) VALUES ($1, $2, $3, $4)`,
		o.ID, id, hrSourceSSO, s.cfg.Now()); err != nil {
		return 0, err
	}
	return id, audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorLabel: email, Action: "sso.employee_preregistered",
		Target: fmt.Sprintf("user:%d", id), Detail: map[string]string{"email": email}})
}
