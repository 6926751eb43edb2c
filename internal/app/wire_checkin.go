package app

// openCheckin builds the checkin capability. It runs in Open before the web server is built.
func (a *App) openCheckin() error { return nil }
