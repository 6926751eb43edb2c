package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/tsunagu/tsunagu/internal/platform/db"
	"github.com/tsunagu/tsunagu/internal/search"
)

type query struct {
	kind, text string
}

// Query kinds and their share of the mix, in percent.
var kinds = []struct {
	name  string
	share int
}{
	{"2-char name", 50},
	{"1 char", 10},
	{"kana reading", 10},
	{"romaji", 10},
	{"company", 10},
	{"two words", 10},
}

func katakana(hira string) string {
	return strings.Map(func(r rune) rune {
		if 0x3041 <= r && r <= 0x3096 {
			return r + 0x60
		}
		return r
	}, hira)
}

// queryMix draws n queries from the generated people, so that names come
// with their real frequencies.
func queryMix(seed uint64, people []profile, n int) []query {
	r := rand.New(rand.NewPCG(seed, 0x9e7))
	person := func() profile { return people[r.IntN(len(people))] }
	var out []query
	for _, k := range kinds {
		for range n * k.share / 100 {
			out = append(out, query{k.name, draw(r, k.name, person)})
		}
	}
	for len(out) < n {
		out = append(out, query{kinds[0].name, draw(r, kinds[0].name, person)})
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func draw(r *rand.Rand, kind string, person func() profile) string {
	for {
		p := person()
		switch kind {
		case "2-char name":
			name := p.FamilyName
			if r.IntN(3) == 0 {
				name = p.GivenName
			}
			if utf8.RuneCountInString(name) == 2 {
				return name
			}
		case "1 char":
			rs := []rune(p.FamilyName + p.GivenName)
			return string(rs[r.IntN(len(rs))])
		case "kana reading":
			kana := p.FamilyKana
			if r.IntN(4) == 0 {
				kana = p.GivenKana
			}
			switch r.IntN(3) {
			case 0:
				return kana
			case 1:
				return katakana(kana)
			default:
				return width.Narrow.String(katakana(kana))
			}
		case "romaji":
			name := p.FamilyRomaji
			if r.IntN(4) == 0 {
				name = p.GivenRomaji
			}
			switch r.IntN(3) {
			case 0:
				return strings.ToLower(name)
			case 1:
				return strings.ToUpper(name)
			default:
				return name
			}
		case "company":
			if p.CurrentCompany == "" {
				continue
			}
			core := strings.TrimSpace(strings.NewReplacer("株式会社", "", "医療法人社団", "", "学校法人", "", "一般社団法人", "", "独立行政法人", "").Replace(p.CurrentCompany))
			en, _, _ := strings.Cut(p.CurrentCompanyEN, " ")
			switch r.IntN(4) {
			case 0:
				return core
			case 1:
				return width.Narrow.String(katakana(core)) // half-width where it has kana
			case 2:
				return en
			default:
				return width.Widen.String(en) // full-width ASCII
			}
		case "two words":
			switch r.IntN(3) {
			case 0:
				return p.FamilyName + " " + p.GivenName
			case 1:
				return p.FamilyName + " " + p.Skills[r.IntN(len(p.Skills))]
			default:
				return p.FamilyRomaji + " " + strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(p.Prefecture, "県"), "府"), "都")
			}
		}
	}
}

type result struct {
	ids   []int64
	total int
	took  time.Duration
}

// likeSearch answers q without the index: LIKE '%word%' over the normalised
// texts, ranked and paged as Search does.
func likeSearch(ctx context.Context, d *db.DB, orgID int64, q search.Query, limit int) ([]int64, int, error) {
	table := "member_search_docs"
	if d.Dialect == db.Postgres {
		table = "member_search"
	}
	args := []any{orgID}
	var conds, inName []string
	for _, w := range q.Words() {
		args = append(args, "%"+w+"%")
		p := "$" + strconv.Itoa(len(args))
		conds = append(conds, "(name_text LIKE "+p+" OR body_text LIKE "+p+")")
		inName = append(inName, "name_text LIKE "+p)
	}
	args = append(args, limit)
	rows, err := d.Read().QueryContext(ctx, `SELECT user_id, count(*) OVER () FROM `+table+` WHERE org_id = $1 AND `+
		strings.Join(conds, " AND ")+` ORDER BY CASE WHEN `+strings.Join(inName, " AND ")+` THEN 1 ELSE 0 END DESC, user_id LIMIT $`+
		strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var ids []int64
	total := 0
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id, &total); err != nil {
			return nil, 0, err
		}
		ids = append(ids, id)
	}
	return ids, total, rows.Err()
}

func run1(ctx context.Context, fn func(search.Query) ([]int64, int, error), raw string) (result, error) {
	t0 := time.Now()
	q, err := search.ParseQuery(raw)
	if err != nil {
		return result{}, fmt.Errorf("query %q: %w", raw, err)
	}
	ids, total, err := fn(q)
	if err != nil {
		return result{}, fmt.Errorf("query %q: %w", raw, err)
	}
	return result{ids, total, time.Since(t0)}, nil
}

func measure(ctx context.Context, d *db.DB, ix *search.Index, orgID int64, mix []query, baseline bool, out io.Writer) error {
	const page = 20
	indexed := func(q search.Query) ([]int64, int, error) { return ix.Search(ctx, orgID, q, page, 0) }
	scanned := func(q search.Query) ([]int64, int, error) { return likeSearch(ctx, d, orgID, q, page) }
	// Warm the caches the way a running server has them.
	for _, q := range mix[:min(200, len(mix))] {
		if _, err := run1(ctx, indexed, q.text); err != nil {
			return err
		}
	}
	res := make([]result, len(mix))
	t0 := time.Now()
	for i, q := range mix {
		r, err := run1(ctx, indexed, q.text)
		if err != nil {
			return err
		}
		res[i] = r
	}
	wall := time.Since(t0)
	var base []result
	mismatches := 0
	if baseline {
		base = make([]result, len(mix))
		for i, q := range mix {
			r, err := run1(ctx, scanned, q.text)
			if err != nil {
				return err
			}
			base[i] = r
			if r.total != res[i].total || !slices.Equal(r.ids, res[i].ids) {
				mismatches++
				if mismatches <= 5 {
					fmt.Fprintf(out, "MISMATCH %q: index %d hits %v, LIKE %d hits %v\n", q.text, res[i].total, res[i].ids, r.total, r.ids)
				}
			}
		}
	}

	fmt.Fprintf(out, "\nsearch latency, one client, ParseQuery + total count + first %d ids (%d queries in %s):\n\n", page, len(mix), wall.Round(time.Millisecond))
	fmt.Fprintf(out, "| %-14s | %7s | %9s | %9s | %9s | %9s | %9s | %11s |\n", "queries", "count", "mean hits", "p50", "p95", "p99", "max", "LIKE p95")
	fmt.Fprintf(out, "|%s|%s|%s|%s|%s|%s|%s|%s|\n", dashes(16), dashes(9), dashes(11), dashes(11), dashes(11), dashes(11), dashes(11), dashes(13))
	row := func(name string, keep func(query) bool) (p95, b95 time.Duration) {
		var ds, bs []time.Duration
		hits := 0
		for i, q := range mix {
			if !keep(q) {
				continue
			}
			ds = append(ds, res[i].took)
			hits += res[i].total
			if base != nil {
				bs = append(bs, base[i].took)
			}
		}
		p50, p95, p99, mx := summarize(ds)
		bp := "-"
		if bs != nil {
			_, b95, _, _ = summarize(bs)
			bp = ms(b95)
		}
		fmt.Fprintf(out, "| %-14s | %7d | %9.0f | %9s | %9s | %9s | %9s | %11s |\n", name, len(ds), float64(hits)/float64(len(ds)), ms(p50), ms(p95), ms(p99), ms(mx), bp)
		return p95, b95
	}
	p95, b95 := row("all", func(query) bool { return true })
	for _, k := range kinds {
		row(k.name, func(q query) bool { return q.kind == k.name })
	}
	if base != nil {
		var bs []time.Duration
		for _, b := range base {
			bs = append(bs, b.took)
		}
		b50, _, b99, bmx := summarize(bs)
		fmt.Fprintf(out, "\nLIKE '%%word%%' scan of the same texts, same mix: p50 %s, p95 %s, p99 %s, max %s\n", ms(b50), ms(b95), ms(b99), ms(bmx))
		fmt.Fprintf(out, "speed-up at p95: %.0fx\n", float64(b95)/float64(p95))
		fmt.Fprintf(out, "answers identical to the LIKE scan (total and first %d ids, in order): %d of %d queries\n", page, len(mix)-mismatches, len(mix))
		if mismatches > 0 {
			return fmt.Errorf("%d queries answered differently by the index and the LIKE scan", mismatches)
		}
	}
	return nil
}

func dashes(n int) string { return strings.Repeat("-", n) }

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
