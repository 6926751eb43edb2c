// Package breakout divides an event's participants into balanced breakout
// groups by shared attributes (industry, year left, joined-year band as an
// age proxy) or deliberately mixed across them, lets the organizer adjust
// the groups by hand, and publishes them to the participants.
package breakout

import (
	"errors"
	"math/rand/v2"
	"sort"
)

// Mode is what the organizer asks the groups to have in common.
type Mode string

const (
	ByIndustry   Mode = "industry"    // same current industry
	ByLeftYear   Mode = "left_year"   // left the company in the same year
	ByJoinedBand Mode = "joined_band" // joined in the same five-year band: a proxy for age, since we hold no birth years
	Mixed        Mode = "mixed"       // as different as possible on all three
)

// Modes lists the modes in the order the form shows them.
var Modes = []Mode{ByIndustry, ByLeftYear, ByJoinedBand, Mixed}

// Valid reports whether m is one of Modes.
func (m Mode) Valid() bool {
	for _, k := range Modes {
		if k == m {
			return true
		}
	}
	return false
}

// attribute indexes into Person.Attrs.
func (m Mode) attribute() int {
	switch m {
	case ByIndustry:
		return 0
	case ByLeftYear:
		return 1
	case ByJoinedBand:
		return 2
	}
	return -1
}

// Limits of the group size the organizer asks for.
const (
	MinSize = 2
	MaxSize = 20
)

// Errors of Assign.
var (
	ErrSize = errors.New("breakout: group size out of range")
	ErrMode = errors.New("breakout: unknown mode")
)

// Person is one participant as the algorithm sees them. An empty attribute
// is unknown and never counts as shared with anyone.
type Person struct {
	UserID int64
	Attrs  [3]string // industry, left year, joined band
}

// Score counts the pairs within groups that share the attribute of mode;
// for Mixed it sums the shared pairs over all three attributes (lower is
// more mixed). Groups hold indexes into people.
func Score(people []Person, groups [][]int, mode Mode) int {
	attrs := scoredAttributes(mode)
	total := 0
	for _, g := range groups {
		for i := range g {
			for j := i + 1; j < len(g); j++ {
				for _, a := range attrs {
					if v := people[g[i]].Attrs[a]; v != "" && v == people[g[j]].Attrs[a] {
						total++
					}
				}
			}
		}
	}
	return total
}

func scoredAttributes(mode Mode) []int {
	if mode == Mixed {
		return []int{0, 1, 2}
	}
	return []int{mode.attribute()}
}

// Sizes returns the sizes of the groups for n people in groups of at most
// size: ceil(n/size) groups whose sizes differ by at most one.
func Sizes(n, size int) []int {
	if n == 0 {
		return nil
	}
	k := (n + size - 1) / size
	out := make([]int, k)
	for i := range out {
		out[i] = n / k
		if i < n%k {
			out[i]++
		}
	}
	return out
}

// Assign divides people into groups of at most size, balanced to within
// one person, as homogeneous as possible on mode's attribute or, for
// Mixed, as diverse as possible. The result holds indexes into people and
// depends only on its arguments (seed breaks ties).
func Assign(people []Person, size int, mode Mode, seed uint64) ([][]int, error) {
	if size < MinSize || size > MaxSize {
		return nil, ErrSize
	}
	if !mode.Valid() {
		return nil, ErrMode
	}
	n := len(people)
	if n == 0 {
		return nil, nil
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(seed, 0x7375_6e61_6775))
	rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
	// Sorting by the attributes puts alike people next to each other: cut
	// into consecutive runs they cluster; dealt out like cards they spread.
	keys := []int{0, 1, 2}
	if a := mode.attribute(); a >= 0 {
		keys = []int{a}
	}
	sort.SliceStable(order, func(i, j int) bool {
		pi, pj := people[order[i]], people[order[j]]
		for _, a := range keys {
			vi, vj := pi.Attrs[a], pj.Attrs[a]
			if vi != vj {
				if vi == "" || vj == "" {
					return vj == "" // unknowns last
				}
				return vi < vj
			}
		}
		return false
	})
	sizes := Sizes(n, size)
	groups := make([][]int, len(sizes))
	if mode == Mixed {
		for i, p := range order {
			groups[i%len(groups)] = append(groups[i%len(groups)], p)
		}
	} else {
		at := 0
		for g, sz := range sizes {
			groups[g] = append([]int(nil), order[at:at+sz]...)
			at += sz
		}
	}
	improve(people, groups, mode)
	for _, g := range groups {
		sort.Ints(g)
	}
	return groups, nil
}

// improve swaps pairs of people between groups while a swap makes the
// score better (higher for homogeneous modes, lower for Mixed). Swaps keep
// the sizes. Every accepted swap strictly improves an integer score bounded
// by the number of pairs, so the loop ends; the pass cap only bounds time.
func improve(people []Person, groups [][]int, mode Mode) {
	attrs := scoredAttributes(mode)
	sign := 1
	if mode == Mixed {
		sign = -1
	}
	// counts[g][a][value] is how many people of group g have value for attribute a.
	counts := make([][3]map[string]int, len(groups))
	for g, members := range groups {
		for _, a := range attrs {
			counts[g][a] = map[string]int{}
			for _, p := range members {
				if v := people[p].Attrs[a]; v != "" {
					counts[g][a][v]++
				}
			}
		}
	}
	// gain of moving x out of group g and y in (x, y not yet swapped).
	gain := func(g, x, y int) int {
		d := 0
		for _, a := range attrs {
			vx, vy := people[x].Attrs[a], people[y].Attrs[a]
			if vx == vy {
				continue
			}
			if vy != "" {
				d += counts[g][a][vy]
			}
			if vx != "" {
				d -= counts[g][a][vx] - 1
			}
		}
		return d
	}
	move := func(g, out, in int) {
		for _, a := range attrs {
			if v := people[out].Attrs[a]; v != "" {
				counts[g][a][v]--
			}
			if v := people[in].Attrs[a]; v != "" {
				counts[g][a][v]++
			}
		}
	}
	for pass := 0; pass < 50; pass++ {
		changed := false
		for ga := range groups {
			for gb := ga + 1; gb < len(groups); gb++ {
				for i := range groups[ga] {
					for j := range groups[gb] {
						x, y := groups[ga][i], groups[gb][j]
						if sign*(gain(ga, x, y)+gain(gb, y, x)) <= 0 {
							continue
						}
						move(ga, x, y)
						move(gb, y, x)
						groups[ga][i], groups[gb][j] = y, x
						changed = true
					}
				}
			}
		}
		if !changed {
			return
		}
	}
}
