package notify

import (
	"context"
	"database/sql"
	"errors"

	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// Frequency is how often a category is emailed.
type Frequency string

const (
	Instant Frequency = "instant"
	Daily   Frequency = "daily"  // one digest a day, at 08:00 JST
	Weekly  Frequency = "weekly" // one digest a week, Monday 08:00 JST
	Never   Frequency = "never"
)

// Frequencies lists the choices in the order the preferences page shows them.
var Frequencies = []Frequency{Instant, Daily, Weekly, Never}

// Valid tells whether f is one of Frequencies.
func (f Frequency) Valid() bool {
	for _, k := range Frequencies {
		if f == k {
			return true
		}
	}
	return false
}

// Preference is how a member wants one category delivered.
type Preference struct {
	Category Category
	InApp    bool
	Email    Frequency
}

// defaults are what a member gets until they choose: what needs an answer
// (messages, mentions, the relay, events) is emailed at once; conversation
// around one's posts and group news once a day; reactions only in the app.
var defaults = map[Category]Preference{
	Mentions:  {Mentions, true, Instant},
	Comments:  {Comments, true, Daily},
	Reactions: {Reactions, true, Never},
	Messages:  {Messages, true, Instant},
	Relay:     {Relay, true, Instant},
	Events:    {Events, true, Instant},
	Groups:    {Groups, true, Daily},
	Staff:     {Staff, true, Daily},
}

// DefaultPreference is a category's preference until the member changes it.
func DefaultPreference(c Category) Preference {
	if p, ok := defaults[c]; ok {
		return p
	}
	return Preference{Category: c, InApp: true, Email: Never}
}

func preferenceIn(ctx context.Context, q db.Querier, orgID, userID int64, c Category) (Preference, error) {
	p := Preference{Category: c}
	var email string
	err := q.QueryRowContext(ctx, `SELECT in_app, email FROM notification_prefs WHERE org_id = $1 AND user_id = $2 AND category = $3`,
		orgID, userID, string(c)).Scan(&p.InApp, &email)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultPreference(c), nil
	}
	p.Email = Frequency(email)
	return p, err
}

// Preferences returns a member's preferences for the categories they may
// set: staff (admins, supporters) also have the staff category.
func (s *Service) Preferences(ctx context.Context, orgID, userID int64, staff bool) ([]Preference, error) {
	// Without a database (built with New) nothing is saved: everyone has the defaults.
	saved := map[Category]Preference{}
	if s.cfg.DB != nil {
		rows, err := s.cfg.DB.Read().QueryContext(ctx, `SELECT category, in_app, email FROM notification_prefs WHERE org_id = $1 AND user_id = $2`, orgID, userID)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var p Preference
			var c, e string
			if err := rows.Scan(&c, &p.InApp, &e); err != nil {
				return nil, err
			}
			p.Category, p.Email = Category(c), Frequency(e)
			saved[p.Category] = p
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	var out []Preference
	for _, c := range CategoriesFor(staff) {
		p, ok := saved[c]
		if !ok {
			p = DefaultPreference(c)
		}
		out = append(out, p)
	}
	return out, nil
}

// CategoriesFor lists the categories a member may set.
func CategoriesFor(staff bool) []Category {
	if staff {
		return Categories
	}
	out := make([]Category, 0, len(Categories))
	for _, c := range Categories {
		if c != Staff {
			out = append(out, c)
		}
	}
	return out
}

// FieldErrors maps a form field to a catalog key.
type FieldErrors map[string]string

func (f FieldErrors) Error() string { return "notify: invalid preferences" }

// SavePreferences validates and stores a member's preferences, all or none.
// Each must be for a category the member may set, with a known frequency;
// errors are keyed "email_<category>".
func (s *Service) SavePreferences(ctx context.Context, orgID, userID int64, staff bool, prefs []Preference) error {
	allowed := map[Category]bool{}
	for _, c := range CategoriesFor(staff) {
		allowed[c] = true
	}
	errs := FieldErrors{}
	for _, p := range prefs {
		if !allowed[p.Category] {
			errs["email_"+string(p.Category)] = "notify.settings.error.category"
			continue
		}
		if !p.Email.Valid() {
			errs["email_"+string(p.Category)] = "notify.settings.error.frequency"
		}
	}
	if len(errs) > 0 {
		return errs
	}
	now := s.Now()
	return s.cfg.DB.Tx(ctx, func(tx db.Tx) error {
		for _, p := range prefs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO notification_prefs (org_id, user_id, category, in_app, email, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (org_id, user_id, category) DO UPDATE SET in_app = excluded.in_app, email = excluded.email, updated_at = excluded.updated_at`,
				orgID, userID, string(p.Category), p.InApp, string(p.Email), now); err != nil {
				return err
			}
		}
		return nil
	})
}
