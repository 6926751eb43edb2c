package mailtest_test

import (
	"errors"
	"fmt"
	"mime"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"golang.org/x/text/encoding/japanese"

	"github.com/tsunagu/tsunagu/internal/platform/mailtest"
)

const wait = 10 * time.Second

// send delivers raw with go-smtp's own client, independent of our sender.
func send(t *testing.T, addr, raw string) error {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer c.Close()
	return c.SendMail("sender@example.com", []string{"rcpt@example.jp"}, strings.NewReader(raw))
}

func TestURLAndAddr(t *testing.T) {
	srv := mailtest.Start(t)
	host, port, err := net.SplitHostPort(srv.Addr())
	if err != nil || host != "127.0.0.1" || port == "0" {
		t.Fatalf("Addr() = %q", srv.Addr())
	}
	if want := "smtp://127.0.0.1:" + port + "?tls=none"; srv.URL() != want {
		t.Errorf("URL() = %q, want %q", srv.URL(), want)
	}
	if srv.ClientTLSConfig() != nil {
		t.Error("ClientTLSConfig() of a plain server should be nil")
	}
}

// ISO-2022-JP is what many Japanese mail programs still send: the parser
// must decode it (via go-message/charset), proving parsing is independent
// of how our sender encodes.
func TestParsesISO2022JP(t *testing.T) {
	srv := mailtest.Start(t)
	enc := japanese.ISO2022JP.NewEncoder()
	subject, err := enc.String("【さくらテクノロジー】パスワード再設定のご案内")
	if err != nil {
		t.Fatal(err)
	}
	body, err := japanese.ISO2022JP.NewEncoder().String("田中 太郎 様\r\nこんにちは。\r\n")
	if err != nil {
		t.Fatal(err)
	}
	name, err := japanese.ISO2022JP.NewEncoder().String("田中 太郎")
	if err != nil {
		t.Fatal(err)
	}
	raw := "From: sender@example.com\r\n" +
		"To: " + mime.BEncoding.Encode("ISO-2022-JP", name) + " <rcpt@example.jp>\r\n" +
		"Subject: " + mime.BEncoding.Encode("ISO-2022-JP", subject) + "\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=ISO-2022-JP\r\n" +
		"Content-Transfer-Encoding: 7bit\r\n" +
		"\r\n" + body
	if err := send(t, srv.Addr(), raw); err != nil {
		t.Fatalf("send: %v", err)
	}
	m := srv.WaitFor(t, 1, wait)[0]
	if m.Subject != "【さくらテクノロジー】パスワード再設定のご案内" {
		t.Errorf("Subject = %q", m.Subject)
	}
	if m.Text != "田中 太郎 様\nこんにちは。\n" {
		t.Errorf("Text = %q", m.Text)
	}
	if m.HTML != "" {
		t.Errorf("HTML = %q, want empty", m.HTML)
	}
	if m.ContentType != "text/plain" || len(m.Parts) != 1 || m.Parts[0].Params["charset"] != "ISO-2022-JP" {
		t.Errorf("ContentType %q, parts %+v", m.ContentType, m.Parts)
	}
	to, err := m.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != "田中 太郎" {
		t.Errorf("To = %v (%v)", to, err)
	}
	if m.From != "sender@example.com" || len(m.To) != 1 || m.To[0] != "rcpt@example.jp" {
		t.Errorf("envelope %q -> %q", m.From, m.To)
	}
	if !strings.HasPrefix(string(m.Raw), "From: sender@example.com\r\n") {
		t.Errorf("Raw does not hold the DATA as sent: %q", m.Raw)
	}
	if m.ParseErr != nil {
		t.Errorf("ParseErr = %v", m.ParseErr)
	}
}

func TestParsesMultipartAlternative(t *testing.T) {
	srv := mailtest.Start(t)
	raw := "From: sender@example.com\r\n" +
		"Subject: =?UTF-8?B?44GK55+l44KJ44Gb?=\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/alternative; boundary=XYZ\r\n" +
		"\r\n" +
		"--XYZ\r\n" +
		"Content-Type: text/plain; charset=UTF-8\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n" +
		"\r\n" +
		"=E3=81=8A=E7=9F=A5=E3=82=89=E3=81=9B\r\n" +
		"--XYZ\r\n" +
		"Content-Type: text/html; charset=UTF-8\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"\r\n" +
		"PHA+44GK55+l44KJ44GbPC9wPg==\r\n" +
		"--XYZ--\r\n"
	if err := send(t, srv.Addr(), raw); err != nil {
		t.Fatalf("send: %v", err)
	}
	m := srv.WaitFor(t, 1, wait)[0]
	if m.Subject != "お知らせ" || m.ContentType != "multipart/alternative" {
		t.Errorf("Subject %q, Content-Type %q", m.Subject, m.ContentType)
	}
	if m.Text != "お知らせ" || m.HTML != "<p>お知らせ</p>" {
		t.Errorf("Text %q, HTML %q", m.Text, m.HTML)
	}
	if len(m.Parts) != 2 || m.Parts[0].ContentType != "text/plain" || m.Parts[1].ContentType != "text/html" {
		t.Errorf("parts %+v", m.Parts)
	}
}

func TestFailNext(t *testing.T) {
	srv := mailtest.Start(t)
	srv.FailNext(2, 451)
	raw := "From: sender@example.com\r\nSubject: hi\r\n\r\nbody\r\n"
	for i := range 2 {
		err := send(t, srv.Addr(), raw)
		var se *smtp.SMTPError
		if !errors.As(err, &se) || se.Code != 451 {
			t.Fatalf("attempt %d: err = %v, want SMTP 451", i+1, err)
		}
	}
	if err := send(t, srv.Addr(), raw); err != nil {
		t.Fatalf("third attempt: %v", err)
	}
	if got := srv.WaitFor(t, 1, wait); len(got) != 1 {
		t.Errorf("got %d messages, want 1", len(got))
	}
	if srv.Rejected() != 2 {
		t.Errorf("Rejected() = %d, want 2", srv.Rejected())
	}

	srv.FailNext(1, 550)
	err := send(t, srv.Addr(), raw)
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != 550 {
		t.Fatalf("err = %v, want SMTP 550", err)
	}
}

func TestCloseRefusesConnections(t *testing.T) {
	srv := mailtest.Start(t)
	srv.Close()
	srv.Close() // idempotent
	c, err := net.DialTimeout("tcp", srv.Addr(), wait)
	if err == nil {
		_ = c.Close()
		t.Fatal("connection to a closed server succeeded")
	}
}

func TestCloseRightAfterStart(t *testing.T) {
	// Must not hang even if the serving goroutine has not started yet.
	for range 20 {
		mailtest.Start(t).Close()
	}
}

// fakeTB records failures instead of failing the real test.
type fakeTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
	fatal  string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.fatal = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

func runWaitFor(srv *mailtest.Server, n int, timeout time.Duration) (*fakeTB, []mailtest.Received) {
	f := &fakeTB{}
	var got []mailtest.Received
	done := make(chan struct{})
	go func() {
		defer close(done)
		got = srv.WaitFor(f, n, timeout)
	}()
	<-done
	return f, got
}

func TestWaitForTimesOutWithClearMessage(t *testing.T) {
	srv := mailtest.Start(t)
	srv.FailNext(1, 550)
	_ = send(t, srv.Addr(), "Subject: x\r\n\r\nx\r\n")

	f, got := runWaitFor(srv, 1, 50*time.Millisecond)
	if got != nil {
		t.Errorf("WaitFor returned %v after timing out", got)
	}
	for _, want := range []string{"1 message(s)", srv.Addr(), "got 0", "1 rejected"} {
		if !strings.Contains(f.fatal, want) {
			t.Errorf("failure message %q does not contain %q", f.fatal, want)
		}
	}
}

func TestWaitForReportsInvalidMIME(t *testing.T) {
	srv := mailtest.Start(t)
	raw := "Subject: broken\r\n" +
		"Content-Type: multipart/alternative; boundary=XYZ\r\n" +
		"\r\n" +
		"--XYZ\r\n" +
		"Content-Type: text/plain\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"\r\n" +
		"!!! not base64 !!!\r\n" +
		"--XYZ--\r\n"
	if err := send(t, srv.Addr(), raw); err != nil {
		t.Fatalf("send: %v", err)
	}
	f, got := runWaitFor(srv, 1, wait)
	if f.fatal != "" || len(got) != 1 {
		t.Fatalf("fatal %q, got %d messages", f.fatal, len(got))
	}
	if got[0].ParseErr == nil {
		t.Fatal("ParseErr is nil for a body that is not base64")
	}
	if len(f.errors) != 1 || !strings.Contains(f.errors[0], "not valid MIME") || !strings.Contains(f.errors[0], "broken") {
		t.Errorf("errors reported: %q", f.errors)
	}
}

func TestStartTLSServer(t *testing.T) {
	srv := mailtest.StartWith(t, mailtest.Options{TLS: mailtest.StartTLS, Username: "u", Password: "p"})
	if !strings.HasPrefix(srv.URL(), "smtp://u:p@127.0.0.1:") || !strings.HasSuffix(srv.URL(), "?tls=starttls") {
		t.Errorf("URL() = %q", srv.URL())
	}
	c, err := smtp.DialStartTLS(srv.Addr(), srv.ClientTLSConfig())
	if err != nil {
		t.Fatalf("STARTTLS with ClientTLSConfig: %v", err)
	}
	defer c.Close()
	// Without AUTH the server refuses MAIL.
	err = c.Mail("sender@example.com", nil)
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code/100 != 5 {
		t.Errorf("MAIL without AUTH: %v, want 5xx", err)
	}
}

func TestImplicitTLSServer(t *testing.T) {
	srv := mailtest.StartWith(t, mailtest.Options{TLS: mailtest.ImplicitTLS})
	if !strings.HasPrefix(srv.URL(), "smtps://127.0.0.1:") {
		t.Errorf("URL() = %q", srv.URL())
	}
	c, err := smtp.DialTLS(srv.Addr(), srv.ClientTLSConfig())
	if err != nil {
		t.Fatalf("TLS dial with ClientTLSConfig: %v", err)
	}
	defer c.Close()
	if err := c.SendMail("a@example.com", []string{"b@example.com"}, strings.NewReader("Subject: tls\r\n\r\nx\r\n")); err != nil {
		t.Fatal(err)
	}
	if m := srv.WaitFor(t, 1, wait)[0]; !m.TLS || m.Subject != "tls" {
		t.Errorf("TLS = %v, Subject = %q", m.TLS, m.Subject)
	}
}
