// Package email writes Tsunagu's emails in the recipient's language and
// queues them on the durable job queue, in the same transaction as the change
// that caused them: an email is sent exactly when its cause is committed, and
// a restart never loses one.
package email

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/i18n"
	"github.com/tsunagu/tsunagu/internal/platform/jobs"
	"github.com/tsunagu/tsunagu/internal/platform/mail"
)

// KindSend is the job kind that delivers one message.
const KindSend = "mail.send"

// MaxAttempts spreads retries over about a day with the queue's backoff, so
// an SMTP outage of some hours loses nothing.
const MaxAttempts = 12

// Outbox queues emails. It implements auth.Notifier.
type Outbox struct{ q *jobs.Queue }

// NewOutbox returns an outbox on q.
func NewOutbox(q *jobs.Queue) *Outbox { return &Outbox{q: q} }

// RegisterSender makes q deliver queued emails through m. Permanent SMTP
// refusals (5xx to the message itself) stop the retries; anything else is
// retried with backoff.
func RegisterSender(q *jobs.Queue, m mail.Mailer) {
	q.Register(KindSend, MaxAttempts, func(ctx context.Context, j jobs.Job) error {
		var msg mail.Message
		if err := json.Unmarshal(j.Payload, &msg); err != nil {
			return jobs.Permanent(fmt.Errorf("decode queued email: %w", err))
		}
		if err := m.Send(ctx, msg); err != nil {
			if mail.IsPermanent(err) {
				return jobs.Permanent(err)
			}
			return err
		}
		return nil
	})
}

// Enqueue queues one message within exec.
func (o *Outbox) Enqueue(ctx context.Context, exec db.Querier, orgID int64, m mail.Message) error {
	_, err := o.q.Enqueue(ctx, exec, orgID, KindSend, m, time.Time{})
	return err
}

// content is what the shared layout shows: a greeting, paragraphs, one
// button, and closing lines.
type content struct {
	Lang     string
	Org      string
	Greeting string
	Paras    []string
	Button   string
	Link     string
	After    []string
	Footer   string
}

var textLayout = texttemplate.Must(texttemplate.New("text").Parse(`{{.Greeting}}

{{range .Paras}}{{.}}

{{end}}{{.Button}}:
{{.Link}}
{{range .After}}
{{.}}
{{end}}
--
{{.Footer}}
`))

var htmlLayout = htmltemplate.Must(htmltemplate.New("html").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Org}}</title></head>
<body style="margin:0;padding:0;background:#f6f8fa;font-family:-apple-system,'Hiragino Sans','Noto Sans JP',Meiryo,sans-serif;color:#1f2328;line-height:1.7">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border:1px solid #d0d7de;border-radius:8px">
<tr><td style="background:#0b5394;color:#ffffff;padding:16px 24px;font-weight:bold;border-radius:8px 8px 0 0">{{.Org}}</td></tr>
<tr><td style="padding:24px">
<p>{{.Greeting}}</p>
{{range .Paras}}<p>{{.}}</p>{{end}}
<p style="margin:24px 0"><a href="{{.Link}}" style="display:inline-block;background:#0b5394;color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:6px;font-weight:bold">{{.Button}}</a></p>
<p style="font-size:13px;color:#57606a;word-break:break-all">{{.Link}}</p>
{{range .After}}<p style="font-size:14px;color:#57606a">{{.}}</p>{{end}}
</td></tr>
<tr><td style="padding:16px 24px;border-top:1px solid #d0d7de;font-size:12px;color:#57606a">{{.Footer}}</td></tr>
</table></td></tr></table></body></html>
`))

func render(c content) (text, html string, err error) {
	var tb, hb bytes.Buffer
	if err := textLayout.Execute(&tb, c); err != nil {
		return "", "", err
	}
	if err := htmlLayout.Execute(&hb, c); err != nil {
		return "", "", err
	}
	return tb.String(), hb.String(), nil
}

func langOf(l string) string {
	if i18n.Supported(l) {
		return l
	}
	return i18n.Default
}

// senderName is the display name mail comes from: the organization's own.
func senderName(o org.Organization, lang string) string {
	return o.Name(lang)
}

func (o *Outbox) compose(ctx context.Context, exec db.Querier, organization org.Organization, to, toName, lang, kind, link, subject string) error {
	lang = langOf(lang)
	orgName := organization.Name(lang)
	t := func(key string, args ...any) string { return i18n.T(lang, "email."+kind+"."+key, args...) }
	greetName := toName
	if strings.TrimSpace(greetName) == "" {
		greetName = to
	}
	c := content{Lang: lang, Org: orgName, Greeting: t("greeting", "name", greetName), Button: t("button"), Link: link,
		Footer: i18n.T(lang, "email.footer", "org", orgName)}
	switch kind {
	case "reset":
		c.Paras = []string{t("body")}
		c.After = []string{t("ignore")}
	case "invite":
		c.Paras = []string{t("body", "org", orgName)}
	case "freshness":
		c.Paras = []string{t("body", "org", orgName)}
		c.After = []string{t("after")}
	default:
		return errors.New("email: unknown kind " + kind)
	}
	text, html, err := render(c)
	if err != nil {
		return err
	}
	if subject == "" {
		subject = t("subject", "org", orgName)
	}
	return o.Enqueue(ctx, exec, organization.ID, mail.Message{To: to, ToName: toName, FromName: senderName(organization, lang),
		Subject: subject, Text: text, HTML: html})
}

// PasswordReset queues the reset link email.
func (o *Outbox) PasswordReset(ctx context.Context, exec db.Querier, organization org.Organization, to org.Member, link string) error {
	lang := langOf(to.Locale)
	return o.compose(ctx, exec, organization, to.Email, to.Name.Display(lang), lang, "reset", link, "")
}

// Invitation queues an invitation email.
func (o *Outbox) Invitation(ctx context.Context, exec db.Querier, organization org.Organization, email string, name org.Name, lang, link string) error {
	lang = langOf(lang)
	return o.compose(ctx, exec, organization, email, name.Display(lang), lang, "invite", link, "")
}

// FreshnessReminder asks a member whether their profile is still right.
// The link leads to their home page, where one click confirms: a link in an
// email must not change anything by itself (mail scanners open links).
func (o *Outbox) FreshnessReminder(ctx context.Context, exec db.Querier, organization org.Organization, email string, name org.Name, lang, company, link string) error {
	lang = langOf(lang)
	orgName := organization.Name(lang)
	subject := "" // the default: "is your profile still right?"
	if company != "" {
		subject = i18n.T(lang, "email.freshness.subject_company", "org", orgName, "company", company)
	}
	return o.compose(ctx, exec, organization, email, name.Display(lang), lang, "freshness", link, subject)
}
