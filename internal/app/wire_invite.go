package app

import "github.com/tsunagu/tsunagu/internal/invite"

// openInvite builds the invite capability. It runs in Open before the web server is built.
func (a *App) openInvite() error {
	now := a.Cfg.Now
	a.Invites = invite.NewService(a.DB, a.Orgs, a.Auth, a.Outbox, a.Jobs, invite.Config{BaseURL: a.Cfg.BaseURL, Now: now})
	return nil
}
