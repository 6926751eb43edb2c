package app

// openOffboard builds the offboard capability. It runs in Open before the web server is built.
func (a *App) openOffboard() error { return nil }
