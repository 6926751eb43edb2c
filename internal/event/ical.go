package event

import (
	"context"
	"fmt"
	"net/url"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/tsunagu/tsunagu/internal/org"
)

// UID is an event's stable calendar identity: updates and cancellations
// reuse it with a higher SEQUENCE so calendars replace the entry.
func (s *Service) UID(e Event) string {
	host := "tsunagu"
	if u, err := url.Parse(s.cfg.BaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return fmt.Sprintf("event-%d@%s", e.ID, host)
}

// calEntry is an event in a calendar with what the reader may see of it.
type calEntry struct {
	Event
	withPlace bool // the reader holds a seat: venue and online URL
	waiting   bool // the reader is on the waitlist
	cancelled bool // the event, or the reader's registration, was cancelled
}

func (s *Service) calendar(o org.Organization, lang string, entries []calEntry) string {
	cal := ics.NewCalendarFor("Tsunagu")
	cal.SetMethod(ics.MethodPublish)
	cal.SetXWRCalName(o.Name(lang))
	for _, c := range entries {
		e := c.Event
		v := cal.AddEvent(s.UID(e))
		v.SetSequence(e.Sequence)
		v.SetDtStampTime(e.UpdatedAt)
		v.SetModifiedAt(e.UpdatedAt)
		// UTC times: every client converts them, no VTIMEZONE needed.
		v.SetStartAt(e.StartsAt.UTC())
		v.SetEndAt(e.EndsAt.UTC())
		v.SetSummary(e.Title)
		link := s.Link(o, eventPath(e.ID))
		v.SetURL(link)
		desc := link
		if e.Description != "" {
			desc = e.Description + "\n\n" + link
		}
		if c.withPlace {
			if e.OnlineURL != "" {
				desc = e.OnlineURL + "\n\n" + desc
			}
			if e.Venue != "" {
				v.SetLocation(e.Venue)
			} else if e.OnlineURL != "" {
				v.SetLocation(e.OnlineURL)
			}
		}
		v.SetDescription(desc)
		if c.cancelled || e.Status == StatusCancelled {
			v.SetStatus(ics.ObjectStatusCancelled)
		} else if c.waiting {
			v.SetStatus(ics.ObjectStatusTentative)
		} else {
			v.SetStatus(ics.ObjectStatusConfirmed)
		}
	}
	return cal.Serialize()
}

// EventICS is the .ics download of one event. It carries no venue or
// online URL: the file is handed around, and those are for participants
// (who get them in their personal feed).
func (s *Service) EventICS(o org.Organization, e Event, lang string) string {
	return s.calendar(o, lang, []calEntry{{Event: e}})
}

// FeedWindow is how far back the personal feed lists events.
const FeedWindow = 60 * 24 * time.Hour

// PersonalICS is m's calendar: the events m registered for, upcoming and
// of the last FeedWindow, with the place for seats held; a registration m
// cancelled shows as cancelled so calendars drop it.
func (s *Service) PersonalICS(ctx context.Context, o org.Organization, m org.Member) (string, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+eventColumns+`, r.status FROM events e
		JOIN event_registrations r ON r.org_id = e.org_id AND r.event_id = e.id AND r.user_id = $2
		WHERE e.org_id = $1 AND e.status IN ('published', 'cancelled') AND e.ends_at >= $3
		ORDER BY e.starts_at, e.id LIMIT 500`, o.ID, m.UserID, s.now().Add(-FeedWindow))
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var entries []calEntry
	for rows.Next() {
		var status string
		var e Event
		e, err = scanEvent(scanWith{rows, &status})
		if err != nil {
			return "", err
		}
		entries = append(entries, calEntry{Event: e, withPlace: status == Registered, waiting: status == Waitlisted, cancelled: status == Cancelled})
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return s.calendar(o, langOf(m), entries), nil
}

// scanWith scans a row's event columns and then extra columns.
type scanWith struct {
	row   interface{ Scan(...any) error }
	extra *string
}

func (s scanWith) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra)...) }
