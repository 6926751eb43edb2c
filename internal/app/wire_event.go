package app

import "github.com/tsunagu/tsunagu/internal/event"

// openEvent builds the event capability. It runs in Open before the web server is built.
func (a *App) openEvent() error {
	a.Events = event.New(a.DB, a.Orgs, a.Jobs, a.Notify, a.Outbox, event.Config{BaseURL: a.Cfg.BaseURL, Now: a.Cfg.Now})
	return nil
}
