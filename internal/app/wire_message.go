package app

// openMessage builds the message capability. It runs in Open before the web server is built.
func (a *App) openMessage() error { return nil }
