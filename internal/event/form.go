package event

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tsunagu/tsunagu/internal/audience"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/form"
)

// Limits of the form.
const (
	MaxTitle       = 200
	MaxDescription = 10000
	MaxVenue       = 300
	MaxURL         = 1000
	MaxConduct     = 5000
	MaxCapacity    = 100000
	MaxMessage     = 2000
	MaxComment     = 2000
	MaxIncident    = 5000
)

// InputLayout is how the form's date-time fields are typed (HTML datetime-local).
const InputLayout = "2006-01-02T15:04"

// Zones are the time zones the form offers first; any IANA name is accepted.
var Zones = []string{"Asia/Tokyo", "Asia/Seoul", "Asia/Shanghai", "Asia/Singapore", "Asia/Bangkok", "Asia/Kolkata",
	"Australia/Sydney", "Europe/London", "Europe/Berlin", "America/New_York", "America/Chicago", "America/Los_Angeles", "UTC"}

// Form is what the organizer typed, kept as typed so the form can be shown
// again with field errors.
type Form struct {
	Title, Description string
	Format             string
	TZ                 string
	Start, End         string // InputLayout, in TZ
	Deadline           string // optional, InputLayout, in TZ
	Venue, OnlineURL   string
	Capacity           string
	Audience           string
	GroupID            string
	Alcohol            bool
	Conduct            string // empty: the standard code of conduct
}

// FormOf fills a form from an event, for editing.
func FormOf(e Event) Form {
	loc := e.Location()
	f := Form{Title: e.Title, Description: e.Description, Format: e.Format, TZ: e.TZ,
		Start: e.StartsAt.In(loc).Format(InputLayout), End: e.EndsAt.In(loc).Format(InputLayout),
		Venue: e.Venue, OnlineURL: e.OnlineURL, Capacity: strconv.Itoa(e.Capacity), Audience: string(e.Audience.Kind),
		Alcohol: e.Alcohol, Conduct: e.Conduct}
	if !e.DeadlineAt.IsZero() {
		f.Deadline = e.DeadlineAt.In(loc).Format(InputLayout)
	}
	if e.Audience.GroupID != 0 {
		f.GroupID = strconv.FormatInt(e.Audience.GroupID, 10)
	}
	return f
}

// FieldError is one problem with a form field (form.Problem).
type FieldError = form.Problem

// ValidationErrors are all the problems of one form; nothing was written (form.Problems).
type ValidationErrors = form.Problems

// validate checks f and returns the event it describes (times in UTC).
// requireFuture refuses a start in the past (new events and proposals).
func (s *Service) validate(ctx context.Context, q db.Querier, orgID int64, f Form, requireFuture bool) (Event, error) {
	var errs ValidationErrors
	add := errs.Add
	e := Event{OrgID: orgID, Title: form.Text(f.Title), Description: form.Text(f.Description), Format: f.Format,
		TZ: strings.TrimSpace(f.TZ), Venue: form.Text(f.Venue), OnlineURL: strings.TrimSpace(f.OnlineURL), Alcohol: f.Alcohol,
		Conduct: form.Text(f.Conduct)}
	switch {
	case e.Title == "":
		add("title", "form.required")
	case utf8.RuneCountInString(e.Title) > MaxTitle:
		add("title", "form.too_long", "max", MaxTitle)
	}
	if utf8.RuneCountInString(e.Description) > MaxDescription {
		add("description", "form.too_long", "max", MaxDescription)
	}
	switch e.Format {
	case Online, Offline, Hybrid:
	default:
		add("format", "event.error.format")
		e.Format = ""
	}
	if e.TZ == "" {
		e.TZ = DefaultTZ
	}
	loc, err := time.LoadLocation(e.TZ)
	if err != nil || e.TZ == "Local" {
		add("tz", "event.error.tz")
		loc = nil
	}
	parse := func(field, v string, required bool) time.Time {
		v = strings.TrimSpace(v)
		if v == "" {
			if required {
				add(field, "form.required")
			}
			return time.Time{}
		}
		if loc == nil {
			return time.Time{}
		}
		t, err := time.ParseInLocation(InputLayout, v, loc)
		if err != nil {
			add(field, "event.error.datetime")
			return time.Time{}
		}
		return t.UTC()
	}
	e.StartsAt = parse("start", f.Start, true)
	e.EndsAt = parse("end", f.End, true)
	e.DeadlineAt = parse("deadline", f.Deadline, false)
	if !e.StartsAt.IsZero() && requireFuture && !e.StartsAt.After(s.now()) {
		add("start", "event.error.start_past")
	}
	if !e.StartsAt.IsZero() && !e.EndsAt.IsZero() && !e.EndsAt.After(e.StartsAt) {
		add("end", "event.error.end_before_start")
	}
	if !e.DeadlineAt.IsZero() && !e.StartsAt.IsZero() && e.DeadlineAt.After(e.StartsAt) {
		add("deadline", "event.error.deadline_after_start")
	}
	if e.InPerson() {
		switch {
		case e.Venue == "":
			add("venue", "event.error.venue_required")
		case utf8.RuneCountInString(e.Venue) > MaxVenue:
			add("venue", "form.too_long", "max", MaxVenue)
		}
	} else {
		e.Venue, e.Alcohol, e.Conduct = "", false, ""
	}
	if e.HasOnline() {
		if e.OnlineURL == "" {
			add("online_url", "event.error.url_required")
		} else if u, err := url.Parse(e.OnlineURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(e.OnlineURL) > MaxURL {
			add("online_url", "event.error.url")
		}
	} else {
		e.OnlineURL = ""
	}
	if utf8.RuneCountInString(e.Conduct) > MaxConduct {
		add("conduct", "form.too_long", "max", MaxConduct)
	}
	capacity := strings.TrimSpace(f.Capacity)
	if capacity == "" {
		capacity = "0"
	}
	if n, err := strconv.Atoi(capacity); err != nil || n < 0 || n > MaxCapacity {
		add("capacity", "event.error.capacity", "max", MaxCapacity)
	} else {
		e.Capacity = n
	}
	e.Audience = audience.Audience{Kind: audience.Kind(f.Audience)}
	if e.Audience.Kind == "" {
		e.Audience.Kind = audience.Network
	}
	if e.Audience.Kind == audience.Group {
		id, _ := strconv.ParseInt(strings.TrimSpace(f.GroupID), 10, 64)
		var n int
		if id > 0 {
			if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM groups WHERE org_id = $1 AND id = $2 AND archived_at IS NULL`, orgID, id).Scan(&n); err != nil {
				return e, err
			}
		}
		if n == 0 {
			add("group_id", "event.error.group")
		}
		e.Audience.GroupID = id
	}
	if e.Audience.Validate() != nil && !errs.Has("group_id") {
		add("audience", "event.error.audience")
	}
	if len(errs) > 0 {
		return e, errs
	}
	return e, nil
}
