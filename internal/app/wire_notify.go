package app

import "github.com/tsunagu/tsunagu/internal/notify"

// openNotify builds the notify capability. It runs in Open before the web
// server and before the capabilities that notify.
func (a *App) openNotify() error {
	a.Notify = notify.New(a.Cfg.Now)
	return nil
}
