package email

import (
	"context"
	"time"

	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/i18n"
	"github.com/tsunagu/tsunagu/internal/platform/tz"
)

// ReceiptInvitation names invitation records in receipts, so that the
// invite capability learns when its letters were accepted by the SMTP server.
const ReceiptInvitation = "invitation"

// InviteLetter is an invitation or one of its reminders.
type InviteLetter struct {
	To, ToName   string
	Lang         string
	Link         string    // the personal join link
	Intro        string    // the campaign's own words, shown before the standard text
	Expires      time.Time // when the link stops working
	Pixel        string    // open-tracking image URL; empty when the organization turned tracking off
	Reminder     int       // 0 for the invitation, 1 or 2 for reminders
	InvitationID int64
}

// Invite queues an invitation (or a reminder) to join the organization's
// network, in the recipient's language.
func (o *Outbox) Invite(ctx context.Context, exec db.Querier, organization org.Organization, l InviteLetter) error {
	lang := Lang(l.Lang)
	orgName := organization.Name(lang)
	t := func(key string, args ...any) string { return i18n.T(lang, "invite.mail."+key, args...) }
	var date string
	if lang == "en" {
		date = l.Expires.In(tz.Japan).Format("January 2, 2006")
	} else {
		date = l.Expires.In(tz.Japan).Format("2006年1月2日")
	}
	letter := Letter{To: l.To, ToName: l.ToName, Lang: lang, Button: t("button"), Link: l.Link, Pixel: l.Pixel,
		Receipt: &Receipt{Kind: ReceiptInvitation, ID: l.InvitationID}}
	if l.Reminder > 0 {
		letter.Subject = t("reminder_subject", "org", orgName)
		letter.Paras = append(letter.Paras, t("reminder_body", "org", orgName))
	} else {
		letter.Subject = t("subject", "org", orgName)
		if l.Intro != "" {
			letter.Paras = append(letter.Paras, l.Intro)
		}
		letter.Paras = append(letter.Paras, t("body", "org", orgName))
	}
	letter.After = []string{t("expires", "date", date), t("personal")}
	return o.Send(ctx, exec, organization, letter)
}
