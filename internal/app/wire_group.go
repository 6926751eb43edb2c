package app

import "github.com/tsunagu/tsunagu/internal/group"

// openGroup builds the group capability. It runs in Open before the web server is built.
// Automatic groups follow profiles through the member store's change hook,
// which runs on every profile save and on every Reindex (creation, name
// changes, conversion to alumni, HR imports, SCIM).
func (a *App) openGroup() error {
	a.Groups = group.New(a.DB, a.Notify, a.Cfg.Now)
	a.Members.OnChanged(a.Groups.SyncMember)
	return nil
}
