package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"

	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/org"
)

func (s *Server) client(r *http.Request) auth.Client {
	return auth.Client{IP: s.clientIP(r), UserAgent: r.UserAgent()}
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if rc.member != nil {
		http.Redirect(w, r, "/o/"+rc.org.Slug+"/", http.StatusSeeOther)
		return
	}
	p := s.newPage(r, rc, "login.title")
	s.takeFlash(w, r, p)
	p.Form = map[string]string{"next": rc.org.SafeNext(r.URL.Query().Get("next"))}
	p.Data = s.ssoLoginData(r, rc, p, p.Form["next"])
	s.render(w, r, http.StatusOK, "login.html", p)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	password := r.PostForm.Get("password")
	p := s.newPage(r, rc, "login.title")
	p.Form = map[string]string{"email": email, "next": rc.org.SafeNext(r.PostForm.Get("next"))}
	p.Data = s.ssoLoginData(r, rc, p, p.Form["next"])
	p.Errors = map[string]string{}
	if email == "" {
		p.Errors["email"] = p.T("form.required")
	}
	if password == "" {
		p.Errors["password"] = p.T("form.required")
	}
	if len(p.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "login.html", p)
		return
	}
	secret, _, err := s.auth.SignIn(r.Context(), rc.org, email, password, s.client(r))
	var th *auth.Throttled
	switch {
	case err == nil:
		// A fresh cookie value at every sign-in: a session id planted before
		// sign-in is never promoted (session fixation).
		if rc.session != "" {
			_ = s.auth.Sessions.Delete(r.Context(), rc.org.ID, rc.session)
		}
		s.setCookie(w, rc.org, sessionCookie, secret, 0)
		http.Redirect(w, r, p.Form["next"], http.StatusSeeOther)
	case errors.Is(err, auth.ErrBadCredentials):
		p.Errors["form"] = p.T("login.bad_credentials")
		s.render(w, r, http.StatusUnauthorized, "login.html", p)
	case errors.As(err, &th):
		minutes := int(math.Ceil(th.RetryAfter.Minutes()))
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(th.RetryAfter.Seconds()))))
		p.Errors["form"] = p.T("auth.throttled", "minutes", minutes)
		s.render(w, r, http.StatusTooManyRequests, "login.html", p)
	default:
		s.serverError(w, r, err)
	}
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if err := s.auth.SignOut(r.Context(), rc.org, *rc.member, rc.session, s.client(r)); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.clearCookie(w, rc.org, sessionCookie)
	s.flash(w, rc.org, "flash.signed_out")
	http.Redirect(w, r, "/o/"+rc.org.Slug+"/login", http.StatusSeeOther)
}

func (s *Server) signOutEverywhere(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if _, err := s.auth.SignOutEverywhere(r.Context(), rc.org, *rc.member, s.client(r)); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.clearCookie(w, rc.org, sessionCookie)
	s.flash(w, rc.org, "flash.signed_out_everywhere")
	http.Redirect(w, r, "/o/"+rc.org.Slug+"/login", http.StatusSeeOther)
}

func (s *Server) forgotForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p := s.newPage(r, rc, "forgot.title")
	s.render(w, r, http.StatusOK, "forgot.html", p)
}

func (s *Server) forgot(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	p := s.newPage(r, rc, "forgot.title")
	email := strings.TrimSpace(r.PostForm.Get("email"))
	p.Form = map[string]string{"email": email}
	if _, _, err := org.NormalizeEmail(email); err != nil {
		p.Errors = map[string]string{"email": p.T("form.email_invalid")}
		s.render(w, r, http.StatusUnprocessableEntity, "forgot.html", p)
		return
	}
	if err := s.auth.RequestPasswordReset(r.Context(), rc.org, email, s.client(r)); err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Data = map[string]any{"Sent": true}
	s.render(w, r, http.StatusOK, "forgot.html", p)
}

// tokenErrorKey maps a token failure to a message that says what to do next.
func tokenErrorKey(err error, kind auth.TokenKind) (string, bool) {
	prefix := "token.reset_"
	if kind == auth.TokenInvite {
		prefix = "token.invite_"
	}
	switch {
	case errors.Is(err, auth.ErrTokenExpired):
		return prefix + "expired", true
	case errors.Is(err, auth.ErrTokenUsed):
		return prefix + "used", true
	case errors.Is(err, auth.ErrTokenInvalid):
		return prefix + "invalid", true
	}
	return "", false
}

func (s *Server) tokenProblem(w http.ResponseWriter, r *http.Request, rc *reqCtx, err error, kind auth.TokenKind) {
	key, ok := tokenErrorKey(err, kind)
	if !ok {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r, rc, "token.title")
	p.Data = map[string]any{"Key": key, "Kind": string(kind)}
	s.render(w, r, http.StatusGone, "token_problem.html", p)
}

func (s *Server) resetForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if err := s.auth.CheckResetToken(r.Context(), rc.org, r.PathValue("token")); err != nil {
		s.tokenProblem(w, r, rc, err, auth.TokenReset)
		return
	}
	s.render(w, r, http.StatusOK, "reset.html", s.newPage(r, rc, "reset.title"))
}

func (s *Server) reset(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	p := s.newPage(r, rc, "reset.title")
	pw, confirm := r.PostForm.Get("password"), r.PostForm.Get("password_confirm")
	if msg := passwordProblem(p, pw, confirm); msg != "" {
		p.Errors = map[string]string{"password": msg}
		s.render(w, r, http.StatusUnprocessableEntity, "reset.html", p)
		return
	}
	err := s.auth.ResetPassword(r.Context(), rc.org, r.PathValue("token"), pw, s.client(r))
	if err != nil {
		s.tokenProblem(w, r, rc, err, auth.TokenReset)
		return
	}
	s.clearCookie(w, rc.org, sessionCookie)
	s.flash(w, rc.org, "flash.password_reset")
	http.Redirect(w, r, "/o/"+rc.org.Slug+"/login", http.StatusSeeOther)
}

// passwordProblem returns the message for a password that cannot be used, or "".
func passwordProblem(p *Page, pw, confirm string) string {
	switch err := auth.CheckPasswordPolicy(pw); {
	case errors.Is(err, auth.ErrPasswordTooShort):
		return p.T("password.too_short", "min", auth.MinPasswordLen)
	case errors.Is(err, auth.ErrPasswordTooLong):
		return p.T("password.too_long", "max", auth.MaxPasswordLen)
	}
	if pw != confirm {
		return p.T("password.mismatch")
	}
	return ""
}

func (s *Server) joinForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	secret := r.PathValue("token")
	m, err := s.invites.Open(r.Context(), rc.org, secret)
	if err != nil {
		s.tokenProblem(w, r, rc, err, auth.TokenInvite)
		return
	}
	p := s.newPage(r, rc, "join.title")
	p.Form = nameForm(m.Name)
	p.Data = s.joinData(r, rc, m, secret)
	s.render(w, r, http.StatusOK, "join.html", p)
}

// joinData is what the join page shows besides the form: whose invitation
// it is, and the SSO way in when the organization has one.
func (s *Server) joinData(r *http.Request, rc *reqCtx, m org.Member, secret string) map[string]any {
	d := map[string]any{"Email": m.Email, "Role": m.Role}
	if s.inviteSSOEnabled(r.Context(), rc.org.ID) {
		d["SSO"] = "/o/" + rc.org.Slug + "/sso/login?join=" + url.QueryEscape(secret)
	}
	return d
}

func nameForm(n org.Name) map[string]string {
	return map[string]string{"family_name": n.Family, "given_name": n.Given, "family_kana": n.FamilyKana,
		"given_kana": n.GivenKana, "family_romaji": n.FamilyRomaji, "given_romaji": n.GivenRomaji}
}

func nameFromForm(r *http.Request) org.Name {
	f := r.PostForm
	return org.Name{Family: strings.TrimSpace(f.Get("family_name")), Given: strings.TrimSpace(f.Get("given_name")),
		FamilyKana: strings.TrimSpace(f.Get("family_kana")), GivenKana: strings.TrimSpace(f.Get("given_kana")),
		FamilyRomaji: strings.TrimSpace(f.Get("family_romaji")), GivenRomaji: strings.TrimSpace(f.Get("given_romaji"))}
}

// nameProblems validates a name form and returns field errors.
func nameProblems(p *Page, n org.Name) map[string]string {
	errs := map[string]string{}
	if n.Family == "" {
		errs["family_name"] = p.T("form.required")
	}
	for field, v := range nameForm(n) {
		if len([]rune(v)) > org.MaxNameLen {
			errs[field] = p.T("form.too_long", "max", org.MaxNameLen)
		}
	}
	return errs
}

func (s *Server) join(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	secret := r.PathValue("token")
	m, err := s.invites.Open(r.Context(), rc.org, secret)
	if err != nil {
		s.tokenProblem(w, r, rc, err, auth.TokenInvite)
		return
	}
	p := s.newPage(r, rc, "join.title")
	name := nameFromForm(r)
	p.Form = nameForm(name)
	p.Data = s.joinData(r, rc, m, secret)
	p.Errors = nameProblems(p, name)
	if msg := passwordProblem(p, r.PostForm.Get("password"), r.PostForm.Get("password_confirm")); msg != "" {
		p.Errors["password"] = msg
	}
	if len(p.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "join.html", p)
		return
	}
	session, _, err := s.invites.Join(r.Context(), rc.org, secret, name, r.PostForm.Get("password"), s.client(r))
	if err != nil {
		s.tokenProblem(w, r, rc, err, auth.TokenInvite)
		return
	}
	if rc.session != "" {
		_ = s.auth.Sessions.Delete(r.Context(), rc.org.ID, rc.session)
	}
	s.setCookie(w, rc.org, sessionCookie, session, 0)
	// The profile is what makes a member findable: land there to complete it.
	s.flash(w, rc.org, "flash.invite_joined")
	http.Redirect(w, r, "/o/"+rc.org.Slug+"/profile", http.StatusSeeOther)
}

func (s *Server) account(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p := s.newPage(r, rc, "account.title")
	s.takeFlash(w, r, p)
	n, err := s.auth.Sessions.Count(r.Context(), rc.org.ID, rc.member.UserID, s.auth.Now())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Data = map[string]any{"Sessions": n}
	s.render(w, r, http.StatusOK, "account.html", p)
}
