// Package mailtest runs a real SMTP server in-process for tests
// (github.com/emersion/go-smtp) and parses what it receives with an
// independent MIME implementation (github.com/emersion/go-message), so tests
// check that what Tsunagu sends is valid mail, not just that some bytes
// arrived.
//
//	srv := mailtest.Start(t)
//	sender, _ := mail.NewSender(mail.Config{URL: srv.URL(), From: "no-reply@example.com"})
//	// ... code under test sends ...
//	got := srv.WaitFor(t, 1, 5*time.Second)
//	if got[0].Subject != "..." { ... }
package mailtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decode ISO-2022-JP, Shift_JIS, EUC-JP...
	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// TLSMode selects how the test server offers TLS.
type TLSMode int

const (
	// NoTLS: plain SMTP, STARTTLS not offered (the default).
	NoTLS TLSMode = iota
	// StartTLS: plain SMTP that offers STARTTLS.
	StartTLS
	// ImplicitTLS: TLS from the first byte (smtps).
	ImplicitTLS
)

// Options configure StartWith.
type Options struct {
	TLS TLSMode
	// If Username is set, AUTH PLAIN is offered and required before MAIL;
	// only these credentials are accepted.
	Username, Password string
}

// Part is one leaf MIME part of a received message.
type Part struct {
	ContentType string            // e.g. "text/plain"
	Params      map[string]string // Content-Type parameters, e.g. charset
	Header      message.Header    // the part's own header
	Body        string            // decoded (transfer encoding and charset) to UTF-8
}

// Received is one message accepted by the server.
type Received struct {
	From string   // envelope MAIL FROM
	To   []string // envelope RCPT TO

	Subject     string            // decoded (RFC 2047)
	Header      gomail.Header     // top-level header, as parsed by go-message
	ContentType string            // top-level media type, e.g. "multipart/alternative"
	Params      map[string]string // top-level Content-Type parameters
	Parts       []Part            // leaf parts in order
	// Text and HTML are the bodies of the first text/plain and text/html
	// parts, decoded to UTF-8, with line endings normalized to "\n".
	Text, HTML string
	Raw        []byte // the DATA exactly as received

	TLS      bool   // the message came over a TLS connection
	AuthUser string // user name it authenticated as, if any

	// ParseErr is set when go-message could not parse the message. WaitFor
	// fails the test for such messages.
	ParseErr error
}

// Server is an in-process SMTP server listening on 127.0.0.1.
type Server struct {
	opts      Options
	srv       *smtp.Server
	ln        net.Listener
	addr      string
	clientTLS *tls.Config
	served    chan struct{}
	closeOnce sync.Once

	mu       sync.Mutex
	msgs     []Received
	failN    int
	failCode int
	rejected int
	closed   bool
	tb       testing.TB
}

// Start starts a plain SMTP server (no TLS, no AUTH) on 127.0.0.1:0. It is
// stopped by t.Cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWith(t, Options{})
}

// StartWith starts a server with the given options. It is stopped by
// t.Cleanup.
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	s := &Server{opts: opts, served: make(chan struct{}), tb: t}

	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "mailtest.localhost"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = 10 << 20
	srv.MaxRecipients = 50
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	srv.ErrorLog = serverLog{s}
	s.srv = srv

	var ln net.Listener
	var err error
	ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	if opts.TLS != NoTLS {
		serverTLS, clientTLS, err := selfSigned()
		if err != nil {
			_ = ln.Close()
			t.Fatalf("mailtest: TLS certificate: %v", err)
		}
		s.clientTLS = clientTLS
		if opts.TLS == ImplicitTLS {
			ln = tls.NewListener(ln, serverTLS)
		} else {
			srv.TLSConfig = serverTLS
		}
	}
	s.ln = ln
	s.addr = ln.Addr().String()

	go func() {
		defer close(s.served)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(s.Close)
	return s
}

// Addr returns "127.0.0.1:PORT".
func (s *Server) Addr() string { return s.addr }

// URL returns a URL for mail.ParseURL that reaches this server:
// "smtp://127.0.0.1:PORT?tls=none" for the default server,
// "?tls=starttls" or "smtps://" for TLS servers, with the credentials
// included when Options.Username is set.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.addr}
	switch s.opts.TLS {
	case NoTLS:
		u.RawQuery = "tls=none"
	case StartTLS:
		u.RawQuery = "tls=starttls"
	case ImplicitTLS:
		u.Scheme = "smtps"
	}
	if s.opts.Username != "" {
		u.User = url.UserPassword(s.opts.Username, s.opts.Password)
	}
	return u.String()
}

// ClientTLSConfig returns a client TLS configuration that trusts this
// server's self-signed certificate (nil for a NoTLS server).
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.clientTLS == nil {
		return nil
	}
	return s.clientTLS.Clone()
}

// Messages returns a copy of the messages accepted so far, oldest first.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// Rejected returns how many messages were refused because of FailNext.
func (s *Server) Rejected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejected
}

// WaitFor waits until at least n messages were accepted and returns them
// all. It fails the test (Fatalf) after timeout, and reports (Errorf) any
// returned message that go-message could not parse. The timeout is an upper
// bound for slow machines, not a performance assertion.
func (s *Server) WaitFor(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		msgs := s.Messages()
		if len(msgs) >= n {
			for i, m := range msgs {
				if m.ParseErr != nil {
					t.Errorf("mailtest: message %d (subject %q) is not valid MIME: %v", i, m.Subject, m.ParseErr)
				}
			}
			return msgs
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailtest: waited %v for %d message(s) on %s, got %d (and %d rejected by FailNext)",
				timeout, n, s.addr, len(msgs), s.Rejected())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// FailNext makes the next n DATA commands fail with the given SMTP reply
// code once the message was transferred, e.g. 451 (temporary) or 550
// (permanent). Rejected messages are not recorded.
func (s *Server) FailNext(n int, code int) {
	if code < 400 || code > 599 {
		panic(fmt.Sprintf("mailtest: FailNext code %d is not a 4xx or 5xx SMTP code", code))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failCode = n, code
}

// Close stops the server: the listener and all connections are closed, so
// later connections are refused (to simulate an unreachable server). It is
// safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		_ = s.srv.Close()
		// srv.Close only knows listeners that Serve registered already:
		// close ours too in case Serve has not started yet.
		_ = s.ln.Close()
		<-s.served
	})
}

// serverLog forwards go-smtp's internal errors to the test log while the
// server runs.
type serverLog struct{ s *Server }

func (l serverLog) Printf(format string, v ...any) { l.log(fmt.Sprintf(format, v...)) }
func (l serverLog) Println(v ...any)               { l.log(fmt.Sprintln(v...)) }

func (l serverLog) log(msg string) {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	if !l.s.closed {
		l.s.tb.Logf("mailtest server: %s", strings.TrimSpace(msg))
	}
}

type session struct {
	s        *Server
	conn     *smtp.Conn
	from     string
	to       []string
	authUser string
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: s, conn: c}, nil
}

var (
	_ smtp.Session     = (*session)(nil)
	_ smtp.AuthSession = (*session)(nil)
)

func (ss *session) AuthMechanisms() []string {
	if ss.s.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if ss.s.opts.Username == "" || mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if identity != "" && identity != username {
			return smtp.ErrAuthFailed
		}
		if username != ss.s.opts.Username || password != ss.s.opts.Password {
			return smtp.ErrAuthFailed
		}
		ss.authUser = username
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opts.Username != "" && ss.authUser == "" {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	ss.to = nil
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := ss.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failN > 0 {
		s.failN--
		s.rejected++
		return &smtp.SMTPError{
			Code:         s.failCode,
			EnhancedCode: smtp.EnhancedCodeNotSet,
			Message:      "mailtest: rejected by FailNext",
		}
	}
	rec := parse(raw)
	rec.From = ss.from
	rec.To = append([]string(nil), ss.to...)
	_, rec.TLS = ss.conn.TLSConnectionState()
	rec.AuthUser = ss.authUser
	s.msgs = append(s.msgs, rec)
	return nil
}

func (ss *session) Reset() {
	ss.from = ""
	ss.to = nil
}

func (ss *session) Logout() error { return nil }

// parse decodes raw with go-message. Errors land in Received.ParseErr.
func parse(raw []byte) Received {
	rec := Received{Raw: raw}
	mr, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil && mr == nil {
		rec.ParseErr = fmt.Errorf("read message: %w", err)
		return rec
	}
	if err != nil { // unknown charset/encoding: still readable
		rec.ParseErr = err
	}
	defer mr.Close()
	rec.Header = mr.Header
	if rec.Subject, err = mr.Header.Subject(); err != nil {
		rec.ParseErr = errors.Join(rec.ParseErr, fmt.Errorf("decode Subject: %w", err))
	}
	if rec.ContentType, rec.Params, err = mr.Header.ContentType(); err != nil {
		rec.ParseErr = errors.Join(rec.ParseErr, fmt.Errorf("parse Content-Type: %w", err))
	}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			rec.ParseErr = errors.Join(rec.ParseErr, fmt.Errorf("read part %d: %w", len(rec.Parts)+1, err))
			break
		}
		var ph message.Header
		switch h := p.Header.(type) {
		case *gomail.InlineHeader:
			ph = h.Header
		case *gomail.AttachmentHeader:
			ph = h.Header
		}
		body, err := io.ReadAll(p.Body)
		if err != nil {
			rec.ParseErr = errors.Join(rec.ParseErr, fmt.Errorf("decode part %d body: %w", len(rec.Parts)+1, err))
		}
		part := Part{Header: ph, Body: string(body)}
		part.ContentType, part.Params, _ = ph.ContentType()
		rec.Parts = append(rec.Parts, part)
		text := strings.ReplaceAll(string(body), "\r\n", "\n")
		switch {
		case part.ContentType == "text/plain" && rec.Text == "":
			rec.Text = text
		case part.ContentType == "text/html" && rec.HTML == "":
			rec.HTML = text
		}
	}
	return rec
}

// selfSigned makes a throw-away certificate for 127.0.0.1 and localhost.
func selfSigned() (server, client *tls.Config, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "mailtest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	server = &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}},
	}
	client = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: pool}
	return server, client, nil
}
