package app

import (
	"fmt"
	"path/filepath"

	"github.com/tsunagu/tsunagu/internal/hrimport"
)

// openHrimport builds the hrimport capability. It runs in Open before the web server is built.
// Uploaded HR files are kept under the data directory, never in memory or in the database.
func (a *App) openHrimport() error {
	s, err := hrimport.New(a.DB, a.Orgs, a.Members, a.Jobs, filepath.Join(a.Cfg.DataDir, "uploads", "imports"), a.Cfg.Now, a.Log)
	if err != nil {
		return fmt.Errorf("import storage in TSUNAGU_DATA_DIR: %w", err)
	}
	a.Imports = s
	return nil
}
