// Package i18n holds Tsunagu's message catalogs. Japanese is the default and
// English the second language; every key exists in both, which a test checks.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/language"
)

//go:embed locales/*.json
var files embed.FS

// Languages lists the supported languages, default first.
var Languages = []string{"ja", "en"}

// Default is the language used when nothing else decides.
const Default = "ja"

var catalogs = map[string]map[string]string{}

// init merges the catalog files. Each capability keeps its messages in its own
// files, "<area>.<lang>.json" (the shell's are "<lang>.json"), so that work on
// one capability never edits another's; a key defined twice is an error.
func init() {
	for _, l := range Languages {
		catalogs[l] = map[string]string{}
	}
	names, err := fs.Glob(files, "locales/*.json")
	if err != nil {
		panic(err)
	}
	for _, name := range names {
		base := strings.TrimSuffix(path.Base(name), ".json")
		lang := base[strings.LastIndexByte(base, '.')+1:]
		catalog, ok := catalogs[lang]
		if !ok {
			panic(fmt.Sprintf("i18n: %s: unknown language %q", name, lang))
		}
		b, err := files.ReadFile(name)
		if err != nil {
			panic(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("i18n: %s: %v", name, err))
		}
		for k, v := range m {
			if _, dup := catalog[k]; dup {
				panic(fmt.Sprintf("i18n: %s: key %q is defined in another file too", name, k))
			}
			catalog[k] = v
		}
	}
}

// Keys returns the sorted keys of a language's catalog.
func Keys(lang string) []string {
	var out []string
	for k := range catalogs[lang] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Has reports whether key exists in lang.
func Has(lang, key string) bool { _, ok := catalogs[lang][key]; return ok }

// Supported reports whether lang is one of Languages.
func Supported(lang string) bool { _, ok := catalogs[lang]; return ok }

// T translates key into lang, replacing {name} placeholders with the
// following name, value pairs. A missing key shows itself in brackets, so it
// is visible in the page (and the catalog test fails first).
func T(lang, key string, args ...any) string {
	s, ok := catalogs[lang][key]
	if !ok {
		if s, ok = catalogs[Default][key]; !ok {
			return "[" + key + "]"
		}
	}
	return substitute(s, args...)
}

// substitute replaces each {name} in s with the value that follows name in
// args; a placeholder with no value stays as it is, and values are not
// scanned again.
func substitute(s string, args ...any) string {
	if len(args) < 2 || strings.IndexByte(s, '{') < 0 {
		return s
	}
	// A scan rather than strings.NewReplacer: pages call T hundreds of times
	// and building a replacer for each call was a visible share of their CPU.
	var b strings.Builder
	b.Grow(len(s) + 16)
	for {
		open := strings.IndexByte(s, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open+1:], '}')
		if end < 0 {
			break
		}
		v, ok := argument(args, s[open+1:open+1+end])
		if !ok {
			b.WriteString(s[:open+1])
			s = s[open+1:]
			continue
		}
		b.WriteString(s[:open])
		b.WriteString(v)
		s = s[open+end+2:]
	}
	b.WriteString(s)
	return b.String()
}

// argument finds the value named name among T's name, value pairs.
func argument(args []any, name string) (string, bool) {
	for i := 0; i+1 < len(args); i += 2 {
		if text(args[i]) == name {
			return text(args[i+1]), true
		}
	}
	return "", false
}

func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	}
	return fmt.Sprint(v)
}

var matcher = language.NewMatcher([]language.Tag{language.Japanese, language.English})

// FromAcceptLanguage picks ja or en from an Accept-Language header.
func FromAcceptLanguage(header string) string {
	if strings.TrimSpace(header) == "" {
		return Default
	}
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, idx, conf := matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return Languages[idx]
}
