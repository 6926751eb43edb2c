package mail_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/platform/mail"
	"github.com/tsunagu/tsunagu/internal/platform/mailtest"
)

// wait is a generous upper bound for slow CI machines, not a performance
// assertion.
const wait = 10 * time.Second

func newSender(t *testing.T, url string) *mail.Sender {
	t.Helper()
	s, err := mail.NewSender(mail.Config{
		URL:      url,
		From:     "no-reply@sakura-tech.example",
		FromName: "さくらテクノロジー アルムナイ",
	})
	if err != nil {
		t.Fatalf("NewSender(%q): %v", url, err)
	}
	return s
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), wait)
	t.Cleanup(cancel)
	return c
}

func simple(to string) mail.Message {
	return mail.Message{To: to, Subject: "テスト", Text: "本文です。", HTML: "<p>本文です。</p>"}
}

func TestSendJapaneseMessage(t *testing.T) {
	srv := mailtest.Start(t)
	sender := newSender(t, srv.URL())

	const subject = "【さくらテクノロジー】パスワード再設定のご案内"
	text := "田中 太郎 様\n\nパスワード再設定のリクエストを受け付けました。\n以下のリンクから 24 時間以内に再設定してください。\nhttps://alumni.sakura-tech.example/reset?token=abc123\n\n— さくらテクノロジー アルムナイネットワーク\n"
	html := "<!DOCTYPE html>\n<html lang=\"ja\"><body>\n<p>田中 太郎 様</p>\n<p>パスワード再設定のリクエストを受け付けました。</p>\n<p><a href=\"https://alumni.sakura-tech.example/reset?token=abc123\">パスワードを再設定する</a></p>\n</body></html>\n"
	unsub := "<https://alumni.sakura-tech.example/unsubscribe?u=42>, <mailto:unsubscribe@sakura-tech.example>"

	before := time.Now().Add(-time.Minute)
	err := sender.Send(ctx(t), mail.Message{
		To:      "taro.tanaka@example.jp",
		ToName:  "田中 太郎",
		Subject: subject,
		Text:    text,
		HTML:    html,
		Headers: map[string]string{
			"List-Unsubscribe":      unsub,
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
			"X-Tsunagu-Category":    "パスワード再設定",
		},
	})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}

	got := srv.WaitFor(t, 1, wait)
	if len(got) != 1 {
		t.Fatalf("got %d messages, want 1", len(got))
	}
	m := got[0]

	// Envelope.
	if m.From != "no-reply@sakura-tech.example" {
		t.Errorf("envelope MAIL FROM = %q", m.From)
	}
	if len(m.To) != 1 || m.To[0] != "taro.tanaka@example.jp" {
		t.Errorf("envelope RCPT TO = %q", m.To)
	}

	// Headers, decoded by go-message.
	if m.Subject != subject {
		t.Errorf("Subject = %q, want %q", m.Subject, subject)
	}
	from, err := m.Header.AddressList("From")
	if err != nil || len(from) != 1 {
		t.Fatalf("From header: %v %v", from, err)
	}
	if from[0].Name != "さくらテクノロジー アルムナイ" || from[0].Address != "no-reply@sakura-tech.example" {
		t.Errorf("From = %q <%s>", from[0].Name, from[0].Address)
	}
	to, err := m.Header.AddressList("To")
	if err != nil || len(to) != 1 {
		t.Fatalf("To header: %v %v", to, err)
	}
	if to[0].Name != "田中 太郎" || to[0].Address != "taro.tanaka@example.jp" {
		t.Errorf("To = %q <%s>", to[0].Name, to[0].Address)
	}
	id, err := m.Header.MessageID()
	if err != nil || !strings.HasSuffix(id, "@sakura-tech.example") || len(id) < 30 {
		t.Errorf("Message-ID = %q (%v), want a long id @sakura-tech.example", id, err)
	}
	date, err := m.Header.Date()
	if err != nil || date.Before(before) || date.After(time.Now().Add(time.Minute)) {
		t.Errorf("Date = %v (%v), want about now", date, err)
	}
	if v := m.Header.Get("MIME-Version"); v != "1.0" {
		t.Errorf("MIME-Version = %q", v)
	}
	if v := m.Header.Get("List-Unsubscribe"); v != unsub {
		t.Errorf("List-Unsubscribe = %q, want %q", v, unsub)
	}
	if v := m.Header.Get("List-Unsubscribe-Post"); v != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post = %q", v)
	}
	if v, err := m.Header.Text("X-Tsunagu-Category"); err != nil || v != "パスワード再設定" {
		t.Errorf("X-Tsunagu-Category = %q (%v)", v, err)
	}

	// Structure: multipart/alternative with text then HTML, both UTF-8.
	if m.ContentType != "multipart/alternative" {
		t.Errorf("Content-Type = %q, want multipart/alternative", m.ContentType)
	}
	if len(m.Parts) != 2 {
		t.Fatalf("got %d parts, want 2: %+v", len(m.Parts), m.Parts)
	}
	for i, want := range []string{"text/plain", "text/html"} {
		p := m.Parts[i]
		if p.ContentType != want {
			t.Errorf("part %d Content-Type = %q, want %q", i, p.ContentType, want)
		}
		if cs := p.Params["charset"]; !strings.EqualFold(cs, "UTF-8") {
			t.Errorf("part %d charset = %q, want UTF-8", i, cs)
		}
	}
	if m.Text != text {
		t.Errorf("text body = %q, want %q", m.Text, text)
	}
	if m.HTML != html {
		t.Errorf("HTML body = %q, want %q", m.HTML, html)
	}

	// Wire format: 7-bit clean (so no relay can mangle the Japanese), CRLF,
	// no over-long lines, and the subject really was RFC 2047 encoded.
	for i, b := range m.Raw {
		if b >= 0x80 {
			t.Fatalf("raw message has a non-ASCII byte at offset %d: headers or bodies not encoded", i)
		}
	}
	for i, line := range strings.Split(string(m.Raw), "\r\n") {
		if len(line) > 998 {
			t.Errorf("raw line %d is %d bytes long (RFC 5322 limit 998)", i+1, len(line))
		}
		if strings.Contains(line, "\n") {
			t.Errorf("raw line %d has a bare LF", i+1)
		}
	}
	if !bytes.Contains(m.Raw, []byte("=?UTF-8?b?")) && !bytes.Contains(m.Raw, []byte("=?UTF-8?B?")) &&
		!bytes.Contains(m.Raw, []byte("=?UTF-8?q?")) && !bytes.Contains(m.Raw, []byte("=?UTF-8?Q?")) {
		t.Errorf("no RFC 2047 encoded word in raw message:\n%s", m.Raw)
	}
}

func TestSendDerivesHTMLFromText(t *testing.T) {
	srv := mailtest.Start(t)
	sender := newSender(t, srv.URL())
	err := sender.Send(ctx(t), mail.Message{
		To: "a@example.com", Subject: "ご案内", Text: "1 < 2 & 3\n次の行",
	})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	m := srv.WaitFor(t, 1, wait)[0]
	if m.ContentType != "multipart/alternative" || len(m.Parts) != 2 {
		t.Fatalf("Content-Type %q with %d parts, want multipart/alternative with 2", m.ContentType, len(m.Parts))
	}
	if m.Text != "1 < 2 & 3\n次の行" {
		t.Errorf("text = %q", m.Text)
	}
	if !strings.Contains(m.HTML, "1 &lt; 2 &amp; 3<br>\n次の行") {
		t.Errorf("derived HTML not escaped as expected: %q", m.HTML)
	}
}

func TestSendToClosedServer(t *testing.T) {
	srv := mailtest.Start(t)
	sender := newSender(t, srv.URL())
	srv.Close()

	err := sender.Send(ctx(t), simple("a@example.com"))
	if err == nil {
		t.Fatal("Send to a closed server succeeded")
	}
	if !strings.Contains(err.Error(), srv.Addr()) {
		t.Errorf("error %q does not mention the server address %s", err, srv.Addr())
	}
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		t.Errorf("error %q does not wrap the network error", err)
	}
	if mail.IsPermanent(err) {
		t.Errorf("IsPermanent(%v) = true, want false for a network error", err)
	}
	if code := mail.ReplyCode(err); code != 0 {
		t.Errorf("ReplyCode = %d, want 0", code)
	}

	if err := sender.Check(ctx(t)); err == nil || !strings.Contains(err.Error(), srv.Addr()) {
		t.Errorf("Check on a closed server = %v, want an error mentioning %s", err, srv.Addr())
	}
}

func TestSendRejected(t *testing.T) {
	tests := []struct {
		code      int
		permanent bool
	}{
		{550, true},
		{554, true},
		{451, false},
		{421, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.code), func(t *testing.T) {
			srv := mailtest.Start(t)
			sender := newSender(t, srv.URL())
			srv.FailNext(1, tt.code)

			err := sender.Send(ctx(t), simple("a@example.com"))
			if err == nil {
				t.Fatalf("Send succeeded although the server answered %d", tt.code)
			}
			if got := mail.IsPermanent(err); got != tt.permanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, got, tt.permanent)
			}
			if got := mail.ReplyCode(err); got != tt.code {
				t.Errorf("ReplyCode(%v) = %d, want %d", err, got, tt.code)
			}
			if !strings.Contains(err.Error(), srv.Addr()) || !strings.Contains(err.Error(), fmt.Sprint(tt.code)) {
				t.Errorf("error %q should mention %s and %d", err, srv.Addr(), tt.code)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("server recorded %d messages, want 0", n)
			}

			// Only one failure was requested: the retry goes through.
			if err := sender.Send(ctx(t), simple("a@example.com")); err != nil {
				t.Fatalf("retry: %v", err)
			}
			srv.WaitFor(t, 1, wait)
			if srv.Rejected() != 1 {
				t.Errorf("Rejected() = %d, want 1", srv.Rejected())
			}
		})
	}
}

func TestSendRespectsContextDeadline(t *testing.T) {
	// A server that accepts TCP connections but never says hello.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})

	sender := newSender(t, "smtp://"+ln.Addr().String()+"?tls=none")
	c, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = sender.Send(c, simple("a@example.com"))
	elapsed := time.Since(start)
	if err == nil {
		t.Fatal("Send to a silent server succeeded")
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %q does not wrap context.DeadlineExceeded", err)
	}
	if !strings.Contains(err.Error(), ln.Addr().String()) {
		t.Errorf("error %q does not mention %s", err, ln.Addr())
	}
	if mail.IsPermanent(err) {
		t.Errorf("IsPermanent(%v) = true, want false", err)
	}
	// The command timeout is 30s: returning well before it shows the
	// context deadline was honoured.
	if elapsed > wait {
		t.Errorf("Send returned after %v, the 200ms context deadline was ignored", elapsed)
	}
}

func TestSendInvalidMessage(t *testing.T) {
	srv := mailtest.Start(t)
	sender := newSender(t, srv.URL())
	ok := simple("a@example.com")
	tests := []struct {
		name    string
		edit    func(m *mail.Message)
		mention string
	}{
		{"empty to", func(m *mail.Message) { m.To = "" }, "empty recipient"},
		{"bad to", func(m *mail.Message) { m.To = "not-an-address" }, "bad recipient"},
		{"to with name", func(m *mail.Message) { m.To = "Taro <a@example.com>" }, "bad recipient"},
		{"two recipients", func(m *mail.Message) { m.To = "a@example.com, b@example.com" }, "bad recipient"},
		{"name injection", func(m *mail.Message) { m.ToName = "x\r\nBcc: evil@example.com" }, "line break"},
		{"subject injection", func(m *mail.Message) { m.Subject = "hi\r\nBcc: evil@example.com" }, "line break"},
		{"empty subject", func(m *mail.Message) { m.Subject = " " }, "empty subject"},
		{"empty text", func(m *mail.Message) { m.Text = "" }, "empty text"},
		{"header injection", func(m *mail.Message) { m.Headers = map[string]string{"X-A": "1\r\nBcc: evil@example.com"} }, "line break"},
		{"bad header name", func(m *mail.Message) { m.Headers = map[string]string{"X A": "1"} }, "bad header name"},
		{"reserved header", func(m *mail.Message) { m.Headers = map[string]string{"bcc": "evil@example.com"} }, "Bcc"},
		{"reserved subject", func(m *mail.Message) { m.Headers = map[string]string{"SUBJECT": "x"} }, "Subject"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := ok
			tt.edit(&m)
			err := sender.Send(ctx(t), m)
			if err == nil {
				t.Fatal("Send accepted an invalid message")
			}
			if !errors.Is(err, mail.ErrInvalidMessage) || !mail.IsPermanent(err) {
				t.Errorf("error %v: want ErrInvalidMessage and IsPermanent", err)
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %q", err, tt.mention)
			}
			if err := mail.NewLogSender(slog.New(slog.DiscardHandler)).Send(ctx(t), m); !errors.Is(err, mail.ErrInvalidMessage) {
				t.Errorf("LogSender accepted the invalid message: %v", err)
			}
		})
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server received %d messages", n)
	}
}

func TestCheck(t *testing.T) {
	srv := mailtest.Start(t)
	sender := newSender(t, srv.URL())
	if err := sender.Check(ctx(t)); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("Check sent %d messages", n)
	}
}

func TestSendConcurrently(t *testing.T) {
	srv := mailtest.Start(t)
	sender := newSender(t, srv.URL())
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errs <- sender.Send(ctx(t), simple(fmt.Sprintf("user%d@example.com", i)))
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Send: %v", err)
		}
	}
	got := srv.WaitFor(t, n, wait)
	seen := map[string]bool{}
	for _, m := range got {
		seen[m.To[0]] = true
	}
	if len(seen) != n {
		t.Errorf("got %d distinct recipients, want %d", len(seen), n)
	}
}

func TestTLSModes(t *testing.T) {
	tests := []struct {
		name    string
		opts    mailtest.Options
		url     func(srv *mailtest.Server) string
		wantTLS bool
		wantErr string
	}{
		{"starttls required", mailtest.Options{TLS: mailtest.StartTLS}, (*mailtest.Server).URL, true, ""},
		{"implicit tls", mailtest.Options{TLS: mailtest.ImplicitTLS}, (*mailtest.Server).URL, true, ""},
		{
			"opportunistic upgrades when offered", mailtest.Options{TLS: mailtest.StartTLS},
			func(srv *mailtest.Server) string { return "smtp://" + srv.Addr() }, true, "",
		},
		{
			"opportunistic falls back to plain", mailtest.Options{},
			func(srv *mailtest.Server) string { return "smtp://" + srv.Addr() }, false, "",
		},
		{
			"required starttls not offered", mailtest.Options{},
			func(srv *mailtest.Server) string { return "smtp://" + srv.Addr() + "?tls=starttls" }, false, "STARTTLS",
		},
		{
			"tls=none ignores offered starttls", mailtest.Options{TLS: mailtest.StartTLS},
			func(srv *mailtest.Server) string { return "smtp://" + srv.Addr() + "?tls=none" }, false, "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mailtest.StartWith(t, tt.opts)
			cfg := mail.Config{URL: tt.url(srv), From: "no-reply@example.com", TLSConfig: srv.ClientTLSConfig()}
			sender, err := mail.NewSender(cfg)
			if err != nil {
				t.Fatal(err)
			}
			err = sender.Send(ctx(t), simple("a@example.com"))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Send = %v, want error mentioning %q", err, tt.wantErr)
				}
				if mail.IsPermanent(err) {
					t.Errorf("IsPermanent(%v) = true for a configuration error", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			m := srv.WaitFor(t, 1, wait)[0]
			if m.TLS != tt.wantTLS {
				t.Errorf("message came over TLS = %v, want %v", m.TLS, tt.wantTLS)
			}
			if err := sender.Check(ctx(t)); err != nil {
				t.Errorf("Check: %v", err)
			}
		})
	}
}

func TestTLSUntrustedCertificate(t *testing.T) {
	srv := mailtest.StartWith(t, mailtest.Options{TLS: mailtest.ImplicitTLS})
	sender := newSender(t, srv.URL()) // system roots: the self-signed cert is not trusted
	err := sender.Send(ctx(t), simple("a@example.com"))
	if err == nil {
		t.Fatal("Send trusted a self-signed certificate")
	}
	if !strings.Contains(err.Error(), "certificate") || !strings.Contains(err.Error(), srv.Addr()) {
		t.Errorf("error %q should mention the certificate and %s", err, srv.Addr())
	}
}

func TestAuth(t *testing.T) {
	opts := mailtest.Options{TLS: mailtest.StartTLS, Username: "apikey", Password: "s3cret"}
	srv := mailtest.StartWith(t, opts)

	sender, err := mail.NewSender(mail.Config{URL: srv.URL(), From: "no-reply@example.com", TLSConfig: srv.ClientTLSConfig()})
	if err != nil {
		t.Fatal(err)
	}
	if err := sender.Check(ctx(t)); err != nil {
		t.Fatalf("Check with good credentials: %v", err)
	}
	if err := sender.Send(ctx(t), simple("a@example.com")); err != nil {
		t.Fatalf("Send with good credentials: %v", err)
	}
	if m := srv.WaitFor(t, 1, wait)[0]; m.AuthUser != "apikey" || !m.TLS {
		t.Errorf("AuthUser = %q, TLS = %v; want apikey over TLS", m.AuthUser, m.TLS)
	}

	bad, err := mail.NewSender(mail.Config{
		URL:       "smtp://apikey:wrong@" + srv.Addr() + "?tls=starttls",
		From:      "no-reply@example.com",
		TLSConfig: srv.ClientTLSConfig(),
	})
	if err != nil {
		t.Fatal(err)
	}
	err = bad.Send(ctx(t), simple("a@example.com"))
	if err == nil {
		t.Fatal("Send with a wrong password succeeded")
	}
	if code := mail.ReplyCode(err); code != 535 {
		t.Errorf("ReplyCode(%v) = %d, want 535", err, code)
	}
	// A wrong password is our configuration, not the message: retry later.
	if mail.IsPermanent(err) {
		t.Errorf("IsPermanent(%v) = true, want false", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("error leaks the password: %q", err)
	}
	if err := bad.Check(ctx(t)); err == nil {
		t.Error("Check with a wrong password succeeded")
	}

	// No credentials at all: the server refuses MAIL FROM with 530; that is
	// a configuration problem too, but it comes as a 5xx MAIL reply.
	anon, err := mail.NewSender(mail.Config{URL: "smtp://" + srv.Addr() + "?tls=starttls", From: "no-reply@example.com", TLSConfig: srv.ClientTLSConfig()})
	if err != nil {
		t.Fatal(err)
	}
	err = anon.Send(ctx(t), simple("a@example.com"))
	if code := mail.ReplyCode(err); err == nil || code/100 != 5 {
		t.Errorf("Send without credentials = %v (code %d), want a 5xx refusal", err, code)
	}
}

func TestLogSender(t *testing.T) {
	var buf bytes.Buffer
	var m mail.Mailer = mail.NewLogSender(slog.New(slog.NewJSONHandler(&buf, nil)))
	err := m.Send(ctx(t), mail.Message{
		To: "taro.tanaka@example.jp", ToName: "田中 太郎",
		Subject: "【さくらテクノロジー】パスワード再設定のご案内",
		Text:    "再設定リンク: https://alumni.example/reset?token=abc",
		HTML:    "<p>secret-html-only</p>",
	})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	out := buf.String()
	for _, want := range []string{
		`"level":"INFO"`, `"to":"taro.tanaka@example.jp"`, `"to_name":"田中 太郎"`,
		"【さくらテクノロジー】パスワード再設定のご案内", "https://alumni.example/reset?token=abc",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log %q does not contain %q", out, want)
		}
	}
	if strings.Contains(out, "secret-html-only") {
		t.Errorf("log contains the HTML body: %q", out)
	}

	// nil Logger falls back to slog.Default and must not panic.
	if err := (&mail.LogSender{}).Send(ctx(t), simple("a@example.com")); err != nil {
		t.Errorf("zero LogSender: %v", err)
	}
}
