// Package tz names the time zone Tsunagu's schedules and dates are meant in.
package tz

import (
	"time"
	_ "time/tzdata" // the zone database travels in the binary: containers without /usr/share/zoneinfo still know Asia/Tokyo and every event zone
)

// Japan is Asia/Tokyo: when departures convert, digests go out, and the
// dates on Japanese pages and emails are read.
var Japan = func() *time.Location {
	l, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		return time.FixedZone("JST", 9*3600) // unreachable with time/tzdata; kept so that Japan is never nil
	}
	return l
}()
