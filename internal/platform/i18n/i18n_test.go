package i18n

import (
	"regexp"
	"slices"
	"testing"
)

func TestEveryKeyInEveryLanguage(t *testing.T) {
	base := Keys(Default)
	if len(base) < 50 {
		t.Fatalf("catalog suspiciously small: %d keys", len(base))
	}
	for _, l := range Languages {
		keys := Keys(l)
		for _, k := range base {
			if !slices.Contains(keys, k) {
				t.Errorf("key %q missing in %s", k, l)
			}
		}
		for _, k := range keys {
			if !slices.Contains(base, k) {
				t.Errorf("key %q in %s but not in %s", k, l, Default)
			}
		}
	}
}

var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

func TestPlaceholdersMatchAcrossLanguages(t *testing.T) {
	for _, k := range Keys(Default) {
		want := placeholder.FindAllString(T(Default, k), -1)
		slices.Sort(want)
		for _, l := range Languages[1:] {
			got := placeholder.FindAllString(T(l, k), -1)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s: placeholders %v in %s, %v in %s", k, got, l, want, Default)
			}
		}
	}
}

func TestTranslate(t *testing.T) {
	if got := T("en", "auth.throttled", "minutes", 15); got == "" || !regexp.MustCompile(`15`).MatchString(got) {
		t.Errorf("placeholder not replaced: %q", got)
	}
	if got := T("ja", "no.such.key"); got != "[no.such.key]" {
		t.Errorf("missing key shows as %q", got)
	}
}

func TestSubstitute(t *testing.T) {
	cases := []struct {
		s    string
		args []any
		want string
	}{
		{"{n}件", []any{"n", 3}, "3件"},
		{"{name}さんが{count}件", []any{"count", int64(12), "name", "佐藤"}, "佐藤さんが12件"},
		{"{n} and {n}", []any{"n", "x"}, "x and x"},
		{"{unknown} {n}", []any{"n", 1}, "{unknown} 1"},
		{"{{n}}", []any{"n", 1}, "{1}"},
		{"open {n", []any{"n", 1}, "open {n"},
		{"{n}", []any{"n", "{m}", "m", "no"}, "{m}"},
		{"{ok}", []any{"ok", true}, "true"},
		{"{n}", []any{"n"}, "{n}"},
		{"no placeholders", []any{"n", 1}, "no placeholders"},
	}
	for _, c := range cases {
		if got := substitute(c.s, c.args...); got != c.want {
			t.Errorf("substitute(%q, %v) = %q, want %q", c.s, c.args, got, c.want)
		}
	}
}

func TestFromAcceptLanguage(t *testing.T) {
	cases := map[string]string{
		"":                        "ja",
		"en-US,en;q=0.9":          "en",
		"ja-JP,ja;q=0.9,en;q=0.8": "ja",
		"fr-FR":                   "ja",
		"fr-FR,en;q=0.5":          "en",
		";;;garbage":              "ja",
	}
	for in, want := range cases {
		if got := FromAcceptLanguage(in); got != want {
			t.Errorf("FromAcceptLanguage(%q) = %q, want %q", in, got, want)
		}
	}
}
