package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// Notifier sends the emails auth needs. It enqueues them within exec, so an
// email is queued exactly when the change that caused it commits.
type Notifier interface {
	PasswordReset(ctx context.Context, exec db.Querier, o org.Organization, to org.Member, link string) error
	Invitation(ctx context.Context, exec db.Querier, o org.Organization, email string, name org.Name, lang, link string) error
}

// Config tunes the service; zero fields take the defaults.
type Config struct {
	Argon2        Argon2Params
	Sessions      SessionPolicy
	Throttle      ThrottlePolicy
	ResetTTL      time.Duration // password reset links: 1 hour
	InviteTTL     time.Duration // invitation links: 14 days
	BaseURL       string        // e.g. https://alumni.example.jp, no trailing slash
	Now           func() time.Time
	DummyPassword string // hashed once to spend equal time on unknown emails
}

// Service signs people in and manages their credentials.
type Service struct {
	db       *db.DB
	orgs     *org.Store
	Sessions *Sessions
	notify   Notifier
	cfg      Config
	dummy    string
}

// Errors a person can act on; the web layer localizes them.
var (
	ErrBadCredentials = errors.New("wrong email or password")
	ErrNoPasswordSet  = errors.New("no password set")
)

// NewService builds the service.
func NewService(d *db.DB, orgs *org.Store, n Notifier, cfg Config) (*Service, error) {
	if cfg.Argon2 == (Argon2Params{}) {
		cfg.Argon2 = DefaultArgon2
	}
	if cfg.Sessions == (SessionPolicy{}) {
		cfg.Sessions = DefaultSessionPolicy
	}
	if cfg.Throttle == (ThrottlePolicy{}) {
		cfg.Throttle = DefaultThrottle
	}
	if cfg.ResetTTL == 0 {
		cfg.ResetTTL = time.Hour
	}
	if cfg.InviteTTL == 0 {
		cfg.InviteTTL = 14 * 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = db.Now
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	dummy, err := HashPassword("tsunagu-timing-equaliser", cfg.Argon2)
	if err != nil {
		return nil, err
	}
	return &Service{db: d, orgs: orgs, Sessions: NewSessions(d, cfg.Sessions), notify: n, cfg: cfg, dummy: dummy}, nil
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.cfg.Now() }

// HashPassword hashes with the configured cost.
func (s *Service) HashPassword(pw string) (string, error) { return HashPassword(pw, s.cfg.Argon2) }

// Client identifies where a request came from, for throttling and the audit log.
type Client struct {
	IP        string
	UserAgent string
}

// SignIn checks an email and password and starts a session. Unknown emails
// and wrong passwords give the same error after the same work, so that the
// form does not reveal who is a member.
func (s *Service) SignIn(ctx context.Context, o org.Organization, email, password string, c Client) (string, org.Member, error) {
	now := s.cfg.Now()
	lower := strings.ToLower(strings.TrimSpace(email))
	if err := checkThrottle(ctx, s.db, s.cfg.Throttle, o.ID, lower, c.IP, now); err != nil {
		var th *Throttled
		if errors.As(err, &th) {
			_ = audit.Log(ctx, s.db.Write(), audit.Entry{OrgID: o.ID, ActorLabel: lower, Action: "auth.signin_throttled", IP: c.IP,
				Detail: map[string]string{"by_ip": fmt.Sprint(th.ByIP)}})
		}
		return "", org.Member{}, err
	}
	userID, hash, err := s.orgs.Credentials(ctx, o.ID, lower)
	if err != nil && !errors.Is(err, org.ErrNotFound) {
		return "", org.Member{}, err
	}
	ok := false
	if hash == "" {
		_, _ = VerifyPassword(password, s.dummy)
	} else if ok, err = VerifyPassword(password, hash); err != nil {
		return "", org.Member{}, err
	}
	if !ok {
		err := s.db.Tx(ctx, func(tx db.Tx) error {
			if err := recordAttempt(ctx, tx, o.ID, lower, c.IP, false, now); err != nil {
				return err
			}
			return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorUserID: userID, ActorLabel: lower, Action: "auth.signin_failed", IP: c.IP})
		})
		if err != nil {
			return "", org.Member{}, err
		}
		return "", org.Member{}, ErrBadCredentials
	}
	var secret string
	err = s.db.Tx(ctx, func(tx db.Tx) error {
		if err := recordAttempt(ctx, tx, o.ID, lower, c.IP, true, now); err != nil {
			return err
		}
		var err error
		if secret, err = s.Sessions.Create(ctx, tx, o.ID, userID, c.IP, c.UserAgent, now); err != nil {
			return err
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorUserID: userID, ActorLabel: lower, Action: "auth.signin", IP: c.IP})
	})
	if err != nil {
		return "", org.Member{}, err
	}
	m, err := s.orgs.Member(ctx, o.ID, userID)
	return secret, m, err
}

// SignOut ends the session and records it.
func (s *Service) SignOut(ctx context.Context, o org.Organization, m org.Member, secret string, c Client) error {
	if err := s.Sessions.Delete(ctx, o.ID, secret); err != nil {
		return err
	}
	return audit.Log(ctx, s.db.Write(), audit.Entry{OrgID: o.ID, ActorUserID: m.UserID, ActorLabel: m.Email, Action: "auth.signout", IP: c.IP})
}

// SignOutEverywhere ends every session of the member, this one included.
func (s *Service) SignOutEverywhere(ctx context.Context, o org.Organization, m org.Member, c Client) (int64, error) {
	var n int64
	err := s.db.Tx(ctx, func(tx db.Tx) error {
		var err error
		if n, err = s.Sessions.DeleteAll(ctx, tx, o.ID, m.UserID); err != nil {
			return err
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorUserID: m.UserID, ActorLabel: m.Email, Action: "auth.signout_everywhere", IP: c.IP,
			Detail: map[string]string{"sessions": fmt.Sprint(n)}})
	})
	return n, err
}

func (s *Service) link(o org.Organization, path, secret string) string {
	return s.cfg.BaseURL + "/o/" + o.Slug + path + secret
}

// RequestPasswordReset emails a single-use reset link when email belongs to
// a member. It answers the same either way, so the form reveals nothing.
func (s *Service) RequestPasswordReset(ctx context.Context, o org.Organization, email string, c Client) error {
	m, err := s.orgs.MemberByEmail(ctx, o.ID, email)
	if errors.Is(err, org.ErrNotFound) {
		return audit.Log(ctx, s.db.Write(), audit.Entry{OrgID: o.ID, ActorLabel: strings.ToLower(strings.TrimSpace(email)),
			Action: "auth.reset_requested_unknown", IP: c.IP})
	}
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	return s.db.Tx(ctx, func(tx db.Tx) error {
		secret, err := IssueToken(ctx, tx, Token{OrgID: o.ID, Kind: TokenReset, UserID: m.UserID, Email: m.Email, ExpiresAt: now.Add(s.cfg.ResetTTL)}, now)
		if err != nil {
			return err
		}
		if err := s.notify.PasswordReset(ctx, tx, o, m, s.link(o, "/reset/", secret)); err != nil {
			return err
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorUserID: m.UserID, ActorLabel: m.Email, Action: "auth.reset_requested", IP: c.IP})
	})
}

// CheckResetToken tells whether a reset link can still be used.
func (s *Service) CheckResetToken(ctx context.Context, o org.Organization, secret string) error {
	_, err := PeekToken(ctx, s.db.Read(), o.ID, TokenReset, secret, s.cfg.Now())
	return err
}

// ResetPassword uses a reset token to set a new password, and signs the
// member out everywhere: whoever knew the old password loses access.
func (s *Service) ResetPassword(ctx context.Context, o org.Organization, secret, password string, c Client) error {
	if err := CheckPasswordPolicy(password); err != nil {
		return err
	}
	hash, err := s.HashPassword(password)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	return s.db.Tx(ctx, func(tx db.Tx) error {
		t, err := ConsumeToken(ctx, tx, o.ID, TokenReset, secret, now)
		if err != nil {
			return err
		}
		if err := s.orgs.SetPasswordHash(ctx, tx, o.ID, t.UserID, hash, now); err != nil {
			return err
		}
		if _, err := s.Sessions.DeleteAll(ctx, tx, o.ID, t.UserID); err != nil {
			return err
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorUserID: t.UserID, ActorLabel: t.Email, Action: "auth.password_reset", IP: c.IP})
	})
}

// AdminResetLink issues a reset link for a member without emailing it, for
// the operator's `tsunagu admin reset-password`.
func (s *Service) AdminResetLink(ctx context.Context, o org.Organization, email string) (string, error) {
	m, err := s.orgs.MemberByEmail(ctx, o.ID, email)
	if err != nil {
		return "", err
	}
	now := s.cfg.Now()
	var link string
	err = s.db.Tx(ctx, func(tx db.Tx) error {
		secret, err := IssueToken(ctx, tx, Token{OrgID: o.ID, Kind: TokenReset, UserID: m.UserID, Email: m.Email, ExpiresAt: now.Add(s.cfg.ResetTTL)}, now)
		if err != nil {
			return err
		}
		link = s.link(o, "/reset/", secret)
		return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorLabel: "operator (command line)", Action: "admin.reset_link_issued",
			Target: fmt.Sprintf("user:%d", m.UserID)})
	})
	return link, err
}

// Invitation is what an admin fills in to invite a person.
type Invitation struct {
	Email string
	Name  org.Name
	Role  org.Role
	Lang  string // language of the email
	Send  bool   // email the link (otherwise only shown to the admin)
}

// Invite creates an invitation link for a new member. The account exists
// from the moment of the invitation (so the admin sees them in the list),
// without a password until the person accepts.
func (s *Service) Invite(ctx context.Context, o org.Organization, actor org.Member, inv Invitation, c Client) (string, error) {
	if !inv.Role.Valid() {
		return "", fmt.Errorf("%w: role", org.ErrInvalid)
	}
	now := s.cfg.Now()
	var link string
	err := s.db.Tx(ctx, func(tx db.Tx) error {
		userID, err := s.orgs.CreateMember(ctx, tx, o.ID, org.NewMember{Email: inv.Email, Name: inv.Name, Role: inv.Role, Locale: inv.Lang})
		if err != nil {
			return err
		}
		email, _, _ := org.NormalizeEmail(inv.Email)
		secret, err := IssueToken(ctx, tx, Token{OrgID: o.ID, Kind: TokenInvite, UserID: userID, Email: email, Role: inv.Role,
			CreatedBy: actor.UserID, ExpiresAt: now.Add(s.cfg.InviteTTL)}, now)
		if err != nil {
			return err
		}
		link = s.link(o, "/join/", secret)
		if inv.Send {
			if err := s.notify.Invitation(ctx, tx, o, email, inv.Name, inv.Lang, link); err != nil {
				return err
			}
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorUserID: actor.UserID, ActorLabel: actor.Email, Action: "admin.member_invited",
			Target: fmt.Sprintf("user:%d", userID), IP: c.IP, Detail: map[string]string{"email": email, "role": string(inv.Role), "emailed": fmt.Sprint(inv.Send)}})
	})
	return link, err
}

// ChangeRole sets a member's role, as an admin, with an audit entry. An admin
// cannot demote themselves, so an organization never locks itself out.
func (s *Service) ChangeRole(ctx context.Context, o org.Organization, actor org.Member, userID int64, role org.Role, c Client) error {
	if userID == actor.UserID {
		return ErrCannotChangeOwnRole
	}
	target, err := s.orgs.Member(ctx, o.ID, userID)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx db.Tx) error {
		if err := s.orgs.SetRole(ctx, tx, o.ID, userID, role); err != nil {
			return err
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorUserID: actor.UserID, ActorLabel: actor.Email, Action: "admin.role_changed",
			Target: fmt.Sprintf("user:%d", userID), IP: c.IP, Detail: map[string]string{"from": string(target.Role), "to": string(role)}})
	})
}

// ErrCannotChangeOwnRole keeps the last admin from removing themselves.
var ErrCannotChangeOwnRole = errors.New("cannot change your own role")
