package breakout

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

// generate returns n people whose attributes come from small pools, so
// that shared values are common, with some unknowns.
func generate(rng *rand.Rand, n int) []Person {
	people := make([]Person, n)
	pools := []int{1 + rng.IntN(6), 1 + rng.IntN(8), 1 + rng.IntN(4)}
	for i := range people {
		people[i].UserID = int64(i + 1)
		for a, pool := range pools {
			if rng.IntN(10) == 0 {
				continue // unknown
			}
			people[i].Attrs[a] = fmt.Sprintf("v%d", rng.IntN(pool))
		}
	}
	return people
}

// randomBaseline is the mean score of random balanced assignments.
func randomBaseline(rng *rand.Rand, people []Person, size int, mode Mode) float64 {
	const trials = 30
	sizes := Sizes(len(people), size)
	total := 0
	for range trials {
		perm := rng.Perm(len(people))
		groups := make([][]int, len(sizes))
		at := 0
		for g, sz := range sizes {
			groups[g] = perm[at : at+sz]
			at += sz
		}
		total += Score(people, groups, mode)
	}
	return float64(total) / trials
}

func TestAssignProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for c := range 300 {
		n := rng.IntN(120)
		size := MinSize + rng.IntN(MaxSize-MinSize+1)
		mode := Modes[rng.IntN(len(Modes))]
		people := generate(rng, n)
		groups, err := Assign(people, size, mode, uint64(c))
		if err != nil {
			t.Fatalf("case %d: %v", c, err)
		}
		// Everyone exactly once.
		seen := make([]int, n)
		for _, g := range groups {
			for _, p := range g {
				seen[p]++
			}
		}
		for p, k := range seen {
			if k != 1 {
				t.Fatalf("case %d (n=%d size=%d %s): person %d placed %d times", c, n, size, mode, p, k)
			}
		}
		// Group count and balance.
		want := (n + size - 1) / size
		if len(groups) != want {
			t.Fatalf("case %d: %d groups for n=%d size=%d, want %d", c, len(groups), n, size, want)
		}
		lo, hi := n, 0
		for _, g := range groups {
			lo, hi = min(lo, len(g)), max(hi, len(g))
		}
		if n > 0 && (hi-lo > 1 || hi > size) {
			t.Fatalf("case %d: sizes from %d to %d for size %d", c, lo, hi, size)
		}
		// Better than chance in the asked direction.
		if n < 2 {
			continue
		}
		got := float64(Score(people, groups, mode))
		base := randomBaseline(rng, people, size, mode)
		if mode == Mixed && got > base {
			t.Errorf("case %d: mixed score %v above random baseline %v (n=%d size=%d)", c, got, base, n, size)
		}
		if mode != Mixed && got < base {
			t.Errorf("case %d: %s score %v below random baseline %v (n=%d size=%d)", c, mode, got, base, n, size)
		}
	}
}

func TestAssignIsDeterministic(t *testing.T) {
	people := generate(rand.New(rand.NewPCG(7, 7)), 57)
	for _, mode := range Modes {
		a, _ := Assign(people, 6, mode, 42)
		b, _ := Assign(people, 6, mode, 42)
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("%s: same seed gave %v and %v", mode, a, b)
		}
	}
}

func TestAssignClustersObviousData(t *testing.T) {
	// Three industries of four people each, groups of four: the perfect
	// homogeneous answer puts each industry together; the perfect mixed
	// answer puts one of each in every group.
	var people []Person
	for i, ind := range []string{"it", "it", "it", "it", "finance", "finance", "finance", "finance", "retail", "retail", "retail", "retail"} {
		people = append(people, Person{UserID: int64(i), Attrs: [3]string{ind, "", ""}})
	}
	groups, _ := Assign(people, 4, ByIndustry, 3)
	if s := Score(people, groups, ByIndustry); s != 3*6 {
		t.Errorf("homogeneous score %d, want 18: %v", s, groups)
	}
	groups, _ = Assign(people, 3, Mixed, 3)
	if s := Score(people, groups, Mixed); s != 0 {
		t.Errorf("mixed score %d, want 0: %v", s, groups)
	}
}

func TestAssignEdgeCases(t *testing.T) {
	people := generate(rand.New(rand.NewPCG(1, 1)), 3)
	if _, err := Assign(people, 1, Mixed, 0); !errors.Is(err, ErrSize) {
		t.Errorf("size 1: %v, want ErrSize", err)
	}
	if _, err := Assign(people, 21, Mixed, 0); !errors.Is(err, ErrSize) {
		t.Errorf("size 21: %v, want ErrSize", err)
	}
	if _, err := Assign(people, 4, Mode("age"), 0); !errors.Is(err, ErrMode) {
		t.Errorf("unknown mode: %v, want ErrMode", err)
	}
	if g, err := Assign(nil, 4, Mixed, 0); err != nil || len(g) != 0 {
		t.Errorf("no people: %v %v, want no groups", g, err)
	}
	g, err := Assign(people, 5, ByIndustry, 0)
	if err != nil || len(g) != 1 || len(g[0]) != 3 {
		t.Errorf("3 people in groups of 5: %v %v, want one group of 3", g, err)
	}
}
