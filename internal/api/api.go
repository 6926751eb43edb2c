// Package api serves Tsunagu's JSON API under /api/v1 for integrations (HR
// systems, scripts). A request carries an API token of one organization
// (Authorization: Bearer tsu_…) and sees that organization as a member of
// its network sees it: never internal fields, never email addresses, never a
// field a member keeps for admins only. The API is described by
// openapi.yaml, served at /api/v1/openapi.yaml, which a test checks against
// the routes and responses.
package api

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// Prefix is where the API is mounted.
const Prefix = "/api/v1/"

//go:embed openapi.yaml
var openAPI []byte

// OpenAPI returns the embedded OpenAPI document.
func OpenAPI() []byte { return append([]byte(nil), openAPI...) }

// Route is one operation the API serves.
type Route struct {
	Method string
	Path   string // full path, e.g. /api/v1/members
	Auth   bool   // needs an API token
}

// Routes lists every operation, in one place: New registers exactly these,
// and the OpenAPI test checks the document against them.
var Routes = []Route{
	{Method: http.MethodGet, Path: "/api/v1/members", Auth: true},
	{Method: http.MethodGet, Path: "/api/v1/openapi.yaml"},
}

type api struct {
	db      *db.DB
	members *member.Store
	log     *slog.Logger
	now     func() time.Time
}

type orgKey struct{}

// orgFrom is the organization of the request's API token.
func orgFrom(ctx context.Context) int64 { id, _ := ctx.Value(orgKey{}).(int64); return id }

// New returns the API handler, to be mounted at Prefix. now is the clock
// (db.Now when nil).
func New(d *db.DB, members *member.Store, log *slog.Logger, now func() time.Time) http.Handler {
	if now == nil {
		now = db.Now
	}
	if log == nil {
		log = slog.Default()
	}
	a := &api{db: d, members: members, log: log, now: now}
	handlers := map[string]http.HandlerFunc{
		"GET /api/v1/members":      a.listMembers,
		"GET /api/v1/openapi.yaml": a.openAPIDocument,
	}
	mux := http.NewServeMux()
	for _, rt := range Routes {
		pattern := rt.Method + " " + rt.Path
		h, ok := handlers[pattern]
		if !ok {
			panic("api: no handler for route " + pattern)
		}
		if rt.Auth {
			h = a.authenticated(h)
		}
		mux.Handle(pattern, h)
		delete(handlers, pattern)
	}
	if len(handlers) > 0 {
		panic("api: handlers missing from Routes")
	}
	mux.HandleFunc(Prefix, a.notFound)
	return mux
}

// apiError is the body of every error response.
type apiError struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Parameter string `json:"parameter,omitempty"`
}

// Error codes.
const (
	codeUnauthorized     = "unauthorized"
	codeBadRequest       = "bad_request"
	codeNotFound         = "not_found"
	codeMethodNotAllowed = "method_not_allowed"
	codeInternal         = "internal"
)

func (a *api) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		a.log.ErrorContext(r.Context(), "api: encode response", "err", err)
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

func (a *api) fail(w http.ResponseWriter, r *http.Request, status int, e apiError) {
	a.writeJSON(w, r, status, map[string]apiError{"error": e})
}

func (a *api) internalError(w http.ResponseWriter, r *http.Request, err error) {
	a.log.ErrorContext(r.Context(), "api: internal error", "err", err, "path", r.URL.Path)
	a.fail(w, r, http.StatusInternalServerError, apiError{Code: codeInternal,
		Message: "Internal error. Try again later; if it persists, give the X-Request-Id of this response to your administrator."})
}

// notFound answers everything under the prefix that is not a route: 405 for
// a known path with another method, 404 otherwise.
func (a *api) notFound(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, rt := range Routes {
		if rt.Path == r.URL.Path {
			allow = append(allow, rt.Method)
			if rt.Method == http.MethodGet {
				allow = append(allow, http.MethodHead)
			}
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		a.fail(w, r, http.StatusMethodNotAllowed, apiError{Code: codeMethodNotAllowed,
			Message: r.Method + " is not allowed here; use " + strings.Join(allow, " or ") + "."})
		return
	}
	a.fail(w, r, http.StatusNotFound, apiError{Code: codeNotFound,
		Message: "No such API endpoint. The endpoints are described at " + Prefix + "openapi.yaml."})
}

// authenticated lets a request through only with a valid API token, and
// puts the token's organization in the context.
func (a *api) authenticated(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		secret, ok := bearer(r.Header.Get("Authorization"))
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="tsunagu"`)
			a.fail(w, r, http.StatusUnauthorized, apiError{Code: codeUnauthorized,
				Message: "Missing API token. Send it in the Authorization header: Bearer tsu_…; an admin creates tokens on the API tokens page."})
			return
		}
		orgID, tokenID, err := auth.AuthenticateAPIToken(r.Context(), a.db, secret, a.now())
		if errors.Is(err, auth.ErrAPITokenInvalid) || errors.Is(err, auth.ErrAPITokenRevoked) {
			a.log.InfoContext(r.Context(), "api: token refused", "reason", err)
			w.Header().Set("WWW-Authenticate", `Bearer realm="tsunagu", error="invalid_token"`)
			a.fail(w, r, http.StatusUnauthorized, apiError{Code: codeUnauthorized,
				Message: "The API token is invalid or has been revoked. Ask an admin of your organization for a new one."})
			return
		}
		if err != nil {
			a.internalError(w, r, err)
			return
		}
		a.log.DebugContext(r.Context(), "api: token accepted", "org_id", orgID, "api_token_id", tokenID)
		next(w, r.WithContext(context.WithValue(r.Context(), orgKey{}, orgID)))
	}
}

// bearer takes the token out of an Authorization header.
func bearer(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func (a *api) openAPIDocument(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/yaml; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	_, _ = w.Write(openAPI)
}
