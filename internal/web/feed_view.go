package web

import (
	"bytes"
	"html"
	"html/template"
	"strconv"
	"unsafe"

	"github.com/tsunagu/tsunagu/internal/audience"
	"github.com/tsunagu/tsunagu/internal/feed"
)

// postView is a post on its own page: the card, and what the page around it
// needs to know.
type postView struct {
	ID, AuthorID int64
	Hidden       bool
	Card         template.HTML
}

func viewPost(p *Page, post feed.Post) postView {
	var b bytes.Buffer
	newCardWriter(p).write(&b, post, false)
	return postView{ID: post.ID, AuthorID: post.AuthorID, Hidden: post.Hidden, Card: template.HTML(b.String())}
}

// feedCards writes the cards of a feed page into buf and returns them as one
// value, so that the page template inserts them with one action instead of
// twenty. The value shares buf's memory (a feed page's cards are tens of
// kilobytes, the largest piece of garbage a page made): it must not be used
// after buf is reused.
func feedCards(p *Page, posts []feed.Post, buf *bytes.Buffer) template.HTML {
	size := 0
	for _, post := range posts {
		size += cardSize(post)
	}
	buf.Grow(size)
	cw := newCardWriter(p)
	for _, post := range posts {
		cw.write(buf, post, true)
	}
	if buf.Len() == 0 {
		return ""
	}
	return template.HTML(unsafe.String(&buf.Bytes()[0], buf.Len()))
}

// cardSize is about the length of a card: its body and photos, and the
// markup and labels around them.
func cardSize(post feed.Post) int { return 1600 + len(post.HTML) + 250*len(post.Photos) }

// cardWriter writes post cards in Go rather than with html/template: a feed
// page shows twenty of them, and template execution (reflection) was most of
// a feed read's CPU time. The labels every card shares are translated once
// per page. Every value goes through html.EscapeString (attributes are
// always double-quoted); the body is the HTML the sanitizer produced when
// the post was written.
type cardWriter struct {
	p                      *Page
	base                   string // "/o/<slug>"
	reactions              map[string]string
	audiences              map[audience.Kind]string
	comments               map[int]string
	relayLabel, hiddenNote string
}

func newCardWriter(p *Page) *cardWriter {
	cw := &cardWriter{p: p, base: p.OrgURL(""), reactions: map[string]string{}, audiences: map[audience.Kind]string{},
		comments: map[int]string{}, relayLabel: p.T("feed.relay.badge"), hiddenNote: p.T("feed.hidden_by_moderators")}
	for _, k := range feed.Reactions {
		cw.reactions[k] = html.EscapeString(p.T("feed.reaction." + k))
	}
	return cw
}

func (cw *cardWriter) audience(post feed.Post) string {
	if post.Audience.Kind == audience.Group {
		return cw.p.T("feed.audience.group_named", "name", post.GroupName)
	}
	l, ok := cw.audiences[post.Audience.Kind]
	if !ok {
		l = cw.p.T("feed.audience." + string(post.Audience.Kind))
		cw.audiences[post.Audience.Kind] = l
	}
	return l
}

func (cw *cardWriter) commentsLabel(n int) string {
	l, ok := cw.comments[n]
	if !ok {
		l = cw.p.T("feed.comments_count", "count", n)
		cw.comments[n] = l
	}
	return l
}

func (cw *cardWriter) write(sb *bytes.Buffer, post feed.Post, fromFeed bool) {
	b := cardBuilder{sb}
	e := html.EscapeString
	p := cw.p
	id := strconv.FormatInt(post.ID, 10)
	url := cw.base + "/feed/posts/" + id
	author := p.Name(post.Author)
	b.put(`<article class="card feed-post`)
	if post.Hidden {
		b.put(` is-hidden`)
	}
	b.put(`" id="p-`, id, `" aria-labelledby="ph-`, id, `">`+"\n")
	b.put(`<header class="feed-post-head"><h2 class="feed-author" id="ph-`, id, `"><a href="`, e(cw.base), `/members/`,
		strconv.FormatInt(post.AuthorID, 10), `">`, e(author), `</a></h2>`)
	b.put(`<p class="muted small"><a href="`, e(url), `"><time datetime="`, post.CreatedAt.Format("2006-01-02T15:04:05Z07:00"), `">`,
		e(p.Date(post.CreatedAt)), `</time></a> · <span class="badge">`, e(cw.audience(post)), `</span>`)
	if post.RelayID > 0 {
		b.put(` · <a href="`, e(cw.base), `/relay/`, strconv.FormatInt(post.RelayID, 10), `" class="badge">`, e(cw.relayLabel), `</a>`)
	}
	b.put("</p></header>\n")
	if post.Hidden {
		b.put(`<p class="alert" role="note">`, e(cw.hiddenNote), "</p>\n")
	}
	b.put(`<div class="feed-body">`, string(post.HTML), "</div>\n")
	if len(post.Photos) > 0 {
		b.put(`<div class="feed-photos">`)
		for i := range post.Photos {
			photo := e(url) + "/photos/" + strconv.Itoa(i) + "/"
			b.put(`<a href="`, photo, `large"><img src="`, photo, `small" alt="`, e(p.T("feed.photo_alt", "n", i+1, "name", author)),
				`" loading="lazy" width="160" height="160"></a>`)
		}
		b.put("</div>\n")
	}
	b.put(`<footer class="feed-actions">`)
	if !post.Hidden {
		b.put(`<form method="post" action="`, e(url), `/reactions" class="inline-form feed-reactions">`)
		if fromFeed {
			b.put(`<input type="hidden" name="from" value="feed">`)
		}
		for _, r := range post.Reactions {
			count := strconv.Itoa(r.Count)
			b.put(`<button type="submit" name="kind" value="`, e(r.Kind), `" class="reaction`)
			pressed := "false"
			if r.Mine {
				b.put(` mine`)
				pressed = "true"
			}
			b.put(`" aria-pressed="`, pressed, `" aria-label="`, cw.reactions[r.Kind], " ", count, `"><span aria-hidden="true">`, e(r.Emoji))
			if r.Count > 0 {
				b.put(" ", count)
			}
			b.put(`</span></button>`)
		}
		b.put(`</form>`)
	}
	if fromFeed {
		b.put(`<a href="`, e(url), `#comments">`, e(cw.commentsLabel(post.CommentCount)), `</a>`)
	}
	b.put("</footer>\n</article>\n")
}

// cardBuilder writes several pieces at once without joining them first.
type cardBuilder struct{ *bytes.Buffer }

func (b cardBuilder) put(parts ...string) {
	for _, s := range parts {
		b.WriteString(s)
	}
}
