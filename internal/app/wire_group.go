package app

// openGroup builds the group capability. It runs in Open before the web server is built.
func (a *App) openGroup() error { return nil }
