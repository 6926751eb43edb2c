package web_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/org"
)

// editForm is a complete, valid profile form.
func editForm() url.Values {
	v := url.Values{
		"joined_year": {"2012"}, "left_year": {"2019"}, "departments": {"営業部\n人事部"}, "roles_held": {"課長"},
		"current_company": {"株式会社ミライデータ"}, "current_role": {"データアナリスト"}, "industry": {"it"}, "location": {"大阪府"},
		"skills": {"データ分析、Python"}, "interests": {"登山"}, "bio": {"**よろしく**お願いします。"},
		"links": {"https://example.jp/taro"}, "open_rehire": {"1"}, "open_mentoring": {"1"},
		"family_name": {"田中"}, "given_name": {"太郎"}, "family_kana": {"たなか"}, "given_kana": {"たろう"},
		"family_romaji": {"Tanaka"}, "given_romaji": {"Taro"}, "name_order_en": {"given_first"},
	}
	for _, f := range member.Fields {
		v.Set("vis_"+f, "members")
	}
	return v
}

func TestProfileEditAndVisibility(t *testing.T) {
	e := apptest.New(t)
	owner := e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	e.AddMember(t, e.Org, org.Alumni, "hanako@example.jp")
	e.AddMember(t, e.Org, org.Admin, "hr@example.jp")
	me := e.Client(t)
	me.SignIn(e.Org, "taro@example.jp", apptest.Password)

	form := editForm()
	form.Set("vis_work", "admins") // company, industry and role: HR only
	res := me.Post(e.OrgPath("/profile"), form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save profile: %d\n%s", res.StatusCode, res.Body)
	}
	profilePath := e.OrgPath(fmt.Sprintf("/members/%d", owner.UserID))
	if own := me.Get(profilePath); !strings.Contains(own.Body, "株式会社ミライデータ") || !strings.Contains(own.Body, "<strong>よろしく</strong>") {
		t.Error("the owner does not see their own hidden company, or the bio is not rendered")
	}

	peer := e.Client(t)
	peer.SignIn(e.Org, "hanako@example.jp", apptest.Password)
	page := peer.Get(profilePath)
	if page.StatusCode != http.StatusOK || strings.Contains(page.Body, "ミライデータ") || strings.Contains(page.Body, "データアナリスト") {
		t.Fatalf("another member sees the hidden company: %d", page.StatusCode)
	}
	if !strings.Contains(page.Body, "データ分析") || !strings.Contains(page.Body, "大阪府") {
		t.Error("visible fields are missing for another member")
	}
	if strings.Contains(page.Body, "taro@example.jp") {
		t.Error("members see each other's email addresses")
	}
	// Neither search nor filters reveal the hidden value to members...
	for _, q := range []string{"q=ミライデータ", "q=" + url.QueryEscape("データアナリスト"), "industry=it"} {
		if res := peer.Get(e.OrgPath("/members?" + q)); !strings.Contains(res.Body, "0 人") {
			t.Errorf("member directory ?%s finds the member by a hidden field", q)
		}
	}
	// ...while visible fields find them, and names in any script (all three
	// test members are called 田中 太郎).
	for q, want := range map[string]string{"データ分析": "1 人", "大阪": "1 人", "たなか": "3 人", "ﾀﾅｶ": "3 人", "TANAKA": "3 人", "田中太郎": "3 人", "田中 太郎": "3 人"} {
		if res := peer.Get(e.OrgPath("/members?q=" + url.QueryEscape(q))); !strings.Contains(res.Body, want) {
			t.Errorf("member directory q=%s: want %s", q, want)
		}
	}
	// Admins see and filter everything.
	hr := e.Client(t)
	hr.SignIn(e.Org, "hr@example.jp", apptest.Password)
	if res := hr.Get(e.OrgPath("/admin/members?industry=it")); !strings.Contains(res.Body, "1 人") {
		t.Error("admin filter on a field hidden to members finds nothing")
	}
	if res := hr.Get(e.OrgPath(fmt.Sprintf("/admin/members/%d", owner.UserID))); !strings.Contains(res.Body, "株式会社ミライデータ") {
		t.Error("admin does not see the hidden company")
	}
}

func TestProfileBadInputSavesNothing(t *testing.T) {
	e := apptest.New(t)
	owner := e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	me := e.Client(t)
	me.SignIn(e.Org, "taro@example.jp", apptest.Password)
	if res := me.Post(e.OrgPath("/profile"), editForm()); res.StatusCode != http.StatusSeeOther {
		t.Fatal(res.StatusCode)
	}
	before, _ := e.App.Members.Get(t.Context(), e.Org.ID, owner.UserID)
	cases := []struct {
		field, value, want string
	}{
		{"joined_year", "二〇一二", "西暦の数字で"},
		{"joined_year", "1850", "1900年から"},
		{"left_year", "2005", "退職年が入社年より前"},
		{"current_company", strings.Repeat("社", 101), "100文字以内"},
		{"bio", strings.Repeat("あ", 4001), "4000文字以内"},
		{"links", "javascript:alert(1)", "使えないリンク"},
		{"links", "example.jp/no-scheme", "使えないリンク"},
		{"skills", func() string {
			var b strings.Builder
			for i := 0; i < 31; i++ {
				fmt.Fprintf(&b, "skill%d\n", i)
			}
			return b.String()
		}(), "30件まで"},
		{"industry", "piracy", "一覧から選んで"},
		{"vis_bio", "everyone", "一覧から選んで"},
		{"family_name", "", "入力してください"},
		{"given_kana", strings.Repeat("た", 101), "100文字以内"},
		{"name_order_en", "random", "一覧から選んで"},
	}
	for _, c := range cases {
		f := editForm()
		f.Set("current_company", "変えようとした会社")
		f.Set(c.field, c.value)
		res := me.Post(e.OrgPath("/profile"), f)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, c.want) {
			t.Errorf("%s=%.20q: %d, want 422 with %q", c.field, c.value, res.StatusCode, c.want)
		}
	}
	after, _ := e.App.Members.Get(t.Context(), e.Org.ID, owner.UserID)
	if after.CurrentCompany != before.CurrentCompany || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Fatal("a refused profile form changed the profile")
	}
	if res := e.Client(t).Get(e.OrgPath("/members?q=" + url.QueryEscape("変えようとした"))); res.StatusCode != http.StatusSeeOther {
		t.Fatal("directory open to signed-out visitors")
	}
}

func TestInternalFieldsNeverReachMembersAndAreAudited(t *testing.T) {
	e := apptest.New(t)
	target := e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	e.AddMember(t, e.Org, org.Admin, "hr@example.jp")
	e.AddMember(t, e.Org, org.Supporter, "sup@example.jp")
	hr := e.Client(t)
	hr.SignIn(e.Org, "hr@example.jp", apptest.Password)
	path := e.OrgPath(fmt.Sprintf("/admin/members/%d", target.UserID))
	secret := url.Values{"rehire_eligibility": {"conditional"}, "rehire_conditions": {"部長職以上は不可"}, "notes": {"退職理由は家庭の事情（秘密メモ）"}, "employee_number": {"E-00042"}}
	if res := hr.Post(path+"/internal", secret); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save internal: %d\n%s", res.StatusCode, res.Body)
	}
	if res := hr.Get(path); !strings.Contains(res.Body, "秘密メモ") || !strings.Contains(res.Body, "E-00042") {
		t.Fatal("admin does not see the internal fields")
	}
	// Bad input changes nothing.
	if res := hr.Post(path+"/internal", url.Values{"rehire_eligibility": {"maybe"}, "notes": {"上書き"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad eligibility: %d", res.StatusCode)
	}
	if res := hr.Get(path); !strings.Contains(res.Body, "秘密メモ") {
		t.Fatal("a refused form overwrote the notes")
	}
	for _, action := range []string{"admin.internal_changed", "admin.internal_viewed"} {
		if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = $1 AND target = $2`, action, fmt.Sprintf("user:%d", target.UserID)); n == 0 {
			t.Errorf("no %s audit entry", action)
		}
	}
	if e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%秘密%'`) != 0 {
		t.Error("the audit log copies the internal notes themselves")
	}
	// Nobody else sees them anywhere: the member, a supporter, the directory, search.
	for _, who := range []string{"taro@example.jp", "sup@example.jp"} {
		c := e.Client(t)
		c.SignIn(e.Org, who, apptest.Password)
		if res := c.Get(e.OrgPath("/members?q=" + url.QueryEscape("秘密メモ"))); !strings.Contains(res.Body, "0 人") {
			t.Errorf("%s finds the member by the internal notes", who)
		}
		for _, p := range []string{fmt.Sprintf("/members/%d", target.UserID), "/members", "/", "/profile", fmt.Sprintf("/admin/members/%d", target.UserID), "/admin/members"} {
			res := c.Get(e.OrgPath(p))
			for _, s := range []string{"秘密メモ", "E-00042", "部長職以上は不可", "条件付きで可"} {
				if strings.Contains(res.Body, s) {
					t.Errorf("%s sees %q on %s", who, s, p)
				}
			}
		}
	}
}

func pngBytes(t *testing.T, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			img.Set(x, y, color.RGBA{uint8(x), 100, 200, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func upload(t *testing.T, e *apptest.Env, c *apptest.Client, filename string, body []byte) *apptest.Response {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("photo", filename)
	fw.Write(body)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.URL(e.OrgPath("/profile/photo")), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", e.Server.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.Do(req)
}

func TestPhotoUploadAndVisibility(t *testing.T) {
	e := apptest.New(t)
	owner := e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	e.AddMember(t, e.Org, org.Alumni, "hanako@example.jp")
	me := e.Client(t)
	me.SignIn(e.Org, "taro@example.jp", apptest.Password)

	bad := []struct {
		name string
		body []byte
		want string
	}{
		{"script.jpg", []byte("<html><script>alert(1)</script></html>"), "この形式の画像は使えません"},
		{"corrupt.png", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 100)...), "画像を読み込めませんでした"},
		{"tiny.png", pngBytes(t, 10, 10), "画像が小さすぎます"},
	}
	for _, b := range bad {
		if res := upload(t, e, me, b.name, b.body); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, b.want) {
			t.Errorf("%s: %d, want 422 with %q", b.name, res.StatusCode, b.want)
		}
	}
	if res := upload(t, e, me, "huge.png", bytes.Repeat([]byte{1}, 11<<20)); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("11 MB upload: %d", res.StatusCode)
	}
	if p, _ := e.App.Members.Get(t.Context(), e.Org.ID, owner.UserID); p.PhotoKey != "" {
		t.Fatal("a refused upload set a photo")
	}

	if res := upload(t, e, me, "../../etc/passwd", pngBytes(t, 300, 200)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("good upload: %d\n%s", res.StatusCode, res.Body)
	}
	photoPath := e.OrgPath(fmt.Sprintf("/members/%d/photo/small", owner.UserID))
	peer := e.Client(t)
	peer.SignIn(e.Org, "hanako@example.jp", apptest.Password)
	res := peer.Get(photoPath)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/jpeg" || !strings.Contains(res.Header.Get("Cache-Control"), "private") {
		t.Fatalf("photo for a member: %d %v", res.StatusCode, res.Header)
	}
	if e.Client(t).Get(photoPath).StatusCode != http.StatusSeeOther {
		t.Error("photo served to a signed-out visitor")
	}
	// Hidden photo: gone for other members, still there for the owner.
	f := editForm()
	f.Set("vis_photo", "admins")
	if res := me.Post(e.OrgPath("/profile"), f); res.StatusCode != http.StatusSeeOther {
		t.Fatal(res.StatusCode)
	}
	if peer.Get(photoPath).StatusCode != http.StatusNotFound {
		t.Error("hidden photo still served to another member")
	}
	if me.Get(photoPath).StatusCode != http.StatusOK {
		t.Error("owner cannot see their own hidden photo")
	}
	// Replacing deletes the old files; removing clears the key.
	old, _ := e.App.Members.Get(t.Context(), e.Org.ID, owner.UserID)
	upload(t, e, me, "b.png", pngBytes(t, 200, 300))
	if _, _, err := e.App.Photos.Open(e.Org.ID, old.PhotoKey, "small"); err == nil {
		t.Error("replaced photo still on disk")
	}
	if res := me.Post(e.OrgPath("/profile/photo/delete"), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatal(res.StatusCode)
	}
	if p, _ := e.App.Members.Get(t.Context(), e.Org.ID, owner.UserID); p.PhotoKey != "" {
		t.Error("photo not removed")
	}
}

func TestFreshnessConfirmation(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	e.AddMember(t, e.Org, org.Admin, "hr@example.jp")
	me := e.Client(t)
	me.SignIn(e.Org, "taro@example.jp", apptest.Password)
	if res := me.Post(e.OrgPath("/profile"), editForm()); res.StatusCode != http.StatusSeeOther {
		t.Fatal(res.StatusCode)
	}
	if home := me.Get(e.OrgPath("/")); strings.Contains(home.Body, "にお勤めですか") {
		t.Error("asked to confirm right after saving")
	}
	e.Clock.Advance(200 * 24 * time.Hour)
	me.SignIn(e.Org, "taro@example.jp", apptest.Password)
	home := me.Get(e.OrgPath("/"))
	if !strings.Contains(home.Body, "今も 株式会社ミライデータ にお勤めですか？") {
		t.Fatalf("no freshness question after 200 days:\n%s", home.Body)
	}
	hr := e.Client(t)
	hr.SignIn(e.Org, "hr@example.jp", apptest.Password)
	if res := hr.Get(e.OrgPath("/admin/members?stale=6")); !strings.Contains(res.Body, "田中") {
		t.Error("stale filter misses the old profile")
	}
	if res := me.Post(e.OrgPath("/profile/confirm"), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatal(res.StatusCode)
	}
	if home := me.Get(e.OrgPath("/")); strings.Contains(home.Body, "にお勤めですか") || !strings.Contains(home.Body, "最新として記録しました") {
		t.Error("confirmation not recorded")
	}
}

func TestNameChangeAndEnglishOrder(t *testing.T) {
	e := apptest.New(t)
	owner := e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	e.AddMember(t, e.Org, org.Alumni, "hanako@example.jp")
	me := e.Client(t)
	me.SignIn(e.Org, "taro@example.jp", apptest.Password)
	f := editForm()
	f.Set("family_name", "山田")
	f.Set("family_kana", "やまだ")
	f.Set("family_romaji", "Yamada")
	f.Set("name_order_en", "family_first")
	if res := me.Post(e.OrgPath("/profile"), f); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("rename: %d\n%s", res.StatusCode, res.Body)
	}
	peer := e.Client(t)
	peer.SignIn(e.Org, "hanako@example.jp", apptest.Password)
	// The search index follows the new name at once.
	if res := peer.Get(e.OrgPath("/members?q=" + url.QueryEscape("やまだ"))); !strings.Contains(res.Body, "1 人") {
		t.Error("the new name is not found")
	}
	if res := peer.Get(e.OrgPath("/members?q=" + url.QueryEscape("たなか"))); !strings.Contains(res.Body, "1 人") {
		t.Error("the old name still finds the renamed member (only Hanako should match)")
	}
	peer.Lang = "en"
	if res := peer.Post(e.OrgPath("/lang"), url.Values{"lang": {"en"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatal(res.StatusCode)
	}
	page := peer.Get(e.OrgPath(fmt.Sprintf("/members/%d", owner.UserID)))
	if !strings.Contains(page.Body, "<h1>Yamada Taro</h1>") {
		t.Errorf("English name not in the chosen order:\n%s", page.Body)
	}
}

func TestAdminListShowsAndFiltersRehireEligibility(t *testing.T) {
	e := apptest.New(t)
	eligible := e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	e.AddMember(t, e.Org, org.Alumni, "hanako@example.jp")
	e.AddMember(t, e.Org, org.Admin, "hr@example.jp")
	e.AddMember(t, e.Org, org.Supporter, "sup@example.jp")
	hr := e.Client(t)
	hr.SignIn(e.Org, "hr@example.jp", apptest.Password)
	if res := hr.Post(e.OrgPath(fmt.Sprintf("/admin/members/%d/internal", eligible.UserID)), url.Values{"rehire_eligibility": {"eligible"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatal(res.StatusCode)
	}
	before := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'admin.internal_listed'`)
	res := hr.Get(e.OrgPath("/admin/members?rehire=eligible"))
	if !strings.Contains(res.Body, "1 人") || !strings.Contains(res.Body, "再雇用可") {
		t.Fatalf("rehire filter for admins:\n%s", res.Body)
	}
	if !strings.Contains(res.Body, "rehire=eligible") {
		t.Error("the CSV link drops the rehire filter")
	}
	if res := hr.Get(e.OrgPath("/admin/members?rehire=unset")); !strings.Contains(res.Body, "3 人") {
		t.Error("the not-assessed filter should find the three others")
	}
	if after := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'admin.internal_listed'`); after != before+2 {
		t.Errorf("list views with internal fields audited %d times, want 2", after-before)
	}
	// A supporter sees neither the column nor the effect of the filter.
	sup := e.Client(t)
	sup.SignIn(e.Org, "sup@example.jp", apptest.Password)
	res = sup.Get(e.OrgPath("/admin/members?rehire=eligible"))
	if !strings.Contains(res.Body, "4 人") || strings.Contains(res.Body, "再雇用可") || strings.Contains(res.Body, "再雇用の可否") {
		t.Errorf("supporter sees or can filter by rehire eligibility:\n%s", res.Body)
	}
}
