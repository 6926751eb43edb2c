package web

import (
	"net/http"

	"github.com/tsunagu/tsunagu/internal/scim"
)

// SCIM provisioning settings: admins create a token per identity provider,
// see its secret once, paste it with the base URL into the IdP, and revoke
// it when the connection ends. The SCIM endpoints themselves are served by
// internal/scim under /scim/v2/ (not a browser route: a bearer token only).

// scimRoutes registers the SCIM settings pages.
func (s *Server) scimRoutes() {
	if s.scim == nil {
		return
	}
	s.tokenRoutes(tokenAdmin{kind: scim.Tokens, path: "/admin/scim", template: "scim_tokens.html", titleKey: "scim.title",
		nameKey: "scim.name_invalid", revokedFlash: "flash.scim_token_revoked",
		describe: func(r *http.Request, rc *reqCtx, data map[string]any) error {
			linked, err := s.scim.LinkedCount(r.Context(), rc.org.ID)
			data["Linked"] = linked
			data["BaseURL"] = s.scim.BaseURL()
			return err
		}})
}
