package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/form"
	"github.com/tsunagu/tsunagu/internal/platform/i18n"
)

const (
	sessionCookie = "tsunagu_session"
	langCookie    = "tsunagu_lang"
	flashCookie   = "tsunagu_flash"
)

// access says who may use a page.
type access int

const (
	anyone    access = iota // signed out too
	anyMember               // any signed-in member
	staffOnly               // admins and supporters
	adminOnly
)

func (a access) allows(m *org.Member) bool {
	switch a {
	case anyone:
		return true
	case anyMember:
		return m != nil
	case staffOnly:
		return m != nil && m.Role.Staff()
	case adminOnly:
		return m != nil && m.Role == org.Admin
	}
	return false
}

// reqCtx is what the page wrapper learned about a request to an organization.
type reqCtx struct {
	org     org.Organization
	member  *org.Member
	session string
}

const reqKey ctxKey = 2

func reqFrom(r *http.Request) *reqCtx {
	rc, _ := r.Context().Value(reqKey).(*reqCtx)
	return rc
}

// page registers a handler for one organization's page. It resolves the
// organization from the URL, the member from the session cookie (a session
// belongs to exactly one organization, so another organization's cookie finds
// nothing), and enforces the access rule before the handler runs.
func (s *Server) page(pattern string, a access, h func(http.ResponseWriter, *http.Request, *reqCtx)) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		setRoute(r, pattern)
		ctx := r.Context()
		o, err := s.orgs.OrganizationBySlug(ctx, r.PathValue("org"))
		if errors.Is(err, org.ErrNotFound) {
			s.notFoundPage(w, r)
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		rc := &reqCtx{org: o}
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			sess, err := s.auth.Sessions.Lookup(ctx, o.ID, c.Value, s.auth.Now())
			switch {
			case err == nil:
				m, err := s.orgs.Member(ctx, o.ID, sess.UserID)
				if err == nil {
					rc.member, rc.session = &m, c.Value
				} else if !errors.Is(err, org.ErrNotFound) {
					s.serverError(w, r, err)
					return
				}
			case errors.Is(err, auth.ErrNoSession):
				s.clearCookie(w, o, sessionCookie)
			default:
				s.serverError(w, r, err)
				return
			}
		}
		r = r.WithContext(context.WithValue(ctx, reqKey, rc))
		if !a.allows(rc.member) {
			if rc.member == nil {
				next := r.URL.Path
				if r.Method != http.MethodGet {
					next = "/o/" + o.Slug + "/"
				}
				http.Redirect(w, r, "/o/"+o.Slug+"/login?next="+url.QueryEscape(next), http.StatusSeeOther)
				return
			}
			s.errorPage(w, r, http.StatusForbidden, "error.forbidden")
			return
		}
		h(w, r, rc)
	})
}

// newPage starts the template data for an organization's page.
func (s *Server) newPage(r *http.Request, rc *reqCtx, titleKey string) *Page {
	p := &Page{Org: rc.org, HasOrg: true, Member: rc.member, Lang: s.language(r, rc.member)}
	p.Title = p.T(titleKey)
	return p
}

// language decides the page language: the member's saved choice, then the
// language switch cookie, then the browser's Accept-Language, then Japanese.
func (s *Server) language(r *http.Request, m *org.Member) string {
	if m == nil {
		if rc := reqFrom(r); rc != nil {
			m = rc.member
		}
	}
	if m != nil && i18n.Supported(m.Locale) {
		return m.Locale
	}
	if c, err := r.Cookie(langCookie); err == nil && i18n.Supported(c.Value) {
		return c.Value
	}
	return i18n.FromAcceptLanguage(r.Header.Get("Accept-Language"))
}

func (s *Server) setCookie(w http.ResponseWriter, o org.Organization, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/o/" + o.Slug + "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.cfg.SecureCookie, SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearCookie(w http.ResponseWriter, o org.Organization, name string) {
	s.setCookie(w, o, name, "", -1)
}

// flash carries one message key across a redirect.
func (s *Server) flash(w http.ResponseWriter, o org.Organization, key string) {
	s.setCookie(w, o, flashCookie, key, 60)
}

func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request, p *Page) {
	c, err := r.Cookie(flashCookie)
	if err != nil || c.Value == "" || !i18n.Has(i18n.Default, c.Value) || !strings.HasPrefix(c.Value, "flash.") {
		return
	}
	p.Flash = p.T(c.Value)
	s.clearCookie(w, p.Org, flashCookie)
}

// switchLanguage sets the language cookie and, for a signed-in member,
// saves the choice on their account.
func (s *Server) switchLanguage(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	lang := r.PostForm.Get("lang")
	if !i18n.Supported(lang) {
		s.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: s.cfg.SecureCookie, SameSite: http.SameSiteLaxMode})
	if rc.member != nil {
		if err := s.orgs.SetLocale(r.Context(), rc.org.ID, rc.member.UserID, lang); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	http.Redirect(w, r, rc.org.SafeNext(r.PostForm.Get("next")), http.StatusSeeOther)
}

// problemMessages says a refused form's problems in the page's language,
// next to their fields, and summaryKey (if any) at the top of the form.
func problemMessages(p *Page, probs form.Problems, summaryKey string) map[string]string {
	out := map[string]string{}
	if summaryKey != "" {
		out["form"] = p.T(summaryKey)
	}
	for _, e := range probs {
		out[e.Field] = p.T(e.Key, e.Args...)
	}
	return out
}
