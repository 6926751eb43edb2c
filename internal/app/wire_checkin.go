package app

import "github.com/tsunagu/tsunagu/internal/checkin"

// openCheckin builds the checkin capability. It runs in Open before the web server is built.
func (a *App) openCheckin() error {
	a.Checkin = checkin.New(a.DB, a.Cfg.Now)
	return nil
}
