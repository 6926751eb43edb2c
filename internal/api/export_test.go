package api

import (
	"net/url"
	"slices"
)

// MemberParamsRead lists the query parameters the GET /members handler
// reads. The parser reads every parameter whatever the others hold, so an
// empty query reaches them all.
func MemberParamsRead() []string {
	p := newParams(url.Values{})
	memberFilters(p)
	var names []string
	for k := range p.read {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}
