package app

// openHrimport builds the hrimport capability. It runs in Open before the web server is built.
func (a *App) openHrimport() error { return nil }
