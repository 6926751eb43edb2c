package app

import (
	"os"
	"runtime/debug"
)

// ServerGCPercent is the garbage collector's target in a Tsunagu server when
// the operator has not set GOGC. Go's default of 100 starts a collection
// whenever the heap has grown by its live size; a Tsunagu server's live heap
// is small (tens of megabytes), so under load it collected every few dozen
// pages and that took a large share of its CPU. At 200 it collects half as
// often, for a few tens of megabytes more memory (docs/benchmarks.md).
const ServerGCPercent = 200

// TuneGC applies ServerGCPercent unless the environment sets GOGC, which
// (like GOMEMLIMIT) always wins, and returns the percentage in effect
// (-1: collection is off).
func TuneGC() int {
	if os.Getenv("GOGC") != "" {
		p := debug.SetGCPercent(-1) // reads the value the runtime took from GOGC
		debug.SetGCPercent(p)
		return p
	}
	debug.SetGCPercent(ServerGCPercent)
	return ServerGCPercent
}
