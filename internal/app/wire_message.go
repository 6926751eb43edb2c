package app

import "github.com/tsunagu/tsunagu/internal/message"

// openMessage builds the message capability. It runs in Open after notify,
// which it tells of new messages, and before the web server is built.
func (a *App) openMessage() error {
	a.Messages = message.New(a.DB, a.Notify, a.Cfg.Now)
	return nil
}
