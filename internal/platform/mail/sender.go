package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"
)

// Default timeouts of a Sender.
const (
	DefaultConnectTimeout = 10 * time.Second
	DefaultCommandTimeout = 30 * time.Second
)

// Config configures a Sender.
type Config struct {
	// URL of the SMTP server, see ParseURL.
	URL string
	// From is the sender address (header From and envelope MAIL FROM),
	// e.g. no-reply@tsunagu.example.
	From string
	// FromName is the sender's display name, e.g. "Tsunagu" or "つなぐ".
	FromName string

	// ConnectTimeout bounds TCP connect plus implicit TLS handshake.
	// Zero means DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// CommandTimeout bounds each SMTP exchange after connecting (greeting,
	// EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA...). Zero means
	// DefaultCommandTimeout. The deadline of the context passed to Send or
	// Check always applies on top of it.
	CommandTimeout time.Duration
	// TLSConfig overrides the TLS client configuration (e.g. a private CA
	// in RootCAs). Nil means system roots, ServerName = URL host, TLS 1.2+.
	TLSConfig *tls.Config
}

// Sender sends messages through one SMTP server, opening one connection
// per Send. It is safe for concurrent use.
type Sender struct {
	settings       Settings
	from           netmail.Address
	fromDomain     string
	connectTimeout time.Duration
	commandTimeout time.Duration
	tlsConfig      *tls.Config
}

// NewSender validates cfg and returns a Sender. It does not connect; use
// Check for that.
func NewSender(cfg Config) (*Sender, error) {
	st, err := ParseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	from := strings.TrimSpace(cfg.From)
	if from == "" {
		return nil, errors.New("mail: empty From address")
	}
	addr, err := netmail.ParseAddress(from)
	if err != nil || addr.Name != "" || addr.Address != from {
		return nil, fmt.Errorf("mail: bad From address %q (expected a bare address like no-reply@example.com)", from)
	}
	name := strings.TrimSpace(cfg.FromName)
	if strings.ContainsAny(name, "\r\n") {
		return nil, errors.New("mail: From name contains a line break")
	}
	if cfg.ConnectTimeout < 0 || cfg.CommandTimeout < 0 {
		return nil, errors.New("mail: negative timeout")
	}
	s := &Sender{
		settings:       st,
		from:           netmail.Address{Name: name, Address: addr.Address},
		fromDomain:     addr.Address[strings.LastIndexByte(addr.Address, '@')+1:],
		connectTimeout: cfg.ConnectTimeout,
		commandTimeout: cfg.CommandTimeout,
	}
	if s.connectTimeout == 0 {
		s.connectTimeout = DefaultConnectTimeout
	}
	if s.commandTimeout == 0 {
		s.commandTimeout = DefaultCommandTimeout
	}
	if cfg.TLSConfig != nil {
		s.tlsConfig = cfg.TLSConfig.Clone()
	} else {
		s.tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if s.tlsConfig.ServerName == "" {
		s.tlsConfig.ServerName = st.Host
	}
	return s, nil
}

// Settings returns the parsed SMTP URL (use its String method for logs: it
// hides the password).
func (s *Sender) Settings() Settings { return s.settings }

// Addr returns the "host:port" of the SMTP server.
func (s *Sender) Addr() string { return s.settings.Addr() }

// Send delivers m over a new SMTP connection. Errors name the server's
// host:port and wrap the cause; see IsPermanent and ReplyCode to classify
// them. Send returns nil once the server has accepted the message, even if
// closing the connection afterwards fails (so a retry cannot duplicate it).
func (s *Sender) Send(ctx context.Context, m Message) error {
	n, err := normalize(m)
	if err != nil {
		return err
	}
	msg, err := s.build(n)
	if err != nil {
		return err
	}
	return s.session(ctx, func(gm *gomail.Client, c *gosmtp.Client) error {
		err := gm.SendWithSMTPClient(c, msg)
		if msg.IsDelivered() {
			return nil
		}
		if err == nil {
			err = errors.New("message was not accepted")
		}
		return fmt.Errorf("send: %w", err)
	})
}

// Check connects to the server, says EHLO (plus STARTTLS and AUTH as
// configured) and NOOP, then QUIT. Use it at startup to log a clear warning
// when the server is unreachable or the credentials are wrong.
func (s *Sender) Check(ctx context.Context) error {
	return s.session(ctx, func(_ *gomail.Client, c *gosmtp.Client) error {
		if err := c.Noop(); err != nil {
			return fmt.Errorf("NOOP: %w", err)
		}
		return nil
	})
}

// session dials, runs fn on the ready (greeted, TLS, authenticated) client
// and says QUIT. The connection is closed when ctx ends, which aborts any
// exchange in progress.
func (s *Sender) session(ctx context.Context, fn func(*gomail.Client, *gosmtp.Client) error) (err error) {
	defer func() {
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
				err = fmt.Errorf("%w: %w", ctxErr, err)
			}
			err = fmt.Errorf("mail: SMTP server %s: %w", s.settings.Addr(), err)
		}
	}()
	if err := ctx.Err(); err != nil {
		return err
	}

	var (
		mu     sync.Mutex
		conn   net.Conn
		closed bool
	)
	closeConn := func() {
		mu.Lock()
		defer mu.Unlock()
		closed = true
		if conn != nil {
			_ = conn.Close()
		}
	}
	dial := func(dctx context.Context, _, _ string) (net.Conn, error) {
		c, err := s.dialConn(dctx)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		defer mu.Unlock()
		if closed {
			_ = c.Close()
			return nil, ctx.Err()
		}
		conn = c
		return c, nil
	}
	// Closing the raw connection is the only way to interrupt go-mail's
	// blocking reads and writes when ctx ends early.
	stop := context.AfterFunc(ctx, closeConn)
	defer stop()
	defer closeConn() // also covers go-mail paths that leave the conn open on error

	gm, err := gomail.NewClient(s.settings.Host, s.clientOptions(dial)...)
	if err != nil {
		return fmt.Errorf("configure client: %w", err)
	}
	client, err := gm.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	if err := fn(gm, client); err != nil {
		return err
	}
	// Best effort: the work is done, a failing QUIT changes nothing.
	_ = gm.CloseWithSMTPClient(client)
	return nil
}

func (s *Sender) dialConn(ctx context.Context) (net.Conn, error) {
	d := &net.Dialer{Timeout: s.connectTimeout}
	if s.settings.TLS == TLSImplicit {
		td := &tls.Dialer{NetDialer: d, Config: s.tlsConfig.Clone()}
		return td.DialContext(ctx, "tcp", s.settings.Addr())
	}
	return d.DialContext(ctx, "tcp", s.settings.Addr())
}

func (s *Sender) clientOptions(dial gomail.DialContextFunc) []gomail.Option {
	opts := []gomail.Option{
		gomail.WithPort(s.settings.Port),
		gomail.WithTimeout(s.commandTimeout),
		gomail.WithDialContextFunc(dial),
		gomail.WithTLSConfig(s.tlsConfig.Clone()),
		gomail.WithoutRset(),
	}
	switch s.settings.TLS {
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case TLSStartTLS:
		if s.settings.StartTLSRequired {
			opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
		} else {
			opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
		}
	case TLSImplicit:
		// dialConn already speaks TLS; WithSSL stops go-mail from trying
		// STARTTLS on top of it.
		opts = append(opts, gomail.WithSSL())
	}
	if s.settings.Username != "" {
		// The first mechanism the server offers wins. PLAIN and LOGIN are
		// refused by go-mail over a connection that is neither TLS nor to
		// localhost, so credentials never travel in clear text.
		opts = append(opts,
			gomail.WithUsername(s.settings.Username),
			gomail.WithPassword(s.settings.Password),
			gomail.WithOpportunisticSMTPAuth(
				gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1,
				gomail.SMTPAuthCramMD5, gomail.SMTPAuthPlain, gomail.SMTPAuthLogin,
			),
		)
	}
	return opts
}

func (s *Sender) build(n normalized) (*gomail.Msg, error) {
	msg := gomail.NewMsg(
		gomail.WithCharset(gomail.CharsetUTF8),
		gomail.WithEncoding(gomail.EncodingB64),
		gomail.WithNoDefaultUserAgent(),
	)
	from := s.from
	if n.fromName != "" {
		from.Name = n.fromName
	}
	msg.FromMailAddress(&from)
	msg.ToMailAddress(n.to)
	msg.Subject(n.subject)
	msg.SetDate()
	id, err := newMessageID(s.fromDomain)
	if err != nil {
		return nil, fmt.Errorf("mail: generate Message-ID: %w", err)
	}
	msg.SetMessageIDWithValue(id)
	msg.SetBodyString(gomail.TypeTextPlain, crlf(n.text))
	msg.AddAlternativeString(gomail.TypeTextHTML, crlf(n.html))

	for k, v := range n.headers {
		switch {
		case k == "Reply-To":
			addrs, err := netmail.ParseAddressList(v)
			if err != nil {
				return nil, invalid("bad Reply-To %q: %v", v, err)
			}
			msg.SetAddrHeaderFromMailAddress(gomail.HeaderReplyTo, addrs...)
		case isASCII(v):
			msg.SetGenHeaderPreformatted(gomail.Header(k), v)
		default:
			msg.SetGenHeader(gomail.Header(k), v) // RFC 2047 encoded
		}
	}
	return msg, nil
}

func newMessageID(domain string) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d.%s@%s", time.Now().UnixNano(), hex.EncodeToString(b[:]), domain), nil
}

// crlf converts line endings to CRLF, the canonical form of text/* bodies
// (RFC 2046 4.1.1).
func crlf(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\n", "\r\n")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
