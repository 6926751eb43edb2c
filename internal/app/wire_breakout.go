package app

// openBreakout builds the breakout capability. It runs in Open before the web server is built.
func (a *App) openBreakout() error { return nil }
