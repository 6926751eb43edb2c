package app

import "github.com/tsunagu/tsunagu/internal/feed"

// openFeed builds the feed capability. It runs in Open before the web server is built.
func (a *App) openFeed() error {
	a.Feed = feed.New(feed.Config{DB: a.DB, Notify: a.Notify, Groups: a.Groups, Now: a.Cfg.Now})
	return nil
}
