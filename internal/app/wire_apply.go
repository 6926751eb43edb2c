package app

import "github.com/tsunagu/tsunagu/internal/apply"

// openApply builds the apply capability. It runs in Open before the web server is built.
func (a *App) openApply() error {
	a.Applications = apply.New(a.DB, a.Orgs, a.Jobs, a.Outbox, apply.Config{BaseURL: a.Cfg.BaseURL, Now: a.Cfg.Now})
	return nil
}
