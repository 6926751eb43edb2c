package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/tsunagu/tsunagu/internal/demo"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/search"
)

// profile is a generated alumnus with a short biography.
type profile struct {
	demo.Person
	Bio string
}

var hobbies = []struct{ JA, EN string }{
	{"登山", "hiking"}, {"読書", "reading"}, {"写真", "photography"}, {"料理", "cooking"},
	{"キャンプ", "camping"}, {"ランニング", "running"}, {"釣り", "fishing"}, {"将棋", "shogi"},
	{"ゴルフ", "golf"}, {"サウナ", "sauna"}, {"旅行", "travel"}, {"子育て", "parenting"},
}

// generate returns n alumni from the curated demo lists, each with a
// biography of one to three sentences.
func generate(seed uint64, n int) []profile {
	people := demo.Alumni(seed, n)
	r := rand.New(rand.NewPCG(seed, 0xb10))
	out := make([]profile, n)
	for i, p := range people {
		out[i] = profile{Person: p, Bio: bio(r, p, people[r.IntN(n)])}
	}
	return out
}

func bio(r *rand.Rand, p, colleague demo.Person) string {
	skill := func() string { return p.Skills[r.IntN(len(p.Skills))] }
	h := hobbies[r.IntN(len(hobbies))]
	templates := []func() string{
		func() string {
			return fmt.Sprintf("%d年に入社し、%sで%d年間%sとして働きました。", p.JoinedYear, p.Department.NameJA, p.LeftYear-p.JoinedYear, p.Role)
		},
		func() string {
			if p.CurrentCompany == "" {
				return "現在は転職活動中です。"
			}
			return fmt.Sprintf("現在は%sで%sを担当しています。", p.CurrentCompany, skill())
		},
		func() string { return fmt.Sprintf("%sと%sが得意です。", p.Skills[0], p.Skills[len(p.Skills)-1]) },
		func() string {
			return fmt.Sprintf("%s在住。休日は%sを楽しんでいます。", p.Prefecture, h.JA)
		},
		func() string {
			return fmt.Sprintf("元同僚の%sさんと%sの勉強会を運営しています。", colleague.FamilyName, skill())
		},
		func() string { return fmt.Sprintf("Based in %s. Happy to talk about %s.", p.PrefectureEN, h.EN) },
		func() string { return "OB・OG会の幹事をしています。お気軽にご連絡ください。" },
	}
	k := 1 + r.IntN(3)
	var b strings.Builder
	for _, i := range r.Perm(len(templates))[:k] {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(templates[i]())
	}
	return b.String()
}

// document is what the directory would index for p.
func document(orgID, userID int64, p profile) search.Document {
	name := search.Name{Family: p.FamilyName, Given: p.GivenName, FamilyKana: p.FamilyKana, GivenKana: p.GivenKana,
		FamilyRomaji: p.FamilyRomaji, GivenRomaji: p.GivenRomaji}
	body := []string{p.CurrentCompany, p.CurrentCompanyEN, p.Industry.NameJA, p.Department.NameJA, p.Role, p.RoleEN,
		p.Prefecture}
	body = append(body, p.Skills...)
	body = append(body, p.Bio)
	return search.Document{OrgID: orgID, UserID: userID, Name: name.Variants(), Body: body}
}

// load creates the organization and the users and profiles rows the index
// refers to, and returns the documents to index.
func load(ctx context.Context, d *db.DB, people []profile, seed uint64) (int64, []search.Document, error) {
	now := db.Now()
	var orgID int64
	err := d.Write().QueryRowContext(ctx, `INSERT INTO organizations (slug, name_ja, name_en, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		"bench-"+strconv.FormatUint(seed, 10), demo.DemoCompany().NameJA, demo.DemoCompany().NameEN, now).Scan(&orgID)
	if err != nil {
		return 0, nil, err
	}
	docs := make([]search.Document, 0, len(people))
	const batch = 1000
	for start := 0; start < len(people); start += batch {
		err := d.Tx(ctx, func(tx db.Tx) error {
			users, err := tx.PrepareContext(ctx, `INSERT INTO users (org_id, email, email_lower, family_name, given_name,
				family_kana, given_kana, family_romaji, given_romaji, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`)
			if err != nil {
				return err
			}
			defer users.Close()
			profiles, err := tx.PrepareContext(ctx, `INSERT INTO profiles (org_id, user_id, joined_year, left_year, department,
				job_title, current_company, industry, prefecture, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`)
			if err != nil {
				return err
			}
			defer profiles.Close()
			for _, p := range people[start:min(start+batch, len(people))] {
				var id int64
				if err := users.QueryRowContext(ctx, orgID, p.Email, strings.ToLower(p.Email), p.FamilyName, p.GivenName,
					p.FamilyKana, p.GivenKana, p.FamilyRomaji, p.GivenRomaji, now).Scan(&id); err != nil {
					return err
				}
				if _, err := profiles.ExecContext(ctx, orgID, id, p.JoinedYear, p.LeftYear, p.Department.NameJA, p.Role,
					p.CurrentCompany, p.Industry.Key, p.Prefecture, now); err != nil {
					return err
				}
				docs = append(docs, document(orgID, id, p))
			}
			return nil
		})
		if err != nil {
			return 0, nil, err
		}
	}
	return orgID, docs, nil
}
