package feed

import (
	"bytes"
	"fmt"
	"html/template"
	"regexp"
	"strconv"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

// mentionPattern is how the composer writes a mention: @[田中 太郎](member:123).
// A name alone is not enough: Japanese names have no spaces to end them, and
// two members may share one.
var mentionPattern = regexp.MustCompile(`@\[([^\[\]\n]{1,100})\]\(member:([0-9]{1,18})\)`)

// photoSrc is the only image source a post may show: a post photo served by
// the authorized photo route.
var photoSrc = regexp.MustCompile(`^/o/[a-z0-9-]+/feed/posts/[0-9]+/photos/[0-9]/(large|small)$`)

var (
	markdown = goldmark.New(
		goldmark.WithExtensions(extension.Linkify, extension.Strikethrough),
		goldmark.WithRendererOptions(html.WithHardWraps()),
	)
	postPolicy = func() *bluemonday.Policy {
		p := bluemonday.NewPolicy()
		p.AllowElements("p", "br", "strong", "em", "del", "ul", "ol", "li", "blockquote", "code", "pre", "h3", "h4", "hr")
		p.AllowAttrs("href").OnElements("a")
		p.AllowAttrs("src").Matching(photoSrc).OnElements("img")
		p.AllowAttrs("alt").Matching(bluemonday.Paragraph).OnElements("img")
		p.AllowURLSchemes("http", "https", "mailto")
		p.AllowRelativeURLs(true)
		p.RequireParseableURLs(true)
		p.RequireNoFollowOnLinks(true)
		p.AddTargetBlankToFullyQualifiedLinks(true)
		return p
	}()
)

// Mentions returns the member ids mentioned in body, each once, in order.
func Mentions(body string) []int64 {
	var out []int64
	seen := map[int64]bool{}
	for _, m := range mentionPattern.FindAllStringSubmatch(body, -1) {
		id, err := strconv.ParseInt(m[2], 10, 64)
		if err != nil || id <= 0 || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	return out
}

// markdownEscaper escapes what would make a mention's name Markdown.
var markdownEscaper = strings.NewReplacer(`\`, `\\`, `*`, `\*`, `_`, `\_`, "`", "\\`", `~`, `\~`, `<`, `&lt;`, `>`, `&gt;`, `&`, `&amp;`)

// RenderPost turns a post written in Markdown into safe HTML. Mentions become
// links to the member's page of orgSlug.
func RenderPost(orgSlug, md string) template.HTML {
	md = mentionPattern.ReplaceAllStringFunc(md, func(s string) string {
		m := mentionPattern.FindStringSubmatch(s)
		return fmt.Sprintf("[@%s](/o/%s/members/%s)", markdownEscaper.Replace(m[1]), orgSlug, m[2])
	})
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(md), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(md))
	}
	return template.HTML(postPolicy.SanitizeBytes(buf.Bytes()))
}
