package app

// openApply builds the apply capability. It runs in Open before the web server is built.
func (a *App) openApply() error { return nil }
