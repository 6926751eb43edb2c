package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/scim"
)

// SCIM provisioning settings: admins create a token per identity provider,
// see its secret once, paste it with the base URL into the IdP, and revoke
// it when the connection ends. The SCIM endpoints themselves are served by
// internal/scim under /scim/v2/ (not a browser route: a bearer token only).

// scimRoutes registers the SCIM settings pages.
func (s *Server) scimRoutes() {
	s.page("GET /o/{org}/admin/scim", adminOnly, s.adminSCIM)
	s.page("POST /o/{org}/admin/scim", adminOnly, s.adminSCIMCreate)
	s.page("POST /o/{org}/admin/scim/{id}/revoke", adminOnly, s.adminSCIMRevoke)
}

func (s *Server) scimActor(r *http.Request, rc *reqCtx) scim.Actor {
	return scim.Actor{UserID: rc.member.UserID, Email: rc.member.Email, IP: s.clientIP(r)}
}

func (s *Server) scimPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, p *Page, data map[string]any) {
	if s.scim == nil {
		s.notFoundPage(w, r)
		return
	}
	tokens, err := scim.ListTokens(r.Context(), s.db.Read(), rc.org.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	linked, err := s.scim.LinkedCount(r.Context(), rc.org.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data["Tokens"] = tokens
	data["Linked"] = linked
	data["MaxName"] = scim.MaxTokenName
	data["BaseURL"] = s.scim.BaseURL()
	p.Data = data
	s.render(w, r, status, "scim_tokens.html", p)
}

func (s *Server) adminSCIM(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p := s.newPage(r, rc, "scim.title")
	s.takeFlash(w, r, p)
	p.Form = map[string]string{}
	s.scimPage(w, r, rc, http.StatusOK, p, map[string]any{})
}

func (s *Server) adminSCIMCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	p := s.newPage(r, rc, "scim.title")
	name := r.PostForm.Get("name")
	p.Form = map[string]string{"name": name}
	var secret string
	err := s.db.Tx(r.Context(), func(tx db.Tx) error {
		var err error
		secret, _, err = scim.CreateToken(r.Context(), tx, rc.org.ID, s.scimActor(r, rc), name, s.auth.Now())
		return err
	})
	if errors.Is(err, scim.ErrTokenName) {
		p.Errors = map[string]string{"name": p.T("scim.name_invalid", "max", scim.MaxTokenName)}
		s.scimPage(w, r, rc, http.StatusUnprocessableEntity, p, map[string]any{})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Form = map[string]string{}
	// The secret is in this response only: just its hash is stored.
	s.scimPage(w, r, rc, http.StatusCreated, p, map[string]any{"Secret": secret, "Created": name})
}

func (s *Server) adminSCIMRevoke(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFoundPage(w, r)
		return
	}
	err = s.db.Tx(r.Context(), func(tx db.Tx) error {
		return scim.RevokeToken(r.Context(), tx, rc.org.ID, id, s.scimActor(r, rc), s.auth.Now())
	})
	if errors.Is(err, scim.ErrNotFound) {
		s.notFoundPage(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(w, rc.org, "flash.scim_token_revoked")
	http.Redirect(w, r, "/o/"+rc.org.Slug+"/admin/scim", http.StatusSeeOther)
}
