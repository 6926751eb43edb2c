// Package scim serves SCIM 2.0 (RFC 7643/7644) for identity providers (Entra
// ID, Okta, ...) to provision and deprovision employees of one organization.
//
// What SCIM may see and change, and why:
//
//   - A token belongs to one organization and sees only its people: another
//     organization's user id is 404, exactly like an id that does not exist.
//   - SCIM sees current employees and the people it is linked to (those it
//     created or has written to). Admins, supporters and alumni that the
//     identity provider never managed are invisible to it: a directory must
//     not be able to reach the accounts that run Tsunagu or that belong to
//     former employees.
//   - Only employees are changed. A linked person who has become an admin,
//     supporter or alumni is read-only to SCIM (a write that would change
//     them is 403), so a directory can never demote an admin nor take over a
//     former employee's personal account by changing its email address.
//   - active=false (or DELETE) on an employee starts the departure through
//     Departures (offboard): the person becomes alumni and keeps their
//     account, profile and history. DELETE also unlinks the person, so SCIM
//     answers 404 for them afterwards. Nothing is ever deleted.
//   - Turning a former employee back to active is refused (rehiring is an
//     admin's decision in Tsunagu).
package scim

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// Departures starts the departure of an employee whom the identity provider
// says is gone (offboard.Service implements it). It must be idempotent: an
// identity provider retries.
type Departures interface {
	StartFromDirectory(ctx context.Context, orgID, userID int64, source string) error
}

// Config is what the service needs.
type Config struct {
	DB         *db.DB
	Orgs       *org.Store
	Departures Departures // nil: active=false is refused with 501 until offboarding is wired
	// Reindex refreshes the search index after an email change (names go
	// through org.Store, which reindexes itself).
	Reindex func(ctx context.Context, exec db.Querier, orgID, userID int64) error
	Now     func() time.Time
	BaseURL string // e.g. https://tsunagu.example.jp; resource locations start with it
	Log     *slog.Logger
}

// Service is the SCIM server and its token store.
type Service struct {
	db         *db.DB
	orgs       *org.Store
	departures Departures
	reindex    func(ctx context.Context, exec db.Querier, orgID, userID int64) error
	now        func() time.Time
	baseURL    string
	log        *slog.Logger
}

// New builds the service.
func New(c Config) *Service {
	if c.Now == nil {
		c.Now = db.Now
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	return &Service{db: c.DB, orgs: c.Orgs, departures: c.Departures, reindex: c.Reindex, now: c.Now,
		baseURL: strings.TrimRight(c.BaseURL, "/"), log: c.Log}
}

// Prefix is where the SCIM endpoints are served.
const Prefix = "/scim/v2/"

// BaseURL is what an admin pastes into the identity provider.
func (s *Service) BaseURL() string { return s.baseURL + "/scim/v2" }
