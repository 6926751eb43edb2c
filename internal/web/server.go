// Package web serves Tsunagu's HTML: server-rendered pages with htmx for
// partial updates. Handlers are thin: they parse, authorize, call a
// capability and render.
package web

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime"
	"time"

	"github.com/tsunagu/tsunagu/internal/apply"
	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/breakout"
	"github.com/tsunagu/tsunagu/internal/checkin"
	"github.com/tsunagu/tsunagu/internal/event"
	"github.com/tsunagu/tsunagu/internal/feed"
	"github.com/tsunagu/tsunagu/internal/group"
	"github.com/tsunagu/tsunagu/internal/hrimport"
	"github.com/tsunagu/tsunagu/internal/invite"
	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/message"
	"github.com/tsunagu/tsunagu/internal/notify"
	"github.com/tsunagu/tsunagu/internal/offboard"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/photo"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/jobs"
	"github.com/tsunagu/tsunagu/internal/scim"
	"github.com/tsunagu/tsunagu/internal/sso"
)

//go:embed templates static
var assets embed.FS

// Config is what the web layer needs from the application.
type Config struct {
	BaseURL      string // external URL, e.g. https://alumni.example.jp
	SecureCookie bool   // set Secure on cookies (true behind HTTPS)
	MaxBodyBytes int64  // request body limit for forms; default 1 MiB
	Version      string
	// TrustedProxies are reverse proxies whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
}

// Server holds the dependencies of every handler.
type Server struct {
	cfg     Config
	db      *db.DB
	orgs    *org.Store
	auth    *auth.Service
	members *member.Store
	photos  *photo.Store
	jobs    *jobs.Queue
	log     *slog.Logger
	pages   *templates
	static  fs.FS
	mux     *http.ServeMux
	// photoSlots caps how many uploads are decoded at once.
	photoSlots chan struct{}

	offboard     *offboard.Service
	invites      *invite.Service
	imports      *hrimport.Service
	applications *apply.Service
	sso          *sso.Service
	scim         *scim.Service

	notify   *notify.Service
	feed     *feed.Service
	groups   *group.Service
	messages *message.Service
	events   *event.Service
	checkin  *checkin.Service
	breakout *breakout.Service
}

// Deps are the capabilities the pages use.
type Deps struct {
	DB      *db.DB
	Orgs    *org.Store
	Auth    *auth.Service
	Members *member.Store
	Photos  *photo.Store
	Jobs    *jobs.Queue
	Log     *slog.Logger

	Offboard     *offboard.Service
	Invites      *invite.Service
	Imports      *hrimport.Service
	Applications *apply.Service
	SSO          *sso.Service
	SCIM         *scim.Service

	Notify   *notify.Service
	Feed     *feed.Service
	Groups   *group.Service
	Messages *message.Service
	Events   *event.Service
	Checkin  *checkin.Service
	Breakout *breakout.Service
}

// New builds the server and its routes.
func New(cfg Config, deps Deps) (*Server, error) {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	pages, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	static, _ := fs.Sub(assets, "static")
	s := &Server{cfg: cfg, db: deps.DB, orgs: deps.Orgs, auth: deps.Auth, members: deps.Members, photos: deps.Photos, jobs: deps.Jobs,
		log: deps.Log, pages: pages, static: static, mux: http.NewServeMux(), photoSlots: make(chan struct{}, max(2, runtime.NumCPU())),
		offboard: deps.Offboard, invites: deps.Invites, imports: deps.Imports, applications: deps.Applications, sso: deps.SSO, scim: deps.SCIM,
		notify: deps.Notify, feed: deps.Feed, groups: deps.Groups, messages: deps.Messages, events: deps.Events, checkin: deps.Checkin, breakout: deps.Breakout}
	s.routes()
	return s, nil
}

// Handler is the whole site with its middleware.
func (s *Server) Handler() http.Handler {
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(s.forbiddenCrossOrigin))
	var h http.Handler = s.mux
	h = csrf.Handler(h)
	h = s.limitBody(h)
	h = securityHeaders(h, s.cfg.SecureCookie)
	h = s.recoverPanics(h)
	h = s.logRequests(h)
	return h
}

func (s *Server) routes() {
	s.handle("GET /static/", http.StripPrefix("/static/", staticHandler(s.static)))
	s.handle("GET /healthz", http.HandlerFunc(s.healthz))
	s.handle("GET /metrics", metricsHandler())
	s.handle("GET /{$}", http.HandlerFunc(s.root))
	s.handle("/", http.HandlerFunc(s.notFoundPage))

	// Pages of one organization. The role list says who may see them;
	// anyone means signed-out visitors too.
	s.page("GET /o/{org}/{$}", anyMember, s.home)
	s.page("GET /o/{org}/login", anyone, s.loginForm)
	s.page("POST /o/{org}/login", anyone, s.login)
	s.page("POST /o/{org}/logout", anyMember, s.logout)
	s.page("GET /o/{org}/forgot", anyone, s.forgotForm)
	s.page("POST /o/{org}/forgot", anyone, s.forgot)
	s.page("GET /o/{org}/reset/{token}", anyone, s.resetForm)
	s.page("POST /o/{org}/reset/{token}", anyone, s.reset)
	s.page("GET /o/{org}/join/{token}", anyone, s.joinForm)
	s.page("POST /o/{org}/join/{token}", anyone, s.join)
	s.page("POST /o/{org}/lang", anyone, s.switchLanguage)
	s.page("GET /o/{org}/account", anyMember, s.account)
	s.page("POST /o/{org}/account/signout-everywhere", anyMember, s.signOutEverywhere)

	s.page("GET /o/{org}/members", anyMember, s.directory)
	s.page("GET /o/{org}/members/{id}", anyMember, s.profilePage)
	s.page("GET /o/{org}/members/{id}/photo/{variant}", anyMember, s.memberPhoto)
	s.page("GET /o/{org}/profile", anyMember, s.profileEditForm)
	s.page("POST /o/{org}/profile", anyMember, s.profileEdit)
	s.page("POST /o/{org}/profile/photo", anyMember, s.profilePhoto)
	s.page("POST /o/{org}/profile/photo/delete", anyMember, s.profilePhotoDelete)
	s.page("POST /o/{org}/profile/confirm", anyMember, s.profileConfirm)

	s.page("GET /o/{org}/admin/members", staffOnly, s.adminMembers)
	s.page("GET /o/{org}/admin/members/{id}", staffOnly, s.adminMember)
	s.page("POST /o/{org}/admin/members/{id}/role", adminOnly, s.adminChangeRole)
	s.page("POST /o/{org}/admin/members/{id}/internal", adminOnly, s.adminSetInternal)
	s.page("GET /o/{org}/admin/invite", adminOnly, s.adminInviteForm)
	s.page("POST /o/{org}/admin/invite", adminOnly, s.invitationSingle) // the form's older address
	s.page("GET /o/{org}/admin/audit", adminOnly, s.adminAudit)
	s.tokenRoutes(s.apiTokenAdmin())
	s.page("GET /o/{org}/admin/members.csv", adminOnly, s.adminMembersCSV)
	s.page("GET /o/{org}/admin", staffOnly, s.adminHub)

	// Each capability registers its pages in its own file.
	s.offboardRoutes()
	s.inviteRoutes()
	s.hrimportRoutes()
	s.applyRoutes()
	s.ssoRoutes()
	s.scimRoutes()
	s.notifyRoutes()
	s.feedRoutes()
	s.groupRoutes()
	s.messageRoutes()
	s.eventRoutes()
	s.checkinRoutes()
	s.breakoutRoutes()
}

// Mount serves h under a path prefix (e.g. "/api/v1/"), behind the same
// logging, limits and security headers as the pages.
func (s *Server) Mount(prefix string, h http.Handler) { s.handle(prefix, h) }

// handle registers a route outside any organization, labelled by its pattern
// in logs and metrics.
func (s *Server) handle(pattern string, h http.Handler) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		setRoute(r, pattern)
		h.ServeHTTP(w, r)
	})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.db.Ping(ctx); err != nil {
		s.log.ErrorContext(ctx, "health check: database unreachable", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unreachable\n"))
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

// root leads to the first organization, the common case of a company running
// its own instance.
func (s *Server) root(w http.ResponseWriter, r *http.Request) {
	o, err := s.orgs.FirstOrganization(r.Context())
	if err != nil {
		s.notFoundPage(w, r)
		return
	}
	http.Redirect(w, r, "/o/"+o.Slug+"/", http.StatusSeeOther)
}

func staticHandler(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// File names carry versions (htmx-2.0.11.min.js) or change with releases;
		// a day of caching keeps phones fast without pinning old CSS for long.
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	})
}
