package web_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
)

func TestDirectorySearchWithHostileQueries(t *testing.T) {
	e := apptest.New(t)
	e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	e.AddMember(t, e.Org, org.Admin, "hr@example.jp")
	c := e.Client(t)
	c.SignIn(e.Org, "hr@example.jp", apptest.Password)
	queries := []string{`"田中"`, `田中*`, `NEAR(田中 佐藤)`, `-田中`, `(田中)`, `田中 OR 佐藤`, `name:田中`, `田中 AND`, `^田中`,
		`'; DROP TABLE users; --`, `%`, `_`, `\`, `"`, `""""`, "\x00", "田中\x00", "   ", "　　", strings.Repeat("田", 201),
		strings.Repeat("a ", 11), "\u202e田中", "🙂", "ｶ\u3099"}
	for _, q := range queries {
		for _, p := range []string{"/members", "/admin/members", "/admin/members.csv"} {
			res := c.Get(e.OrgPath(p + "?q=" + url.QueryEscape(q)))
			if res.StatusCode >= 500 {
				t.Errorf("%s q=%q: %d", p, q, res.StatusCode)
			}
		}
	}
	// Hostile input did no harm, and a query that is too long is explained.
	if e.Count(t, `SELECT COUNT(*) FROM users`) != 2 {
		t.Fatal("users changed")
	}
	res := c.Get(e.OrgPath("/members?q=" + url.QueryEscape(strings.Repeat("田", 201))))
	if !strings.Contains(res.Body, "検索語が長すぎます") {
		t.Error("an over-long query is not explained")
	}
	if res := c.Get(e.OrgPath("/members?q=" + url.QueryEscape(`"田中"`))); !strings.Contains(res.Body, "2 人") {
		t.Error(`quotes should be ignored: "田中" should find both members named 田中`)
	}
}

// pngHeaderOnly is a PNG whose header claims huge dimensions; its pixel
// data is a few bytes. Decoding it naively would allocate gigabytes.
func pngHeaderOnly(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		binary.Write(&b, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}

func TestImageBombUploadIsRefused(t *testing.T) {
	e := apptest.New(t)
	owner := e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	c := e.Client(t)
	c.SignIn(e.Org, "taro@example.jp", apptest.Password)
	res := upload(t, e, c, "bomb.png", pngHeaderOnly(100000, 100000))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "縦横のサイズが大きすぎます") {
		t.Fatalf("image bomb: %d", res.StatusCode)
	}
	if p, _ := e.App.Members.Get(t.Context(), e.Org.ID, owner.UserID); p.PhotoKey != "" {
		t.Fatal("the bomb was stored")
	}
}
