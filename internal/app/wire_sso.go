package app

import (
	"fmt"
	"path/filepath"
	"sync"

	"github.com/tsunagu/tsunagu/internal/sso"
)

// openSso builds the sso capability. It runs in Open before the web server is built.
// Client secrets are sealed with a key kept in the data directory, apart
// from the database and its backups.
func (a *App) openSso() error {
	keyFile := filepath.Join(a.Cfg.DataDir, "keys", "sso.key")
	// Loaded when first needed, once: a command that never uses SSO
	// (migrate, import) leaves the data directory alone.
	var (
		mu  sync.Mutex
		key []byte
	)
	loadKey := func() ([]byte, error) {
		mu.Lock()
		defer mu.Unlock()
		if key != nil {
			return key, nil
		}
		k, err := sso.LoadOrCreateKey(keyFile)
		if err != nil {
			return nil, fmt.Errorf("single sign-on key in TSUNAGU_DATA_DIR: %w", err)
		}
		key = k
		return key, nil
	}
	a.SSO = sso.NewService(a.DB, a.Orgs, a.Auth, sso.Config{BaseURL: a.Cfg.BaseURL, Now: a.Auth.Now, SecretKey: loadKey})
	return nil
}
