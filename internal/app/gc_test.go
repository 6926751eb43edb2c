package app

import (
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	t.Setenv("GOGC", "")
	debug.SetGCPercent(100)
	if got := TuneGC(); got != ServerGCPercent || debug.SetGCPercent(100) != ServerGCPercent {
		t.Fatalf("without GOGC: TuneGC = %d, want %d in effect", got, ServerGCPercent)
	}
	// GOGC is read by the runtime at start; an operator's value is what is
	// in effect then, and TuneGC keeps it.
	t.Setenv("GOGC", "150")
	debug.SetGCPercent(150)
	if got := TuneGC(); got != 150 || debug.SetGCPercent(150) != 150 {
		t.Fatalf("with GOGC=150: TuneGC = %d, want 150 kept", got)
	}
}
