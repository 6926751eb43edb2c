package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// Bearer tokens for integrations (the JSON API, SCIM): admins create one per
// integration, see its secret once, and revoke it when the integration
// ends. Each kind has its page; the handlers are the same.

// tokenAdmin is one kind of token's admin page.
type tokenAdmin struct {
	kind         auth.BearerKind
	path         string // inside the organization, e.g. "/admin/api-tokens"
	template     string
	titleKey     string
	nameKey      string // the message for a bad name, with {max}
	revokedFlash string
	// describe adds what the page shows besides the tokens (URLs, counts).
	describe func(r *http.Request, rc *reqCtx, data map[string]any) error
}

// tokenRoutes registers the page, create and revoke of a kind, for admins.
func (s *Server) tokenRoutes(t tokenAdmin) {
	s.page("GET /o/{org}"+t.path, adminOnly, func(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
		p := s.newPage(r, rc, t.titleKey)
		s.takeFlash(w, r, p)
		p.Form = map[string]string{}
		s.tokensPage(w, r, rc, t, http.StatusOK, p, map[string]any{})
	})
	s.page("POST /o/{org}"+t.path, adminOnly, func(w http.ResponseWriter, r *http.Request, rc *reqCtx) { s.createToken(w, r, rc, t) })
	s.page("POST /o/{org}"+t.path+"/{id}/revoke", adminOnly, func(w http.ResponseWriter, r *http.Request, rc *reqCtx) { s.revokeToken(w, r, rc, t) })
}

func (s *Server) tokenActor(r *http.Request, rc *reqCtx) auth.Actor {
	return auth.Actor{UserID: rc.member.UserID, Email: rc.member.Email, IP: s.clientIP(r)}
}

// tokensPage renders the list with whatever the handler adds (a new
// secret, form errors).
func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, t tokenAdmin, status int, p *Page, data map[string]any) {
	tokens, err := t.kind.List(r.Context(), s.db.Read(), rc.org.ID)
	if err == nil && t.describe != nil {
		err = t.describe(r, rc, data)
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data["Tokens"] = tokens
	data["MaxName"] = auth.MaxAPITokenName
	p.Data = data
	s.render(w, r, status, t.template, p)
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, rc *reqCtx, t tokenAdmin) {
	if !s.parseForm(w, r) {
		return
	}
	p := s.newPage(r, rc, t.titleKey)
	name := r.PostForm.Get("name")
	p.Form = map[string]string{"name": name}
	var secret string
	err := s.db.Tx(r.Context(), func(tx db.Tx) error {
		var err error
		secret, _, err = t.kind.Create(r.Context(), tx, rc.org.ID, s.tokenActor(r, rc), name, s.auth.Now())
		return err
	})
	if errors.Is(err, auth.ErrAPITokenName) {
		p.Errors = map[string]string{"name": p.T(t.nameKey, "max", auth.MaxAPITokenName)}
		s.tokensPage(w, r, rc, t, http.StatusUnprocessableEntity, p, map[string]any{})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Form = map[string]string{}
	// The secret is in this response only: just its hash is stored, so it
	// cannot be shown again.
	s.tokensPage(w, r, rc, t, http.StatusCreated, p, map[string]any{"Secret": secret, "Created": name})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, rc *reqCtx, t tokenAdmin) {
	if !s.parseForm(w, r) {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFoundPage(w, r)
		return
	}
	err = s.db.Tx(r.Context(), func(tx db.Tx) error {
		return t.kind.Revoke(r.Context(), tx, rc.org.ID, id, s.tokenActor(r, rc), s.auth.Now())
	})
	if errors.Is(err, auth.ErrNotFound) {
		s.notFoundPage(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(w, rc.org, t.revokedFlash)
	http.Redirect(w, r, "/o/"+rc.org.Slug+t.path, http.StatusSeeOther)
}

// apiTokenAdmin is the JSON API's token page.
func (s *Server) apiTokenAdmin() tokenAdmin {
	return tokenAdmin{kind: auth.APITokens, path: "/admin/api-tokens", template: "admin_tokens.html", titleKey: "api_tokens.title",
		nameKey: "api_tokens.name_invalid", revokedFlash: "flash.api_token_revoked",
		describe: func(_ *http.Request, _ *reqCtx, data map[string]any) error {
			data["DocsURL"] = "/api/v1/openapi.yaml"
			data["APIURL"] = s.cfg.BaseURL + "/api/v1/members"
			return nil
		}}
}
