package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tsunagu/tsunagu/internal/audience"
	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/demo"
	"github.com/tsunagu/tsunagu/internal/event"
	"github.com/tsunagu/tsunagu/internal/feed"
	"github.com/tsunagu/tsunagu/internal/group"
	"github.com/tsunagu/tsunagu/internal/invite"
	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/offboard"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/platform/db"
)

// DemoPassword signs in every demo account. It is printed at start-up; the
// demo is for trying Tsunagu, never for real data.
const DemoPassword = "tsunagu-demo-2026"

// DemoAccount is a sign-in the demo prints.
type DemoAccount struct {
	Role  org.Role
	Email string
	Name  string
}

// SeedDemo fills a fresh database with one demo company: an admin, a
// supporter, employees and alumni alumni generated from the curated lists.
func (a *App) SeedDemo(ctx context.Context, alumni, employees int) (org.Organization, []DemoAccount, error) {
	c := demo.DemoCompany()
	o, _, err := a.CreateOrganization(ctx, c.Slug, c.NameJA, c.NameEN)
	if err != nil {
		return o, nil, fmt.Errorf("create demo organization: %w", err)
	}
	// One hash for every demo account: hashing thousands of passwords with
	// production cost would make the demo start slowly for no benefit.
	hash, err := auth.HashPassword(DemoPassword, a.cfgArgon2())
	if err != nil {
		return o, nil, err
	}
	var accounts []DemoAccount
	now := a.Auth.Now()
	n := 0
	add := func(tx db.Tx, p demo.Person, role org.Role, email string, withPassword bool) error {
		n++
		h := ""
		if withPassword {
			h = hash
		}
		id, err := a.Orgs.CreateMember(ctx, tx, o.ID, org.NewMember{Email: email, Role: role, PasswordHash: h,
			Name: org.Name{Family: p.FamilyName, Given: p.GivenName, FamilyKana: p.FamilyKana, GivenKana: p.GivenKana,
				FamilyRomaji: p.FamilyRomaji, GivenRomaji: p.GivenRomaji}})
		if err != nil {
			return fmt.Errorf("demo member %s: %w", email, err)
		}
		prof, err := a.Members.GetIn(ctx, tx, o.ID, id)
		if err != nil {
			return err
		}
		prof.JoinedYear, prof.LeftYear = p.JoinedYear, p.LeftYear
		prof.Departments, prof.RolesHeld = []string{p.Department.NameJA}, []string{p.Role}
		prof.CurrentCompany, prof.Industry, prof.Location, prof.Skills = p.CurrentCompany, p.Industry.Key, p.Prefecture, p.Skills
		// A plausible spread: some open to coming back, many to referrals,
		// a few who keep their company to HR; and profiles of every age.
		prof.OpenTo = member.OpenTo{Rehire: n%5 == 0, SideWork: n%4 == 0, Referrals: n%3 == 0, Mentoring: n%7 == 0, Speaking: n%11 == 0}
		if n%10 == 0 {
			prof.Visibility[member.FieldWork] = member.OnlyAdmins
		}
		if p.CurrentCompany != "" {
			prof.Bio = fmt.Sprintf("%d年に%sへ入社し、%sで%sを務めました。現在は%sで働いています。", p.JoinedYear, c.NameJA, p.Department.NameJA, p.Role, p.CurrentCompany)
		}
		confirmed := now.AddDate(0, -(n*7)%20, -(n % 28))
		if err := a.Members.UpdateIn(ctx, tx, prof, confirmed); err != nil {
			return err
		}
		if role != org.Alumni {
			return nil
		}
		// HR's record of the employment, as an import from the HR system
		// leaves it: what the application page matches applicants against.
		rehire := []string{"eligible", "eligible", "conditional", "", "not_eligible"}[n%5]
		_, err = tx.ExecContext(ctx, `INSERT INTO member_internal (org_id, user_id, rehire_eligibility, employee_number, hired_on,
			left_on, hr_department, hr_job_title, hr_source, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'import', $9)`,
			o.ID, id, rehire, fmt.Sprintf("S%05d", n), fmt.Sprintf("%d-04-01", p.JoinedYear), fmt.Sprintf("%d-03-31", p.LeftYear),
			p.Department.NameJA, p.Role, now)
		return err
	}
	staff := demo.Employees(7, employees+1)
	people := demo.Alumni(42, alumni+1) // people[0] is the supporter; people[1:] the alumni
	err = a.DB.Tx(ctx, func(tx db.Tx) error {
		named := []struct {
			p     demo.Person
			role  org.Role
			email string
		}{
			{staff[0], org.Admin, "admin@" + c.Domain},
			{people[0], org.Supporter, "supporter@example.jp"},
			{people[1], org.Alumni, "alumni@example.jp"},
		}
		if employees > 0 {
			named = append(named, struct {
				p     demo.Person
				role  org.Role
				email string
			}{staff[1], org.Employee, "employee@" + c.Domain})
		}
		for _, n := range named {
			if err := add(tx, n.p, n.role, n.email, true); err != nil {
				return err
			}
			accounts = append(accounts, DemoAccount{Role: n.role, Email: n.email, Name: org.Name{Family: n.p.FamilyName, Given: n.p.GivenName}.Display("ja")})
		}
		for _, p := range staff[2:] {
			if err := add(tx, p, org.Employee, p.Email, true); err != nil {
				return err
			}
		}
		// Most alumni have joined; one in eight is still only invited, as in a
		// real network that is growing.
		for i, p := range people[2:] {
			if err := add(tx, p, org.Alumni, p.Email, i%8 != 0); err != nil {
				return err
			}
		}
		return audit.Log(ctx, tx, audit.Entry{OrgID: o.ID, ActorLabel: "tsunagu demo", Action: "admin.org_created", Target: "org:" + o.Slug,
			Detail: map[string]string{"alumni": fmt.Sprint(alumni), "employees": fmt.Sprint(employees)}})
	})
	if err != nil {
		return o, accounts, err
	}
	if err := a.seedDemoJoining(ctx, o, staff, employees); err != nil {
		return o, accounts, err
	}
	return o, accounts, a.seedDemoCommunity(ctx, o, people, alumni)
}

// seedDemoCommunity shows a network people use: groups (some automatic),
// posts with comments and reactions, a self-introduction relay waiting for
// the demo alumni account, upcoming events with registrations, and a
// message waiting to be read.
func (a *App) seedDemoCommunity(ctx context.Context, o org.Organization, people []demo.Person, alumni int) error {
	if alumni < 20 {
		return nil
	}
	member := func(email string) (org.Member, error) { return a.Orgs.MemberByEmail(ctx, o.ID, email) }
	admin, err := member("admin@" + demo.DemoCompany().Domain)
	if err != nil {
		return err
	}
	supporter, err := member("supporter@example.jp")
	if err != nil {
		return err
	}
	you, err := member("alumni@example.jp")
	if err != nil {
		return err
	}
	// Alumni who joined (every eighth one is only invited, see SeedDemo).
	var voices []org.Member
	for i, p := range people[2:] {
		if i%8 == 0 {
			continue
		}
		m, err := member(p.Email)
		if err != nil {
			return err
		}
		if voices = append(voices, m); len(voices) == 12 {
			break
		}
	}

	staff := group.Actor{UserID: admin.UserID, Role: admin.Role, Label: admin.Email}
	for _, d := range []group.Draft{
		{Name: "関西在住のアルムナイ", Description: "大阪・京都・兵庫などにお住まいの方が自動で参加します。関西での集まりはこちらで。", Kind: group.Auto,
			Rule: group.Rule{Field: group.RuleRegion, Value: "kansai"}},
		{Name: "2019年退職", Description: "2019年に退職された方の同期グループです（自動）。", Kind: group.Auto,
			Rule: group.Rule{Field: group.RuleLeftYear, Value: "2019"}},
		{Name: "営業部 OB/OG", Description: "営業部に在籍していた方が自動で参加します。", Kind: group.Auto,
			Rule: group.Rule{Field: group.RuleDepartment, Value: "営業部"}},
		{Name: "子育て中のアルムナイ", Description: "仕事と子育ての両立について、気軽に情報交換しましょう。", Kind: group.Open},
		{Name: "アルムナイ起業家の会", Description: "起業した・起業を考えているアルムナイの集まりです。参加は承認制です。", Kind: group.Approval},
	} {
		if _, err := a.Groups.Create(ctx, o.ID, staff, d); err != nil {
			return fmt.Errorf("demo group %s: %w", d.Name, err)
		}
	}

	posts := []string{
		"先月から福岡に移住し、リモートで働いています。九州にお住まいの方、ぜひお茶でもしましょう！",
		"**転職のご報告**です。4月から外資系のコンサルティング会社で働いています。在籍中に学んだ「お客様の現場に行く」姿勢が今も支えです。",
		"社内報の「あの人は今」に登場させてもらいました。懐かしい写真がたくさん載っています。",
		"副業でUXデザインの相談を受けています。スタートアップの方、気軽に声をかけてください。",
		"久しぶりにオフィスの近くを通ったら、社食の看板が新しくなっていました🍛",
	}
	var first int64
	for i, body := range posts {
		author := voices[i]
		id, err := a.Feed.Create(ctx, o, feed.ViewerOf(&author, ""), feed.NewPost{Body: body, Audience: audience.Audience{Kind: audience.Network}})
		if err != nil {
			return fmt.Errorf("demo post: %w", err)
		}
		if first == 0 {
			first = id
		}
		for j, r := range voices[5:9] {
			if (i+j)%2 == 0 {
				if _, err := a.Feed.React(ctx, o, feed.ViewerOf(&r, ""), id, "like"); err != nil {
					return fmt.Errorf("demo reaction: %w", err)
				}
			}
		}
	}
	for _, c := range []struct {
		who  org.Member
		text string
	}{{voices[6], "福岡いいですね！出張の際はぜひ。"}, {supporter, "今度の交流会で九州の方向けにオンライン枠も作りますね。"}} {
		if _, err := a.Feed.AddComment(ctx, o, feed.ViewerOf(&c.who, ""), first, c.text); err != nil {
			return fmt.Errorf("demo comment: %w", err)
		}
	}
	// The relay's pen is with the demo alumni account: sign in as them to
	// write the next introduction.
	if _, _, err := a.Feed.StartRelay(ctx, o, feed.ViewerOf(&supporter, ""),
		"アルムナイ・リレーを始めます！ 私は2016年に退職し、今はNPOで広報をしています。次は、同じ時期に開発部にいたあの方にバトンを渡します。", you.UserID); err != nil {
		return fmt.Errorf("demo relay: %w", err)
	}

	today, err := time.Parse(time.DateOnly, a.Offboard.Today())
	if err != nil {
		return err
	}
	at := func(days, hour int) string {
		return today.AddDate(0, 0, days).Add(time.Duration(hour) * time.Hour).Format(event.InputLayout)
	}
	host := event.Actor{Member: admin}
	meetup, err := a.Events.Create(ctx, o, host, event.Form{Title: "アルムナイ交流会 2026 冬", Format: "offline", TZ: "Asia/Tokyo",
		Description: "今年もアルムナイと現役社員の交流会を開催します。軽食とお飲み物をご用意しています。\n\n当日はブレイクアウトで業界ごとに分かれてお話しする時間もあります。",
		Start:       at(21, 19), End: at(21, 21), Deadline: at(18, 18), Venue: "さくらテクノロジー本社 20階 ラウンジ（東京都港区）",
		Capacity: "40", Audience: string(audience.EmployeesAlumni), Alcohol: true})
	if err != nil {
		return fmt.Errorf("demo event: %w", err)
	}
	if _, err := a.Events.Create(ctx, o, host, event.Form{Title: "オンライン・キャリア座談会「出戻りのリアル」", Format: "online", TZ: "Asia/Tokyo",
		Description: "再入社したアルムナイ3名に、戻ると決めた理由や戻ってからの働き方を伺います。",
		Start:       at(9, 12), End: at(9, 13), OnlineURL: "https://meet.example.jp/sakura-alumni", Capacity: "0", Audience: string(audience.Network)}); err != nil {
		return fmt.Errorf("demo event: %w", err)
	}
	for _, m := range voices[:10] {
		if _, err := a.Events.Register(ctx, o, m, meetup.ID, true); err != nil {
			return fmt.Errorf("demo registration: %w", err)
		}
	}

	conv, err := a.Messages.StartDirect(ctx, o.ID, voices[1].UserID, you.UserID, "ご無沙汰しています！ 今度の交流会、参加されますか？")
	if err != nil {
		return fmt.Errorf("demo message: %w", err)
	}
	_ = conv
	if _, err := a.Messages.WriteToCompany(ctx, o.ID, voices[2].UserID, "再入社に関心があります。募集中のポジションについてお話を伺えますか。"); err != nil {
		return fmt.Errorf("demo inquiry: %w", err)
	}
	// The demo wrote HR facts directly: put everyone in their automatic groups.
	_, err = a.Groups.ResyncAll(ctx, o.ID)
	return err
}

// seedDemoJoining shows the ways into the network: two colleagues leaving
// soon with farewell cards already signed, and a draft campaign to the
// past leavers who have not joined yet.
func (a *App) seedDemoJoining(ctx context.Context, o org.Organization, staff []demo.Person, employees int) error {
	if employees < 8 {
		return nil
	}
	admin, err := a.Orgs.MemberByEmail(ctx, o.ID, "admin@"+demo.DemoCompany().Domain)
	if err != nil {
		return err
	}
	by := offboard.Actor{UserID: admin.UserID, Email: admin.Email}
	today, err := time.Parse(time.DateOnly, a.Offboard.Today())
	if err != nil {
		return err
	}
	leavers := []struct {
		p        demo.Person
		inDays   int
		messages []string
	}{
		{staff[2], 10, []string{
			"入社以来、本当にお世話になりました。新しい職場でのご活躍を心から応援しています！",
			"いつも的確なアドバイスをありがとうございました。またどこかで一緒に仕事ができたら嬉しいです。",
			"送別会、楽しかったです。落ち着いたらぜひ飲みに行きましょう。",
		}},
		{staff[3], 24, []string{
			"プロジェクトでの粘り強さにいつも助けられました。お元気で！",
			"Thank you for everything. Keep in touch!",
		}},
	}
	for _, l := range leavers {
		d, err := a.Offboard.Record(ctx, o, offboard.Input{Member: l.p.Email, LastDay: today.AddDate(0, 0, l.inDays).Format(time.DateOnly),
			HiredOn: fmt.Sprintf("%d-04-01", l.p.JoinedYear), Department: l.p.Department.NameJA, JobTitle: l.p.Role,
			RehireEligibility: "eligible", PersonalEmail: "personal." + l.p.Email[:strings.IndexByte(l.p.Email, '@')] + "@example.com", Lang: "ja"}, by)
		if err != nil {
			return fmt.Errorf("demo departure of %s: %w", l.p.Email, err)
		}
		for i, text := range l.messages {
			writer, err := a.Orgs.MemberByEmail(ctx, o.ID, staff[4+i].Email)
			if err != nil {
				return err
			}
			if _, err := a.Offboard.Write(ctx, d, offboard.Writer{Member: &writer}, text, ""); err != nil {
				return fmt.Errorf("demo card message: %w", err)
			}
		}
	}
	_, err = a.Invites.CreateCampaign(ctx, o, admin, invite.CampaignInput{Name: "2010年代に退職された皆さまへのご案内", Lang: "ja",
		Leavers: true, LeftFrom: 2010, LeftTo: 2019,
		Intro: "このたび、さくらテクノロジーのアルムナイネットワークを開設しました。かつての仲間との再会や、近況の共有にぜひご参加ください。"},
		auth.Client{})
	return err
}

func (a *App) cfgArgon2() auth.Argon2Params {
	if a.Cfg.Argon2 != (auth.Argon2Params{}) {
		return a.Cfg.Argon2
	}
	return auth.DefaultArgon2
}
