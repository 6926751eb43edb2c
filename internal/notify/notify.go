// Package notify keeps members informed: in-app notifications, and emails
// sent instantly or as daily or weekly digests, as each member prefers per
// category. Every capability reports events through Service.Notify, in the
// transaction of the change that caused them.
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/tsunagu/tsunagu/internal/platform/db"
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

// Notification is one thing to tell one member. The text is the catalog
// key "notify.kind.<Kind>" with Args as placeholders, rendered in the
// reader's language when shown or emailed.
type Notification struct {
	OrgID    int64
	UserID   int64 // the recipient
	ActorID  int64 // who caused it; 0 for the system
	Kind     string
	Category Category
	Args     map[string]string
	Link     string // a path inside the organization, e.g. "/feed/posts/12"
}

// Service records notifications.
type Service struct {
	now func() time.Time
}

// New returns a Service on the injected clock.
func New(now func() time.Time) *Service {
	if now == nil {
		now = db.Now
	}
	return &Service{now: now}
}

// Notify records n within exec. Nobody is notified of their own action.
func (s *Service) Notify(ctx context.Context, exec db.Querier, n Notification) error {
	if n.UserID == 0 || n.Kind == "" || n.Category == "" {
		return errors.New("notify: notification without recipient, kind or category")
	}
	if n.ActorID != 0 && n.ActorID == n.UserID {
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
	_, err = exec.ExecContext(ctx, `INSERT INTO notifications (org_id, user_id, actor_id, kind, category, args, link, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, n.OrgID, n.UserID, actor, n.Kind, string(n.Category), string(args), n.Link, s.now())
	return err
}
