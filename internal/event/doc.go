// Package event runs events: online, offline or hybrid, with capacity, a
// waitlist promoted in order, RSVP and cancellation, reminders (scheduled
// jobs), calendars (iCal), the offline policy (alcohol, code of conduct),
// incident reports for admins, feedback after the event and events proposed
// by members and reviewed by staff.
//
// Emails: every event notice goes through notify, which emails it according
// to the member's preferences (events are emailed instantly by default).
// Promotions from the waitlist and reminders are about a seat the member
// holds, and a digest (or "never") would make them useless: for members who
// chose that, the service sends those two letters itself through the email
// outbox, so nobody gets them twice.
package event
