package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/i18n"
	"github.com/tsunagu/tsunagu/internal/platform/tz"
)

// templates holds every page once per language (see fixedTranslations),
// and the fragments rendered from them that are kept (see fragment).
type templates struct {
	byLang map[string]map[string]*template.Template

	mu        sync.RWMutex
	fragments map[string]template.HTML
}

// maxFragments bounds the fragment cache; when it is full it starts again.
const maxFragments = 2000

// fragment renders the template name of a page, or returns it as rendered
// before under the same key. It is for a piece of a busy page that is the
// same for everyone who sees it with the same key: key must name everything
// the piece shows (beyond the page's language, which is added), and the
// piece must not show errors or what someone typed.
func (t *templates) fragment(p *Page, page, name, key string) (template.HTML, error) {
	key = p.Lang + "\x00" + page + "\x00" + name + "\x00" + key
	t.mu.RLock()
	h, ok := t.fragments[key]
	t.mu.RUnlock()
	if ok {
		return h, nil
	}
	tmpl, ok := t.page(p.Lang, page)
	if !ok {
		return "", fmt.Errorf("no template %s", page)
	}
	var b strings.Builder
	if err := tmpl.ExecuteTemplate(&b, name, p); err != nil {
		return "", fmt.Errorf("render %s of %s: %w", name, page, err)
	}
	h = template.HTML(b.String())
	t.mu.Lock()
	if len(t.fragments) >= maxFragments {
		t.fragments = nil
	}
	if t.fragments == nil {
		t.fragments = map[string]template.HTML{}
	}
	t.fragments[key] = h
	t.mu.Unlock()
	return h, nil
}

// page returns a page's template for a language (Japanese for any other).
func (t *templates) page(lang, name string) (*template.Template, bool) {
	pages, ok := t.byLang[lang]
	if !ok {
		pages = t.byLang[i18n.Default]
	}
	tmpl, ok := pages[name]
	return tmpl, ok
}

var funcs = template.FuncMap{
	"add":     func(a, b int) int { return a + b },
	"sub":     func(a, b int) int { return a - b },
	"roleKey": func(r org.Role) string { return "role." + string(r) },
	// membersCSV builds the export link of the members page from its filters.
	"membersCSV": membersCSVURL,
	// slice1 is the first character of a string, for avatar initials.
	"slice1": func(s string) string {
		for _, r := range s {
			return string(r)
		}
		return ""
	},
	"options": selectOptions,
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
}

// option is one <option> of a select.
type option struct{ Value, Label string }

// selectOptions writes a select's options in Go, marking the current value:
// a template range over them, with a translation and a comparison for each,
// cost more than the rest of a busy page's form.
func selectOptions(opts []option, current string) template.HTML {
	var b strings.Builder
	for _, o := range opts {
		b.WriteString(`<option value="`)
		b.WriteString(escapeLikeTemplates.Replace(o.Value))
		b.WriteString(`"`)
		if o.Value == current {
			b.WriteString(` selected`)
		}
		b.WriteString(`>`)
		b.WriteString(escapeLikeTemplates.Replace(o.Label))
		b.WriteString(`</option>`)
	}
	return template.HTML(b.String())
}

// parseTemplates parses layout.html with each page, so that every page
// defines "title" and "main" for the layout to place; once per language.
func parseTemplates() (*templates, error) {
	t := &templates{byLang: map[string]map[string]*template.Template{}}
	for _, lang := range i18n.Languages {
		pages, err := parsePages(func(src string) string { return fixedTranslations(lang, src) })
		if err != nil {
			return nil, err
		}
		t.byLang[lang] = pages
	}
	return t, nil
}

// parsePages parses every page with the layout and partials, each file's
// text passed through prepare first.
func parsePages(prepare func(string) string) (map[string]*template.Template, error) {
	parse := func(t *template.Template, file string) (*template.Template, error) {
		src, err := fs.ReadFile(assets, file)
		if err != nil {
			return nil, err
		}
		name := path.Base(file)
		if t == nil {
			t = template.New(name).Funcs(funcs)
		} else {
			t = t.New(name)
		}
		return t.Parse(prepare(string(src)))
	}
	base, err := parse(nil, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	partials, err := fs.Glob(assets, "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	for _, f := range partials {
		if _, err := parse(base, f); err != nil {
			return nil, err
		}
	}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := path.Base(n)
		if name == "layout.html" {
			continue
		}
		clone, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := parse(clone, n); err != nil {
			return nil, err
		}
		pages[name] = clone.Lookup("layout.html")
	}
	return pages, nil
}

// fixedTranslation matches a translation with no arguments: {{.T "key"}},
// {{$.T "key"}} or {{.P.T "key"}} (P being the page in a partial's dict).
var fixedTranslation = regexp.MustCompile(`\{\{\s*(?:\$|\.P|\$\.P)?\.T\s+"([a-z0-9_.]+)"\s*\}\}`)

// escapeLikeTemplates escapes text exactly as html/template does in HTML text
// and quoted attributes, so that a page reads the same byte for byte.
var escapeLikeTemplates = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

// fixedTranslationArg matches the same as an argument: (.T "key").
var fixedTranslationArg = regexp.MustCompile(`\(\s*(?:\$|\.P|\$\.P)?\.T\s+"([a-z0-9_.]+)"\s*\)`)

// fixedTranslations writes the translations that take no arguments into a
// template's text for one language, escaped, before it is parsed. Four in
// five translations on a page are such constants; as template actions each
// cost a reflective call and an escaper, which made up much of the time a
// page took to render. Every such action sits in HTML text or a quoted
// attribute, where the escaped text means exactly what the action printed
// (TestFixedTranslationsRenderTheSame).
func fixedTranslations(lang, src string) string {
	src = fixedTranslation.ReplaceAllStringFunc(src, func(action string) string {
		key := fixedTranslation.FindStringSubmatch(action)[1]
		text, ok := fixedText(lang, key)
		if !ok {
			return action
		}
		return escapeLikeTemplates.Replace(text)
	})
	// As an argument, (.T "key") becomes the string itself: whatever
	// prints it escapes it, as before.
	return fixedTranslationArg.ReplaceAllStringFunc(src, func(arg string) string {
		key := fixedTranslationArg.FindStringSubmatch(arg)[1]
		text, ok := fixedText(lang, key)
		if !ok {
			return arg
		}
		return strconv.Quote(text)
	})
}

// fixedText is a translation that can be written into a template: one that
// exists (a missing one is left for T to show as missing) and does not
// contain the template's delimiters.
func fixedText(lang, key string) (string, bool) {
	if !i18n.Has(lang, key) && !i18n.Has(i18n.Default, key) {
		return "", false
	}
	text := i18n.T(lang, key)
	if strings.Contains(text, "{{") || strings.Contains(text, "}}") {
		return "", false
	}
	return text, true
}

// Page is what every template receives.
type Page struct {
	Lang      string
	Org       org.Organization
	HasOrg    bool
	Member    *org.Member
	Title     string
	Nav       []NavItem
	Flash     string
	Errors    map[string]string
	Form      map[string]string
	Data      any
	RequestID string
	Version   string
	Path      string
	Unread    int // the member's unread notifications, for the badge on 通知
	// UnreadMessages counts the member's unread direct messages, for the
	// badge on メッセージ.
	UnreadMessages int
}

// NavItem is one link in the header.
type NavItem struct {
	Href, Label string
	Current     bool
	Badge       string // a count shown next to the label ("3", "99+")
	BadgeLabel  string // what a screen reader hears for it, e.g. "（未読3件）"
}

// NavList is the main menu's list. It is written in Go because it is on
// every page and, as a template range, cost more than the rest of the
// layout; every value is escaped.
func (p *Page) NavList() template.HTML {
	var b strings.Builder
	b.Grow(160 * len(p.Nav))
	b.WriteString("<ul>")
	for _, item := range p.Nav {
		b.WriteString(`<li><a href="`)
		b.WriteString(escapeLikeTemplates.Replace(item.Href))
		b.WriteString(`"`)
		if item.Current {
			b.WriteString(` aria-current="page"`)
		}
		b.WriteString(`>`)
		b.WriteString(escapeLikeTemplates.Replace(item.Label))
		if item.Badge != "" {
			b.WriteString(` <span class="badge nav-count" aria-hidden="true">`)
			b.WriteString(escapeLikeTemplates.Replace(item.Badge))
			b.WriteString(`</span><span class="visually-hidden">`)
			b.WriteString(escapeLikeTemplates.Replace(item.BadgeLabel))
			b.WriteString(`</span>`)
		}
		b.WriteString("</a></li>")
	}
	b.WriteString("</ul>")
	return template.HTML(b.String())
}

// T translates for the page's language.
func (p *Page) T(key string, args ...any) string { return i18n.T(p.Lang, key, args...) }

// Name shows a member's name the way the page's language wants it.
func (p *Page) Name(n org.Name) string { return n.Display(p.Lang) }

// Date formats a date for the page's language.
func (p *Page) Date(t time.Time) string {
	t = t.In(tz.Japan)
	if p.Lang == "ja" {
		return t.Format("2006年1月2日 15:04")
	}
	return t.Format("2 Jan 2006 15:04")
}

// Day formats a date without the time.
func (p *Page) Day(t time.Time) string {
	t = t.In(tz.Japan)
	if p.Lang == "ja" {
		return t.Format("2006年1月2日")
	}
	return t.Format("2 Jan 2006")
}

// CalendarDay formats a calendar day kept as ISO text ("2026-03-31"), as HR
// records dates, the way Day shows dates; anything else is shown as it is.
func (p *Page) CalendarDay(iso string) string {
	d, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	if p.Lang == "ja" {
		return d.Format("2006年1月2日")
	}
	return d.Format("2 Jan 2006")
}

// OrgURL builds a path inside the page's organization.
func (p *Page) OrgURL(rest string) string { return "/o/" + p.Org.Slug + rest }

// Role tells whether the signed-in member has one of the roles.
func (p *Page) Role(roles ...string) bool {
	if p.Member == nil {
		return false
	}
	for _, r := range roles {
		if string(p.Member.Role) == r {
			return true
		}
	}
	return false
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *Page) {
	p.RequestID = RequestID(r.Context())
	p.Version = s.cfg.Version
	p.Path = r.URL.Path
	if p.Lang == "" {
		p.Lang = s.language(r, p.Member)
	}
	t, ok := s.pages.page(p.Lang, name)
	if !ok {
		s.serverError(w, r, fmt.Errorf("no template %s", name))
		return
	}
	root := "layout.html"
	if r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Target") != "" && t.Lookup("fragment") != nil {
		root = "fragment"
	}
	if p.Nav == nil && p.HasOrg {
		if p.Member != nil && s.notify != nil && root == "layout.html" {
			// One COUNT on the partial index notifications_unread, for the
			// badge in the menu (fragments have no menu); a failure only
			// hides the badge.
			if n, err := s.notify.UnreadCount(r.Context(), p.Org.ID, p.Member.UserID); err == nil {
				p.Unread = n
			}
			p.UnreadMessages = s.MessageUnread(r, p.Member)
		}
		p.Nav = navFor(p)
	}
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	if err := t.ExecuteTemplate(buf, root, p); err != nil {
		s.serverError(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", p.Lang)
	// The whole page is in hand: with its length known it goes out in one
	// write instead of a chunk for every 4 KB.
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Add("Vary", "HX-Request")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// pageBuffers hold rendered pages between requests: a feed page is tens of
// kilobytes, and growing a fresh buffer for each one was a large share of
// the garbage a page made.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putPageBuffer(b *bytes.Buffer) {
	if b.Cap() > 1<<20 {
		return // an unusually large page is not kept
	}
	b.Reset()
	pageBuffers.Put(b)
}

func navFor(p *Page) []NavItem {
	if p.Member == nil {
		return nil
	}
	items := []NavItem{{Href: p.OrgURL("/"), Label: p.T("nav.home")}, {Href: p.OrgURL("/feed"), Label: p.T("nav.feed")},
		{Href: p.OrgURL("/events"), Label: p.T("nav.events")}, {Href: p.OrgURL("/groups"), Label: p.T("nav.groups")},
		{Href: p.OrgURL("/messages"), Label: p.T("nav.messages")}, {Href: p.OrgURL("/notifications"), Label: p.T("nav.notifications")},
		{Href: p.OrgURL("/members"), Label: p.T("nav.directory")}}
	if p.Member.Role.Staff() {
		items = append(items, NavItem{Href: p.OrgURL("/admin"), Label: p.T("nav.admin")})
	}
	items = append(items, NavItem{Href: p.OrgURL("/profile"), Label: p.T("nav.profile")}, NavItem{Href: p.OrgURL("/account"), Label: p.T("nav.account")})
	badges := map[string]int{p.OrgURL("/notifications"): p.Unread, p.OrgURL("/messages"): p.UnreadMessages}
	for i := range items {
		if n := badges[items[i].Href]; n > 0 {
			items[i].Badge = strconv.Itoa(min(n, 99))
			if n > 99 {
				items[i].Badge += "+"
			}
			items[i].BadgeLabel = p.T("notify.badge", "count", n)
		}
	}
	for i := range items {
		items[i].Current = items[i].Href == p.Path || (items[i].Href != p.OrgURL("/") && strings.HasPrefix(p.Path, items[i].Href))
	}
	return items
}

// errorPage renders a localized error. key is a catalog key that says what
// happened and what to do.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, key string) {
	p := &Page{Title: i18n.T(s.language(r, nil), "error.title")}
	if rc := reqFrom(r); rc != nil {
		p.Org, p.HasOrg, p.Member = rc.org, true, rc.member
	}
	p.Data = map[string]any{"Status": status, "Key": key}
	if _, ok := s.pages.page(p.Lang, "error.html"); ok {
		s.render(w, r, status, "error.html", p)
		return
	}
	http.Error(w, key, status)
}

// serverError logs the cause and shows a generic page with the request id,
// never the internal error itself.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "internal error", "err", err, "path", r.URL.Path)
	lang := s.language(r, nil)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusInternalServerError)
	// Rendered without templates: a broken template must not hide the error page.
	fmt.Fprintf(w, `<!doctype html><html lang="%s"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>%s</title><link rel="stylesheet" href="/static/app.css"></head><body><main id="main" class="container"><h1>%s</h1><p>%s</p><p class="muted">%s</p></main></body></html>`,
		lang, template.HTMLEscapeString(i18n.T(lang, "error.title")), template.HTMLEscapeString(i18n.T(lang, "error.title")),
		template.HTMLEscapeString(i18n.T(lang, "error.internal")),
		template.HTMLEscapeString(i18n.T(lang, "error.request_id", "id", RequestID(r.Context()))))
}

func (s *Server) notFoundPage(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound, "error.not_found")
}
