// Package notify keeps members informed: in-app notifications, and emails
// sent instantly or as daily or weekly digests, as each member prefers per
// category. Every capability reports events through Service.Notify, in the
// transaction of the change that caused them.
//
// Delivery rules, decided once when a notification is created:
//   - in-app off and email never: nothing is stored.
//   - in-app off but email on: the row is stored hidden (in_app false, already
//     read), so that the digest can list it while the page and badge ignore it.
//   - email instant: the email is queued in the caller's transaction and the
//     row is marked emailed at once.
//   - email daily/weekly: a digest job is scheduled for the member (idempotent
//     per member, period and due time); it lists what was neither emailed nor
//     read in the app meanwhile, and marks everything it looked at emailed.
//   - people without an activated account or an active membership get no
//     email; people without an active membership get nothing at all.
package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tsunagu/tsunagu/internal/email"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/i18n"
	"github.com/tsunagu/tsunagu/internal/platform/jobs"
)

// Category groups notification kinds for preferences.
type Category string

const (
	Mentions  Category = "mentions"  // someone mentioned you
	Comments  Category = "comments"  // comments on your posts
	Reactions Category = "reactions" // reactions to your posts
	Messages  Category = "messages"  // direct messages
	Relay     Category = "relay"     // you were named in the self-introduction relay
	Events    Category = "events"    // registrations, waitlist, reminders, changes, feedback
	Groups    Category = "groups"    // requests and approvals
	Staff     Category = "staff"     // for admins and supporters: reports, proposals, incidents, the HR inbox
)

// Categories lists the categories in the order the preferences page shows them.
var Categories = []Category{Mentions, Comments, Reactions, Messages, Relay, Events, Groups, Staff}

// Valid tells whether c is one of Categories.
func (c Category) Valid() bool {
	for _, k := range Categories {
		if c == k {
			return true
		}
	}
	return false
}

// Notification is one thing to tell one member. The text is the catalog
// key "notify.kind.<Kind>" with Args as placeholders, rendered in the
// reader's language when shown or emailed; an arg "name@en" gives {name}
// for English readers (e.g. the organization's English name).
type Notification struct {
	OrgID    int64
	UserID   int64 // the recipient
	ActorID  int64 // who caused it; 0 for the system
	Kind     string
	Category Category
	Args     map[string]string
	Link     string // a path inside the organization, e.g. "/feed/posts/12"
}

// NameArgs are the arguments that name a person as {name}: the name as
// written for Japanese readers, the romaji name in the person's order for
// English readers (see Notification).
func NameArgs(n org.Name) map[string]string {
	return map[string]string{"name": n.Display("ja"), "name@en": n.Display("en")}
}

// KindDigest is the job kind that sends one member's daily or weekly digest.
const KindDigest = "notify.digest"

// Config is what the service needs. Without DB, Orgs, Outbox and Jobs it only
// records in-app notifications (as New builds it).
type Config struct {
	DB      *db.DB
	Orgs    *org.Store
	Outbox  *email.Outbox
	Jobs    *jobs.Queue
	BaseURL string // for links in emails
	Now     func() time.Time
}

// Service records notifications, keeps preferences and sends emails.
type Service struct {
	cfg Config
	now func() time.Time
}

// New returns a Service on the injected clock that records in-app
// notifications only.
func New(now func() time.Time) *Service {
	return NewWith(Config{Now: now})
}

// NewWith returns a Service that also emails, and registers the digest job.
func NewWith(c Config) *Service {
	if c.Now == nil {
		c.Now = db.Now
	}
	s := &Service{cfg: c, now: c.Now}
	if c.Jobs != nil {
		c.Jobs.Register(KindDigest, 8, s.runDigest)
	}
	return s
}

// Now is the service's clock in the stored form (UTC, microseconds).
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func (s *Service) emails() bool {
	return s.cfg.DB != nil && s.cfg.Orgs != nil && s.cfg.Outbox != nil && s.cfg.Jobs != nil
}

// ValidLink tells whether link is a path inside an organization: it starts
// with one slash, and cannot climb out of the organization or be read as
// another host.
func ValidLink(link string) bool {
	if link == "" {
		return true
	}
	if !strings.HasPrefix(link, "/") || strings.HasPrefix(link, "//") || strings.ContainsAny(link, "\\\r\n\t") {
		return false
	}
	p := link
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." || seg == "." {
			return false
		}
	}
	return !strings.Contains(strings.ToLower(p), "%2e") && !strings.Contains(strings.ToLower(p), "%2f") && !strings.Contains(p, "%5c") && !strings.Contains(p, "%5C")
}

// recipient is who a notification is for, as Notify needs them.
type recipient struct {
	email     string
	name      org.Name
	locale    string
	role      org.Role
	activated bool
}

// recipientIn reads an active member within exec (the caller's transaction
// may just have created them). ok is false without an active membership.
func recipientIn(ctx context.Context, exec db.Querier, orgID, userID int64) (r recipient, ok bool, err error) {
	err = exec.QueryRowContext(ctx, `SELECT u.email, u.family_name, u.given_name, u.family_kana, u.given_kana, u.family_romaji, u.given_romaji,
		u.name_order_en = 'family_first', u.locale, m.role, u.activated_at IS NOT NULL
		FROM users u JOIN memberships m ON m.org_id = u.org_id AND m.user_id = u.id AND m.ended_at IS NULL
		WHERE u.org_id = $1 AND u.id = $2`, orgID, userID).Scan(&r.email, &r.name.Family, &r.name.Given, &r.name.FamilyKana, &r.name.GivenKana,
		&r.name.FamilyRomaji, &r.name.GivenRomaji, &r.name.EnglishFamilyFirst, &r.locale, &r.role, &r.activated)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

// Notify records n within exec, and emails it or schedules its digest as
// the recipient prefers. Nobody is notified of their own action, and
// people who are no longer members are not notified at all.
func (s *Service) Notify(ctx context.Context, exec db.Querier, n Notification) error {
	if n.UserID == 0 || n.Kind == "" || n.Category == "" {
		return errors.New("notify: notification without recipient, kind or category")
	}
	if !n.Category.Valid() {
		return fmt.Errorf("notify: unknown category %q", n.Category)
	}
	if !ValidLink(n.Link) {
		return fmt.Errorf("notify: link %q is not a path inside the organization", n.Link)
	}
	if n.ActorID != 0 && n.ActorID == n.UserID {
		return nil
	}
	rcpt, ok, err := recipientIn(ctx, exec, n.OrgID, n.UserID)
	if err != nil || !ok {
		return err
	}
	pref, err := preferenceIn(ctx, exec, n.OrgID, n.UserID, n.Category)
	if err != nil {
		return err
	}
	plan := pref.Email
	if !rcpt.activated || !s.emails() {
		plan = Never
	}
	if !pref.InApp && plan == Never {
		return nil
	}
	args, err := json.Marshal(n.Args)
	if err != nil {
		return err
	}
	var actor any
	if n.ActorID != 0 {
		actor = n.ActorID
	}
	now := s.Now()
	var readAt, emailedAt any
	if !pref.InApp {
		readAt = now
	}
	if plan == Instant {
		emailedAt = now
	}
	var id int64
	if err := exec.QueryRowContext(ctx, `INSERT INTO notifications (org_id, user_id, actor_id, kind, category, args, link, created_at,
		read_at, in_app, email_plan, emailed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		n.OrgID, n.UserID, actor, n.Kind, string(n.Category), string(args), n.Link, now, readAt, pref.InApp, string(plan), emailedAt).Scan(&id); err != nil {
		return err
	}
	switch plan {
	case Instant:
		return s.sendInstant(ctx, exec, n, rcpt)
	case Daily, Weekly:
		return s.scheduleDigest(ctx, exec, n.OrgID, n.UserID, plan, now)
	}
	return nil
}

// Text renders a notification in lang: its kind's catalog entry with the
// arguments, or a neutral sentence for a kind without one.
func Text(lang, kind string, args map[string]string) string {
	key := "notify.kind." + kind
	if !i18n.Has(lang, key) && !i18n.Has(i18n.Default, key) {
		return i18n.T(lang, "notify.kind_unknown")
	}
	names := make([]string, 0, len(args))
	for k := range args {
		if !strings.Contains(k, "@") {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	pairs := make([]any, 0, 2*len(names))
	for _, k := range names {
		v := args[k]
		// "name@en" is the value of {name} for readers of that language,
		// e.g. the organization's English name.
		if local, ok := args[k+"@"+lang]; ok {
			v = local
		}
		pairs = append(pairs, k, v)
	}
	return i18n.T(lang, key, pairs...)
}
