package search_test

import (
	"context"
	"testing"

	"github.com/tsunagu/tsunagu/internal/demo"
	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/platform/dbtest"
	"github.com/tsunagu/tsunagu/internal/search"
)

// BenchmarkSearch searches 5,000 generated alumni. cmd/benchsearch measures
// 100,000 with a larger query mix and a LIKE baseline.
func BenchmarkSearch(b *testing.B) {
	const n = 5000
	d := dbtest.New(b)
	ix := search.NewIndex(d)
	ctx := context.Background()
	orgID := createOrg(b, d, "bench")
	people := demo.Alumni(1, n)
	err := d.Tx(ctx, func(tx db.Tx) error {
		for i, p := range people {
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO users (org_id, email, email_lower, created_at, updated_at)
				VALUES ($1, $2, $2, $3, $3) RETURNING id`, orgID, people[i].Email, db.Now()).Scan(&id); err != nil {
				return err
			}
			name := search.Name{Family: p.FamilyName, Given: p.GivenName, FamilyKana: p.FamilyKana, GivenKana: p.GivenKana,
				FamilyRomaji: p.FamilyRomaji, GivenRomaji: p.GivenRomaji}
			body := append([]string{p.CurrentCompany, p.CurrentCompanyEN, p.Industry.NameJA, p.Department.NameJA, p.Role, p.Prefecture}, p.Skills...)
			if err := ix.Upsert(ctx, tx, search.Document{OrgID: orgID, UserID: id, Name: name.Variants(), Body: body}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, raw := range []string{"田中", "林", "たなか", "ｻﾄｳ", "tanaka", "ＮＴＴ", "クラウドリンク", "田中 東京"} {
		q := mustParse(b, raw)
		b.Run(raw, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := ix.Search(ctx, orgID, q, 20, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkNormalize(b *testing.B) {
	s := "田中 太郎 ﾀﾅｶ ﾀﾛｳ Tanaka Taro 株式会社ＮＴＴデータ 「分散システム」の設計が得意です。"
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		search.Normalize(s)
	}
}
