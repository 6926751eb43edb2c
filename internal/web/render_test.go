package web

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/i18n"
)

// Writing fixed translations into the templates must not change a single
// byte of any page, in either language, for a visitor or a member, with or
// without form errors.
func TestFixedTranslationsRenderTheSame(t *testing.T) {
	plain, err := parsePages(func(src string) string { return src })
	if err != nil {
		t.Fatal(err)
	}
	fixed, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	member := &org.Member{UserID: 7, Role: org.Admin, Email: "a&b@example.jp", Name: org.Name{Family: "佐藤", Given: "花子"}}
	compared := 0
	for _, lang := range i18n.Languages {
		for name, want := range plain {
			for _, m := range []*org.Member{nil, member} {
				p := &Page{Lang: lang, Org: org.Organization{Slug: "sakura", NameJA: "さくら<株>", NameEN: "Sakura & Co"}, HasOrg: true, Member: m,
					Title: "T", Path: "/o/sakura/x", Flash: "保存しました", Data: map[string]any{},
					Errors: map[string]string{"form": "エラー", "email": "違います"}, Form: map[string]string{"email": `"x"@example.jp`}}
				p.Nav = navFor(p)
				var a, b bytes.Buffer
				if err := want.ExecuteTemplate(&a, "layout.html", p); err != nil {
					continue // the page needs data this fixture does not give
				}
				if err := fixed.byLang[lang][name].ExecuteTemplate(&b, "layout.html", p); err != nil {
					t.Errorf("%s (%s): %v", name, lang, err)
					continue
				}
				if a.String() != b.String() {
					t.Errorf("%s (%s) renders differently:\n%s", name, lang, firstDifference(a.String(), b.String()))
				}
				compared++
			}
		}
	}
	t.Logf("%d renderings compared", compared)
	if compared < 2*2*20 {
		t.Fatalf("only %d renderings compared; the fixture no longer renders most pages", compared)
	}
}

func firstDifference(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-60)
	return "want …" + a[from:min(len(a), i+60)] + "…\n got …" + b[from:min(len(b), i+60)] + "…"
}

func TestFixedTranslationsLeaveArgumentsAndUnknownKeys(t *testing.T) {
	src := `<p>{{.T "nav.home"}}</p><p>{{.T "feed.comments_count" "count" 3}}</p><p>{{.T "no.such.key"}}</p><a title="{{$.T "nav.feed"}}">{{.P.T "nav.events"}}</a>{{template "x" dict "Label" (.T "nav.home")}}`
	got := fixedTranslations("en", src)
	for _, want := range []string{`<p>` + i18n.T("en", "nav.home") + `</p>`, `{{.T "feed.comments_count" "count" 3}}`, `{{.T "no.such.key"}}`,
		`title="` + i18n.T("en", "nav.feed") + `"`, `>` + i18n.T("en", "nav.events") + `<`, `dict "Label" "` + i18n.T("en", "nav.home") + `"}}`} {
		if !strings.Contains(got, want) {
			t.Errorf("fixedTranslations: %q does not contain %q", got, want)
		}
	}
}
