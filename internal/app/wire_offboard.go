package app

import "github.com/tsunagu/tsunagu/internal/offboard"

// openOffboard builds the offboard capability and registers its last-day
// job. It runs in Open before the web server is built.
func (a *App) openOffboard() error {
	a.Offboard = offboard.New(offboard.Config{DB: a.DB, Orgs: a.Orgs, Outbox: a.Outbox, Jobs: a.Jobs, BaseURL: a.Cfg.BaseURL,
		Now: a.Auth.Now, Reindex: a.Members.Reindex})
	return nil
}
