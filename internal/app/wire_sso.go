package app

import (
	"fmt"
	"path/filepath"

	"github.com/tsunagu/tsunagu/internal/sso"
)

// openSso builds the sso capability. It runs in Open before the web server is built.
// Client secrets are sealed with a key kept in the data directory, apart
// from the database and its backups.
func (a *App) openSso() error {
	keyFile := filepath.Join(a.Cfg.DataDir, "keys", "sso.key")
	key, err := sso.LoadOrCreateKey(keyFile)
	if err != nil {
		return fmt.Errorf("single sign-on key in TSUNAGU_DATA_DIR: %w", err)
	}
	a.SSO = sso.NewService(a.DB, a.Orgs, a.Auth, sso.Config{BaseURL: a.Cfg.BaseURL, Now: a.Auth.Now, SecretKey: key})
	return nil
}
