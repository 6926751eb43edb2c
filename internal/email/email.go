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
	"sync"
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
type Outbox struct {
	q         *jobs.Queue
	mu        sync.RWMutex
	delivered map[string]func(ctx context.Context, orgID, id int64) error
}

// NewOutbox returns an outbox on q.
func NewOutbox(q *jobs.Queue) *Outbox {
	return &Outbox{q: q, delivered: map[string]func(ctx context.Context, orgID, id int64) error{}}
}

// Receipt names the record an email is about (e.g. an invitation), so that
// its delivery can be recorded there.
type Receipt struct {
	Kind string `json:"kind"`
	ID   int64  `json:"id"`
}

// queued is the job payload: the message, and what to tell when the SMTP
// server accepted it. Messages queued before receipts existed decode too.
type queued struct {
	mail.Message
	Receipt *Receipt `json:"receipt,omitempty"`
}

// OnDelivered registers what to do once an email with a receipt of kind was
// accepted by the SMTP server. It is called after the send, outside any
// transaction; an error is logged by the queue and the email is not resent.
func (o *Outbox) OnDelivered(kind string, fn func(ctx context.Context, orgID, id int64) error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.delivered[kind] = fn
}

// RegisterSender makes the queue deliver queued emails through m. Permanent
// SMTP refusals (5xx to the message itself) stop the retries; anything else
// is retried with backoff.
func (o *Outbox) RegisterSender(m mail.Mailer) {
	o.q.Register(KindSend, MaxAttempts, func(ctx context.Context, j jobs.Job) error {
		var msg queued
		if err := json.Unmarshal(j.Payload, &msg); err != nil {
			return jobs.Permanent(fmt.Errorf("decode queued email: %w", err))
		}
		if err := m.Send(ctx, msg.Message); err != nil {
			if mail.IsPermanent(err) {
				return jobs.Permanent(err)
			}
			return err
		}
		if msg.Receipt == nil {
			return nil
		}
		o.mu.RLock()
		fn := o.delivered[msg.Receipt.Kind]
		o.mu.RUnlock()
		if fn == nil {
			return nil
		}
		// The message is out: a failure to record it must not send it again.
		if err := fn(ctx, j.OrgID, msg.Receipt.ID); err != nil {
			return jobs.Permanent(fmt.Errorf("email sent; recording delivery of %s %d: %w", msg.Receipt.Kind, msg.Receipt.ID, err))
		}
		return nil
	})
}

// Enqueue queues one message within exec.
func (o *Outbox) Enqueue(ctx context.Context, exec db.Querier, orgID int64, m mail.Message) error {
	return o.enqueue(ctx, exec, orgID, m, nil)
}

func (o *Outbox) enqueue(ctx context.Context, exec db.Querier, orgID int64, m mail.Message, r *Receipt) error {
	_, err := o.q.Enqueue(ctx, exec, orgID, KindSend, queued{Message: m, Receipt: r}, time.Time{})
	return err
}

// Letter is one email in the shared layout: a greeting, paragraphs, an
// optional button, and closing lines. Each capability writes its letters in
// its own file of this package and queues them with Send.
type Letter struct {
	To, ToName string
	Lang       string // ja or en; anything else is Japanese
	Subject    string
	Greeting   string // default: "<name> 様" / "Dear <name>,"
	Paras      []string
	Button     string // label of the call to action; no button without Link
	Link       string
	After      []string
	Receipt    *Receipt // optional: told when the SMTP server accepted it
	Pixel      string   // optional: URL of a 1x1 open-tracking image at the end of the HTML part
}

// content is what the shared layout shows.
type content struct {
	Lang     string
	Org      string
	Greeting string
	Paras    []string
	Button   string
	Link     string
	After    []string
	Footer   string
	Pixel    string
}

var textLayout = texttemplate.Must(texttemplate.New("text").Parse(`{{.Greeting}}

{{range .Paras}}{{.}}

{{end}}{{if .Link}}{{.Button}}:
{{.Link}}
{{end}}{{range .After}}
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
{{range .Paras}}<p style="white-space:pre-line">{{.}}</p>{{end}}
{{if .Link}}<p style="margin:24px 0"><a href="{{.Link}}" style="display:inline-block;background:#0b5394;color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:6px;font-weight:bold">{{.Button}}</a></p>
<p style="font-size:13px;color:#57606a;word-break:break-all">{{.Link}}</p>{{end}}
{{range .After}}<p style="font-size:14px;color:#57606a">{{.}}</p>{{end}}
</td></tr>
<tr><td style="padding:16px 24px;border-top:1px solid #d0d7de;font-size:12px;color:#57606a">{{.Footer}}</td></tr>
</table></td></tr></table>{{if .Pixel}}<img src="{{.Pixel}}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px">{{end}}</body></html>
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

// Lang is the language an email is written in: the recipient's saved
// choice if supported, else Japanese.
func Lang(l string) string {
	if i18n.Supported(l) {
		return l
	}
	return i18n.Default
}

// senderName is the display name mail comes from: the organization's own.
func senderName(o org.Organization, lang string) string {
	return o.Name(lang)
}

// Send renders a letter in the organization's layout and queues it within
// exec, so it goes out exactly when exec's transaction commits.
func (o *Outbox) Send(ctx context.Context, exec db.Querier, organization org.Organization, l Letter) error {
	lang := Lang(l.Lang)
	orgName := organization.Name(lang)
	greeting := l.Greeting
	if greeting == "" {
		name := l.ToName
		if strings.TrimSpace(name) == "" {
			name = l.To
		}
		greeting = i18n.T(lang, "email.greeting", "name", name)
	}
	if l.Subject == "" {
		return errors.New("email: letter without a subject")
	}
	text, html, err := render(content{Lang: lang, Org: orgName, Greeting: greeting, Paras: l.Paras, Button: l.Button, Link: l.Link,
		After: l.After, Footer: i18n.T(lang, "email.footer", "org", orgName), Pixel: l.Pixel})
	if err != nil {
		return err
	}
	return o.enqueue(ctx, exec, organization.ID, mail.Message{To: l.To, ToName: l.ToName, FromName: senderName(organization, lang),
		Subject: l.Subject, Text: text, HTML: html}, l.Receipt)
}

func (o *Outbox) compose(ctx context.Context, exec db.Querier, organization org.Organization, to, toName, lang, kind, link, subject string) error {
	lang = Lang(lang)
	orgName := organization.Name(lang)
	t := func(key string, args ...any) string { return i18n.T(lang, "email."+kind+"."+key, args...) }
	greetName := toName
	if strings.TrimSpace(greetName) == "" {
		greetName = to
	}
	l := Letter{To: to, ToName: toName, Lang: lang, Subject: subject, Greeting: t("greeting", "name", greetName), Button: t("button"), Link: link}
	switch kind {
	case "reset":
		l.Paras = []string{t("body")}
		l.After = []string{t("ignore")}
	case "invite":
		l.Paras = []string{t("body", "org", orgName)}
	case "freshness":
		l.Paras = []string{t("body", "org", orgName)}
		l.After = []string{t("after")}
	default:
		return errors.New("email: unknown kind " + kind)
	}
	if l.Subject == "" {
		l.Subject = t("subject", "org", orgName)
	}
	return o.Send(ctx, exec, organization, l)
}

// PasswordReset queues the reset link email.
func (o *Outbox) PasswordReset(ctx context.Context, exec db.Querier, organization org.Organization, to org.Member, link string) error {
	lang := Lang(to.Locale)
	return o.compose(ctx, exec, organization, to.Email, to.Name.Display(lang), lang, "reset", link, "")
}

// Invitation queues an invitation email.
func (o *Outbox) Invitation(ctx context.Context, exec db.Querier, organization org.Organization, email string, name org.Name, lang, link string) error {
	lang = Lang(lang)
	return o.compose(ctx, exec, organization, email, name.Display(lang), lang, "invite", link, "")
}

// FreshnessReminder asks a member whether their profile is still right.
// The link leads to their home page, where one click confirms: a link in an
// email must not change anything by itself (mail scanners open links).
func (o *Outbox) FreshnessReminder(ctx context.Context, exec db.Querier, organization org.Organization, email string, name org.Name, lang, company, link string) error {
	lang = Lang(lang)
	orgName := organization.Name(lang)
	subject := "" // the default: "is your profile still right?"
	if company != "" {
		subject = i18n.T(lang, "email.freshness.subject_company", "org", orgName, "company", company)
	}
	return o.compose(ctx, exec, organization, email, name.Display(lang), lang, "freshness", link, subject)
}
