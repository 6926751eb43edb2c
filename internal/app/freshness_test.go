package app_test

import (
	"net/url"

	"strings"
	"testing"
	"time"

	"github.com/tsunagu/tsunagu/internal/auth"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/org"
)

func TestFreshnessRemindersAreSentOncePerPeriod(t *testing.T) {
	e := apptest.New(t)
	ctx := t.Context()
	taro := e.AddMember(t, e.Org, org.Alumni, "taro@example.jp")
	e.AddMember(t, e.Org, org.Alumni, "hanako@example.jp")
	p, err := e.App.Members.Get(ctx, e.Org.ID, taro.UserID)
	if err != nil {
		t.Fatal(err)
	}
	p.CurrentCompany = "株式会社ミライデータ"
	if err := e.App.Members.Update(ctx, p); err != nil {
		t.Fatal(err)
	}
	// Invited but never joined: never reminded.
	if _, err := e.App.Auth.Invite(ctx, e.Org, org.Member{}, inviteOf("guest@example.jp"), clientOf()); err != nil {
		t.Fatal(err)
	}

	if n, err := e.App.SendFreshnessReminders(ctx, 100); err != nil || n != 0 {
		t.Fatalf("fresh profiles reminded: %d %v", n, err)
	}
	e.Clock.Advance(185 * 24 * time.Hour)
	n, err := e.App.SendFreshnessReminders(ctx, 100)
	if err != nil || n != 2 {
		t.Fatalf("after six months: %d reminders, %v; want 2 (the invited guest never joined)", n, err)
	}
	e.RunJobs(t)
	msgs := e.SMTP.WaitFor(t, 2, 10*time.Second)
	subjects := msgs[0].Subject + "\n" + msgs[1].Subject
	if !strings.Contains(subjects, "【さくらテクノロジー株式会社】今も 株式会社ミライデータ にお勤めですか？") ||
		!strings.Contains(subjects, "【さくらテクノロジー株式会社】プロフィールの内容は今も正しいですか？") {
		t.Errorf("subjects:\n%s", subjects)
	}
	if !strings.Contains(msgs[0].Text, e.Server.URL+"/o/sakura/") {
		t.Errorf("no link to the home page:\n%s", msgs[0].Text)
	}
	// Run again (another server, the next hour): nobody is asked twice.
	if n, _ := e.App.SendFreshnessReminders(ctx, 100); n != 0 {
		t.Fatalf("reminded again: %d", n)
	}
	// Two months later Taro confirms; when Hanako's next period comes, only
	// she, still unconfirmed, is asked again.
	e.Clock.Advance(60 * 24 * time.Hour)
	c := e.Client(t)
	c.SignIn(e.Org, "taro@example.jp", apptest.Password)
	if res := c.Post("/o/sakura/profile/confirm", url.Values{}); res.StatusCode != 303 {
		t.Fatal(res.StatusCode)
	}
	e.Clock.Advance(60 * 24 * time.Hour)
	if n, _ := e.App.SendFreshnessReminders(ctx, 100); n != 0 {
		t.Fatalf("reminded within the period: %d", n)
	}
	e.Clock.Advance(70 * 24 * time.Hour)
	if n, _ := e.App.SendFreshnessReminders(ctx, 100); n != 1 {
		t.Fatalf("after the next period: %d reminders, want 1 (Hanako)", n)
	}
}

func inviteOf(email string) auth.Invitation {
	return auth.Invitation{Email: email, Name: org.Name{Family: "招待"}, Role: org.Alumni, Lang: "ja"}
}

func clientOf() auth.Client { return auth.Client{IP: "127.0.0.1"} }
