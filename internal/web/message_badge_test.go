package web_test

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
)

// The main menu's メッセージ carries the count of unread direct messages,
// and it goes when the conversation is read.
func TestMessageBadgeInTheMenu(t *testing.T) {
	e := apptest.New(t)
	a := e.AddMember(t, e.Org, org.Alumni, "a@sakura.example.jp")
	b := e.AddMember(t, e.Org, org.Alumni, "b@sakura.example.jp")
	badge := regexp.MustCompile(`href="/o/sakura/messages"[^>]*>メッセージ <span class="badge nav-count" aria-hidden="true">(\d+)</span><span class="visually-hidden">（未読(\d+)件）</span>`)

	reader := e.Client(t)
	reader.SignIn(e.Org, "b@sakura.example.jp", apptest.Password)
	if m := badge.FindStringSubmatch(reader.Get(e.OrgPath("/")).Body); m != nil {
		t.Fatalf("badge %q before any message", m[0])
	}
	conv, err := e.App.Messages.StartDirect(t.Context(), e.Org.ID, a.UserID, b.UserID, "お久しぶりです")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.App.Messages.Send(t.Context(), e.Org.ID, a.UserID, conv, "来週お茶でもいかがですか"); err != nil {
		t.Fatal(err)
	}
	m := badge.FindStringSubmatch(reader.Get(e.OrgPath("/")).Body)
	if m == nil || m[1] != "2" || m[2] != "2" {
		t.Fatalf("menu badge %v, want 2 unread messages", m)
	}
	reader.Get(e.OrgPath("/messages/" + strconv.FormatInt(conv, 10)))
	if m := badge.FindStringSubmatch(reader.Get(e.OrgPath("/")).Body); m != nil {
		t.Errorf("badge %q after reading the conversation", m[0])
	}
}
