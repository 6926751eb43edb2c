// Package app wires Tsunagu together: configuration, database, services,
// the job queue and the HTTP server.
package app

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	netmail "net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/mail"
)

// Config is everything an operator can set, by flag or TSUNAGU_* variable.
type Config struct {
	Listen          string
	DataDir         string
	DatabaseURL     string
	BaseURL         string
	SMTPURL         string
	MailFrom        string
	LogLevel        string
	LogFormat       string
	TrustedProxies  string
	OrgSlug         string
	OrgName         string
	ShutdownTimeout time.Duration
	Workers         int

	// Set by commands, tests and the demo, not by flags.
	SkipMigrate bool // open the database as it is (migrate status)
	Argon2      auth.Argon2Params
	Now         func() time.Time

	// envErrs are malformed numeric TSUNAGU_* variables seen by BindFlags;
	// Validate reports them rather than silently using the default.
	envErrs []error
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// BindFlags registers the configuration flags on fs, with defaults taken
// from the environment, so that a flag beats its variable and the variable
// beats the built-in default.
func (c *Config) BindFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Listen, "listen", env("TSUNAGU_LISTEN", "127.0.0.1:8080"),
		"address to serve HTTP on, host:port (env TSUNAGU_LISTEN)")
	fs.StringVar(&c.DataDir, "data-dir", env("TSUNAGU_DATA_DIR", "data"),
		"directory for the SQLite database, uploads and keys (env TSUNAGU_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database-url", env("TSUNAGU_DATABASE_URL", ""),
		"database to use instead of the SQLite file in the data directory, e.g.\npostgres://user:pass@host:5432/tsunagu (env TSUNAGU_DATABASE_URL)")
	fs.StringVar(&c.BaseURL, "base-url", env("TSUNAGU_BASE_URL", ""),
		"external URL people reach Tsunagu at, used in emailed links, e.g.\nhttps://alumni.example.jp (env TSUNAGU_BASE_URL; default http://<listen>)")
	fs.StringVar(&c.SMTPURL, "smtp-url", env("TSUNAGU_SMTP_URL", ""),
		"SMTP server for outgoing mail, smtp://user:pass@host:587 (STARTTLS),\nsmtps://host:465 or smtp://host:25?tls=none (env TSUNAGU_SMTP_URL;\nempty: emails are written to the log instead of sent)")
	fs.StringVar(&c.MailFrom, "mail-from", env("TSUNAGU_MAIL_FROM", ""),
		"sender address of outgoing mail (env TSUNAGU_MAIL_FROM; default noreply@<base-url host>)")
	fs.StringVar(&c.LogLevel, "log-level", env("TSUNAGU_LOG_LEVEL", "info"), "debug, info, warn or error (env TSUNAGU_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", env("TSUNAGU_LOG_FORMAT", "text"), "text or json (env TSUNAGU_LOG_FORMAT)")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", env("TSUNAGU_TRUSTED_PROXIES", ""),
		"comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For\nis trusted (env TSUNAGU_TRUSTED_PROXIES)")
	fs.StringVar(&c.OrgSlug, "org-slug", env("TSUNAGU_ORG_SLUG", "alumni"),
		"URL name of the organization created on first start (env TSUNAGU_ORG_SLUG)")
	fs.StringVar(&c.OrgName, "org-name", env("TSUNAGU_ORG_NAME", "アルムナイネットワーク"),
		"name of the organization created on first start (env TSUNAGU_ORG_NAME)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.envDuration("TSUNAGU_SHUTDOWN_TIMEOUT", 30*time.Second),
		"how long a graceful shutdown waits for requests and jobs (env TSUNAGU_SHUTDOWN_TIMEOUT)")
	fs.IntVar(&c.Workers, "workers", c.envInt("TSUNAGU_WORKERS", 2), "background job workers (env TSUNAGU_WORKERS)")
}

func (c *Config) envDuration(name string, def time.Duration) time.Duration {
	if v, ok := os.LookupEnv(name); ok {
		if d, err := time.ParseDuration(strings.TrimSpace(v)); err == nil {
			return d
		}
		c.envErrs = append(c.envErrs, fmt.Errorf("%s %q is not a duration (e.g. 30s or 2m)", name, v))
	}
	return def
}

func (c *Config) envInt(name string, def int) int {
	if v, ok := os.LookupEnv(name); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
			return n
		}
		c.envErrs = append(c.envErrs, fmt.Errorf("%s %q is not a whole number", name, v))
	}
	return def
}

// Validate checks the configuration and fills derived defaults. Its errors
// name the setting and say what a good value looks like.
func (c *Config) Validate() error {
	errs := append([]error(nil), c.envErrs...)
	if _, port, err := net.SplitHostPort(c.Listen); err != nil || port == "" {
		errs = append(errs, fmt.Errorf("TSUNAGU_LISTEN %q is not host:port (e.g. 127.0.0.1:8080 or :8080)", c.Listen))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("TSUNAGU_DATA_DIR is empty"))
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = filepath.Join(c.DataDir, "tsunagu.db")
	}
	if _, _, err := db.ParseURL(c.DatabaseURL); err != nil {
		errs = append(errs, fmt.Errorf("TSUNAGU_DATABASE_URL: %w", err))
	}
	if c.BaseURL == "" {
		host, port, _ := net.SplitHostPort(c.Listen)
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		c.BaseURL = "http://" + net.JoinHostPort(host, port)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("TSUNAGU_BASE_URL %q must be an http(s) URL such as https://alumni.example.jp", c.BaseURL))
	}
	if c.SMTPURL != "" {
		if _, err := mail.ParseURL(c.SMTPURL); err != nil {
			errs = append(errs, fmt.Errorf("TSUNAGU_SMTP_URL: %w", err))
		}
	}
	if c.MailFrom == "" {
		host := "localhost"
		if u, err := url.Parse(c.BaseURL); err == nil && u.Hostname() != "" && !strings.Contains(u.Hostname(), ":") {
			host = u.Hostname() // an IPv6 host cannot be an address's domain
		}
		if !strings.Contains(host, ".") {
			host += ".localdomain"
		}
		c.MailFrom = "noreply@" + host
	} else if a, err := netmail.ParseAddress(c.MailFrom); err != nil || a.Name != "" || a.Address != c.MailFrom {
		errs = append(errs, fmt.Errorf("TSUNAGU_MAIL_FROM %q must be a bare address such as noreply@alumni.example.jp", c.MailFrom))
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		errs = append(errs, err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("TSUNAGU_LOG_FORMAT %q must be text or json", c.LogFormat))
	}
	if _, err := c.proxies(); err != nil {
		errs = append(errs, err)
	}
	if c.Workers < 1 || c.Workers > 64 {
		errs = append(errs, fmt.Errorf("TSUNAGU_WORKERS %d must be between 1 and 64", c.Workers))
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 30 * time.Second
	}
	return errors.Join(errs...)
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, fmt.Errorf("TSUNAGU_LOG_LEVEL %q must be debug, info, warn or error", s)
	}
	return l, nil
}

func (c *Config) proxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(c.TrustedProxies, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("TSUNAGU_TRUSTED_PROXIES: %q is neither an address nor a CIDR", f)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// Logger builds the process logger; every record made with a request's
// context carries that request's id.
func (c *Config) Logger(w *os.File) *slog.Logger {
	level, _ := parseLevel(c.LogLevel)
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if c.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(RequestIDHandler(h))
}
