// Package ssotest runs a real OpenID Connect provider in process for tests:
// discovery, JWKS, an authorization endpoint that approves a configured user
// at once, and a token endpoint that checks the code, the client secret and
// the PKCE verifier and returns an RS256-signed ID token. Knobs make it
// misbehave the ways a real provider (or an attacker) could.
package ssotest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// User is the person the provider signs in.
type User struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	FamilyName    string
	GivenName     string
}

// Provider is a running provider. Change its fields between sign-ins (they
// are read under a lock by the handlers; tests set them while no request runs).
type Provider struct {
	Server       *httptest.Server
	Issuer       string
	ClientID     string
	ClientSecret string
	Now          func() time.Time

	mu   sync.Mutex
	User User
	// Knobs.
	Audience     string        // if set, the token's aud instead of ClientID
	TokenTTL     time.Duration // exp - iat; negative issues an expired token
	BadSignature bool          // sign with a key that is not in the JWKS (same kid)
	WrongNonce   bool          // put another nonce in the token
	DenyWith     string        // if set, /authorize answers with this error code
	// Seen is how many codes were exchanged successfully.
	Seen int

	key, otherKey *rsa.PrivateKey
	codes         map[string]grant
}

type grant struct {
	clientID, redirectURI, nonce, challenge string
	user                                    User
	used                                    bool
}

const keyID = "test-key-1"

// Start runs a provider until the test ends. The client is "tsunagu-test"
// with secret "s3cret-test-secret".
func Start(t testing.TB) *Provider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{ClientID: "tsunagu-test", ClientSecret: "s3cret-test-secret", Now: time.Now, TokenTTL: 5 * time.Minute,
		key: key, otherKey: other, codes: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.Server = httptest.NewServer(mux)
	p.Issuer = p.Server.URL
	t.Cleanup(p.Server.Close)
	return p
}

// Set changes the provider's user and knobs under its lock.
func (p *Provider) Set(fn func(p *Provider)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fn(p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.Issuer,
		"authorization_endpoint":                p.Issuer + "/authorize",
		"token_endpoint":                        p.Issuer + "/token",
		"jwks_uri":                              p.Issuer + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: keyID, Algorithm: "RS256", Use: "sig"}}})
}

func randomCode() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// authorize approves the configured user at once, as a provider would after
// the person signed in there.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != p.ClientID || q.Get("response_type") != "code" {
		http.Error(w, "unknown client or response type", http.StatusBadRequest)
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || redirect.Scheme == "" {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "PKCE S256 required", http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	deny := p.DenyWith
	back := redirect.Query()
	back.Set("state", q.Get("state"))
	if deny != "" {
		back.Set("error", deny)
		back.Set("error_description", "The user denied the request")
	} else {
		code := randomCode()
		p.codes[code] = grant{clientID: p.ClientID, redirectURI: q.Get("redirect_uri"), nonce: q.Get("nonce"),
			challenge: q.Get("code_challenge"), user: p.User}
		back.Set("code", code)
	}
	p.mu.Unlock()
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

func tokenError(w http.ResponseWriter, code, desc string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": code, "error_description": desc})
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, "invalid_request", "unreadable form")
		return
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != p.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.ClientSecret)) != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		tokenError(w, "unsupported_grant_type", "")
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	code := r.PostForm.Get("code")
	g, ok := p.codes[code]
	if !ok || g.used {
		tokenError(w, "invalid_grant", "unknown or used code")
		return
	}
	g.used = true
	p.codes[code] = g
	if g.redirectURI != r.PostForm.Get("redirect_uri") {
		tokenError(w, "invalid_grant", "redirect_uri differs")
		return
	}
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		tokenError(w, "invalid_grant", "PKCE verifier does not match")
		return
	}
	now := p.Now()
	aud := p.ClientID
	if p.Audience != "" {
		aud = p.Audience
	}
	nonce := g.nonce
	if p.WrongNonce {
		nonce = "not-" + nonce
	}
	claims := map[string]any{
		"iss": p.Issuer, "sub": g.user.Subject, "aud": aud, "iat": now.Unix(), "exp": now.Add(p.TokenTTL).Unix(),
		"nonce": nonce, "email": g.user.Email, "email_verified": g.user.EmailVerified,
	}
	for k, v := range map[string]string{"name": g.user.Name, "family_name": g.user.FamilyName, "given_name": g.user.GivenName} {
		if v != "" {
			claims[k] = v
		}
	}
	key := p.key
	if p.BadSignature {
		key = p.otherKey
	}
	idToken, err := sign(key, claims)
	if err != nil {
		tokenError(w, "server_error", err.Error())
		return
	}
	p.Seen++
	writeJSON(w, http.StatusOK, map[string]any{"access_token": randomCode(), "token_type": "Bearer", "expires_in": 300, "id_token": idToken})
}

func sign(key *rsa.PrivateKey, claims map[string]any) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: keyID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}
