package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/tsunagu/tsunagu/internal/api"
	"github.com/tsunagu/tsunagu/internal/apply"
	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/breakout"
	"github.com/tsunagu/tsunagu/internal/checkin"
	"github.com/tsunagu/tsunagu/internal/email"
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
	"github.com/tsunagu/tsunagu/internal/platform/mail"
	"github.com/tsunagu/tsunagu/internal/scim"
	"github.com/tsunagu/tsunagu/internal/search"
	"github.com/tsunagu/tsunagu/internal/sso"
	"github.com/tsunagu/tsunagu/internal/web"
)

// Version is set at build time with -ldflags "-X .../internal/app.Version=v1.2.3".
var Version = "dev"

// App is a running Tsunagu's parts.
type App struct {
	Cfg     Config
	Log     *slog.Logger
	DB      *db.DB
	Orgs    *org.Store
	Auth    *auth.Service
	Jobs    *jobs.Queue
	Outbox  *email.Outbox
	Mailer  mail.Mailer
	Web     *web.Server
	Search  *search.Index
	Members *member.Store
	Photos  *photo.Store

	// Joining the network.
	Offboard     *offboard.Service
	Invites      *invite.Service
	Imports      *hrimport.Service
	Applications *apply.Service
	SSO          *sso.Service
	SCIM         *scim.Service

	// Community and events.
	Notify   *notify.Service
	Feed     *feed.Service
	Groups   *group.Service
	Messages *message.Service
	Events   *event.Service
	Checkin  *checkin.Service
	Breakout *breakout.Service
}

// RequestIDHandler wraps h so that records made with a request's context carry its id.
func RequestIDHandler(h slog.Handler) slog.Handler { return web.LogHandler{Handler: h} }

// Open validates cfg, connects to and migrates the database, and builds the
// services. It does not start serving.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d, err := db.Open(ctx, cfg.DatabaseURL, db.Options{})
	if err != nil {
		return nil, err
	}
	if !cfg.SkipMigrate {
		if err := d.Migrate(ctx); err != nil {
			d.Close()
			return nil, err
		}
	}
	a := &App{Cfg: cfg, Log: log, DB: d, Orgs: org.NewStore(d)}
	now := cfg.Now
	if now == nil {
		now = db.Now
	}
	a.Jobs = jobs.New(d, jobs.Options{Workers: cfg.Workers, Now: now, Logger: log})
	if cfg.SMTPURL == "" {
		a.Mailer = mail.NewLogSender(log)
	} else {
		s, err := mail.NewSender(mail.Config{URL: cfg.SMTPURL, From: cfg.MailFrom, FromName: "Tsunagu"})
		if err != nil {
			d.Close()
			return nil, fmt.Errorf("TSUNAGU_SMTP_URL: %w", err)
		}
		a.Mailer = s
	}
	a.Outbox = email.NewOutbox(a.Jobs)
	a.Outbox.RegisterSender(a.Mailer)
	a.Auth, err = auth.NewService(d, a.Orgs, a.Outbox, auth.Config{Argon2: cfg.Argon2, BaseURL: cfg.BaseURL, Now: now})
	if err != nil {
		d.Close()
		return nil, err
	}
	proxies, _ := cfg.proxies()
	a.Search = search.NewIndex(d)
	a.Members = member.NewStore(d, a.Orgs, a.Search, now)
	a.Orgs.OnMemberChanged(a.Members.Reindex)
	if a.Photos, err = photo.NewStore(filepath.Join(cfg.DataDir, "uploads", "photos")); err != nil {
		d.Close()
		return nil, fmt.Errorf("photo storage in TSUNAGU_DATA_DIR: %w", err)
	}
	for _, open := range []func() error{a.openOffboard, a.openInvite, a.openHrimport, a.openApply, a.openSso, a.openScim,
		a.openNotify, a.openGroup, a.openFeed, a.openMessage, a.openEvent, a.openCheckin, a.openBreakout} {
		if err := open(); err != nil {
			d.Close()
			return nil, err
		}
	}
	a.Web, err = web.New(web.Config{BaseURL: cfg.BaseURL, SecureCookie: strings.HasPrefix(cfg.BaseURL, "https://"),
		Version: Version, TrustedProxies: proxies},
		web.Deps{DB: d, Orgs: a.Orgs, Auth: a.Auth, Members: a.Members, Photos: a.Photos, Jobs: a.Jobs, Log: log,
			Offboard: a.Offboard, Invites: a.Invites, Imports: a.Imports, Applications: a.Applications, SSO: a.SSO, SCIM: a.SCIM,
			Notify: a.Notify, Feed: a.Feed, Groups: a.Groups, Messages: a.Messages, Events: a.Events, Checkin: a.Checkin, Breakout: a.Breakout})
	if err != nil {
		d.Close()
		return nil, err
	}
	a.Web.Mount(api.Prefix, api.New(d, a.Members, log, now))
	a.mountScim()
	return a, nil
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }

// CheckMail dials the SMTP server once, so that a wrong host or password
// shows at start-up rather than in the first failed email. Mail is queued
// either way; nothing is lost while the server is unreachable.
func (a *App) CheckMail(ctx context.Context) {
	s, ok := a.Mailer.(*mail.Sender)
	if !ok {
		a.Log.Warn("no SMTP server configured (TSUNAGU_SMTP_URL): emails are written to the log instead of sent")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := s.Check(ctx); err != nil {
		a.Log.Error("SMTP server is not reachable; emails stay queued and are retried", "smtp", s.Settings().String(), "err", err)
		return
	}
	a.Log.Info("SMTP server reachable", "smtp", s.Settings().String())
}

// EnsureOrganization creates the first organization on a fresh database.
func (a *App) EnsureOrganization(ctx context.Context) (org.Organization, bool, error) {
	o, err := a.Orgs.FirstOrganization(ctx)
	if err == nil {
		return o, false, nil
	}
	if !errors.Is(err, org.ErrNotFound) {
		return o, false, err
	}
	return a.CreateOrganization(ctx, a.Cfg.OrgSlug, a.Cfg.OrgName, "")
}

// CreateOrganization adds an organization with its audit entry.
func (a *App) CreateOrganization(ctx context.Context, slug, nameJA, nameEN string) (org.Organization, bool, error) {
	var o org.Organization
	err := a.DB.Tx(ctx, func(tx db.Tx) error {
		var err error
		if o, err = a.Orgs.CreateOrganization(ctx, tx, slug, nameJA, nameEN); err != nil {
			return err
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorLabel: "operator (command line)", Action: "admin.org_created", Target: "org:" + o.Slug})
	})
	return o, err == nil, err
}

// Serve runs the HTTP server and the job workers until ctx is cancelled,
// then shuts down gracefully: in-flight requests and jobs finish (within the
// shutdown timeout) before it returns. ready, if not nil, receives the
// address once the server listens.
func (a *App) Serve(ctx context.Context, ready chan<- string) error {
	ln, err := net.Listen("tcp", a.Cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s (TSUNAGU_LISTEN): %w", a.Cfg.Listen, err)
	}
	srv := &http.Server{
		Handler:           a.Web.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	a.Jobs.Start()
	sweepDone := make(chan struct{})
	sweepCtx, stopSweep := context.WithCancel(context.Background())
	go func() { defer close(sweepDone); a.sweep(sweepCtx) }()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Log.Info("Tsunagu is serving", "listen", ln.Addr().String(), "base_url", a.Cfg.BaseURL, "database", a.DB.Redacted, "version", Version)
	if ready != nil {
		ready <- ln.Addr().String()
	}

	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	a.Log.Info("shutting down: finishing in-flight requests and jobs", "timeout", a.Cfg.ShutdownTimeout)
	shutCtx, cancel := context.WithTimeout(context.Background(), a.Cfg.ShutdownTimeout)
	defer cancel()
	stopSweep()
	httpErr := srv.Shutdown(shutCtx)
	jobsErr := a.Jobs.Shutdown(shutCtx)
	<-sweepDone
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	a.Log.Info("stopped")
	return errors.Join(err, httpErr, jobsErr)
}

// sweep removes expired sessions and old sign-in attempts once an hour. Every
// node may do it: the deletes are idempotent.
func (a *App) sweep(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		now := a.Auth.Now()
		if n, err := a.Auth.Sessions.Sweep(ctx, now); err != nil && ctx.Err() == nil {
			a.Log.Warn("session sweep failed", "err", err)
		} else if n > 0 {
			a.Log.Debug("expired sessions removed", "count", n)
		}
		if _, err := a.DB.Write().ExecContext(ctx, `DELETE FROM login_attempts WHERE created_at < $1`, now.Add(-7*24*time.Hour)); err != nil && ctx.Err() == nil {
			a.Log.Warn("sign-in attempt sweep failed", "err", err)
		}
		if n, err := a.SendFreshnessReminders(ctx, 500); err != nil && ctx.Err() == nil {
			a.Log.Warn("profile freshness reminders failed", "err", err)
		} else if n > 0 {
			a.Log.Info("profile freshness reminders queued", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// SendFreshnessReminders emails up to limit members whose profile has not
// been confirmed for six months ("今も○○にお勤めですか？"). The hourly sweep
// calls it; at most limit an hour keeps a large network's first run gentle
// on the mail server.
func (a *App) SendFreshnessReminders(ctx context.Context, limit int) (int, error) {
	orgs := map[int64]org.Organization{}
	return a.Members.ClaimReminders(ctx, limit, func(ctx context.Context, exec db.Querier, r member.Reminder) error {
		o, ok := orgs[r.OrgID]
		if !ok {
			var err error
			if o, err = a.Orgs.OrganizationIn(ctx, exec, r.OrgID); err != nil {
				return err
			}
			orgs[r.OrgID] = o
		}
		return a.Outbox.FreshnessReminder(ctx, exec, o, r.Email, r.Name, r.Locale, r.CurrentCompany, a.Cfg.BaseURL+"/o/"+o.Slug+"/")
	})
}
