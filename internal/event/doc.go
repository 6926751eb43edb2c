// Package event runs events: online, offline or hybrid, with capacity, waitlist, RSVP, reminders, calendars (iCal), policies, incident reports, feedback and alumni proposals.
package event

// Service is a placeholder until the capability is built.
type Service struct{}
