package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/sso"
)

// ssoCookie binds a sign-in in flight to the browser that started it; the
// provider's redirect back must come with it (state alone could be replayed
// into another browser: login CSRF).
const ssoCookie = "tsunagu_sso"

// ssoRoutes registers the sso pages.
func (s *Server) ssoRoutes() {
	s.page("GET /o/{org}/admin/sso", adminOnly, s.adminSSO)
	s.page("POST /o/{org}/admin/sso", adminOnly, s.adminSSOSave)
	s.page("POST /o/{org}/admin/sso/test", adminOnly, s.adminSSOTest)
	s.page("GET /o/{org}/sso/login", anyone, s.ssoLogin)
	s.page("GET /o/{org}/sso/callback", anyone, s.ssoCallback)
}

// ssoLoginData is what the sign-in page needs to offer the SSO button; nil
// when the organization has none.
func (s *Server) ssoLoginData(r *http.Request, rc *reqCtx, p *Page, next string) map[string]any {
	if s.sso == nil {
		return nil
	}
	st, err := s.sso.Get(r.Context(), rc.org.ID)
	if err != nil || !st.Enabled {
		return nil
	}
	label := st.DisplayName
	if label == "" {
		label = p.T("sso.login.button")
	}
	href := "/o/" + rc.org.Slug + "/sso/login"
	if next != "" && next != "/o/"+rc.org.Slug+"/" {
		href += "?next=" + url.QueryEscape(next)
	}
	return map[string]any{"SSO": map[string]string{"Label": label, "Href": href}}
}

func (s *Server) ssoLogin(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if s.sso == nil {
		s.notFoundPage(w, r)
		return
	}
	q := r.URL.Query()
	next, join := rc.org.SafeNext(q.Get("next")), q.Get("join")
	if rc.member != nil && join == "" {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	authURL, browser, err := s.sso.Begin(r.Context(), rc.org, next, join)
	if err != nil {
		s.ssoProblem(w, r, rc, err)
		return
	}
	s.setCookie(w, rc.org, ssoCookie, browser, 600)
	http.Redirect(w, r, authURL, http.StatusSeeOther)
}

func (s *Server) ssoCallback(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if s.sso == nil {
		s.notFoundPage(w, r)
		return
	}
	browser := ""
	if c, err := r.Cookie(ssoCookie); err == nil {
		browser = c.Value
	}
	s.clearCookie(w, rc.org, ssoCookie)
	res, err := s.sso.Finish(r.Context(), rc.org, browser, r.URL.Query(), s.client(r))
	if err != nil {
		s.ssoProblem(w, r, rc, err)
		return
	}
	// A fresh session at every sign-in, as with a password (session fixation).
	if rc.session != "" {
		_ = s.auth.Sessions.Delete(r.Context(), rc.org.ID, rc.session)
	}
	s.setCookie(w, rc.org, sessionCookie, res.SessionSecret, 0)
	http.Redirect(w, r, res.Redirect, http.StatusSeeOther)
}

// ssoProblems maps each failure to its status and message.
var ssoProblems = []struct {
	err    error
	status int
	key    string
}{
	{sso.ErrDisabled, http.StatusNotFound, "sso.error.disabled"},
	{sso.ErrState, http.StatusBadRequest, "sso.error.state"},
	{sso.ErrLoginExpired, http.StatusBadRequest, "sso.error.login_expired"},
	{sso.ErrProvider, http.StatusUnauthorized, "sso.error.provider"},
	{sso.ErrExchange, http.StatusBadGateway, "sso.error.exchange"},
	{sso.ErrTokenExpired, http.StatusUnauthorized, "sso.error.token_expired"},
	{sso.ErrTokenInvalid, http.StatusUnauthorized, "sso.error.token_invalid"},
	{sso.ErrNonce, http.StatusUnauthorized, "sso.error.token_invalid"},
	{sso.ErrEmailUnverified, http.StatusForbidden, "sso.error.email_unverified"},
	{sso.ErrNotMember, http.StatusForbidden, "sso.error.not_member"},
	{sso.ErrIdentityConflict, http.StatusConflict, "sso.error.identity_conflict"},
	{sso.ErrUnreachable, http.StatusBadGateway, "sso.error.unreachable"},
	{sso.ErrIssuerMismatch, http.StatusBadGateway, "sso.error.unreachable"},
	{sso.ErrDiscovery, http.StatusBadGateway, "sso.error.unreachable"},
}

func (s *Server) ssoProblem(w http.ResponseWriter, r *http.Request, rc *reqCtx, err error) {
	if _, ok := tokenErrorKey(err, auth.TokenInvite); ok {
		s.tokenProblem(w, r, rc, err, auth.TokenInvite)
		return
	}
	for _, pr := range ssoProblems {
		if errors.Is(err, pr.err) {
			s.log.WarnContext(r.Context(), "single sign-on failed", "org", rc.org.Slug, "err", err)
			p := s.newPage(r, rc, "sso.error.title")
			p.Data = map[string]any{"Key": pr.key}
			s.render(w, r, pr.status, "sso_error.html", p)
			return
		}
	}
	s.serverError(w, r, err)
}

// Settings page.

func (s *Server) ssoSettingsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, p *Page, data map[string]any) {
	st, err := s.sso.Get(r.Context(), rc.org.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if p.Form == nil {
		p.Form = map[string]string{"issuer": st.Issuer, "client_id": st.ClientID, "display_name": st.DisplayName,
			"allowed_domains": strings.Join(st.AllowedDomains, "\n")}
		if st.Enabled {
			p.Form["enabled"] = "on"
		}
	}
	data["SecretState"] = fmt.Sprint(st.SecretSet)
	if st.SecretUnreadable {
		data["SecretState"] = "unreadable"
	}
	data["Saved"] = st
	data["RedirectURI"] = s.sso.RedirectURI(rc.org)
	p.Data = data
	s.render(w, r, status, "sso_admin.html", p)
}

func (s *Server) adminSSO(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if s.sso == nil {
		s.notFoundPage(w, r)
		return
	}
	p := s.newPage(r, rc, "sso.admin.title")
	s.takeFlash(w, r, p)
	s.ssoSettingsPage(w, r, rc, http.StatusOK, p, map[string]any{})
}

// ssoForm keeps what the admin typed, never the secret.
func ssoForm(r *http.Request) map[string]string {
	f := map[string]string{}
	for _, k := range []string{"issuer", "client_id", "display_name", "allowed_domains"} {
		f[k] = r.PostForm.Get(k)
	}
	if r.PostForm.Get("enabled") != "" {
		f["enabled"] = "on"
	}
	return f
}

func (s *Server) adminSSOSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if s.sso == nil {
		s.notFoundPage(w, r)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	p := s.newPage(r, rc, "sso.admin.title")
	p.Form = ssoForm(r)
	_, err := s.sso.Save(r.Context(), rc.org.ID, sso.Update{Issuer: p.Form["issuer"], ClientID: p.Form["client_id"],
		ClientSecret: r.PostForm.Get("client_secret"), DisplayName: p.Form["display_name"], AllowedDomains: p.Form["allowed_domains"],
		Enabled: p.Form["enabled"] != ""}, sso.Actor{UserID: rc.member.UserID, Email: rc.member.Email, IP: s.clientIP(r)})
	var invalid *sso.ValidationError
	if errors.As(err, &invalid) {
		p.Errors = map[string]string{"form": p.T("sso.settings.invalid")}
		for f, key := range invalid.Fields {
			p.Errors[f] = p.T(key, "max_domains", sso.MaxDomains, "max", sso.MaxDisplayNameLen)
		}
		s.ssoSettingsPage(w, r, rc, http.StatusUnprocessableEntity, p, map[string]any{})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(w, rc.org, "flash.sso_saved")
	http.Redirect(w, r, "/o/"+rc.org.Slug+"/admin/sso", http.StatusSeeOther)
}

// adminSSOTest fetches the discovery document of the issuer in the form
// (saved or not), so that the admin can check it before enabling.
func (s *Server) adminSSOTest(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if s.sso == nil {
		s.notFoundPage(w, r)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	p := s.newPage(r, rc, "sso.admin.title")
	p.Form = ssoForm(r)
	issuer := strings.TrimSpace(p.Form["issuer"])
	data := map[string]any{}
	status := http.StatusOK
	err := s.sso.TestConnection(r.Context(), issuer)
	switch {
	case err == nil:
		data["TestOK"] = p.T("sso.test.ok", "issuer", issuer)
	default:
		key := "sso.test.failed"
		switch {
		case errors.Is(err, sso.ErrIssuerInvalid):
			key = "sso.test.issuer_invalid"
		case errors.Is(err, sso.ErrUnreachable):
			key = "sso.test.unreachable"
		case errors.Is(err, sso.ErrIssuerMismatch):
			key = "sso.test.issuer_mismatch"
		case errors.Is(err, sso.ErrDiscovery):
			key = "sso.test.discovery"
		}
		data["TestError"] = p.T(key, "issuer", issuer)
		if !errors.Is(err, sso.ErrIssuerInvalid) {
			data["TestDetail"] = err.Error()
		}
		status = http.StatusUnprocessableEntity
	}
	s.ssoSettingsPage(w, r, rc, status, p, data)
}
