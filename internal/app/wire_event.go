package app

// openEvent builds the event capability. It runs in Open before the web server is built.
func (a *App) openEvent() error { return nil }
