package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// API tokens: admins create one per integration, see its secret once, and
// revoke it when the integration ends.

func (s *Server) apiTokenActor(r *http.Request, rc *reqCtx) auth.Actor {
	return auth.Actor{UserID: rc.member.UserID, Email: rc.member.Email, IP: s.clientIP(r)}
}

// apiTokensPage renders the list with whatever the handler adds (a new
// secret, form errors).
func (s *Server) apiTokensPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, p *Page, data map[string]any) {
	tokens, err := auth.ListAPITokens(r.Context(), s.db.Read(), rc.org.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data["Tokens"] = tokens
	data["MaxName"] = auth.MaxAPITokenName
	data["DocsURL"] = "/api/v1/openapi.yaml"
	data["APIURL"] = s.cfg.BaseURL + "/api/v1/members"
	p.Data = data
	s.render(w, r, status, "admin_tokens.html", p)
}

func (s *Server) adminAPITokens(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p := s.newPage(r, rc, "api_tokens.title")
	s.takeFlash(w, r, p)
	p.Form = map[string]string{}
	s.apiTokensPage(w, r, rc, http.StatusOK, p, map[string]any{})
}

func (s *Server) adminCreateAPIToken(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	p := s.newPage(r, rc, "api_tokens.title")
	name := r.PostForm.Get("name")
	p.Form = map[string]string{"name": name}
	var secret string
	err := s.db.Tx(r.Context(), func(tx db.Tx) error {
		var err error
		secret, _, err = auth.CreateAPIToken(r.Context(), tx, rc.org.ID, s.apiTokenActor(r, rc), name, s.auth.Now())
		return err
	})
	if errors.Is(err, auth.ErrAPITokenName) {
		p.Errors = map[string]string{"name": p.T("api_tokens.name_invalid", "max", auth.MaxAPITokenName)}
		s.apiTokensPage(w, r, rc, http.StatusUnprocessableEntity, p, map[string]any{})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Form = map[string]string{}
	// The secret is in this response only: it is not stored, so it cannot be
	// shown again.
	s.apiTokensPage(w, r, rc, http.StatusCreated, p, map[string]any{"Secret": secret, "Created": name})
}

func (s *Server) adminRevokeAPIToken(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFoundPage(w, r)
		return
	}
	err = s.db.Tx(r.Context(), func(tx db.Tx) error {
		return auth.RevokeAPIToken(r.Context(), tx, rc.org.ID, id, s.apiTokenActor(r, rc), s.auth.Now())
	})
	if errors.Is(err, auth.ErrNotFound) {
		s.notFoundPage(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(w, rc.org, "flash.api_token_revoked")
	http.Redirect(w, r, "/o/"+rc.org.Slug+"/admin/api-tokens", http.StatusSeeOther)
}
