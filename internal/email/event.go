package email

import (
	"context"

	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/i18n"
)

// The letters the event capability sends itself (not through notify's
// preferences): a seat freed for someone on the waitlist, and reminders.

// EventPromoted tells a person on the waitlist they now have a seat.
func (o *Outbox) EventPromoted(ctx context.Context, exec db.Querier, organization org.Organization, to, name, lang, title, when, link string) error {
	lang = Lang(lang)
	t := func(key string, args ...any) string { return i18n.T(lang, "event.email."+key, args...) }
	l := Letter{To: to, ToName: name, Lang: lang}
	l.Subject = t("promoted.subject", "title", title)
	l.Paras = []string{t("promoted.body", "title", title), t("when", "when", when), t("promoted.cancel")}
	l.Button, l.Link = t("button"), link
	return o.Send(ctx, exec, organization, l)
}

// EventReminder reminds a participant of an event a day or an hour before.
func (o *Outbox) EventReminder(ctx context.Context, exec db.Querier, organization org.Organization, to, name, lang, title, when, link string, hourBefore bool) error {
	lang = Lang(lang)
	t := func(key string, args ...any) string { return i18n.T(lang, "event.email."+key, args...) }
	which := "reminder_day"
	if hourBefore {
		which = "reminder_hour"
	}
	l := Letter{To: to, ToName: name, Lang: lang}
	l.Subject = t(which+".subject", "title", title)
	l.Paras = []string{t(which+".body", "title", title), t("when", "when", when), t("reminder.place")}
	l.Button, l.Link = t("button"), link
	return o.Send(ctx, exec, organization, l)
}
