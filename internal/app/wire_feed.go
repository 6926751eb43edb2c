package app

// openFeed builds the feed capability. It runs in Open before the web server is built.
func (a *App) openFeed() error { return nil }
