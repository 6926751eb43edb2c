package mail

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// TLSMode says how the connection to the SMTP server is protected.
type TLSMode string

const (
	// TLSNone sends everything in clear text (local relays, test servers).
	TLSNone TLSMode = "none"
	// TLSStartTLS upgrades a plain connection with the STARTTLS command.
	TLSStartTLS TLSMode = "starttls"
	// TLSImplicit speaks TLS from the first byte ("smtps", usually port 465).
	TLSImplicit TLSMode = "tls"
)

// Default ports per TLS mode.
const (
	DefaultPortNone     = 25
	DefaultPortStartTLS = 587
	DefaultPortTLS      = 465
)

// Settings is a validated SMTP URL.
type Settings struct {
	Host     string
	Port     int
	Username string
	Password string
	TLS      TLSMode
	// StartTLSRequired is only meaningful for TLSStartTLS. It is true when
	// the URL asked for STARTTLS explicitly (?tls=starttls): the connection
	// then fails if the server does not offer it. Without a tls parameter
	// STARTTLS is opportunistic: used if offered, plain text otherwise.
	StartTLSRequired bool
}

// Addr returns "host:port" (IPv6 hosts in brackets).
func (s Settings) Addr() string {
	return net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
}

// String returns the settings as a URL with the password redacted, safe
// for logs.
func (s Settings) String() string {
	u := url.URL{Scheme: "smtp", Host: s.Addr()}
	if s.Username != "" {
		if s.Password != "" {
			u.User = url.UserPassword(s.Username, "xxxxx")
		} else {
			u.User = url.User(s.Username)
		}
	}
	q := url.Values{}
	q.Set("tls", string(s.TLS))
	u.RawQuery = q.Encode()
	return u.String()
}

// ParseURL validates an SMTP URL of the form
//
//	smtp://[user[:password]@]host[:port][?tls=none|starttls|tls]
//	smtps://[user[:password]@]host[:port]
//
// Without a tls parameter, smtp:// uses opportunistic STARTTLS (upgrade if
// the server offers it) on port 587. tls=starttls makes STARTTLS mandatory
// (port 587), tls=none disables TLS (port 25), and tls=tls or the smtps
// scheme use implicit TLS (port 465). An explicit port always wins.
//
// Errors are in English, meant for startup logs and the CLI; they never
// contain the password.
func ParseURL(raw string) (Settings, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return Settings{}, errors.New("invalid SMTP URL: empty (expected smtp://[user:pass@]host[:port][?tls=none|starttls|tls])")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the whole input, which may hold a password:
		// report only the underlying reason.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return Settings{}, fmt.Errorf("invalid SMTP URL: %v", err)
	}

	var s Settings
	implicit := false
	switch strings.ToLower(u.Scheme) {
	case "smtp":
	case "smtps":
		implicit = true
	case "":
		return Settings{}, errors.New("invalid SMTP URL: missing scheme (expected smtp:// or smtps://)")
	default:
		return Settings{}, fmt.Errorf("invalid SMTP URL: unsupported scheme %q (expected smtp:// or smtps://)", u.Scheme)
	}
	if u.Opaque != "" {
		return Settings{}, fmt.Errorf("invalid SMTP URL: expected %s://host, not %s:host", u.Scheme, u.Scheme)
	}
	if u.Path != "" && u.Path != "/" {
		return Settings{}, fmt.Errorf("invalid SMTP URL: unexpected path %q", u.Path)
	}
	if u.Fragment != "" {
		return Settings{}, errors.New("invalid SMTP URL: unexpected fragment (#...)")
	}

	s.Host = u.Hostname()
	if s.Host == "" {
		return Settings{}, errors.New("invalid SMTP URL: empty host")
	}

	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
		if s.Username == "" {
			return Settings{}, errors.New("invalid SMTP URL: empty user name before '@'")
		}
	}

	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return Settings{}, fmt.Errorf("invalid SMTP URL: bad query string: %v", err)
	}
	tlsParam, tlsGiven := "", false
	for key, vals := range query {
		if key != "tls" {
			return Settings{}, fmt.Errorf("invalid SMTP URL: unknown parameter %q (only tls=none|starttls|tls is supported)", key)
		}
		if len(vals) != 1 {
			return Settings{}, errors.New("invalid SMTP URL: tls parameter given more than once")
		}
		tlsParam = strings.ToLower(strings.TrimSpace(vals[0]))
		tlsGiven = true
	}

	switch {
	case !tlsGiven:
		if implicit {
			s.TLS = TLSImplicit
		} else {
			s.TLS = TLSStartTLS
		}
	case tlsParam == string(TLSNone):
		s.TLS = TLSNone
	case tlsParam == string(TLSStartTLS):
		s.TLS = TLSStartTLS
		s.StartTLSRequired = true
	case tlsParam == string(TLSImplicit):
		s.TLS = TLSImplicit
	default:
		return Settings{}, fmt.Errorf("invalid SMTP URL: unknown tls value %q (expected none, starttls or tls)", tlsParam)
	}
	if implicit && s.TLS != TLSImplicit {
		return Settings{}, fmt.Errorf("invalid SMTP URL: smtps:// always uses implicit TLS, it cannot be combined with tls=%s", tlsParam)
	}

	switch p := u.Port(); {
	case p != "":
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return Settings{}, fmt.Errorf("invalid SMTP URL: bad port %q (expected 1-65535)", p)
		}
		s.Port = n
	case strings.HasSuffix(u.Host, ":"):
		return Settings{}, errors.New("invalid SMTP URL: empty port after ':'")
	case s.TLS == TLSNone:
		s.Port = DefaultPortNone
	case s.TLS == TLSImplicit:
		s.Port = DefaultPortTLS
	default:
		s.Port = DefaultPortStartTLS
	}
	return s, nil
}
