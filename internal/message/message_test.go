package message_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/message"
	"github.com/tsunagu/tsunagu/internal/org"
)

func person(t *testing.T, e *apptest.Env, o org.Organization, role org.Role, email, family, given string) org.Member {
	t.Helper()
	id := e.AddProfile(t, o, role, email, org.Name{Family: family, Given: given}, nil)
	m, err := e.App.Orgs.Member(t.Context(), o.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func counts(t *testing.T, e *apptest.Env) string {
	t.Helper()
	return fmt.Sprintf("conversations=%d messages=%d notifications=%d", e.Count(t, `SELECT COUNT(*) FROM conversations`),
		e.Count(t, `SELECT COUNT(*) FROM messages`), e.Count(t, `SELECT COUNT(*) FROM notifications`))
}

func unread(t *testing.T, s *message.Service, o org.Organization, m org.Member) int {
	t.Helper()
	n, err := s.Unread(t.Context(), o.ID, m.UserID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDirectExchange(t *testing.T) {
	e := apptest.New(t)
	s, o, ctx := e.App.Messages, e.Org, t.Context()
	a := person(t, e, o, org.Alumni, "a@sakura.example.jp", "青木", "彩")
	b := person(t, e, o, org.Employee, "b@sakura.example.jp", "馬場", "勉")

	id, err := s.StartDirect(ctx, o.ID, a.UserID, b.UserID, "  こんにちは\r\nお元気ですか？  ")
	if err != nil {
		t.Fatal(err)
	}
	if n := unread(t, s, o, b); n != 1 {
		t.Errorf("b unread %d, want 1", n)
	}
	if n := unread(t, s, o, a); n != 0 {
		t.Errorf("a unread %d, want 0 (own message)", n)
	}
	// One conversation per pair, whoever starts it.
	again, err := s.StartDirect(ctx, o.ID, b.UserID, a.UserID, "はい、元気です")
	if err != nil || again != id {
		t.Fatalf("second start: %d %v, want conversation %d", again, err, id)
	}
	if err := s.Send(ctx, o.ID, a.UserID, id, "よかったです"); err != nil {
		t.Fatal(err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM conversations WHERE org_id = $1`, o.ID); n != 1 {
		t.Errorf("%d conversations, want 1", n)
	}
	msgs, err := s.Messages(ctx, o.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 || msgs[0].Body != "こんにちは\nお元気ですか？" || msgs[1].SenderID != b.UserID || msgs[2].Body != "よかったです" {
		t.Fatalf("messages %+v", msgs)
	}
	if got := msgs[0].Lines(); len(got) != 2 {
		t.Errorf("lines %q", got)
	}
	list, err := s.Conversations(ctx, o.ID, b.UserID, b.Role)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Unread != 1 || list[0].Other.UserID != a.UserID || list[0].Other.Name.Family != "青木" ||
		list[0].Snippet != "よかったです" || list[0].LastFromMe {
		t.Fatalf("b's list %+v", list)
	}
	if err := s.MarkRead(ctx, o.ID, b.UserID, id); err != nil {
		t.Fatal(err)
	}
	if n := unread(t, s, o, b); n != 0 {
		t.Errorf("b unread after reading %d", n)
	}
	// Writing reads what came before: a answered after b's reply.
	if n := unread(t, s, o, a); n != 0 {
		t.Errorf("a unread %d, want 0", n)
	}
	if err := s.Send(ctx, o.ID, b.UserID, id, "またね"); err != nil {
		t.Fatal(err)
	}
	if n := unread(t, s, o, a); n != 1 {
		t.Errorf("a unread %d, want b's new message", n)
	}
	// Each message told its recipient, with a link to the conversation.
	link := fmt.Sprintf("/messages/%d", id)
	if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE org_id = $1 AND user_id = $2 AND kind = 'message.received'
		AND category = 'messages' AND link = $3 AND actor_id = $4`, o.ID, b.UserID, link, a.UserID); n != 2 {
		t.Errorf("%d notifications to b, want 2", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE org_id = $1 AND user_id = $2 AND kind = 'message.received'`, o.ID, a.UserID); n != 2 {
		t.Errorf("%d notifications to a, want 1", n)
	}
	// Newest conversation first.
	c := person(t, e, o, org.Admin, "c@sakura.example.jp", "千葉", "千尋")
	e.Clock.Advance(time.Minute)
	id2, err := s.StartDirect(ctx, o.ID, c.UserID, b.UserID, "人事の千葉です")
	if err != nil {
		t.Fatal(err)
	}
	list, _ = s.Conversations(ctx, o.ID, b.UserID, b.Role)
	if len(list) != 2 || list[0].ID != id2 || list[1].ID != id {
		t.Fatalf("order %+v", list)
	}
	// Not a participant: not found.
	if _, err := s.Conversation(ctx, o.ID, c.UserID, c.Role, id); !errors.Is(err, message.ErrNotFound) {
		t.Errorf("outsider opens conversation: %v", err)
	}
	if err := s.Send(ctx, o.ID, c.UserID, id, "割り込み"); !errors.Is(err, message.ErrNotFound) {
		t.Errorf("outsider sends: %v", err)
	}
}

func TestBadInputWritesNothing(t *testing.T) {
	e := apptest.New(t)
	s, o, ctx := e.App.Messages, e.Org, t.Context()
	a := person(t, e, o, org.Alumni, "a@sakura.example.jp", "青木", "彩")
	b := person(t, e, o, org.Alumni, "b@sakura.example.jp", "馬場", "勉")
	kaede := e.AddOrg(t, "kaede")
	foreign := person(t, e, kaede, org.Alumni, "f@kaede.example.jp", "古川", "文")
	gone := person(t, e, o, org.Alumni, "gone@sakura.example.jp", "郷", "ゆう")
	id, err := s.StartDirect(ctx, o.ID, a.UserID, gone.UserID, "お元気で")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.DB.Write().Exec(`UPDATE memberships SET ended_at = $1 WHERE org_id = $2 AND user_id = $3`, e.Clock.Now(), o.ID, gone.UserID); err != nil {
		t.Fatal(err)
	}
	before := counts(t, e)
	cases := []struct {
		name string
		send func() error
		want error
	}{
		{"empty", func() error { _, err := s.StartDirect(ctx, o.ID, a.UserID, b.UserID, " \r\n\t "); return err }, message.ErrEmpty},
		{"too long", func() error {
			_, err := s.StartDirect(ctx, o.ID, a.UserID, b.UserID, strings.Repeat("あ", message.MaxBody+1))
			return err
		}, message.ErrTooLong},
		{"yourself", func() error { _, err := s.StartDirect(ctx, o.ID, a.UserID, a.UserID, "独り言"); return err }, message.ErrCannotSend},
		{"another organization's member", func() error {
			_, err := s.StartDirect(ctx, o.ID, a.UserID, foreign.UserID, "こんにちは")
			return err
		}, message.ErrNotRecipient},
		{"from another organization", func() error {
			_, err := s.StartDirect(ctx, kaede.ID, foreign.UserID, a.UserID, "こんにちは")
			return err
		}, message.ErrNotRecipient},
		{"left member, new", func() error { _, err := s.StartDirect(ctx, o.ID, b.UserID, gone.UserID, "こんにちは"); return err }, message.ErrNotRecipient},
		{"left member, existing conversation", func() error { return s.Send(ctx, o.ID, a.UserID, id, "まだいますか") }, message.ErrCannotSend},
		{"another organization's conversation", func() error { return s.Send(ctx, kaede.ID, a.UserID, id, "こんにちは") }, message.ErrNotFound},
		{"empty to the company", func() error { _, err := s.WriteToCompany(ctx, o.ID, a.UserID, ""); return err }, message.ErrEmpty},
	}
	for _, c := range cases {
		if err := c.send(); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		if after := counts(t, e); after != before {
			t.Errorf("%s wrote: %s, was %s", c.name, after, before)
		}
	}
	// Exactly the limit is fine.
	if _, err := s.StartDirect(ctx, o.ID, a.UserID, b.UserID, strings.Repeat("あ", message.MaxBody)); err != nil {
		t.Errorf("%d characters: %v", message.MaxBody, err)
	}
	// The left member's history stays readable for the other side.
	list, err := s.Conversations(ctx, o.ID, a.UserID, a.Role)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range list {
		if c.ID == id {
			found = true
			if c.Other.Active {
				t.Error("left member shown as active")
			}
		}
	}
	if !found {
		t.Error("conversation with a left member vanished")
	}
}

func TestRateLimit(t *testing.T) {
	e := apptest.New(t)
	s, o, ctx := e.App.Messages, e.Org, t.Context()
	a := person(t, e, o, org.Alumni, "a@sakura.example.jp", "青木", "彩")
	b := person(t, e, o, org.Alumni, "b@sakura.example.jp", "馬場", "勉")
	id, err := s.StartDirect(ctx, o.ID, a.UserID, b.UserID, "1")
	if err != nil {
		t.Fatal(err)
	}
	for i := 2; i <= message.RateLimit; i++ {
		e.Clock.Advance(time.Second)
		if err := s.Send(ctx, o.ID, a.UserID, id, fmt.Sprint(i)); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	before := counts(t, e)
	if err := s.Send(ctx, o.ID, a.UserID, id, "over"); !errors.Is(err, message.ErrRateLimited) {
		t.Fatalf("message %d: %v", message.RateLimit+1, err)
	}
	if _, err := s.WriteToCompany(ctx, o.ID, a.UserID, "over"); !errors.Is(err, message.ErrRateLimited) {
		t.Fatalf("to the company over the limit: %v", err)
	}
	if after := counts(t, e); after != before {
		t.Errorf("limited sends wrote: %s, was %s", after, before)
	}
	// The other member is not limited by a's sending.
	if err := s.Send(ctx, o.ID, b.UserID, id, "落ち着いて"); err != nil {
		t.Fatal(err)
	}
	// The first message leaves the window after a minute.
	e.Clock.Advance(32 * time.Second)
	if err := s.Send(ctx, o.ID, a.UserID, id, "again"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestBlocking(t *testing.T) {
	e := apptest.New(t)
	s, o, ctx := e.App.Messages, e.Org, t.Context()
	a := person(t, e, o, org.Alumni, "a@sakura.example.jp", "青木", "彩")
	b := person(t, e, o, org.Alumni, "b@sakura.example.jp", "馬場", "勉")
	admin := person(t, e, o, org.Admin, "hr@sakura.example.jp", "人事", "花子")
	id, err := s.StartDirect(ctx, o.ID, a.UserID, b.UserID, "こんにちは")
	if err != nil {
		t.Fatal(err)
	}
	// b blocks a.
	if err := s.Block(ctx, o.ID, b.UserID, a.UserID); err != nil {
		t.Fatal(err)
	}
	if err := s.Block(ctx, o.ID, b.UserID, a.UserID); err != nil {
		t.Fatalf("blocking twice: %v", err)
	}
	before := counts(t, e)
	if err := s.Send(ctx, o.ID, a.UserID, id, "無視しないで"); !errors.Is(err, message.ErrCannotSend) {
		t.Errorf("blocked member sends: %v", err)
	}
	if _, err := s.StartDirect(ctx, o.ID, a.UserID, b.UserID, "無視しないで"); !errors.Is(err, message.ErrCannotSend) {
		t.Errorf("blocked member starts: %v", err)
	}
	// The blocker neither sees nor writes in the conversation.
	if err := s.Send(ctx, o.ID, b.UserID, id, "やっぱり"); !errors.Is(err, message.ErrNotFound) {
		t.Errorf("blocker sends: %v", err)
	}
	if _, err := s.StartDirect(ctx, o.ID, b.UserID, a.UserID, "やっぱり"); !errors.Is(err, message.ErrCannotSend) {
		t.Errorf("blocker starts: %v", err)
	}
	if after := counts(t, e); after != before {
		t.Errorf("blocked sends wrote: %s, was %s", after, before)
	}
	if _, err := s.Conversation(ctx, o.ID, b.UserID, b.Role, id); !errors.Is(err, message.ErrNotFound) {
		t.Errorf("blocker opens the conversation: %v", err)
	}
	if list, _ := s.Conversations(ctx, o.ID, b.UserID, b.Role); len(list) != 0 {
		t.Errorf("blocker's list %+v", list)
	}
	if n := unread(t, s, o, b); n != 0 {
		t.Errorf("blocker's unread %d counts a hidden conversation", n)
	}
	// The blocked member still sees their history, and nothing more.
	if list, _ := s.Conversations(ctx, o.ID, a.UserID, a.Role); len(list) != 1 {
		t.Errorf("blocked member's list %+v", list)
	}
	for _, pair := range [][2]org.Member{{a, b}, {b, a}} {
		if ok, err := s.CanMessage(ctx, o.ID, pair[0].UserID, pair[1].UserID); ok || err != nil {
			t.Errorf("CanMessage %d→%d = %v %v", pair[0].UserID, pair[1].UserID, ok, err)
		}
	}
	if list, _ := s.Blocked(ctx, o.ID, b.UserID); len(list) != 1 || list[0].UserID != a.UserID {
		t.Errorf("blocked list %+v", list)
	}
	// Blocks never touch the company's inbox, either way.
	thread, err := s.WriteToCompany(ctx, o.ID, a.UserID, "相談があります")
	if err != nil {
		t.Fatalf("blocked member writes to the company: %v", err)
	}
	if err := s.Block(ctx, o.ID, a.UserID, admin.UserID); err != nil {
		t.Fatal(err)
	}
	if err := s.Reply(ctx, o, admin, "", thread, "承知しました"); err != nil {
		t.Fatalf("company replies to a member who blocked the admin: %v", err)
	}
	// Unblocking shows the conversation again.
	if err := s.Unblock(ctx, o.ID, b.UserID, a.UserID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Conversation(ctx, o.ID, b.UserID, b.Role, id); err != nil {
		t.Errorf("after unblocking: %v", err)
	}
	if err := s.Send(ctx, o.ID, a.UserID, id, "また話せますね"); err != nil {
		t.Errorf("send after unblocking: %v", err)
	}
	// Nobody blocks themselves or a stranger.
	kaede := e.AddOrg(t, "kaede")
	foreign := person(t, e, kaede, org.Alumni, "f@kaede.example.jp", "古川", "文")
	for _, target := range []int64{b.UserID, foreign.UserID} {
		if err := s.Block(ctx, o.ID, b.UserID, target); !errors.Is(err, message.ErrNotRecipient) {
			t.Errorf("block %d: %v", target, err)
		}
	}
}

func TestInboxSharedByAdmins(t *testing.T) {
	e := apptest.New(t)
	s, o, ctx := e.App.Messages, e.Org, t.Context()
	m := person(t, e, o, org.Alumni, "m@sakura.example.jp", "松本", "真")
	hr1 := person(t, e, o, org.Admin, "hr1@sakura.example.jp", "人事", "一郎")
	hr2 := person(t, e, o, org.Admin, "hr2@sakura.example.jp", "人事", "二郎")
	sup := person(t, e, o, org.Supporter, "sup@sakura.example.jp", "支援", "者")

	id, err := s.WriteToCompany(ctx, o.ID, m.UserID, "再入社について相談したいです")
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.WriteToCompany(ctx, o.ID, m.UserID, "よろしくお願いします")
	if err != nil || again != id {
		t.Fatalf("one thread per member: %d %v", again, err)
	}
	link := fmt.Sprintf("/admin/inbox/%d", id)
	for _, a := range []org.Member{hr1, hr2} {
		if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = 'message.inbox' AND category = 'staff' AND link = $2`,
			a.UserID, link); n != 2 {
			t.Errorf("admin %s: %d notifications", a.Email, n)
		}
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE user_id = $1`, sup.UserID); n != 0 {
		t.Errorf("supporter notified of the HR inbox: %d", n)
	}
	if n, _ := s.InboxUnread(ctx, o.ID); n != 2 {
		t.Errorf("inbox unread %d, want 2", n)
	}
	threads, err := s.InboxThreads(ctx, o.ID, false)
	if err != nil || len(threads) != 1 || threads[0].Unread != 2 || threads[0].Other.UserID != m.UserID {
		t.Fatalf("threads %+v %v", threads, err)
	}
	// One admin reads it: read for all.
	if err := s.MarkInboxRead(ctx, o.ID, id); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.InboxUnread(ctx, o.ID); n != 0 {
		t.Errorf("inbox unread after reading %d", n)
	}
	// hr2 replies as the company.
	if err := s.Reply(ctx, o, hr2, "192.0.2.1", id, "人事部です。ご連絡ありがとうございます。"); err != nil {
		t.Fatal(err)
	}
	msgs, _ := s.Messages(ctx, o.ID, id)
	last := msgs[len(msgs)-1]
	if !last.AsCompany || last.SenderID != hr2.UserID {
		t.Errorf("reply %+v", last)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE org_id = $1 AND action = 'message.inbox_replied' AND actor_user_id = $2 AND target = $3`,
		o.ID, hr2.UserID, fmt.Sprintf("conversation:%d", id)); n != 1 {
		t.Errorf("reply audited %d times", n)
	}
	// The member is told by the company, not by an admin.
	if n := e.Count(t, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = 'message.company_reply' AND category = 'messages'
		AND actor_id IS NULL AND link = $2`, m.UserID, fmt.Sprintf("/messages/%d", id)); n != 1 {
		t.Errorf("member notified %d times", n)
	}
	if n := unread(t, s, o, m); n != 1 {
		t.Errorf("member unread %d", n)
	}
	if _, err := s.Conversation(ctx, o.ID, m.UserID, m.Role, id); err != nil {
		t.Errorf("member opens own thread: %v", err)
	}
	if list, _ := s.Conversations(ctx, o.ID, m.UserID, m.Role); len(list) != 1 || list[0].Kind != message.Inbox || list[0].Unread != 1 {
		t.Errorf("member's list %+v", list)
	}
	// Admins reach it only through the inbox, never as a participant.
	if _, err := s.Conversation(ctx, o.ID, hr1.UserID, hr1.Role, id); !errors.Is(err, message.ErrNotFound) {
		t.Errorf("admin opens as participant: %v", err)
	}
	if err := s.Send(ctx, o.ID, hr1.UserID, id, "x"); !errors.Is(err, message.ErrNotFound) {
		t.Errorf("admin sends as participant: %v", err)
	}
	// Supporters cannot reply; nothing is written.
	before := counts(t, e)
	if err := s.Reply(ctx, o, sup, "", id, "支援者です"); !errors.Is(err, message.ErrNotFound) {
		t.Errorf("supporter replies: %v", err)
	}
	if err := s.Reply(ctx, o, hr1, "", id, "   "); !errors.Is(err, message.ErrEmpty) {
		t.Errorf("empty reply: %v", err)
	}
	if err := s.SetClosed(ctx, o.ID, sup, "", id, true); !errors.Is(err, message.ErrNotFound) {
		t.Errorf("supporter closes: %v", err)
	}
	if after := counts(t, e); after != before {
		t.Errorf("refused replies wrote: %s, was %s", after, before)
	}
	// Closing, and a new message reopens.
	if err := s.SetClosed(ctx, o.ID, hr1, "", id, true); err != nil {
		t.Fatal(err)
	}
	if open, _ := s.InboxThreads(ctx, o.ID, false); len(open) != 0 {
		t.Errorf("open after closing %+v", open)
	}
	if closed, _ := s.InboxThreads(ctx, o.ID, true); len(closed) != 1 {
		t.Errorf("closed %+v", closed)
	}
	if err := s.Send(ctx, o.ID, m.UserID, id, "追加で質問です"); err != nil {
		t.Fatal(err)
	}
	if open, _ := s.InboxThreads(ctx, o.ID, false); len(open) != 1 {
		t.Errorf("member's new message did not reopen: %+v", open)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'message.inbox_closed' AND actor_user_id = $1`, hr1.UserID); n != 1 {
		t.Errorf("close audited %d times", n)
	}
	// Another organization's admin finds nothing.
	kaede := e.AddOrg(t, "kaede")
	kadmin := person(t, e, kaede, org.Admin, "hr@kaede.example.jp", "楓", "人事")
	if _, err := s.InboxThread(ctx, kaede.ID, id); !errors.Is(err, message.ErrNotFound) {
		t.Errorf("foreign inbox thread: %v", err)
	}
	if err := s.Reply(ctx, kaede, kadmin, "", id, "楓です"); !errors.Is(err, message.ErrNotFound) {
		t.Errorf("foreign reply: %v", err)
	}
	if err := s.SetClosed(ctx, kaede.ID, kadmin, "", id, true); !errors.Is(err, message.ErrNotFound) {
		t.Errorf("foreign close: %v", err)
	}
	if n, _ := s.InboxUnread(ctx, kaede.ID); n != 0 {
		t.Errorf("kaede's inbox counts sakura's: %d", n)
	}
}

// TestOneConversationPerPairUnderRace: both members write first at the same
// moment; they end up in one conversation with both messages.
func TestOneConversationPerPairUnderRace(t *testing.T) {
	e := apptest.New(t)
	s, o, ctx := e.App.Messages, e.Org, t.Context()
	a := person(t, e, o, org.Alumni, "a@sakura.example.jp", "青木", "彩")
	b := person(t, e, o, org.Alumni, "b@sakura.example.jp", "馬場", "勉")
	ids := make(chan int64, 2)
	errs := make(chan error, 2)
	for _, pair := range [][2]int64{{a.UserID, b.UserID}, {b.UserID, a.UserID}} {
		go func() {
			id, err := s.StartDirect(ctx, o.ID, pair[0], pair[1], "はじめまして")
			ids <- id
			errs <- err
		}()
	}
	first, second := <-ids, <-ids
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if first != second {
		t.Errorf("two conversations %d and %d for one pair", first, second)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM messages WHERE conversation_id = $1`, first); n != 2 {
		t.Errorf("%d messages, want 2", n)
	}
}
