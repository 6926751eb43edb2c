package feed_test

import (
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/tsunagu/tsunagu/internal/feed"
)

var attacks = []string{
	"<script>alert(1)</script>",
	`<img src=x onerror="alert(1)">`,
	"[x](javascript:alert(1))",
	"[x](JaVaScRiPt:alert(1))",
	"[x](java\tscript:alert(1))",
	`<a href="javascript:alert(1)">x</a>`,
	`<iframe src="https://evil.example"></iframe>`,
	`<style>body{display:none}</style>`,
	`<div style="background:url(javascript:alert(1))">x</div>`,
	"![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
	"![x](https://evil.example/track.png)",
	"[x](data:text/html,<script>alert(1)</script>)",
	`<svg onload=alert(1)>`,
	"@[<img src=x onerror=alert(1)>](member:1)",
	"@[x](member:1)<script>alert(1)</script>",
	"<a href=\"/o/s/feed\" onclick=\"alert(1)\">x</a>",
	"<details open ontoggle=alert(1)>",
	"<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
	"<<script>script>alert(1)<</script>/script>",
}

// checkSafe parses out as HTML and fails on anything that could run script.
func checkSafe(t testing.TB, in, out string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(out))
	if err != nil {
		t.Fatalf("%q: output does not parse: %v", in, err)
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "iframe", "object", "embed", "svg", "math", "form", "input", "base", "meta", "link":
				t.Fatalf("%q: element <%s> in %q", in, n.Data, out)
			}
			for _, a := range n.Attr {
				k := strings.ToLower(a.Key)
				v := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
				if strings.HasPrefix(k, "on") || k == "style" {
					t.Fatalf("%q: attribute %s in %q", in, a.Key, out)
				}
				if (k == "href" || k == "src" || k == "xlink:href" || k == "action") &&
					(strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "data:") || strings.HasPrefix(v, "vbscript:")) {
					t.Fatalf("%q: %s=%q in %q", in, a.Key, a.Val, out)
				}
				if n.Data == "img" && k == "src" && !strings.HasPrefix(a.Val, "/o/") {
					t.Fatalf("%q: foreign image %q in %q", in, a.Val, out)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
}

func TestRenderPostDropsDanger(t *testing.T) {
	for _, a := range attacks {
		out := string(feed.RenderPost("sakura", a))
		checkSafe(t, a, out)
	}
}

func TestRenderPostKeepsFormattingMentionsAndOurPhotos(t *testing.T) {
	out := string(feed.RenderPost("sakura", "**営業**を10年。\n\n- Go\n\n[ブログ](https://example.jp/blog) @[田中 太郎](member:12) さん\n\n![写真](/o/sakura/feed/posts/3/photos/0/large)"))
	for _, want := range []string{"<strong>営業</strong>", "<li>Go</li>", `href="https://example.jp/blog"`, `rel="nofollow noopener"`,
		`<a href="/o/sakura/members/12" rel="nofollow">@田中 太郎</a>`, `<img src="/o/sakura/feed/posts/3/photos/0/large" alt="写真">`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in %s", want, out)
		}
	}
}

func TestMentions(t *testing.T) {
	got := feed.Mentions("@[田中](member:3) と @[佐藤](member:5)、また @[田中](member:3)。@田中 は対象外。@[x](member:abc)")
	if len(got) != 2 || got[0] != 3 || got[1] != 5 {
		t.Errorf("mentions: %v", got)
	}
}

func FuzzRenderPost(f *testing.F) {
	for _, a := range attacks {
		f.Add(a)
	}
	f.Add("**太字** [リンク](https://example.jp) @[名前](member:1)\n\n> 引用\n\n```\ncode\n```")
	f.Fuzz(func(t *testing.T, md string) {
		checkSafe(t, md, string(feed.RenderPost("sakura", md)))
	})
}
