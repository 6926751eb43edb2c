package app

// openInvite builds the invite capability. It runs in Open before the web server is built.
func (a *App) openInvite() error { return nil }
