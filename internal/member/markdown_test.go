package member_test

import (
	"strings"
	"testing"

	"github.com/tsunagu/tsunagu/internal/member"
)

func TestRenderBioKeepsFormattingAndDropsDanger(t *testing.T) {
	out := string(member.RenderBio("**営業**を10年。\n\n- Go\n- データ分析\n\n[ブログ](https://example.jp/blog)"))
	for _, want := range []string{"<strong>営業</strong>", "<li>Go</li>", `href="https://example.jp/blog"`, `rel="nofollow noopener"`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in %s", want, out)
		}
	}
	attacks := []string{
		"<script>alert(1)</script>",
		`<img src=x onerror="alert(1)">`,
		"[x](javascript:alert(1))",
		"[x](JaVaScRiPt:alert(1))",
		`<a href="javascript:alert(1)">x</a>`,
		`<iframe src="https://evil.example"></iframe>`,
		`<div style="background:url(javascript:alert(1))">x</div>`,
		"![x](https://tracker.example/pixel.png)",
		`<svg onload=alert(1)>`,
		"[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
	}
	for _, a := range attacks {
		got := strings.ToLower(string(member.RenderBio(a)))
		for _, bad := range []string{"<script", "onerror", "javascript:", "<iframe", "style=", "<img", "onload", "data:text"} {
			if strings.Contains(got, bad) {
				t.Errorf("RenderBio(%q) = %q contains %q", a, got, bad)
			}
		}
	}
}

func FuzzRenderBio(f *testing.F) {
	for _, s := range []string{"**x**", "<script>x</script>", "[a](javascript:b)", "<a href='java\nscript:x'>", "<<img src=x onerror=y>>", "`<script>`"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := strings.ToLower(string(member.RenderBio(s)))
		for _, bad := range []string{"<script", " onerror=", " onload=", "href=\"javascript:", "<iframe", "<img", " style="} {
			if strings.Contains(got, bad) {
				t.Fatalf("RenderBio(%q) = %q contains %q", s, got, bad)
			}
		}
	})
}
