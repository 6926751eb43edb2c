package app

// openSso builds the sso capability. It runs in Open before the web server is built.
func (a *App) openSso() error { return nil }
