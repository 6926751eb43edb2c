package invite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/email"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/jobs"
)

// Job kinds.
const (
	KindCampaignBatch = "invite.campaign_batch"
	KindRemind        = "invite.remind"
)

// Defaults; Config fields override them.
const (
	DefaultTTL       = 14 * 24 * time.Hour
	DefaultBatchSize = 200
)

// DefaultReminders are when the two reminders go out, after the invitation.
var DefaultReminders = []time.Duration{3 * 24 * time.Hour, 7 * 24 * time.Hour}

// Config wires the service.
type Config struct {
	BaseURL   string // external URL, no trailing slash
	TTL       time.Duration
	BatchSize int
	Reminders []time.Duration // at most two
	Now       func() time.Time
}

// Service invites people and tracks their invitations.
type Service struct {
	db     *db.DB
	orgs   *org.Store
	auth   *auth.Service
	outbox *email.Outbox
	jobs   *jobs.Queue
	cfg    Config
}

// NewService builds the service and registers its jobs and its delivery
// receipts.
func NewService(d *db.DB, orgs *org.Store, a *auth.Service, outbox *email.Outbox, q *jobs.Queue, cfg Config) *Service {
	if cfg.TTL == 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.Reminders == nil {
		cfg.Reminders = DefaultReminders
	}
	if len(cfg.Reminders) > 2 {
		cfg.Reminders = cfg.Reminders[:2]
	}
	if cfg.Now == nil {
		cfg.Now = db.Now
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	s := &Service{db: d, orgs: orgs, auth: a, outbox: outbox, jobs: q, cfg: cfg}
	q.Register(KindCampaignBatch, 10, s.runBatch)
	q.Register(KindRemind, 10, s.runReminder)
	outbox.OnDelivered(email.ReceiptInvitation, s.delivered)
	return s
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

// Errors the web layer shows.
var (
	ErrNotFound   = errors.New("invite: not found")
	ErrNotDraft   = errors.New("invite: campaign already sent")
	ErrNoAudience = errors.New("invite: nobody to invite")
)

// Settings are an organization's invitation choices.
type Settings struct {
	TrackOpens bool
}

// Settings returns the organization's settings (defaults when never saved).
func (s *Service) Settings(ctx context.Context, q db.Querier, orgID int64) (Settings, error) {
	st := Settings{TrackOpens: true}
	err := q.QueryRowContext(ctx, `SELECT track_opens FROM invite_settings WHERE org_id = $1`, orgID).Scan(&st.TrackOpens)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	return st, err
}

// SaveSettings stores the settings, audited.
func (s *Service) SaveSettings(ctx context.Context, o org.Organization, actor org.Member, st Settings, c auth.Client) error {
	now := s.now()
	return s.db.Tx(ctx, func(tx db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO invite_settings (org_id, track_opens, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (org_id) DO UPDATE SET track_opens = excluded.track_opens, updated_at = excluded.updated_at`, o.ID, st.TrackOpens, now); err != nil {
			return err
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorUserID: actor.UserID, ActorLabel: actor.Email, Action: "invite.settings_changed",
			IP: c.IP, Detail: map[string]string{"track_opens": fmt.Sprint(st.TrackOpens)}})
	})
}

func newTrackingID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Service) link(o org.Organization, secret string) string {
	return s.cfg.BaseURL + "/o/" + o.Slug + "/join/" + secret
}

// PixelPath is the path of an invitation's open-tracking image.
func PixelPath(o org.Organization, trackingID string) string {
	return "/o/" + o.Slug + "/i/" + trackingID + ".gif"
}

// recipient is a person about to be invited.
type recipient struct {
	userID int64
	email  string
	name   org.Name
	locale string
	role   org.Role
}

// issue records one invitation, issues its token and, if emailed, queues the
// letter and schedules the reminders, all within tx. It returns ok=false,
// writing nothing, when the campaign already invited the person (a batch
// that runs twice).
func (s *Service) issue(ctx context.Context, tx db.Tx, o org.Organization, campaignID, actorID int64, r recipient, lang, intro string, emailed bool, track bool) (link string, id int64, ok bool, err error) {
	now := s.now()
	expires := now.Add(s.cfg.TTL)
	tid := newTrackingID()
	var campaign any
	if campaignID != 0 {
		campaign = campaignID
	}
	var createdBy any
	if actorID != 0 {
		createdBy = actorID
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO invitations (org_id, campaign_id, user_id, email, lang, tracking_id, emailed, created_by, sent_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING id`,
		o.ID, campaign, r.userID, r.email, lang, tid, emailed, createdBy, now, expires).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, false, nil
	}
	if err != nil {
		return "", 0, false, err
	}
	secret, err := auth.IssueToken(ctx, tx, auth.Token{OrgID: o.ID, Kind: auth.TokenInvite, UserID: r.userID, Email: r.email, Role: r.role,
		CreatedBy: actorID, ExpiresAt: expires}, now)
	if err != nil {
		return "", 0, false, err
	}
	link = s.link(o, secret)
	if !emailed {
		return link, id, true, nil
	}
	pixel := ""
	if track {
		pixel = s.cfg.BaseURL + PixelPath(o, tid)
	}
	if err := s.outbox.Invite(ctx, tx, o, email.InviteLetter{To: r.email, ToName: r.name.Display(lang), Lang: lang, Link: link, Intro: intro,
		Expires: expires, Pixel: pixel, InvitationID: id}); err != nil {
		return "", 0, false, err
	}
	for i, after := range s.cfg.Reminders {
		if _, err := s.jobs.Enqueue(ctx, tx, o.ID, KindRemind, reminderJob{InvitationID: id, N: i + 1}, now.Add(after)); err != nil {
			return "", 0, false, err
		}
	}
	return link, id, true, nil
}

// Single is one person invited by an admin.
type Single struct {
	Email string
	Name  org.Name
	Role  org.Role
	Lang  string
	Send  bool // email the link (with reminders); otherwise the admin passes it on
}

// InviteOne creates the person's account and a tracked invitation, and
// returns the join link to show the admin.
func (s *Service) InviteOne(ctx context.Context, o org.Organization, actor org.Member, in Single, c auth.Client) (string, error) {
	lang := email.Lang(in.Lang)
	var link string
	err := s.db.Tx(ctx, func(tx db.Tx) error {
		st, err := s.Settings(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		userID, err := s.orgs.CreateMember(ctx, tx, o.ID, org.NewMember{Email: in.Email, Name: in.Name, Role: in.Role, Locale: lang})
		if err != nil {
			return err
		}
		addr, _, _ := org.NormalizeEmail(in.Email)
		var id int64
		link, id, _, err = s.issue(ctx, tx, o, 0, actor.UserID, recipient{userID: userID, email: addr, name: in.Name, role: in.Role}, lang, "", in.Send, st.TrackOpens)
		if err != nil {
			return err
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorUserID: actor.UserID, ActorLabel: actor.Email, Action: "admin.member_invited",
			Target: fmt.Sprintf("user:%d", userID), IP: c.IP,
			Detail: map[string]string{"email": addr, "role": string(in.Role), "emailed": fmt.Sprint(in.Send), "invitation": fmt.Sprint(id)}})
	})
	return link, err
}

// delivered records that the SMTP server accepted an invitation letter.
func (s *Service) delivered(ctx context.Context, orgID, id int64) error {
	_, err := s.db.Write().ExecContext(ctx, `UPDATE invitations SET delivered_at = COALESCE(delivered_at, $3) WHERE org_id = $1 AND id = $2`,
		orgID, id, s.now())
	return err
}

// Opened records the first load of an invitation's tracking image, unless
// the organization turned open tracking off. Unknown ids record nothing.
func (s *Service) Opened(ctx context.Context, orgID int64, trackingID string) error {
	st, err := s.Settings(ctx, s.db.Read(), orgID)
	if err != nil || !st.TrackOpens {
		return err
	}
	_, err = s.db.Write().ExecContext(ctx, `UPDATE invitations SET opened_at = COALESCE(opened_at, $3) WHERE org_id = $1 AND tracking_id = $2`,
		orgID, trackingID, s.now())
	return err
}

// clicked records that the person opened the join page from their link, on
// their latest invitation.
func (s *Service) clicked(ctx context.Context, exec db.Querier, orgID, userID int64) error {
	_, err := exec.ExecContext(ctx, `UPDATE invitations SET clicked_at = COALESCE(clicked_at, $3)
		WHERE org_id = $1 AND id = (SELECT MAX(id) FROM invitations WHERE org_id = $1 AND user_id = $2)`, orgID, userID, s.now())
	return err
}
