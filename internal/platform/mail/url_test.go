package mail_test

import (
	"strings"
	"testing"

	"github.com/tsunagu/tsunagu/internal/platform/mail"
)

func TestParseURLGood(t *testing.T) {
	tests := []struct {
		raw  string
		want mail.Settings
		addr string
	}{
		{"smtp://mail.example.com", mail.Settings{Host: "mail.example.com", Port: 587, TLS: mail.TLSStartTLS}, "mail.example.com:587"},
		{"smtp://mail.example.com?tls=none", mail.Settings{Host: "mail.example.com", Port: 25, TLS: mail.TLSNone}, "mail.example.com:25"},
		{"smtp://mail.example.com?tls=starttls", mail.Settings{Host: "mail.example.com", Port: 587, TLS: mail.TLSStartTLS, StartTLSRequired: true}, "mail.example.com:587"},
		{"smtp://mail.example.com?tls=tls", mail.Settings{Host: "mail.example.com", Port: 465, TLS: mail.TLSImplicit}, "mail.example.com:465"},
		{"smtps://mail.example.com", mail.Settings{Host: "mail.example.com", Port: 465, TLS: mail.TLSImplicit}, "mail.example.com:465"},
		{"smtps://mail.example.com:2465?tls=tls", mail.Settings{Host: "mail.example.com", Port: 2465, TLS: mail.TLSImplicit}, "mail.example.com:2465"},
		{"SMTP://mail.example.com:2525/?tls=NONE", mail.Settings{Host: "mail.example.com", Port: 2525, TLS: mail.TLSNone}, "mail.example.com:2525"},
		{"  smtp://127.0.0.1:1025?tls=none  ", mail.Settings{Host: "127.0.0.1", Port: 1025, TLS: mail.TLSNone}, "127.0.0.1:1025"},
		{"smtp://[::1]:25?tls=none", mail.Settings{Host: "::1", Port: 25, TLS: mail.TLSNone}, "[::1]:25"},
		{
			"smtp://apikey:p%40ss%3Aword@smtp.example.com:587",
			mail.Settings{Host: "smtp.example.com", Port: 587, Username: "apikey", Password: "p@ss:word", TLS: mail.TLSStartTLS},
			"smtp.example.com:587",
		},
		{"smtp://user@smtp.example.com?tls=starttls", mail.Settings{Host: "smtp.example.com", Port: 587, Username: "user", TLS: mail.TLSStartTLS, StartTLSRequired: true}, "smtp.example.com:587"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := mail.ParseURL(tt.raw)
			if err != nil {
				t.Fatalf("ParseURL(%q): unexpected error: %v", tt.raw, err)
			}
			if got != tt.want {
				t.Errorf("ParseURL(%q) = %+v, want %+v", tt.raw, got, tt.want)
			}
			if got.Addr() != tt.addr {
				t.Errorf("Addr() = %q, want %q", got.Addr(), tt.addr)
			}
		})
	}
}

func TestParseURLBad(t *testing.T) {
	tests := []struct {
		raw     string
		mention string // the error must mention the problem
	}{
		{"", "empty"},
		{"   ", "empty"},
		{"http://mail.example.com", `unsupported scheme "http"`},
		{"mailto:admin@example.com", `unsupported scheme "mailto"`},
		{"//mail.example.com:25", "missing scheme"},
		{"smtp:mail.example.com", "smtp://host"},
		{"smtp://", "empty host"},
		{"smtp://:25?tls=none", "empty host"},
		{"smtp://user:secret@:25", "empty host"},
		{"smtp://mail.example.com:abc", "port"},
		{"smtp://user:secret@mail.example.com:abc", "port"},
		{"smtp://mail.example.com:0", `bad port "0"`},
		{"smtp://mail.example.com:70000", `bad port "70000"`},
		{"smtp://mail.example.com:-1", "port"},
		{"smtp://mail.example.com:", "empty port"},
		{"smtp://mail.example.com?tls=ssl", `unknown tls value "ssl"`},
		{"smtp://mail.example.com?tls=", `unknown tls value ""`},
		{"smtp://mail.example.com?tls=none&tls=tls", "more than once"},
		{"smtp://mail.example.com?tsl=none", `unknown parameter "tsl"`},
		{"smtps://mail.example.com?tls=none", "smtps"},
		{"smtps://mail.example.com?tls=starttls", "smtps"},
		{"smtp://mail.example.com/relay", `unexpected path "/relay"`},
		{"smtp://mail.example.com#frag", "fragment"},
		{"smtp://:secret@mail.example.com", "user name"},
		{"smtp://user:sec ret@mail.example.com", "invalid SMTP URL"},
		{"smtp://mail.example.com\n:25", "invalid SMTP URL"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := mail.ParseURL(tt.raw)
			if err == nil {
				t.Fatalf("ParseURL(%q) = %+v, want an error mentioning %q", tt.raw, got, tt.mention)
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("ParseURL(%q) error %q does not mention %q", tt.raw, err, tt.mention)
			}
			if strings.Contains(tt.raw, "secret") && strings.Contains(err.Error(), "secret") {
				t.Errorf("ParseURL(%q) error leaks the password: %q", tt.raw, err)
			}
			if got != (mail.Settings{}) {
				t.Errorf("ParseURL(%q) returned non-zero settings with an error: %+v", tt.raw, got)
			}
		})
	}
}

func TestSettingsStringHidesPassword(t *testing.T) {
	st, err := mail.ParseURL("smtp://apikey:topsecret@smtp.example.com")
	if err != nil {
		t.Fatal(err)
	}
	s := st.String()
	if strings.Contains(s, "topsecret") {
		t.Errorf("String() leaks the password: %q", s)
	}
	for _, want := range []string{"apikey", "smtp.example.com:587", "tls=starttls"} {
		if !strings.Contains(s, want) {
			t.Errorf("String() = %q, want it to contain %q", s, want)
		}
	}
}

func TestNewSenderRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     mail.Config
		mention string
	}{
		{"bad url", mail.Config{URL: "http://mail.example.com", From: "no-reply@example.com"}, "scheme"},
		{"empty url", mail.Config{URL: "", From: "no-reply@example.com"}, "empty"},
		{"empty from", mail.Config{URL: "smtp://127.0.0.1?tls=none"}, "From"},
		{"from with name", mail.Config{URL: "smtp://127.0.0.1?tls=none", From: "Tsunagu <no-reply@example.com>"}, "bare address"},
		{"from not an address", mail.Config{URL: "smtp://127.0.0.1?tls=none", From: "no-reply"}, "From"},
		{"from name with newline", mail.Config{URL: "smtp://127.0.0.1?tls=none", From: "a@example.com", FromName: "x\r\nBcc: b@example.com"}, "line break"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := mail.NewSender(tt.cfg)
			if err == nil {
				t.Fatalf("NewSender(%+v) = %v, want error", tt.cfg, s)
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %q", err, tt.mention)
			}
		})
	}
}
