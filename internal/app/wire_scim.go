package app

import "github.com/tsunagu/tsunagu/internal/scim"

// openScim builds the SCIM service. It runs in Open before the web server is
// built, after openOffboard: deactivating an employee through SCIM starts
// their departure in offboard.
func (a *App) openScim() error {
	cfg := scim.Config{DB: a.DB, Orgs: a.Orgs, Reindex: a.Members.Reindex, Now: a.Auth.Now, BaseURL: a.Cfg.BaseURL, Log: a.Log}
	if a.Offboard != nil {
		cfg.Departures = a.Offboard
	}
	a.SCIM = scim.New(cfg)
	return nil
}

// mountScim serves /scim/v2/ once the web server exists.
func (a *App) mountScim() { a.Web.Mount(scim.Prefix, a.SCIM.Handler()) }
