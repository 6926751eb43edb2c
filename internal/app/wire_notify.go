package app

import "github.com/tsunagu/tsunagu/internal/notify"

// openNotify builds the notify capability and registers its digest job. It
// runs in Open before the web server and before the capabilities that notify.
func (a *App) openNotify() error {
	a.Notify = notify.NewWith(notify.Config{DB: a.DB, Orgs: a.Orgs, Outbox: a.Outbox, Jobs: a.Jobs, BaseURL: a.Cfg.BaseURL, Now: a.Auth.Now})
	return nil
}
