package apptest

import (
	"context"
	"testing"

	"github.com/tsunagu/tsunagu/internal/notify"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// Notify records a notification through the notify service in its own
// transaction, as a capability would in the transaction of its change.
func (e *Env) Notify(t testing.TB, n notify.Notification) {
	t.Helper()
	if err := e.App.DB.Tx(context.Background(), func(tx db.Tx) error { return e.App.Notify.Notify(context.Background(), tx, n) }); err != nil {
		t.Fatal(err)
	}
}

// DrainJobs runs jobs until none is ready, so that a job that queues an
// email also has it sent.
func (e *Env) DrainJobs(t testing.TB) int {
	t.Helper()
	total := 0
	for range 20 {
		n := e.RunJobs(t)
		if n == 0 {
			return total
		}
		total += n
	}
	t.Fatal("jobs keep coming")
	return total
}
