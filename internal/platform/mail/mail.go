// Package mail sends Tsunagu's transactional e-mail (password resets,
// invitations, notifications) over SMTP.
//
// Every message goes out as UTF-8 multipart/alternative (text/plain +
// text/html) with RFC 2047 encoded headers, so Japanese subjects and
// display names survive any relay. When no SMTP server is configured, a
// LogSender writes messages to the log instead (demo mode).
package mail

import (
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	netmail "net/mail"
	"net/textproto"
	"strings"
)

// Message is one e-mail to one recipient.
type Message struct {
	To      string // one bare address, e.g. taro@example.com
	ToName  string // display name, may be Japanese (e.g. 田中 太郎); may be empty
	Subject string // UTF-8, may be Japanese
	// FromName replaces the configured sender display name for this message,
	// so that each organization's mail comes from its own name. The address
	// stays the configured one (SPF/DKIM stay valid).
	FromName string
	Text     string // plain text body; required
	HTML     string // HTML body (already rendered, trusted); if empty it is derived from Text
	// Headers are extra header fields, e.g. List-Unsubscribe. May be nil.
	// ASCII values are written verbatim, other values are RFC 2047 encoded
	// as unstructured text. Names that the sender controls itself (From,
	// To, Subject, Date, Message-ID, Content-Type, ...) are rejected.
	Headers map[string]string
}

// Mailer sends one message. *Sender and *LogSender implement it.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

var (
	_ Mailer = (*Sender)(nil)
	_ Mailer = (*LogSender)(nil)
)

// ErrInvalidMessage is wrapped by errors about a Message that can never be
// sent as is (bad address, missing body, forbidden header). IsPermanent
// reports true for it.
var ErrInvalidMessage = errors.New("invalid message")

// reservedHeaders are set by the sender and may not come from Message.Headers.
var reservedHeaders = map[string]bool{
	"From": true, "Sender": true, "To": true, "Cc": true, "Bcc": true,
	"Subject": true, "Date": true, "Message-Id": true, "Mime-Version": true,
	"Content-Type": true, "Content-Transfer-Encoding": true,
	"Content-Disposition": true, "Return-Path": true,
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("mail: %w: %s", ErrInvalidMessage, fmt.Sprintf(format, args...))
}

// normalized is a validated copy of a Message.
type normalized struct {
	fromName string
	to       *netmail.Address
	subject  string
	text     string
	html     string
	headers  map[string]string // canonical name -> value
}

func normalize(m Message) (normalized, error) {
	var n normalized
	to := strings.TrimSpace(m.To)
	if to == "" {
		return n, invalid("empty recipient address")
	}
	addr, err := netmail.ParseAddress(to)
	if err != nil || addr.Name != "" || addr.Address != to {
		return n, invalid("bad recipient address %q", to)
	}
	name := strings.TrimSpace(m.ToName)
	if strings.ContainsAny(name, "\r\n") {
		return n, invalid("recipient name contains a line break")
	}
	addr.Name = name
	n.to = addr
	n.fromName = strings.TrimSpace(m.FromName)
	if strings.ContainsAny(n.fromName, "\r\n") {
		return n, invalid("sender name contains a line break")
	}

	n.subject = strings.TrimSpace(m.Subject)
	if strings.ContainsAny(n.subject, "\r\n") {
		return n, invalid("subject contains a line break")
	}
	if n.subject == "" {
		return n, invalid("empty subject")
	}
	if strings.TrimSpace(m.Text) == "" {
		return n, invalid("empty text body")
	}
	n.text = m.Text
	n.html = m.HTML
	if strings.TrimSpace(n.html) == "" {
		n.html = textToHTML(m.Text)
	}

	if len(m.Headers) > 0 {
		n.headers = make(map[string]string, len(m.Headers))
	}
	for k, v := range m.Headers {
		if !validFieldName(k) {
			return n, invalid("bad header name %q", k)
		}
		ck := textproto.CanonicalMIMEHeaderKey(k)
		if reservedHeaders[ck] {
			return n, invalid("header %s is set by the sender and cannot be overridden", ck)
		}
		if _, dup := n.headers[ck]; dup {
			return n, invalid("header %s given twice", ck)
		}
		if strings.ContainsAny(v, "\r\n") {
			return n, invalid("header %s contains a line break", ck)
		}
		if len(v) > 900 {
			return n, invalid("header %s is too long (%d bytes)", ck, len(v))
		}
		n.headers[ck] = strings.TrimSpace(v)
	}
	return n, nil
}

// validFieldName implements RFC 5322 field-name: printable ASCII except ':'.
func validFieldName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c < 33 || c > 126 || c == ':' {
			return false
		}
	}
	return true
}

func textToHTML(text string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body><p>")
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i, line := range lines {
		if i > 0 {
			b.WriteString("<br>\n")
		}
		b.WriteString(html.EscapeString(line))
	}
	b.WriteString("</p></body></html>\n")
	return b.String()
}

// LogSender is the Mailer used when no SMTP server is configured (demo
// mode): it validates the message like Sender does, then logs recipient,
// subject and text body at Info level instead of sending anything.
type LogSender struct {
	Logger *slog.Logger // nil means slog.Default()
}

// NewLogSender returns a LogSender writing to logger (nil: slog.Default()).
func NewLogSender(logger *slog.Logger) *LogSender {
	return &LogSender{Logger: logger}
}

// Send logs the message and returns nil, or an error wrapping
// ErrInvalidMessage if the message could not have been sent.
func (l *LogSender) Send(ctx context.Context, m Message) error {
	n, err := normalize(m)
	if err != nil {
		return err
	}
	logger := l.Logger
	if logger == nil {
		logger = slog.Default()
	}
	logger.InfoContext(ctx, "mail not sent (no SMTP server configured)",
		slog.String("to", n.to.Address),
		slog.String("to_name", n.to.Name),
		slog.String("subject", n.subject),
		slog.String("text", n.text),
	)
	return nil
}
