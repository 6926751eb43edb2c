package web_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
)

// feedPost submits the composer with photos as a browser would.
func feedPost(t *testing.T, e *apptest.Env, c *apptest.Client, fields map[string]string, photos ...[]byte) *apptest.Response {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	for i, p := range photos {
		fw, _ := mw.CreateFormFile("photos", fmt.Sprintf("p%d.png", i))
		_, _ = fw.Write(p)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.URL(e.OrgPath("/feed/posts")), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", e.Server.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.Do(req)
}

func countPhotoFiles(t *testing.T, e *apptest.Env) int {
	n := 0
	_ = filepath.Walk(e.App.Cfg.DataDir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && strings.Contains(p, "photo") {
			n++
		}
		return nil
	})
	return n
}

var postLocation = regexp.MustCompile(`/o/sakura/feed/posts/(\d+)$`)

func TestFeedPostCommentReactReportHideFromTheWeb(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Alumni, "author@sakura.example.jp")
	e.AddMember(t, e.Org, org.Alumni, "reader@sakura.example.jp")
	e.AddMember(t, e.Org, org.Supporter, "mod@sakura.example.jp")
	author, reader, mod := e.Client(t), e.Client(t), e.Client(t)
	author.SignIn(e.Org, "author@sakura.example.jp", apptest.Password)
	reader.SignIn(e.Org, "reader@sakura.example.jp", apptest.Password)
	mod.SignIn(e.Org, "mod@sakura.example.jp", apptest.Password)
	files := countPhotoFiles(t, e)

	// Bad input: the message next to the field, the text kept, nothing written.
	long := strings.Repeat("あ", 5001)
	for _, c := range []struct {
		fields map[string]string
		photos [][]byte
		want   string
	}{
		{map[string]string{"body": "  ", "audience": "network"}, nil, `id="e-body">本文を入力してください。`},
		{map[string]string{"body": long, "audience": "network"}, nil, `id="e-body">5000文字以内で入力してください（現在5001文字）。`},
		{map[string]string{"body": "x", "audience": "group:99999"}, nil, `id="e-audience">参加していないグループには投稿できません。`},
		{map[string]string{"body": "x", "audience": "everyone"}, nil, `id="e-audience">公開範囲を選んでください。`},
		{map[string]string{"body": "写真が多すぎ", "audience": "network"}, [][]byte{pngBytes(t, 64, 64), pngBytes(t, 64, 64), pngBytes(t, 64, 64), pngBytes(t, 64, 64), pngBytes(t, 64, 64)}, `id="e-photos">写真は4枚までです。`},
		{map[string]string{"body": "壊れた写真", "audience": "network"}, [][]byte{[]byte("<script>alert(1)</script>")}, `id="e-photos">`},
		{map[string]string{"body": "長すぎる本文と写真" + long, "audience": "network"}, [][]byte{pngBytes(t, 64, 64)}, `id="e-body">`},
	} {
		res := feedPost(t, e, author, c.fields, c.photos...)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, c.want) {
			t.Errorf("%.30q: %d, want 422 with %q", c.fields["body"], res.StatusCode, c.want)
		}
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM posts`); n != 0 {
		t.Fatalf("bad posts wrote %d", n)
	}
	if n := countPhotoFiles(t, e); n != files {
		t.Errorf("refused posts left %d photo files", n-files)
	}

	// A post with unsafe Markdown and a photo.
	res := feedPost(t, e, author, map[string]string{"body": "**こんにちは** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>", "audience": "network"}, pngBytes(t, 64, 64))
	m := postLocation.FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("post: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	path := e.OrgPath("/feed/posts/" + m[1])
	page := reader.Get(path)
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "<strong>こんにちは</strong>") ||
		strings.Contains(page.Body, "alert(1)</script>") || strings.Contains(page.Body, "javascript:alert") || strings.Contains(page.Body, "onerror") {
		t.Fatalf("post page %d:\n%s", page.StatusCode, page.Body)
	}
	if img := reader.Get(path + "/photos/0/small"); img.StatusCode != http.StatusOK || img.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("photo: %d %s", img.StatusCode, img.Header.Get("Content-Type"))
	}
	if img := reader.Get(path + "/photos/1/small"); img.StatusCode != http.StatusNotFound {
		t.Errorf("missing photo: %d", img.StatusCode)
	}

	// Comment: too long is refused; a good one shows and the author is told.
	if res := reader.Post(path+"/comments", url.Values{"comment": {strings.Repeat("い", 1001)}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, `id="e-comment">1000文字以内で入力してください（現在1001文字）。`) {
		t.Errorf("long comment: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM post_comments`); n != 0 {
		t.Fatalf("long comment written")
	}
	if res := reader.Post(path+"/comments", url.Values{"comment": {"素敵ですね <b>太字</b>"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("comment: %d", res.StatusCode)
	}
	if page := author.Get(path); !strings.Contains(page.Body, "素敵ですね &lt;b&gt;太字&lt;/b&gt;") || !strings.Contains(page.Body, "コメント（1件）") {
		t.Errorf("author does not see the comment")
	}
	// Reactions toggle: twice is none.
	reader.Post(path+"/reactions", url.Values{"kind": {"love"}})
	if n := e.Count(t, `SELECT COUNT(*) FROM post_reactions`); n != 1 {
		t.Errorf("reactions %d", n)
	}
	reader.Post(path+"/reactions", url.Values{"kind": {"love"}})
	if n := e.Count(t, `SELECT COUNT(*) FROM post_reactions`); n != 0 {
		t.Errorf("reacting twice left %d", n)
	}
	if res := reader.Post(path+"/reactions", url.Values{"kind": {"angry"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown reaction: %d", res.StatusCode)
	}
	// Report, then hide from the staff queue.
	if res := reader.Post(path+"/report", url.Values{"reason": {""}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `id="e-reason">本文を入力してください。`) {
		t.Errorf("empty reason: %d", res.StatusCode)
	}
	reader.Post(path+"/report", url.Values{"reason": {"宣伝です"}})
	if res := reader.Post(path+"/report", url.Values{"reason": {"宣伝です"}}); res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "すでに通報済み") {
		t.Errorf("second report: %d", res.StatusCode)
	}
	queue := mod.Get(e.OrgPath("/admin/feed/reports"))
	if !strings.Contains(queue.Body, "宣伝です") {
		t.Fatalf("queue lacks the report:\n%s", queue.Body)
	}
	if res := mod.Post(path+"/hide", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("hide: %d", res.StatusCode)
	}
	if res := reader.Get(path); res.StatusCode != http.StatusNotFound {
		t.Errorf("reader sees the hidden post: %d", res.StatusCode)
	}
	if res := reader.Get(path + "/photos/0/small"); res.StatusCode != http.StatusNotFound {
		t.Errorf("reader sees the hidden post's photo: %d", res.StatusCode)
	}
	if res := author.Get(path); !strings.Contains(res.Body, "運営担当者により非表示") {
		t.Errorf("author is not told the post is hidden")
	}
	if feedPage := reader.Get(e.OrgPath("/feed")); strings.Contains(feedPage.Body, "こんにちは") {
		t.Errorf("hidden post in the reader's feed")
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'feed.post_hidden'`); n != 1 {
		t.Errorf("hide audited %d times", n)
	}
	if admin := mod.Get(e.OrgPath("/admin")); !strings.Contains(admin.Body, "投稿への通報") {
		t.Errorf("admin page lacks the reports entry")
	}

	// Another organization's post is not found.
	other := e.AddOrg(t, "kaede")
	e.AddMember(t, other, org.Admin, "admin@kaede.example.jp")
	stranger := e.Client(t)
	stranger.SignIn(other, "admin@kaede.example.jp", apptest.Password)
	if res := stranger.Get("/o/kaede/feed/posts/" + m[1]); res.StatusCode != http.StatusNotFound {
		t.Errorf("another organization's post: %d", res.StatusCode)
	}
}

func TestFeedMentionPickerAndNotification(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Alumni, "author@sakura.example.jp")
	hanako := e.AddProfile(t, e.Org, org.Alumni, "hanako@sakura.example.jp", org.Name{Family: "佐藤", Given: "花子", FamilyKana: "さとう", GivenKana: "はなこ"}, nil)
	c := e.Client(t)
	c.SignIn(e.Org, "author@sakura.example.jp", apptest.Password)
	res := c.Get(e.OrgPath("/feed/members?q=" + url.QueryEscape("佐藤")))
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, fmt.Sprintf(`{"id":%d,"name":"佐藤 花子"}`, hanako)) {
		t.Fatalf("picker: %d %s", res.StatusCode, res.Body)
	}
	body := fmt.Sprintf("@[佐藤 花子](member:%d) さん、ようこそ", hanako)
	if res := c.Post(e.OrgPath("/feed/posts"), url.Values{"body": {body}, "audience": {"network"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("post: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = 'feed.mention' AND category = 'mentions'`, hanako); n != 1 {
		t.Errorf("mention notifications: %d", n)
	}
	if page := c.Get(e.OrgPath("/feed")); !strings.Contains(page.Body, fmt.Sprintf(`<a href="/o/sakura/members/%d" rel="nofollow">@佐藤 花子</a>`, hanako)) {
		t.Errorf("mention link missing from the feed")
	}
}

func TestFeedRelayFromTheWeb(t *testing.T) {
	e := apptest.New(t)
	for _, n := range []string{"a", "b", "c"} {
		e.AddMember(t, e.Org, org.Alumni, n+"@sakura.example.jp")
	}
	a, b := e.Client(t), e.Client(t)
	a.SignIn(e.Org, "a@sakura.example.jp", apptest.Password)
	b.SignIn(e.Org, "b@sakura.example.jp", apptest.Password)
	res := a.Post(e.OrgPath("/relay"), url.Values{"body": {"Aです"}, "next": {"a@sakura.example.jp"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `id="e-next">ご自身は指名できません。`) {
		t.Fatalf("naming oneself: %d", res.StatusCode)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM relays`) + e.Count(t, `SELECT COUNT(*) FROM posts`); n != 0 {
		t.Fatalf("refused start wrote %d", n)
	}
	res = a.Post(e.OrgPath("/relay"), url.Values{"body": {"Aです。よろしくお願いします。"}, "next": {"b@sakura.example.jp"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %d\n%s", res.StatusCode, res.Body)
	}
	relay := res.Header.Get("Location")
	if page := b.Get(e.OrgPath("/relay")); !strings.Contains(page.Body, "あなたが指名されています") {
		t.Errorf("B is not shown their turn")
	}
	// A may not write again: it is B's turn.
	if res := a.Post(relay+"/write", url.Values{"body": {"もう一度"}, "next": {"c@sakura.example.jp"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("A wrote out of turn: %d", res.StatusCode)
	}
	if res := b.Post(relay+"/pass", url.Values{"next": {"a@sakura.example.jp"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "すでにこのリレーに参加") {
		t.Errorf("passing back to A: %d", res.StatusCode)
	}
	if res := b.Post(relay+"/write", url.Values{"body": {"Bです"}, "next": {"c@sakura.example.jp"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("B writes: %d", res.StatusCode)
	}
	chain := a.Get(relay)
	if !strings.Contains(chain.Body, "現在の指名：田中 太郎さん") || strings.Count(chain.Body, "自己紹介を読む") != 2 {
		t.Errorf("chain page:\n%s", chain.Body)
	}
}

// The post card is written in Go, not by html/template: every name it shows
// must still come out escaped.
func TestFeedCardEscapesNames(t *testing.T) {
	e := apptest.New(t)
	m := e.AddMember(t, e.Org, org.Alumni, "evil@sakura.example.jp")
	if _, err := e.App.DB.Write().Exec(`UPDATE users SET family_name = $1, given_name = $2 WHERE id = $3`, `"><script>alert(1)</script>`, `<img src=x onerror=alert(2)>`, m.UserID); err != nil {
		t.Fatal(err)
	}
	var g int64
	if err := e.App.DB.Write().QueryRow(`INSERT INTO groups (org_id, name, kind, created_at, updated_at) VALUES ($1, $2, 'open', $3, $3) RETURNING id`,
		e.Org.ID, `"onmouseover="alert(3)`, e.Clock.Now()).Scan(&g); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.DB.Write().Exec(`INSERT INTO group_members (org_id, group_id, user_id, state, created_at) VALUES ($1, $2, $3, 'member', $4)`, e.Org.ID, g, m.UserID, e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	c := e.Client(t)
	c.SignIn(e.Org, "evil@sakura.example.jp", apptest.Password)
	if res := c.Post(e.OrgPath("/feed/posts"), url.Values{"body": {"こんにちは"}, "audience": {fmt.Sprintf("group:%d", g)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("post: %d %s", res.StatusCode, res.Body)
	}
	page := c.Get(e.OrgPath("/feed"))
	for _, bad := range []string{"<script>alert(1)", "<img src=x onerror", `"onmouseover="`} {
		if strings.Contains(page.Body, bad) {
			t.Errorf("feed page contains %q unescaped", bad)
		}
	}
	if !strings.Contains(page.Body, "&lt;script&gt;alert(1)&lt;/script&gt;") || !strings.Contains(page.Body, "&#34;onmouseover=&#34;alert(3)") {
		t.Errorf("names not shown escaped")
	}
}

// The untouched composer is kept between requests; each member must still
// see exactly the audiences they may post to, in their language, and a
// composer sent back with an error must show the error and what was typed.
func TestFeedComposerIsEachMembersOwn(t *testing.T) {
	e := apptest.New(t)
	inGroup := e.AddMember(t, e.Org, org.Alumni, "in-group@sakura.example.jp")
	e.AddMember(t, e.Org, org.Alumni, "outside@sakura.example.jp")
	var g int64
	if err := e.App.DB.Write().QueryRow(`INSERT INTO groups (org_id, name, kind, created_at, updated_at) VALUES ($1, $2, 'open', $3, $3) RETURNING id`,
		e.Org.ID, "関西OB会", e.Clock.Now()).Scan(&g); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.DB.Write().Exec(`INSERT INTO group_members (org_id, group_id, user_id, state, created_at) VALUES ($1, $2, $3, 'member', $4)`, e.Org.ID, g, inGroup.UserID, e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	member, outsider := e.Client(t), e.Client(t)
	member.SignIn(e.Org, "in-group@sakura.example.jp", apptest.Password)
	outsider.SignIn(e.Org, "outside@sakura.example.jp", apptest.Password)
	option := fmt.Sprintf(`<option value="group:%d">`, g)
	for range 2 { // the second round is served from the kept composer
		if body := member.Get(e.OrgPath("/feed")).Body; !strings.Contains(body, option+"グループ：関西OB会</option>") {
			t.Fatal("a group member is not offered the group")
		}
		if body := outsider.Get(e.OrgPath("/feed")).Body; strings.Contains(body, option) || !strings.Contains(body, `id="f-body"`) {
			t.Fatal("a member outside the group is offered it, or has no composer")
		}
	}
	en := e.Client(t)
	en.SignIn(e.Org, "outside@sakura.example.jp", apptest.Password)
	if res := en.Post(e.OrgPath("/lang"), url.Values{"lang": {"en"}, "next": {e.OrgPath("/feed")}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch language: %d", res.StatusCode)
	}
	for range 2 {
		if body := en.Get(e.OrgPath("/feed")).Body; !strings.Contains(body, ">Post</button>") || strings.Contains(body, "投稿する") {
			t.Fatal("the English feed shows the Japanese composer")
		}
	}
	if body := member.Get(e.OrgPath("/feed")).Body; !strings.Contains(body, ">投稿する</button>") {
		t.Fatal("the Japanese feed shows the English composer")
	}
	// Too long a post comes back with its text and the error, not the kept composer.
	long := strings.Repeat("あ", 5001)
	res := member.Post(e.OrgPath("/feed/posts"), url.Values{"body": {long}, "audience": {fmt.Sprintf("group:%d", g)}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, long+"</textarea>") ||
		!strings.Contains(res.Body, `aria-invalid="true"`) || !strings.Contains(res.Body, `<option value="group:`+fmt.Sprint(g)+`" selected>`) {
		t.Fatalf("a refused post: %d; text, error and chosen audience kept: %v %v %v", res.StatusCode, strings.Contains(res.Body, long+"</textarea>"),
			strings.Contains(res.Body, `aria-invalid="true"`), strings.Contains(res.Body, `" selected>`))
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM posts`); n != 0 {
		t.Fatalf("a refused post was stored: %d", n)
	}
}
