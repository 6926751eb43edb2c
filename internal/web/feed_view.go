package web

import (
	"fmt"
	"html"
	"html/template"
	"strconv"
	"strings"

	"github.com/tsunagu/tsunagu/internal/audience"
	"github.com/tsunagu/tsunagu/internal/feed"
)

// postView is a post with every string the card shows worked out in Go:
// the feed renders twenty cards per request, and template function calls
// (reflection) were most of a feed page's cost.
type postView struct {
	ID, AuthorID      int64
	Hidden            bool
	HTML              template.HTML
	URL, AuthorURL    string
	Author            string
	When, WhenISO     string
	AudienceLabel     string
	RelayURL          string
	CommentsLabel     string
	ReactURL          string
	Photos            []photoView
	Reactions         []reactionView
	CommentCount      int
	FromFeedFormValue string
	RelayLabel        string
	HiddenNote        string
}

type photoView struct{ Small, Large, Alt string }

type reactionView struct {
	Kind, Emoji, Label string
	Count              int
	Mine               bool
}

func viewPost(p *Page, post feed.Post, fromFeed bool) postView {
	url := p.OrgURL(fmt.Sprintf("/feed/posts/%d", post.ID))
	v := postView{ID: post.ID, AuthorID: post.AuthorID, Hidden: post.Hidden, HTML: post.HTML, URL: url,
		AuthorURL: p.OrgURL(fmt.Sprintf("/members/%d", post.AuthorID)), Author: p.Name(post.Author),
		When: p.Date(post.CreatedAt), WhenISO: post.CreatedAt.Format("2006-01-02T15:04:05Z07:00"),
		CommentsLabel: p.T("feed.comments_count", "count", post.CommentCount), ReactURL: url + "/reactions", CommentCount: post.CommentCount}
	if post.Audience.Kind == audience.Group {
		v.AudienceLabel = p.T("feed.audience.group_named", "name", post.GroupName)
	} else {
		v.AudienceLabel = p.T("feed.audience." + string(post.Audience.Kind))
	}
	if post.RelayID > 0 {
		v.RelayURL = p.OrgURL(fmt.Sprintf("/relay/%d", post.RelayID))
		v.RelayLabel = p.T("feed.relay.badge")
	}
	if post.Hidden {
		v.HiddenNote = p.T("feed.hidden_by_moderators")
	}
	if fromFeed {
		v.FromFeedFormValue = "feed"
	}
	for i := range post.Photos {
		base := fmt.Sprintf("%s/photos/%d/", url, i)
		v.Photos = append(v.Photos, photoView{Small: base + "small", Large: base + "large", Alt: p.T("feed.photo_alt", "n", i+1, "name", v.Author)})
	}
	for _, r := range post.Reactions {
		v.Reactions = append(v.Reactions, reactionView{Kind: r.Kind, Emoji: r.Emoji, Count: r.Count, Mine: r.Mine,
			Label: fmt.Sprintf("%s %d", p.T("feed.reaction."+r.Kind), r.Count)})
	}
	return v
}

// feedCards is the cards of a feed page, written into one value so that the
// page template inserts them with one action instead of twenty.
func feedCards(p *Page, posts []feed.Post) template.HTML {
	var b strings.Builder
	for _, post := range posts {
		viewPost(p, post, true).writeCard(&b)
	}
	return template.HTML(b.String())
}

// Card is the post's card. It is written here rather than by html/template
// because a feed page shows twenty of them and template execution was most
// of a feed read's CPU time; every value goes through html.EscapeString
// (attributes are always double-quoted), and the body is the HTML the
// sanitizer produced when the post was written.
func (v postView) Card() template.HTML {
	var b strings.Builder
	v.writeCard(&b)
	return template.HTML(b.String())
}

func (v postView) writeCard(b *strings.Builder) {
	b.Grow(1500 + len(v.HTML))
	e := html.EscapeString
	id := strconv.FormatInt(v.ID, 10)
	b.WriteString(`<article class="card feed-post`)
	if v.Hidden {
		b.WriteString(` is-hidden`)
	}
	b.WriteString(`" id="p-` + id + `" aria-labelledby="ph-` + id + `">` + "\n")
	b.WriteString(`<header class="feed-post-head"><h2 class="feed-author" id="ph-` + id + `"><a href="` + e(v.AuthorURL) + `">` + e(v.Author) + `</a></h2>`)
	b.WriteString(`<p class="muted small"><a href="` + e(v.URL) + `"><time datetime="` + e(v.WhenISO) + `">` + e(v.When) + `</time></a> · <span class="badge">` + e(v.AudienceLabel) + `</span>`)
	if v.RelayURL != "" {
		b.WriteString(` · <a href="` + e(v.RelayURL) + `" class="badge">` + e(v.RelayLabel) + `</a>`)
	}
	b.WriteString("</p></header>\n")
	if v.Hidden {
		b.WriteString(`<p class="alert" role="note">` + e(v.HiddenNote) + "</p>\n")
	}
	b.WriteString(`<div class="feed-body">` + string(v.HTML) + "</div>\n")
	if len(v.Photos) > 0 {
		b.WriteString(`<div class="feed-photos">`)
		for _, ph := range v.Photos {
			b.WriteString(`<a href="` + e(ph.Large) + `"><img src="` + e(ph.Small) + `" alt="` + e(ph.Alt) + `" loading="lazy" width="160" height="160"></a>`)
		}
		b.WriteString("</div>\n")
	}
	b.WriteString(`<footer class="feed-actions">`)
	if !v.Hidden {
		b.WriteString(`<form method="post" action="` + e(v.ReactURL) + `" class="inline-form feed-reactions">`)
		if v.FromFeedFormValue != "" {
			b.WriteString(`<input type="hidden" name="from" value="feed">`)
		}
		for _, r := range v.Reactions {
			b.WriteString(`<button type="submit" name="kind" value="` + e(r.Kind) + `" class="reaction`)
			pressed := "false"
			if r.Mine {
				b.WriteString(` mine`)
				pressed = "true"
			}
			b.WriteString(`" aria-pressed="` + pressed + `" aria-label="` + e(r.Label) + `"><span aria-hidden="true">` + e(r.Emoji))
			if r.Count > 0 {
				b.WriteString(" " + strconv.Itoa(r.Count))
			}
			b.WriteString(`</span></button>`)
		}
		b.WriteString(`</form>`)
	}
	if v.FromFeedFormValue != "" {
		b.WriteString(`<a href="` + e(v.URL) + `#comments">` + e(v.CommentsLabel) + `</a>`)
	}
	b.WriteString("</footer>\n</article>\n")
}
