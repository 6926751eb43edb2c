package email

import (
	"context"

	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/i18n"
)

// Farewell is the letter a leaver receives on their last day: their
// farewell card and their invitation to the alumni network, in one.
type Farewell struct {
	To       string
	Name     org.Name
	Lang     string
	CardLink string // the card page they keep
	Link     string // join link (no password yet) or sign-in link
	Join     bool   // Link is a join link
	Messages int    // how many colleagues wrote
	// NewEmail is set when the account's address became the personal one:
	// the person signs in with it from now on.
	NewEmail string
}

// FarewellLetter queues the farewell letter within exec.
func (o *Outbox) FarewellLetter(ctx context.Context, exec db.Querier, organization org.Organization, f Farewell) error {
	lang := Lang(f.Lang)
	orgName := organization.Name(lang)
	t := func(key string, args ...any) string { return i18n.T(lang, "offboard.email.farewell."+key, args...) }
	name := f.Name.Display(lang)
	l := Letter{To: f.To, ToName: name, Lang: lang, Subject: t("subject", "org", orgName)}
	l.Paras = []string{t("thanks", "org", orgName)}
	if f.Messages > 0 {
		l.Paras = append(l.Paras, t("card", "count", f.Messages))
	} else {
		l.Paras = append(l.Paras, t("card_empty"))
	}
	l.Paras = append(l.Paras, t("card_link", "link", f.CardLink))
	if f.Join {
		l.Paras = append(l.Paras, t("join", "org", orgName))
		l.Button = t("join_button")
	} else {
		l.Paras = append(l.Paras, t("signin", "org", orgName))
		l.Button = t("signin_button")
	}
	if f.NewEmail != "" {
		l.Paras = append(l.Paras, t("new_email", "email", f.NewEmail))
	}
	l.Link = f.Link
	l.After = []string{t("after")}
	return o.Send(ctx, exec, organization, l)
}

// ConversionNotice tells HR that a leaver became an alumnus.
func (o *Outbox) ConversionNotice(ctx context.Context, exec db.Querier, organization org.Organization, to string, toName org.Name, lang string, leaver org.Name, lastDay, link string) error {
	lang = Lang(lang)
	t := func(key string, args ...any) string { return i18n.T(lang, "offboard.email.notice."+key, args...) }
	name := leaver.Display(lang)
	return o.Send(ctx, exec, organization, Letter{To: to, ToName: toName.Display(lang), Lang: lang,
		Subject: t("subject", "name", name), Paras: []string{t("body", "name", name, "day", lastDay)}, Button: t("button"), Link: link})
}
