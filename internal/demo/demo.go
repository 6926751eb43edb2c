// Package demo generates realistic, deterministic Japanese demo people for
// Tsunagu: alumni (former employees) and current employees of a fictional
// demo company, built from curated name, company, department, role,
// prefecture and skill lists kept in this package.
//
// All generated e-mail addresses use domains reserved for documentation
// (example.jp, example.com, example.net and subdomains), never real ones.
package demo

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// Year bounds for generated careers.
const (
	firstJoinYear = 1995 // the demo company was founded in 1995
	lastJoinYear  = 2024 // latest join year for alumni
	currentYear   = 2026 // "now" for generation; alumni leave by this year
	maxTenure     = 20
)

// Industry is a business sector of an alumnus's current employer.
type Industry struct{ Key, NameJA, NameEN string }

// Department is a department of the demo company.
type Department struct{ Key, NameJA, NameEN string }

// Person is a generated demo person: an alumnus (LeftYear > 0) or a current
// employee (LeftYear == 0).
type Person struct {
	FamilyName, GivenName            string // kanji, e.g. "田中", "太郎"
	FamilyKana, GivenKana            string // hiragana, e.g. "たなか", "たろう"
	FamilyRomaji, GivenRomaji        string // plain Hepburn, e.g. "Tanaka", "Taro"
	Email                            string // unique within one Alumni/Employees call
	Gender                           string // "f" or "m" (only used for name choice)
	JoinedYear, LeftYear             int    // LeftYear 0 for current employees
	Department                       Department
	Role                             string // Japanese title of the last role at the company, e.g. "課長"
	RoleEN                           string // English title, e.g. "Manager"
	CurrentCompany, CurrentCompanyEN string // empty for current employees
	Industry                         Industry
	Prefecture, PrefectureEN         string
	Skills                           []string // 2-5 Japanese skill labels
}

// Company is the demo organization itself.
type Company struct{ Slug, NameJA, NameEN, Domain string }

var demoCompany = Company{
	Slug:   "sakura-tech",
	NameJA: "さくらテクノロジー株式会社",
	NameEN: "Sakura Technology Co., Ltd.",
	Domain: "sakura-tech.example.jp",
}

// DemoCompany returns the fictional company whose alumni and employees are
// generated.
func DemoCompany() Company { return demoCompany }

// Industries returns all industries (a fresh copy) in a stable order.
func Industries() []Industry { return slices.Clone(industries) }

// Departments returns all departments of the demo company (a fresh copy) in
// a stable order.
func Departments() []Department {
	out := make([]Department, len(departments))
	for i, d := range departments {
		out[i] = d.Department
	}
	return out
}

// PCG stream selectors, so that Alumni and Employees with the same seed do
// not produce correlated people.
const (
	alumniStream   = 0x616c756d6e69 // "alumni"
	employeeStream = 0x656d706c6f79 // "employ"
)

// Alumni returns n former employees, deterministic for a given seed.
// Join years are 1995..2024 and tenures 1..20 years; every alumnus left in
// JoinedYear+1..2026, with recent years more common. The result for n is a
// prefix of the result for any larger n with the same seed. E-mail
// addresses are personal ones under example.jp/.com/.net and are unique
// within the result.
func Alumni(seed uint64, n int) []Person {
	if n <= 0 {
		return []Person{}
	}
	g := newGenerator(seed, alumniStream, n)
	out := make([]Person, n)
	for i := range out {
		p := &out[i]
		spec := g.basics(p)

		li := tab.leftYear.pick(g.r)
		tp := &tab.tenure[li]
		p.LeftYear = firstJoinYear + 1 + li
		tenure := tp.min + tp.pick.pick(g.r)
		p.JoinedYear = p.LeftYear - tenure

		ro := g.role(spec, tenure)
		p.Role, p.RoleEN = ro.JA, ro.EN

		e := employers[tab.employerByDept[spec.idx].pick(g.r)]
		p.CurrentCompany, p.CurrentCompanyEN = e.NameJA, e.NameEN
		p.Industry = industries[tab.industryIdx[e.Industry]]

		p.Skills = g.skills(spec, ro)
		p.Email = g.alumniEmail(p)
	}
	return out
}

// Employees returns n current employees of DemoCompany, deterministic for a
// given seed: LeftYear 0, no current company or industry, and unique e-mail
// addresses at DemoCompany().Domain. The result for n is a prefix of the
// result for any larger n with the same seed.
func Employees(seed uint64, n int) []Person {
	if n <= 0 {
		return []Person{}
	}
	g := newGenerator(seed, employeeStream, n)
	out := make([]Person, n)
	for i := range out {
		p := &out[i]
		spec := g.basics(p)

		p.JoinedYear = firstJoinYear + tab.employeeJoin.pick(g.r)
		ro := g.role(spec, currentYear-p.JoinedYear)
		p.Role, p.RoleEN = ro.JA, ro.EN

		p.Skills = g.skills(spec, ro)
		local := lowerGiven(p) + "." + lowerFamily(p)
		p.Email = g.uniqueEmail(local, demoCompany.Domain)
	}
	return out
}

// generator holds the per-call random source and e-mail bookkeeping.
type generator struct {
	r    *rand.Rand
	used map[string]struct{} // addresses handed out
	next map[string]int      // next numeric suffix to try per base address
}

func newGenerator(seed, stream uint64, n int) *generator {
	return &generator{
		r:    rand.New(rand.NewPCG(seed, stream)),
		used: make(map[string]struct{}, n),
		next: make(map[string]int),
	}
}

// specRef is a department spec together with its index in departments.
type specRef struct {
	*deptSpec
	idx int
}

// basics fills name, gender, department and prefecture.
func (g *generator) basics(p *Person) specRef {
	r := g.r
	s := &surnames[tab.surname.pick(r)]
	p.FamilyName, p.FamilyKana, p.FamilyRomaji = s.Kanji, s.Kana, s.Romaji

	var given *nameEntry
	if r.IntN(100) < 45 {
		p.Gender = "f"
		given = &femaleGivenNames[r.IntN(len(femaleGivenNames))]
	} else {
		p.Gender = "m"
		given = &maleGivenNames[r.IntN(len(maleGivenNames))]
	}
	p.GivenName, p.GivenKana, p.GivenRomaji = given.Kanji, given.Kana, given.Romaji

	di := tab.dept.pick(r)
	p.Department = departments[di].Department

	pref := &prefectures[tab.prefecture.pick(r)]
	p.Prefecture, p.PrefectureEN = pref.NameJA, pref.NameEN
	return specRef{&departments[di], di}
}

// role picks the last role held, given years at the company. Some people
// joined mid-career, so their total experience exceeds their tenure.
func (g *generator) role(spec specRef, tenure int) role {
	exp := tenure
	if g.r.IntN(100) >= 45 { // 45% joined as new graduates
		exp += 1 + g.r.IntN(12)
	}
	ladder := ladders[spec.Track]
	top := 0
	for i, ro := range ladder {
		if ro.MinExp <= exp {
			top = i
		}
	}
	// Favour the highest eligible rung but let people plateau a few rungs
	// below it.
	var w [4]int
	total := 0
	for k := range w {
		if top-k < 0 {
			break
		}
		w[k] = [4]int{5, 3, 2, 1}[k] * ladder[top-k].Rarity
		total += w[k]
	}
	x := g.r.IntN(total)
	for k := range w {
		if x < w[k] {
			return ladder[top-k]
		}
		x -= w[k]
	}
	return ladder[top] // unreachable
}

// skills picks 2-5 distinct Japanese skill labels, mostly from the
// department's skill groups.
func (g *generator) skills(spec specRef, ro role) []string {
	r := g.r
	k := 2 + r.IntN(4)
	picked := make([]int, 0, k)
	has := func(i int) bool { return slices.Contains(picked, i) }
	if managerial(ro) && r.IntN(2) == 0 {
		picked = append(picked, tab.teamMgmtSkill)
	}
	pool := tab.deptSkills[spec.idx]
	for attempts := 0; len(picked) < k; attempts++ {
		var i int
		switch {
		case attempts > 40: // tiny pool exhausted; anything goes
			i = r.IntN(len(skills))
		case r.IntN(100) < 75:
			i = pool[r.IntN(len(pool))]
		default:
			i = tab.generalSkills[r.IntN(len(tab.generalSkills))]
		}
		if !has(i) {
			picked = append(picked, i)
		}
	}
	out := make([]string, len(picked))
	for j, i := range picked {
		out[j] = skills[i].JA
	}
	return out
}

var alumniDomains = []string{"example.jp", "example.com", "example.net"}

// alumniEmail builds a personal address in one of several common styles.
func (g *generator) alumniEmail(p *Person) string {
	r := g.r
	given, family := lowerGiven(p), lowerFamily(p)
	var local string
	switch tab.emailStyle.pick(r) {
	case 0:
		local = given + "." + family
	case 1:
		local = family + "." + given
	case 2:
		local = given[:1] + "." + family
	case 3:
		local = given + family
	case 4:
		local = family + "_" + given
	default: // two-digit birth-year style suffix, e.g. taro.tanaka88
		yy := (60 + r.IntN(46)) % 100
		local = given + "." + family + strconv.Itoa(yy/10) + strconv.Itoa(yy%10)
	}
	return g.uniqueEmail(local, alumniDomains[tab.emailDomain.pick(r)])
}

// uniqueEmail returns local@domain, or local.N@domain with the smallest
// N >= 2 not yet used for this base when the plain address is taken.
// Per-base counters only move forward, so the total work is linear.
func (g *generator) uniqueEmail(local, domain string) string {
	addr := local + "@" + domain
	if _, ok := g.used[addr]; !ok {
		g.used[addr] = struct{}{}
		return addr
	}
	n := max(g.next[addr], 2)
	for ; ; n++ {
		cand := local + "." + strconv.Itoa(n) + "@" + domain
		if _, ok := g.used[cand]; !ok {
			g.used[cand] = struct{}{}
			g.next[addr] = n + 1
			return cand
		}
	}
}

func lowerGiven(p *Person) string  { return strings.ToLower(p.GivenRomaji) }
func lowerFamily(p *Person) string { return strings.ToLower(p.FamilyRomaji) }

// picker samples an index with probability proportional to integer weights.
type picker struct{ cum []int }

func newPicker(weights []int) picker {
	cum := make([]int, len(weights))
	total := 0
	for i, w := range weights {
		if w < 0 {
			panic("demo: negative weight")
		}
		total += w
		cum[i] = total
	}
	if total == 0 {
		panic("demo: all weights zero")
	}
	return picker{cum}
}

func (p picker) pick(r *rand.Rand) int {
	x := r.IntN(p.cum[len(p.cum)-1])
	lo, hi := 0, len(p.cum)-1 // smallest i with cum[i] > x
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if p.cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// tenurePicker samples tenure (years) for a given leaving year.
type tenurePicker struct {
	min  int
	pick picker
}

// tenureWeights[t-1] is the relative frequency of leaving after t years:
// most people leave within a few years, with a long tail.
var tenureWeights = [maxTenure]int{12, 16, 15, 12, 10, 8, 7, 6, 5, 5, 4, 3, 3, 2, 2, 2, 2, 1, 1, 1}

// tables are lookup structures derived once from the curated lists.
type tables struct {
	surname, prefecture, dept picker
	leftYear                  picker         // index i => year 1996+i
	tenure                    []tenurePicker // by leftYear index
	employeeJoin              picker         // index i => year 1995+i
	employerByDept            []picker       // by department index
	industryIdx               map[string]int // industry key => index
	deptSkills                [][]int        // by department index
	generalSkills             []int
	teamMgmtSkill             int
	emailStyle, emailDomain   picker
}

var tab = buildTables()

func buildTables() *tables {
	t := &tables{industryIdx: map[string]int{}}

	// Surnames: Zipf-like weight by rank, so the most common name is about
	// ten times as frequent as the rarest.
	w := make([]int, len(surnames))
	for i := range surnames {
		w[i] = 1_000_000 / (i + 21)
	}
	t.surname = newPicker(w)

	w = make([]int, len(prefectures))
	for i, p := range prefectures {
		w[i] = p.Weight
	}
	t.prefecture = newPicker(w)

	w = make([]int, len(departments))
	for i, d := range departments {
		w[i] = d.Weight
	}
	t.dept = newPicker(w)

	// Leaving years: the company (and so its leavers) grew over time;
	// currentYear is only partly over.
	w = nil
	for y := firstJoinYear + 1; y <= currentYear; y++ {
		d := y - (firstJoinYear + 1)
		wy := 20 + d*d
		if y == currentYear {
			wy /= 3
		}
		w = append(w, wy)
	}
	t.leftYear = newPicker(w)
	for y := firstJoinYear + 1; y <= currentYear; y++ {
		lo := max(1, y-lastJoinYear)
		hi := min(maxTenure, y-firstJoinYear)
		t.tenure = append(t.tenure, tenurePicker{lo, newPicker(tenureWeights[lo-1 : hi])})
	}

	// Current employees: hiring accelerated in recent years.
	w = nil
	for y := firstJoinYear; y <= currentYear; y++ {
		d := y - firstJoinYear
		wy := 10 + d*d
		if y == currentYear {
			wy /= 3
		}
		w = append(w, wy)
	}
	t.employeeJoin = newPicker(w)

	for i, ind := range industries {
		t.industryIdx[ind.Key] = i
	}
	for _, d := range departments {
		w = make([]int, len(employers))
		for i, e := range employers {
			if _, ok := t.industryIdx[e.Industry]; !ok {
				panic("demo: employer " + e.NameEN + " has unknown industry " + e.Industry)
			}
			aff, ok := d.Affinity[e.Industry]
			if !ok {
				aff = 100
			}
			w[i] = e.Weight * aff
		}
		t.employerByDept = append(t.employerByDept, newPicker(w))
	}

	t.teamMgmtSkill = -1
	for i, s := range skills {
		if slices.Contains(s.Groups, "general") {
			t.generalSkills = append(t.generalSkills, i)
		}
		if s.EN == "Team management" {
			t.teamMgmtSkill = i
		}
	}
	if t.teamMgmtSkill < 0 || len(t.generalSkills) < 5 {
		panic("demo: skills list lacks general skills")
	}
	for _, d := range departments {
		var pool []int
		for i, s := range skills {
			for _, g := range d.SkillGroups {
				if slices.Contains(s.Groups, g) {
					pool = append(pool, i)
					break
				}
			}
		}
		if len(pool) < 5 {
			panic("demo: department " + d.Key + " has fewer than 5 skills")
		}
		t.deptSkills = append(t.deptSkills, pool)
	}

	t.emailStyle = newPicker([]int{40, 18, 10, 10, 7, 15})
	t.emailDomain = newPicker([]int{55, 30, 15})
	return t
}
