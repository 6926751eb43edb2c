package email

import (
	"context"
	"errors"
	"strings"

	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/i18n"
)

// NotifyItem is one notification in an email: its text in the recipient's
// language and the absolute link to what it is about.
type NotifyItem struct {
	Text, Link string
}

// Notifications is an email of notifications: one sent instantly, or a
// daily or weekly digest.
type Notifications struct {
	To       string
	Name     org.Name
	Lang     string
	Period   string // instant, daily or weekly
	Items    []NotifyItem
	More     int    // notifications in the digest beyond Items
	Page     string // the notifications page
	Settings string // the preferences page
}

// maxSubjectRunes keeps a subject made from a notification's text readable
// in a mail client's list.
const maxSubjectRunes = 60

// shorten makes a subject line of s: one line (a line break would make the
// message unsendable), at most n characters.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// NotificationLetter queues a notification email within exec.
func (o *Outbox) NotificationLetter(ctx context.Context, exec db.Querier, organization org.Organization, n Notifications) error {
	if len(n.Items) == 0 {
		return errors.New("email: notification letter without notifications")
	}
	lang := Lang(n.Lang)
	orgName := organization.Name(lang)
	t := func(key string, args ...any) string { return i18n.T(lang, "notify.email."+key, args...) }
	l := Letter{To: n.To, ToName: n.Name.Display(lang), Lang: lang}
	l.After = []string{t("settings", "link", n.Settings)}
	switch n.Period {
	case "instant":
		it := n.Items[0]
		l.Subject = t("instant.subject", "org", orgName, "text", shorten(it.Text, maxSubjectRunes))
		l.Paras = []string{t("instant.intro", "org", orgName), it.Text}
		l.Button, l.Link = t("instant.button"), it.Link
		if l.Link == "" {
			l.Link = n.Page
		}
	case "daily", "weekly":
		total := len(n.Items) + n.More
		l.Subject = t(n.Period+".subject", "org", orgName, "count", total)
		l.Paras = []string{t(n.Period+".intro", "org", orgName, "count", total)}
		for _, it := range n.Items {
			p := "・" + it.Text
			if it.Link != "" {
				p += "\n" + it.Link
			}
			l.Paras = append(l.Paras, p)
		}
		if n.More > 0 {
			l.Paras = append(l.Paras, t("more", "count", n.More))
		}
		l.Button, l.Link = t("digest.button"), n.Page
	default:
		return errors.New("email: unknown notification period " + n.Period)
	}
	return o.Send(ctx, exec, organization, l)
}
