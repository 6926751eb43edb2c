package demo

import (
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"
)

// --- curated list checks ---------------------------------------------------

func isHan(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

func isHiragana(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.Is(unicode.Hiragana, r) && r != 'ー' {
			return false
		}
	}
	return true
}

func isASCIILetters(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return false
		}
	}
	return true
}

func isPrintableASCII(s string) bool {
	if strings.TrimSpace(s) == "" {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r > 0x7e {
			return false
		}
	}
	return true
}

func hasNonASCII(s string) bool {
	for _, r := range s {
		if r > 0x7e {
			return true
		}
	}
	return false
}

var kanaRomaji = map[rune]string{
	'あ': "a", 'い': "i", 'う': "u", 'え': "e", 'お': "o",
	'か': "ka", 'き': "ki", 'く': "ku", 'け': "ke", 'こ': "ko",
	'が': "ga", 'ぎ': "gi", 'ぐ': "gu", 'げ': "ge", 'ご': "go",
	'さ': "sa", 'し': "shi", 'す': "su", 'せ': "se", 'そ': "so",
	'ざ': "za", 'じ': "ji", 'ず': "zu", 'ぜ': "ze", 'ぞ': "zo",
	'た': "ta", 'ち': "chi", 'つ': "tsu", 'て': "te", 'と': "to",
	'だ': "da", 'ぢ': "ji", 'づ': "zu", 'で': "de", 'ど': "do",
	'な': "na", 'に': "ni", 'ぬ': "nu", 'ね': "ne", 'の': "no",
	'は': "ha", 'ひ': "hi", 'ふ': "fu", 'へ': "he", 'ほ': "ho",
	'ば': "ba", 'び': "bi", 'ぶ': "bu", 'べ': "be", 'ぼ': "bo",
	'ぱ': "pa", 'ぴ': "pi", 'ぷ': "pu", 'ぺ': "pe", 'ぽ': "po",
	'ま': "ma", 'み': "mi", 'む': "mu", 'め': "me", 'も': "mo",
	'や': "ya", 'ゆ': "yu", 'よ': "yo",
	'ら': "ra", 'り': "ri", 'る': "ru", 'れ': "re", 'ろ': "ro",
	'わ': "wa", 'を': "o", 'ん': "n",
}

var smallY = map[rune]string{'ゃ': "a", 'ゅ': "u", 'ょ': "o"}

// hepburnVariants converts a hiragana reading to plain Hepburn and returns
// every spelling obtained by keeping or dropping each long-vowel kana
// (おう, おお, うう). The ambiguity is inherent: 井上 いのうえ is "Inoue"
// while 伊藤 いとう is "Ito", so both spellings are accepted. ok is false
// for kana outside the table.
func hepburnVariants(kana string) (variants []string, ok bool) {
	type seg struct {
		text     string
		optional bool
	}
	var segs []seg
	rs := []rune(kana)
	geminate := false
	var prevVowel byte
	for i := 0; i < len(rs); i++ {
		if rs[i] == 'っ' {
			geminate = true
			continue
		}
		syl, found := kanaRomaji[rs[i]]
		if !found {
			return nil, false
		}
		if i+1 < len(rs) {
			if v, small := smallY[rs[i+1]]; small {
				root := strings.TrimSuffix(syl, "i")
				if strings.HasSuffix(root, "h") || root == "j" {
					syl = root + v // sha, cho, ju
				} else {
					syl = root + "y" + v // kyo, ryu
				}
				i++
			}
		}
		if geminate {
			if strings.HasPrefix(syl, "ch") {
				syl = "t" + syl
			} else {
				syl = syl[:1] + syl
			}
			geminate = false
		}
		optional := (prevVowel == 'o' && (syl == "u" || syl == "o")) ||
			(prevVowel == 'u' && syl == "u")
		segs = append(segs, seg{syl, optional})
		prevVowel = syl[len(syl)-1]
		if optional {
			prevVowel = 0
		}
	}
	if geminate {
		return nil, false
	}
	variants = []string{""}
	for _, s := range segs {
		var next []string
		for _, v := range variants {
			next = append(next, v+s.text)
			if s.optional {
				next = append(next, v)
			}
		}
		variants = next
	}
	return variants, true
}

func TestHepburnVariantsHelper(t *testing.T) {
	cases := map[string]string{
		"さとう": "sato", "いのうえ": "inoue", "おおの": "ono", "はっとり": "hattori",
		"しょうた": "shota", "じゅんいち": "junichi", "きょうこ": "kyoko",
		"もちづき": "mochizuki", "まつうら": "matsuura", "とおる": "toru",
	}
	for kana, want := range cases {
		vs, ok := hepburnVariants(kana)
		if !ok || !slices.Contains(vs, want) {
			t.Errorf("hepburnVariants(%q) = %v, %v; want to contain %q", kana, vs, ok, want)
		}
	}
	if vs, _ := hepburnVariants("さとう"); slices.Contains(vs, "satoo") {
		t.Errorf("unexpected variant satoo in %v", vs)
	}
}

func checkNames(t *testing.T, label string, list []nameEntry, min int) {
	t.Helper()
	if len(list) < min {
		t.Errorf("%s: %d entries, want >= %d", label, len(list), min)
	}
	seen := map[string]bool{}
	for i, e := range list {
		if !isHan(e.Kanji) {
			t.Errorf("%s[%d] %q: kanji must be non-empty Han characters", label, i, e.Kanji)
		}
		if !isHiragana(e.Kana) {
			t.Errorf("%s[%d] %q: reading %q is not hiragana only", label, i, e.Kanji, e.Kana)
		}
		if !isASCIILetters(e.Romaji) || !unicode.IsUpper(rune(e.Romaji[0])) ||
			strings.ToLower(e.Romaji[1:]) != e.Romaji[1:] {
			t.Errorf("%s[%d] %q: romaji %q must be capitalized ASCII letters", label, i, e.Kanji, e.Romaji)
		}
		vs, ok := hepburnVariants(e.Kana)
		if !ok {
			t.Errorf("%s[%d] %q: cannot romanize reading %q", label, i, e.Kanji, e.Kana)
		} else if !slices.Contains(vs, strings.ToLower(e.Romaji)) {
			t.Errorf("%s[%d] %q: romaji %q does not match reading %q (expected one of %v)",
				label, i, e.Kanji, e.Romaji, e.Kana, vs)
		}
		key := e.Kanji + "/" + e.Kana
		if seen[key] {
			t.Errorf("%s: duplicate entry %s", label, key)
		}
		seen[key] = true
	}
}

func TestNameLists(t *testing.T) {
	checkNames(t, "surnames", surnames, 120)
	checkNames(t, "maleGivenNames", maleGivenNames, 80)
	checkNames(t, "femaleGivenNames", femaleGivenNames, 80)

	lengths := map[int]int{}
	for _, s := range surnames {
		lengths[len([]rune(s.Kanji))]++
	}
	if lengths[1] < 5 || lengths[2] < 50 || lengths[3] < 3 {
		t.Errorf("surname kanji lengths %v: want several 1-, many 2- and a few 3-character names", lengths)
	}
	for _, want := range []string{"佐藤", "鈴木", "高橋", "田中", "林", "森", "原"} {
		if !slices.ContainsFunc(surnames, func(e nameEntry) bool { return e.Kanji == want }) {
			t.Errorf("surnames lack %s", want)
		}
	}
}

func TestIndustriesAndDepartments(t *testing.T) {
	inds := Industries()
	if len(inds) < 15 {
		t.Errorf("%d industries, want >= 15", len(inds))
	}
	keys := map[string]bool{}
	for _, ind := range inds {
		if ind.Key == "" || strings.Trim(ind.Key, "abcdefghijklmnopqrstuvwxyz_") != "" {
			t.Errorf("industry key %q must be lowercase ascii/underscore", ind.Key)
		}
		if keys[ind.Key] {
			t.Errorf("duplicate industry key %q", ind.Key)
		}
		keys[ind.Key] = true
		if !hasNonASCII(ind.NameJA) || !isPrintableASCII(ind.NameEN) {
			t.Errorf("industry %q: bad labels %q / %q", ind.Key, ind.NameJA, ind.NameEN)
		}
	}
	for _, k := range []string{"it", "finance", "manufacturing", "consulting", "retail", "healthcare",
		"education", "public", "media", "logistics", "real_estate", "energy", "food", "startup", "other"} {
		if !keys[k] {
			t.Errorf("missing industry key %q", k)
		}
	}

	depts := Departments()
	if len(depts) < 12 {
		t.Errorf("%d departments, want >= 12", len(depts))
	}
	dkeys := map[string]bool{}
	for i, d := range depts {
		if d.Key == "" || strings.Trim(d.Key, "abcdefghijklmnopqrstuvwxyz_") != "" {
			t.Errorf("department key %q must be lowercase ascii/underscore", d.Key)
		}
		if dkeys[d.Key] {
			t.Errorf("duplicate department key %q", d.Key)
		}
		dkeys[d.Key] = true
		if !hasNonASCII(d.NameJA) || !isPrintableASCII(d.NameEN) {
			t.Errorf("department %q: bad labels %q / %q", d.Key, d.NameJA, d.NameEN)
		}
		spec := departments[i]
		if spec.Weight <= 0 {
			t.Errorf("department %q: weight %d", d.Key, spec.Weight)
		}
		if _, ok := ladders[spec.Track]; !ok {
			t.Errorf("department %q: unknown track %q", d.Key, spec.Track)
		}
		for k := range spec.Affinity {
			if !keys[k] {
				t.Errorf("department %q: affinity for unknown industry %q", d.Key, k)
			}
		}
	}

	// The accessors return copies.
	inds[0].Key = "mutated"
	depts[0].Key = "mutated"
	if Industries()[0].Key == "mutated" || Departments()[0].Key == "mutated" {
		t.Error("Industries/Departments must return copies")
	}
}

func TestEmployers(t *testing.T) {
	if len(employers) < 40 {
		t.Errorf("%d employers, want >= 40", len(employers))
	}
	inds := map[string]bool{}
	for _, ind := range industries {
		inds[ind.Key] = true
	}
	names := map[string]bool{}
	covered := map[string]bool{}
	var banks, shoji int
	for _, e := range employers {
		if !hasNonASCII(e.NameJA) || !isPrintableASCII(e.NameEN) {
			t.Errorf("employer %q / %q: bad names", e.NameJA, e.NameEN)
		}
		if names[e.NameJA] || names[e.NameEN] {
			t.Errorf("duplicate employer %q / %q", e.NameJA, e.NameEN)
		}
		names[e.NameJA], names[e.NameEN] = true, true
		if !inds[e.Industry] {
			t.Errorf("employer %q: unknown industry %q", e.NameJA, e.Industry)
		}
		covered[e.Industry] = true
		if e.Weight <= 0 {
			t.Errorf("employer %q: weight %d", e.NameJA, e.Weight)
		}
		if e.NameJA == demoCompany.NameJA || e.NameEN == demoCompany.NameEN {
			t.Errorf("employer list contains the demo company")
		}
		if strings.HasSuffix(e.NameJA, "銀行") {
			banks++
		}
		if strings.Contains(e.NameJA, "商事") {
			shoji++
		}
	}
	if banks < 2 || shoji < 2 {
		t.Errorf("want some ○○銀行 and ○○商事 employers, got %d and %d", banks, shoji)
	}
	for k := range inds {
		if !covered[k] {
			t.Errorf("no employer in industry %q", k)
		}
	}
}

func TestRolesPrefecturesSkills(t *testing.T) {
	for track, ladder := range ladders {
		if len(ladder) < 3 || ladder[0].MinExp != 0 {
			t.Errorf("ladder %q must have >= 3 roles starting at MinExp 0", track)
		}
		for i, ro := range ladder {
			if !hasNonASCII(ro.JA) || !isPrintableASCII(ro.EN) || ro.Rarity <= 0 {
				t.Errorf("ladder %q role %d: bad role %+v", track, i, ro)
			}
			if i > 0 && ro.MinExp < ladder[i-1].MinExp {
				t.Errorf("ladder %q not sorted by MinExp at %q", track, ro.JA)
			}
		}
	}

	if len(prefectures) != 47 {
		t.Errorf("%d prefectures, want 47", len(prefectures))
	}
	seen := map[string]bool{}
	for _, p := range prefectures {
		if !isHan(p.NameJA) || !strings.ContainsAny(p.NameJA, "都道府県") {
			t.Errorf("prefecture %q: bad kanji name", p.NameJA)
		}
		if !isASCIILetters(p.NameEN) || p.Weight <= 0 {
			t.Errorf("prefecture %q: bad English name %q or weight %d", p.NameJA, p.NameEN, p.Weight)
		}
		if seen[p.NameJA] || seen[p.NameEN] {
			t.Errorf("duplicate prefecture %q", p.NameJA)
		}
		seen[p.NameJA], seen[p.NameEN] = true, true
	}
	byWeight := slices.Clone(prefectures)
	sort.SliceStable(byWeight, func(i, j int) bool { return byWeight[i].Weight > byWeight[j].Weight })
	var top []string
	for _, p := range byWeight[:5] {
		top = append(top, p.NameEN)
	}
	slices.Sort(top)
	if want := []string{"Aichi", "Fukuoka", "Kanagawa", "Osaka", "Tokyo"}; !slices.Equal(top, want) {
		t.Errorf("top-5 weighted prefectures %v, want %v", top, want)
	}

	if len(skills) < 40 {
		t.Errorf("%d skills, want >= 40", len(skills))
	}
	ja := map[string]bool{}
	for _, s := range skills {
		if strings.TrimSpace(s.JA) == "" || !isPrintableASCII(s.EN) || len(s.Groups) == 0 {
			t.Errorf("bad skill %+v", s)
		}
		if ja[s.JA] {
			t.Errorf("duplicate skill %q", s.JA)
		}
		ja[s.JA] = true
	}
}

func TestDemoCompany(t *testing.T) {
	c := DemoCompany()
	if c.Slug == "" || c.NameJA == "" || c.NameEN == "" {
		t.Errorf("incomplete company %+v", c)
	}
	if !strings.HasSuffix(c.Domain, ".example.jp") {
		t.Errorf("company domain %q must be under example.jp", c.Domain)
	}
}

// --- generated people ------------------------------------------------------

var (
	surnameSet = map[string]bool{}
	maleSet    = map[string]bool{}
	femaleSet  = map[string]bool{}
	skillSet   = map[string]bool{}
	deptSet    = map[Department]bool{}
	prefSet    = map[string]string{}
	roleSet    = map[[2]string]bool{}
	employerIx = map[string]employer{}
)

func init() {
	for _, e := range surnames {
		surnameSet[e.Kanji+e.Kana+e.Romaji] = true
	}
	for _, e := range maleGivenNames {
		maleSet[e.Kanji+e.Kana+e.Romaji] = true
	}
	for _, e := range femaleGivenNames {
		femaleSet[e.Kanji+e.Kana+e.Romaji] = true
	}
	for _, s := range skills {
		skillSet[s.JA] = true
	}
	for _, d := range Departments() {
		deptSet[d] = true
	}
	for _, p := range prefectures {
		prefSet[p.NameJA] = p.NameEN
	}
	for _, l := range ladders {
		for _, ro := range l {
			roleSet[[2]string{ro.JA, ro.EN}] = true
		}
	}
	for _, e := range employers {
		employerIx[e.NameJA] = e
	}
}

func validLocalPart(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '.' || r == '_') {
			return false
		}
	}
	return true
}

// checkCommon validates fields shared by alumni and employees and returns
// the e-mail domain.
func checkCommon(t *testing.T, i int, p Person) string {
	t.Helper()
	if !surnameSet[p.FamilyName+p.FamilyKana+p.FamilyRomaji] {
		t.Fatalf("person %d: family name %s/%s/%s not from list", i, p.FamilyName, p.FamilyKana, p.FamilyRomaji)
	}
	given := p.GivenName + p.GivenKana + p.GivenRomaji
	switch p.Gender {
	case "m":
		if !maleSet[given] {
			t.Fatalf("person %d: male given name %s not from list", i, given)
		}
	case "f":
		if !femaleSet[given] {
			t.Fatalf("person %d: female given name %s not from list", i, given)
		}
	default:
		t.Fatalf("person %d: gender %q", i, p.Gender)
	}
	if !deptSet[p.Department] {
		t.Fatalf("person %d: unknown department %+v", i, p.Department)
	}
	if !roleSet[[2]string{p.Role, p.RoleEN}] {
		t.Fatalf("person %d: unknown role %q/%q", i, p.Role, p.RoleEN)
	}
	if en, ok := prefSet[p.Prefecture]; !ok || en != p.PrefectureEN {
		t.Fatalf("person %d: bad prefecture %q/%q", i, p.Prefecture, p.PrefectureEN)
	}
	if len(p.Skills) < 2 || len(p.Skills) > 5 {
		t.Fatalf("person %d: %d skills", i, len(p.Skills))
	}
	for j, s := range p.Skills {
		if !skillSet[s] {
			t.Fatalf("person %d: unknown skill %q", i, s)
		}
		if slices.Contains(p.Skills[:j], s) {
			t.Fatalf("person %d: duplicate skill %q", i, s)
		}
	}
	local, domain, ok := strings.Cut(p.Email, "@")
	if !ok || !validLocalPart(local) || strings.Contains(domain, "@") {
		t.Fatalf("person %d: malformed email %q", i, p.Email)
	}
	return domain
}

func TestAlumniInvariants(t *testing.T) {
	const n = 20000
	people := Alumni(42, n)
	if len(people) != n {
		t.Fatalf("got %d alumni, want %d", len(people), n)
	}
	emails := make(map[string]bool, n)
	byLeft := map[int]int{}
	companies := map[string]bool{}
	for i, p := range people {
		domain := checkCommon(t, i, p)
		if domain != "example.jp" && domain != "example.com" && domain != "example.net" {
			t.Fatalf("alumnus %d: email %q not under example.jp/.com/.net", i, p.Email)
		}
		if emails[p.Email] {
			t.Fatalf("alumnus %d: duplicate email %q", i, p.Email)
		}
		emails[p.Email] = true

		if p.JoinedYear < 1995 || p.JoinedYear > 2024 {
			t.Fatalf("alumnus %d: JoinedYear %d", i, p.JoinedYear)
		}
		tenure := p.LeftYear - p.JoinedYear
		if tenure < 1 || tenure > 20 || p.LeftYear > 2026 {
			t.Fatalf("alumnus %d: joined %d left %d", i, p.JoinedYear, p.LeftYear)
		}
		byLeft[p.LeftYear]++

		e, ok := employerIx[p.CurrentCompany]
		if !ok || e.NameEN != p.CurrentCompanyEN {
			t.Fatalf("alumnus %d: unknown company %q/%q", i, p.CurrentCompany, p.CurrentCompanyEN)
		}
		if p.Industry.Key != e.Industry || p.Industry.NameJA == "" || p.Industry.NameEN == "" {
			t.Fatalf("alumnus %d: industry %+v does not match employer %q (%s)", i, p.Industry, e.NameJA, e.Industry)
		}
		companies[p.CurrentCompany] = true
	}
	old, recent := 0, 0
	for y := 1996; y <= 2005; y++ {
		old += byLeft[y]
	}
	for y := 2016; y <= 2025; y++ {
		recent += byLeft[y]
	}
	if recent < 3*old || byLeft[1996] == 0 || byLeft[2026] == 0 {
		t.Errorf("leave years not skewed to recent years / missing ends: %v", byLeft)
	}
	if len(companies) < 40 {
		t.Errorf("only %d distinct current companies", len(companies))
	}
}

func TestEmployeesInvariants(t *testing.T) {
	const n = 20000
	people := Employees(7, n)
	if len(people) != n {
		t.Fatalf("got %d employees, want %d", len(people), n)
	}
	emails := make(map[string]bool, n)
	for i, p := range people {
		domain := checkCommon(t, i, p)
		if domain != DemoCompany().Domain {
			t.Fatalf("employee %d: email %q not at company domain", i, p.Email)
		}
		if emails[p.Email] {
			t.Fatalf("employee %d: duplicate email %q", i, p.Email)
		}
		emails[p.Email] = true
		if p.LeftYear != 0 || p.CurrentCompany != "" || p.CurrentCompanyEN != "" || p.Industry != (Industry{}) {
			t.Fatalf("employee %d: has alumni fields: %+v", i, p)
		}
		if p.JoinedYear < 1995 || p.JoinedYear > 2026 {
			t.Fatalf("employee %d: JoinedYear %d", i, p.JoinedYear)
		}
	}
}

func TestDeterminism(t *testing.T) {
	for _, gen := range []struct {
		name string
		f    func(uint64, int) []Person
	}{{"Alumni", Alumni}, {"Employees", Employees}} {
		a, b := gen.f(1, 3000), gen.f(1, 3000)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: same seed gave different output", gen.name)
		}
		c := gen.f(2, 3000)
		same := 0
		for i := range a {
			if reflect.DeepEqual(a[i], c[i]) {
				same++
			}
		}
		if same > 10 {
			t.Errorf("%s: seeds 1 and 2 share %d of %d people", gen.name, same, len(a))
		}
		if !reflect.DeepEqual(gen.f(1, 100), a[:100]) {
			t.Errorf("%s: smaller n is not a prefix of larger n", gen.name)
		}
	}
	if Alumni(1, 1)[0].FamilyName+Alumni(1, 1)[0].GivenName == "" {
		t.Error("empty name")
	}
}

func TestEmptyAndNegative(t *testing.T) {
	for _, n := range []int{0, -5} {
		if got := Alumni(1, n); got == nil || len(got) != 0 {
			t.Errorf("Alumni(1, %d) = %v, want empty non-nil", n, got)
		}
		if got := Employees(1, n); got == nil || len(got) != 0 {
			t.Errorf("Employees(1, %d) = %v, want empty non-nil", n, got)
		}
	}
}

func TestSurnameVariety(t *testing.T) {
	distinct := map[string]bool{}
	for _, p := range Alumni(99, 5000) {
		distinct[p.FamilyName] = true
	}
	if len(distinct) < 120 {
		t.Errorf("%d distinct surnames in 5000 alumni, want >= 120", len(distinct))
	}
	// Frequency should follow rank: 佐藤 must beat the tail of the list.
	counts := map[string]int{}
	for _, p := range Alumni(99, 20000) {
		counts[p.FamilyName]++
	}
	if counts["佐藤"] < 5*counts[surnames[len(surnames)-1].Kanji] {
		t.Errorf("surname weighting too flat: 佐藤=%d, %s=%d",
			counts["佐藤"], surnames[len(surnames)-1].Kanji, counts[surnames[len(surnames)-1].Kanji])
	}
}

func TestDistributions(t *testing.T) {
	people := Alumni(5, 20000)
	prefs := map[string]int{}
	genders := map[string]int{}
	roles := map[string]int{}
	for _, p := range people {
		prefs[p.PrefectureEN]++
		genders[p.Gender]++
		roles[p.RoleEN]++
	}
	type kv struct {
		k string
		v int
	}
	var ranked []kv
	for k, v := range prefs {
		ranked = append(ranked, kv{k, v})
	}
	sort.Slice(ranked, func(i, j int) bool { return ranked[i].v > ranked[j].v })
	if ranked[0].k != "Tokyo" {
		t.Errorf("most common prefecture %q, want Tokyo", ranked[0].k)
	}
	var top []string
	for _, e := range ranked[:5] {
		top = append(top, e.k)
	}
	slices.Sort(top)
	if want := []string{"Aichi", "Fukuoka", "Kanagawa", "Osaka", "Tokyo"}; !slices.Equal(top, want) {
		t.Errorf("top-5 prefectures %v, want %v", top, want)
	}
	if len(prefs) < 40 {
		t.Errorf("only %d prefectures appear", len(prefs))
	}
	if genders["f"] < 6000 || genders["m"] < 6000 {
		t.Errorf("gender split %v", genders)
	}
	if roles["Staff"] == 0 || roles["Manager"] == 0 || roles["Engineer"] == 0 || roles["Executive Officer"] == 0 {
		t.Errorf("role spread missing levels: %v", roles)
	}
}

func TestEmailUniqueLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large generation")
	}
	const n = 200000
	for name, people := range map[string][]Person{"Alumni": Alumni(3, n), "Employees": Employees(3, n)} {
		seen := make(map[string]struct{}, n)
		for i, p := range people {
			if _, dup := seen[p.Email]; dup {
				t.Fatalf("%s %d: duplicate email %q", name, i, p.Email)
			}
			seen[p.Email] = struct{}{}
		}
	}
}

func BenchmarkAlumni100k(b *testing.B) {
	for b.Loop() {
		Alumni(1, 100000)
	}
}

func BenchmarkEmployees100k(b *testing.B) {
	for b.Loop() {
		Employees(1, 100000)
	}
}
