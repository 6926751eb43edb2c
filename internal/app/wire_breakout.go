package app

import "github.com/tsunagu/tsunagu/internal/breakout"

// openBreakout builds the breakout capability. It runs in Open before the web server is built.
func (a *App) openBreakout() error {
	a.Breakout = breakout.New(a.DB, a.Notify, a.Cfg.Now)
	return nil
}
