package apply_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/tsunagu/tsunagu/internal/app/apptest"
	"github.com/tsunagu/tsunagu/internal/apply"
	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

var client = auth.Client{IP: "192.0.2.1", UserAgent: "test"}

// TestMatchingRule runs the automatic matcher on one HR record and one
// application per case, and checks whether it approved.
func TestMatchingRule(t *testing.T) {
	suzuki := org.Name{Family: "鈴木", Given: "花子", FamilyKana: "すずき", GivenKana: "はなこ"}
	record := apptest.HRRecord{Email: "h.suzuki@old.example.jp", Name: suzuki, HiredOn: "2012-04-01", LeftOn: "2020-03-31", Department: "営業部"}
	type app struct {
		email        string
		name         org.Name
		joined, left int
		dept         string
	}
	cases := []struct {
		name    string
		records []apptest.HRRecord
		setup   func(t *testing.T, e *apptest.Env, ids []int64)
		app     app
		want    bool
	}{
		{name: "same email, nothing else", records: []apptest.HRRecord{record},
			app: app{"H.Suzuki@old.example.jp", org.Name{Family: "別人", Given: "名前"}, 1990, 1991, "総務部"}, want: true},
		{name: "name, years and department", records: []apptest.HRRecord{record},
			app: app{"hanako@example.com", org.Name{Family: "鈴木", Given: "花子"}, 2012, 2020, "営業部"}, want: true},
		{name: "department written with full-width letters and spaces", records: []apptest.HRRecord{{Email: "x@old.example.jp", Name: suzuki, HiredOn: "2012-04-01", LeftOn: "2020-03-31", Department: "IT 推進部"}},
			app: app{"hanako@example.com", org.Name{Family: "鈴木", Given: "花子"}, 2012, 2020, "ＩＴ推進部"}, want: true},
		{name: "kana only (kanji variant), katakana", records: []apptest.HRRecord{record},
			app: app{"hanako@example.com", org.Name{Family: "鈴樹", Given: "花子", FamilyKana: "スズキ", GivenKana: "ハナコ"}, 2012, 2020, ""}, want: true},
		{name: "department not given by the applicant", records: []apptest.HRRecord{record},
			app: app{"hanako@example.com", org.Name{Family: "鈴木", Given: "花子"}, 2012, 2020, ""}, want: true},
		{name: "left year one off", records: []apptest.HRRecord{record},
			app: app{"hanako@example.com", org.Name{Family: "鈴木", Given: "花子"}, 2012, 2021, "営業部"}, want: false},
		{name: "joined year one off", records: []apptest.HRRecord{record},
			app: app{"hanako@example.com", org.Name{Family: "鈴木", Given: "花子"}, 2011, 2020, "営業部"}, want: false},
		{name: "different department", records: []apptest.HRRecord{record},
			app: app{"hanako@example.com", org.Name{Family: "鈴木", Given: "花子"}, 2012, 2020, "開発部"}, want: false},
		{name: "given name differs", records: []apptest.HRRecord{record},
			app: app{"hanako@example.com", org.Name{Family: "鈴木", Given: "花"}, 2012, 2020, "営業部"}, want: false},
		{name: "record without years", records: []apptest.HRRecord{{Email: "x@old.example.jp", Name: suzuki}},
			app: app{"hanako@example.com", org.Name{Family: "鈴木", Given: "花子"}, 2012, 2020, ""}, want: false},
		{name: "profile years stand in for HR dates", records: []apptest.HRRecord{{Email: "x@old.example.jp", Name: suzuki}},
			setup: func(t *testing.T, e *apptest.Env, ids []int64) {
				if _, err := e.App.DB.Write().Exec(`UPDATE profiles SET joined_year = 2012, left_year = 2020 WHERE user_id = $1`, ids[0]); err != nil {
					t.Fatal(err)
				}
			},
			app: app{"hanako@example.com", org.Name{Family: "鈴木", Given: "花子"}, 2012, 2020, ""}, want: true},
		{name: "two records agree", records: []apptest.HRRecord{record, {Email: "h2@old.example.jp", Name: suzuki, HiredOn: "2012-10-01", LeftOn: "2020-12-31"}},
			app: app{"hanako@example.com", org.Name{Family: "鈴木", Given: "花子"}, 2012, 2020, ""}, want: false},
		{name: "email of one, name of another", records: []apptest.HRRecord{record, {Email: "hanako@example.com", Name: org.Name{Family: "鈴木", Given: "花子"}}},
			app: app{"hanako@example.com", org.Name{Family: "鈴木", Given: "花子"}, 2012, 2020, ""}, want: false},
		{name: "record already in use", records: []apptest.HRRecord{record},
			setup: func(t *testing.T, e *apptest.Env, ids []int64) {
				if err := e.App.Orgs.MarkActivated(t.Context(), e.App.DB.Write(), e.Org.ID, ids[0], e.Clock.Now()); err != nil {
					t.Fatal(err)
				}
			},
			app: app{"hanako@example.com", org.Name{Family: "鈴木", Given: "花子"}, 2012, 2020, "営業部"}, want: false},
		{name: "record of a current employee", records: []apptest.HRRecord{record},
			setup: func(t *testing.T, e *apptest.Env, ids []int64) {
				if err := e.App.DB.Tx(t.Context(), func(tx db.Tx) error { return e.App.Orgs.SetRole(t.Context(), tx, e.Org.ID, ids[0], org.Employee) }); err != nil {
					t.Fatal(err)
				}
			},
			app: app{"h.suzuki@old.example.jp", org.Name{Family: "鈴木", Given: "花子"}, 2012, 2020, "営業部"}, want: false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := apptest.New(t)
			var ids []int64
			for _, r := range tc.records {
				ids = append(ids, e.AddHRRecord(t, e.Org, r))
			}
			// The same record in another organization never matches.
			kaede := e.AddOrg(t, "kaede")
			e.AddHRRecord(t, kaede, record)
			if tc.setup != nil {
				tc.setup(t, e, ids)
			}
			id, secret := e.AddApplication(t, e.Org, "unverified", tc.app.email, tc.app.name, tc.app.joined, tc.app.left)
			if _, err := e.App.DB.Write().Exec(`UPDATE applications SET department = $1 WHERE id = $2`, tc.app.dept, id); err != nil {
				t.Fatal(err)
			}
			res, err := e.App.Applications.Verify(t.Context(), e.Org, secret, client)
			if err != nil {
				t.Fatal(err)
			}
			if res.Approved != tc.want {
				t.Fatalf("approved = %v, want %v", res.Approved, tc.want)
			}
			status := map[bool]string{true: "approved", false: "pending"}[tc.want]
			if n := e.Count(t, `SELECT COUNT(*) FROM applications WHERE id = $1 AND status = $2`, id, status); n != 1 {
				t.Errorf("application not %s", status)
			}
			wantTokens := map[bool]int{true: 1, false: 0}[tc.want]
			if n := e.Count(t, `SELECT COUNT(*) FROM tokens WHERE kind = 'invite'`); n != wantTokens {
				t.Errorf("invite tokens = %d, want %d", n, wantTokens)
			}
		})
	}
}

func TestDecisionsAreMadeOnce(t *testing.T) {
	e := apptest.New(t)
	admin := e.AddMember(t, e.Org, org.Admin, "admin@sakura.example.jp")
	supporter := e.AddMember(t, e.Org, org.Supporter, "support@sakura.example.jp")
	id, _ := e.AddApplication(t, e.Org, "pending", "race@example.com", org.Name{Family: "競", Given: "走"}, 2000, 2001)
	// Two staff decide at the same moment: one approves, one rejects.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Add(2)
	go func() {
		defer wg.Done()
		errs[0] = e.App.Applications.Approve(t.Context(), e.Org, id, 0, apply.Staff{Member: admin, Client: client})
	}()
	go func() {
		defer wg.Done()
		errs[1] = e.App.Applications.Reject(t.Context(), e.Org, id, "duplicate", apply.Staff{Member: supporter, Client: client})
	}()
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case errors.Is(err, apply.ErrAlreadyDecided):
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d decisions won, want 1 (%v)", won, errs)
	}
	decided := e.Count(t, `SELECT COUNT(*) FROM audit_log WHERE action IN ('apply.approved', 'apply.rejected')`)
	mails := e.Count(t, `SELECT COUNT(*) FROM jobs WHERE kind = 'mail.send'`)
	if decided != 1 || mails != 1 {
		t.Errorf("audit entries %d, emails %d; want one each", decided, mails)
	}
	accounts := e.Count(t, `SELECT COUNT(*) FROM users WHERE email_lower = 'race@example.com'`)
	if (errs[0] == nil) != (accounts == 1) {
		t.Errorf("accounts = %d though approval returned %v", accounts, errs[0])
	}
	// Another organization's id is not found, and does not decide anything.
	kaede := e.AddOrg(t, "kaede")
	if err := e.App.Applications.Reject(t.Context(), kaede, id, "x", apply.Staff{Member: admin, Client: client}); !errors.Is(err, apply.ErrNotFound) {
		t.Errorf("foreign reject: %v", err)
	}
}

func TestApproveNewAccountWhenEmailIsTaken(t *testing.T) {
	e := apptest.New(t)
	admin := e.AddMember(t, e.Org, org.Admin, "admin@sakura.example.jp")
	e.AddHRRecord(t, e.Org, apptest.HRRecord{Email: "taken@example.com", Name: org.Name{Family: "別", Given: "人"}})
	id, _ := e.AddApplication(t, e.Org, "pending", "taken@example.com", org.Name{Family: "山田", Given: "太郎"}, 2000, 2001)
	err := e.App.Applications.Approve(t.Context(), e.Org, id, 0, apply.Staff{Member: admin, Client: client})
	if !errors.Is(err, apply.ErrEmailInUse) {
		t.Fatalf("approve as new account: %v", err)
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM applications WHERE id = $1 AND status = 'pending'`, id); n != 1 {
		t.Fatal("failed approval left the application decided")
	}
	if n := e.Count(t, `SELECT COUNT(*) FROM tokens`) + e.Count(t, `SELECT COUNT(*) FROM jobs`); n != 0 {
		t.Fatal("failed approval wrote tokens or emails")
	}
}

func TestUnverifiedApplicationsAreNotListed(t *testing.T) {
	e := apptest.New(t)
	e.AddApplication(t, e.Org, "unverified", "a@example.com", org.Name{Family: "未", Given: "確認"}, 2000, 2001)
	id, _ := e.AddApplication(t, e.Org, "unverified", "b@example.com", org.Name{Family: "未", Given: "確認"}, 2000, 2001)
	list, err := e.App.Applications.List(t.Context(), e.Org.ID, apply.StatusPending, 10)
	if err != nil || len(list) != 0 {
		t.Fatalf("list: %v %v", list, err)
	}
	if _, err := e.App.Applications.Get(t.Context(), e.Org.ID, id); !errors.Is(err, apply.ErrNotFound) {
		t.Fatalf("get unverified: %v", err)
	}
	c, err := e.App.Applications.Count(t.Context(), e.Org.ID)
	if err != nil || c != (apply.Counts{}) {
		t.Fatalf("counts: %+v %v", c, err)
	}
}
