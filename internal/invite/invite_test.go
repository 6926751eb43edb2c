package invite_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/email"
	"github.com/tsunagu/tsunagu/internal/invite"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/jobs"
)

// smallBatches is an invite service on its own queue with batches of two,
// so that a campaign of a few people takes several batch jobs.
func smallBatches(t *testing.T, e *apptest.Env) (*invite.Service, *jobs.Queue) {
	q := jobs.New(e.App.DB, jobs.Options{Workers: 1, Now: e.Clock.Now})
	outbox := email.NewOutbox(q)
	outbox.RegisterSender(e.App.Mailer)
	s := invite.NewService(e.App.DB, e.App.Orgs, e.App.Auth, outbox, q, invite.Config{BaseURL: "http://tsunagu.test", BatchSize: 2, Now: e.Clock.Now})
	return s, q
}

func TestCampaignSendsInBatchesAndNeverTwice(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	admin := e.AddMember(t, e.Org, org.Admin, "hr@sakura.example.jp")
	for i := range 5 {
		e.AddLeaver(t, e.Org, fmt.Sprintf("leaver%d@example.com", i), 2018+i, "")
	}
	// A recipient who chose English gets English; the others the campaign's default.
	if err := e.App.Orgs.SetLocale(ctx, e.Org.ID, mustMember(t, e, "leaver1@example.com").UserID, "en"); err != nil {
		t.Fatal(err)
	}
	s, q := smallBatches(t, e)
	id, err := s.CreateCampaign(ctx, e.Org, admin, invite.CampaignInput{Name: "all", Lang: "ja", Leavers: true,
		Emails: "new1@example.com\nnew2@example.com, 新井\nNEW1@example.com\nleaver0@example.com"}, auth.Client{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Preview(ctx, e.Org.ID, id)
	if err != nil || p.Existing != 5 || p.NewAccounts != 2 || p.Total() != 7 {
		t.Fatalf("preview %+v %v", p, err)
	}
	if err := s.Start(ctx, e.Org, admin, id, auth.Client{}); err != nil {
		t.Fatal(err)
	}
	// Every batch job is queued twice, and two workers run the queue at once:
	// the unique (campaign, person) index must keep each person to one invitation.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 2 {
		wg.Go(func() {
			for range 20 {
				if _, err := q.Enqueue(ctx, e.App.DB.Write(), e.Org.ID, invite.KindCampaignBatch, map[string]int64{"campaign_id": id}, time.Time{}); err != nil {
					errs <- err
					return
				}
				if _, err := q.RunOnce(ctx); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if _, err := q.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	e.SMTP.WaitFor(t, 7, 10*time.Second)
	time.Sleep(100 * time.Millisecond)
	if n := len(e.SMTP.Messages()); n != 7 {
		t.Fatalf("%d emails, want 7", n)
	}
	for _, m := range e.SMTP.Messages() {
		want := "【さくらテクノロジー株式会社】アルムナイネットワークへのご招待"
		if m.To[0] == "leaver1@example.com" {
			want = "[Sakura Technology] You are invited to our alumni network"
		}
		if m.Subject != want {
			t.Errorf("to %s: subject %q, want %q", m.To[0], m.Subject, want)
		}
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM invitations WHERE campaign_id = $1`, id); n != 7 {
		t.Fatalf("%d invitations, want 7", n)
	}
	if n := e.Count(t, `SELECT COUNT(DISTINCT user_id) FROM invitations WHERE campaign_id = $1`, id); n != 7 {
		t.Fatalf("%d people invited, want 7", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM users WHERE email_lower IN ('new1@example.com', 'new2@example.com')`); n != 2 {
		t.Fatalf("%d new accounts, want 2", n)
	}
	c, err := s.Campaign(ctx, e.Org.ID, id)
	if err != nil || c.State != invite.StateSent {
		t.Fatalf("campaign %+v %v", c, err)
	}
	// The list shows each campaign with its own funnel, a draft's empty.
	draft, err := s.CreateCampaign(ctx, e.Org, admin, invite.CampaignInput{Name: "draft", Lang: "ja", Emails: "later@example.com"}, auth.Client{})
	if err != nil {
		t.Fatal(err)
	}
	// An address with no account when the draft was saved that has one by
	// the time it is sent (an HR import) is counted, so the campaign can start.
	if p, err := s.Preview(ctx, e.Org.ID, draft); err != nil || p.Existing != 0 || p.NewAccounts != 1 {
		t.Fatalf("draft preview before the import %+v %v", p, err)
	}
	e.AddLeaver(t, e.Org, "later@example.com", 2020, "営業部")
	if p, err := s.Preview(ctx, e.Org.ID, draft); err != nil || p.Existing != 1 || p.NewAccounts != 0 || p.Total() != 1 {
		t.Fatalf("draft preview after the import %+v %v", p, err)
	}
	list, err := s.Campaigns(ctx, e.Org.ID)
	if err != nil || len(list) != 2 || list[0].ID != draft || list[0].Funnel != (invite.Funnel{}) || list[1].ID != id || list[1].Funnel.Sent != 7 {
		t.Fatalf("campaigns %+v %v", list, err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'invite.account_created'`); n != 2 {
		t.Errorf("%d account creations audited, want 2", n)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'invite.campaign_finished'`); n != 1 {
		t.Errorf("%d campaign_finished entries, want 1", n)
	}
	// Reminders are scheduled per invitation, two each, and sent only once
	// however often their jobs run.
	if n := e.Count(t, `SELECT COUNT(*) FROM jobs WHERE kind = $1`, invite.KindRemind); n != 14 {
		t.Errorf("%d reminder jobs, want 14", n)
	}
}

func TestFunnelRate(t *testing.T) {
	f := invite.Funnel{Sent: 3, Joined: 1, Opened: 2}
	if f.Rate(f.Joined) != 33 || f.Rate(f.Opened) != 67 || f.Rate(f.Sent) != 100 || (invite.Funnel{}).Rate(0) != 0 {
		t.Errorf("rates %d %d %d", f.Rate(f.Joined), f.Rate(f.Opened), f.Rate(f.Sent))
	}
}

func mustMember(t *testing.T, e *apptest.Env, addr string) org.Member {
	t.Helper()
	m, err := e.App.Orgs.MemberByEmail(context.Background(), e.Org.ID, addr)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
