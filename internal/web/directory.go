package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/org"
	"github.com/tsunagu/tsunagu/internal/search"
)

// filtersFromQuery reads the directory filters of the admin members page
// (and its CSV export) from the URL. It is forgiving, as a page should be:
// a value it does not understand filters nothing. A query with nothing to
// search for is dropped; a query that is too long is kept, and the directory
// answers search.ErrQueryTooLong.
func filtersFromQuery(r *http.Request) member.Filters {
	q := r.URL.Query()
	num := func(name string, lo, hi int) int {
		n, err := strconv.Atoi(strings.TrimSpace(q.Get(name)))
		if err != nil || n < lo || n > hi {
			return 0
		}
		return n
	}
	f := member.Filters{
		Query:     strings.TrimSpace(q.Get("q")),
		Industry:  strings.TrimSpace(q.Get("industry")),
		Skill:     strings.TrimSpace(q.Get("skill")),
		Location:  strings.TrimSpace(q.Get("location")),
		LeftFrom:  num("left_from", 1900, 9999),
		LeftTo:    num("left_to", 1900, 9999),
		AtCompany: num("at_company", 1900, 9999),
		Role:      org.Role(q.Get("role")),
		Stale:     num("stale", 1, 1200),
		Sort:      q.Get("sort"),
		Page:      num("page", 1, 100000),
		PerPage:   num("per_page", 1, 100),
	}
	if _, err := search.ParseQuery(f.Query); errors.Is(err, search.ErrEmptyQuery) {
		f.Query = ""
	}
	if !member.ValidIndustry(f.Industry) {
		f.Industry = ""
	}
	if !f.Role.Valid() {
		f.Role = ""
	}
	if e := q.Get("rehire"); e == "unset" || (e != "" && slices.Contains(member.RehireEligibilities, e)) {
		f.Rehire = e
	}
	if !slices.Contains(member.Sorts, f.Sort) {
		f.Sort = ""
	}
	for _, k := range q["open_to"] {
		if slices.Contains(member.OpenToKeys, k) && !slices.Contains(f.OpenTo, k) {
			f.OpenTo = append(f.OpenTo, k)
		}
	}
	return f
}

func viewerOf(rc *reqCtx) member.Viewer {
	return member.Viewer{UserID: rc.member.UserID, Role: rc.member.Role}
}

// pageLinks builds previous/next links that keep the filters.
func pageLinks(q url.Values, res member.Result) (prev, next string) {
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			if k != "page" {
				v[k] = vs
			}
		}
		v.Set("page", strconv.Itoa(n))
		return "?" + v.Encode()
	}
	if res.Page > 1 {
		prev = link(res.Page - 1)
	}
	if res.Page < res.Pages {
		next = link(res.Page + 1)
	}
	return prev, next
}

// directoryData runs the directory for a page and explains a bad query.
func (s *Server) directoryData(w http.ResponseWriter, r *http.Request, rc *reqCtx, p *Page) (map[string]any, bool) {
	q := r.URL.Query()
	f := filtersFromQuery(r)
	if f.PerPage == 0 {
		f.PerPage = 30
	}
	viewer := viewerOf(rc)
	res, err := s.members.Directory(r.Context(), rc.org.ID, viewer, f)
	queryError := ""
	switch {
	case errors.Is(err, search.ErrQueryTooLong):
		queryError = p.T("directory.query_too_long")
		f.Query = ""
		res, err = s.members.Directory(r.Context(), rc.org.ID, viewer, f)
	case errors.Is(err, search.ErrEmptyQuery):
		f.Query = ""
		res, err = s.members.Directory(r.Context(), rc.org.ID, viewer, f)
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	prev, next := pageLinks(q, res)
	openTo := map[string]bool{}
	for _, k := range f.OpenTo {
		openTo[k] = true
	}
	return map[string]any{"Result": res, "F": f, "OpenToSet": openTo, "QueryError": queryError, "Prev": prev, "Next": next,
		"Industries": member.Industries, "OpenToKeys": member.OpenToKeys, "Roles": org.Roles, "Sorts": member.Sorts,
		"QueryString": q.Encode()}, true
}

func (s *Server) directory(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p := s.newPage(r, rc, "directory.title")
	data, ok := s.directoryData(w, r, rc, p)
	if !ok {
		return
	}
	p.Data = data
	s.render(w, r, http.StatusOK, "directory.html", p)
}

// profileFromPath loads the member named in the URL within the request's
// organization, as the viewer may see them.
func (s *Server) profileFromPath(w http.ResponseWriter, r *http.Request, rc *reqCtx) (member.Profile, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFoundPage(w, r)
		return member.Profile{}, false
	}
	full, err := s.members.Get(r.Context(), rc.org.ID, id)
	if errors.Is(err, member.ErrNotFound) {
		s.notFoundPage(w, r)
		return full, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return full, false
	}
	return full, true
}

func (s *Server) profilePage(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	full, ok := s.profileFromPath(w, r, rc)
	if !ok {
		return
	}
	p := s.newPage(r, rc, "profile.title")
	s.takeFlash(w, r, p)
	shown := full.For(viewerOf(rc))
	p.Title = shown.Name.Display(p.Lang)
	p.Data = map[string]any{"P": shown, "Bio": member.RenderBio(shown.Bio), "Own": full.UserID == rc.member.UserID,
		"OpenToKeys": member.OpenToKeys}
	s.render(w, r, http.StatusOK, "profile.html", p)
}

// memberPhoto serves a member's photo to viewers who may see it.
func (s *Server) memberPhoto(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	full, ok := s.profileFromPath(w, r, rc)
	if !ok {
		return
	}
	shown := full.For(viewerOf(rc))
	variant := r.PathValue("variant")
	if shown.PhotoKey == "" || (variant != "large" && variant != "small") {
		s.notFoundPage(w, r)
		return
	}
	s.photos.Serve(w, r, rc.org.ID, shown.PhotoKey, variant)
}
