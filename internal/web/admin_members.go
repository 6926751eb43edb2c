package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/org"
)

const membersPerPage = 50

func (s *Server) adminMembers(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	p := s.newPage(r, rc, "members.title")
	role := org.Role(q.Get("role"))
	if role != "" && !role.Valid() {
		role = ""
	}
	query := strings.TrimSpace(q.Get("q"))
	if len([]rune(query)) > 100 {
		query = string([]rune(query)[:100])
	}
	pageNo, _ := strconv.Atoi(q.Get("page"))
	pageNo = max(pageNo, 1)
	members, total, err := s.orgs.Members(r.Context(), rc.org.ID, org.ListOptions{Role: role, Query: query,
		Limit: membersPerPage, Offset: (pageNo - 1) * membersPerPage})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	pages := max((total+membersPerPage-1)/membersPerPage, 1)
	link := func(n int) string {
		v := url.Values{}
		if query != "" {
			v.Set("q", query)
		}
		if role != "" {
			v.Set("role", string(role))
		}
		v.Set("page", strconv.Itoa(n))
		return "?" + v.Encode()
	}
	data := map[string]any{"Members": members, "Total": total, "Query": query, "Role": string(role), "Roles": org.Roles,
		"Page": pageNo, "Pages": pages}
	if pageNo > 1 {
		data["Prev"] = link(pageNo - 1)
	}
	if pageNo < pages {
		data["Next"] = link(pageNo + 1)
	}
	p.Data = data
	s.render(w, r, http.StatusOK, "members.html", p)
}

// memberFromPath loads the member named in the URL within the request's
// organization; another organization's id is simply not found.
func (s *Server) memberFromPath(w http.ResponseWriter, r *http.Request, rc *reqCtx) (org.Member, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFoundPage(w, r)
		return org.Member{}, false
	}
	m, err := s.orgs.Member(r.Context(), rc.org.ID, id)
	if errors.Is(err, org.ErrNotFound) {
		s.notFoundPage(w, r)
		return m, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return m, false
	}
	return m, true
}

func (s *Server) adminMember(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	m, ok := s.memberFromPath(w, r, rc)
	if !ok {
		return
	}
	p := s.newPage(r, rc, "member.title")
	s.takeFlash(w, r, p)
	p.Title = m.Name.Display(p.Lang)
	p.Data = map[string]any{"M": m, "Roles": org.Roles, "Self": m.UserID == rc.member.UserID}
	s.render(w, r, http.StatusOK, "member.html", p)
}

func (s *Server) adminChangeRole(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	m, ok := s.memberFromPath(w, r, rc)
	if !ok {
		return
	}
	role := org.Role(r.PostForm.Get("role"))
	if !role.Valid() {
		s.errorPage(w, r, http.StatusUnprocessableEntity, "error.bad_request")
		return
	}
	err := s.auth.ChangeRole(r.Context(), rc.org, *rc.member, m.UserID, role, s.client(r))
	switch {
	case errors.Is(err, auth.ErrCannotChangeOwnRole):
		s.errorPage(w, r, http.StatusUnprocessableEntity, "member.cannot_change_own_role")
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	s.flash(w, rc.org, "flash.role_changed")
	http.Redirect(w, r, fmt.Sprintf("/o/%s/admin/members/%d", rc.org.Slug, m.UserID), http.StatusSeeOther)
}

func (s *Server) adminInviteForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p := s.newPage(r, rc, "invite.title")
	p.Form = map[string]string{"role": string(org.Alumni), "lang": "ja", "send": "1"}
	p.Data = map[string]any{"Roles": org.Roles}
	s.render(w, r, http.StatusOK, "invite.html", p)
}

func (s *Server) adminInvite(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	p := s.newPage(r, rc, "invite.title")
	f := r.PostForm
	name := nameFromForm(r)
	inv := auth.Invitation{Email: strings.TrimSpace(f.Get("email")), Name: name, Role: org.Role(f.Get("role")),
		Lang: f.Get("lang"), Send: f.Get("send") == "1"}
	p.Form = nameForm(name)
	p.Form["email"], p.Form["role"], p.Form["lang"] = inv.Email, string(inv.Role), inv.Lang
	if inv.Send {
		p.Form["send"] = "1"
	}
	p.Data = map[string]any{"Roles": org.Roles}
	p.Errors = nameProblems(p, name)
	if _, _, err := org.NormalizeEmail(inv.Email); err != nil {
		p.Errors["email"] = p.T("form.email_invalid")
	}
	if !inv.Role.Valid() {
		p.Errors["role"] = p.T("form.choose")
	}
	if inv.Lang != "ja" && inv.Lang != "en" {
		p.Errors["lang"] = p.T("form.choose")
	}
	if len(p.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "invite.html", p)
		return
	}
	link, err := s.auth.Invite(r.Context(), rc.org, *rc.member, inv, s.client(r))
	if errors.Is(err, org.ErrEmailTaken) {
		p.Errors["email"] = p.T("invite.email_taken")
		s.render(w, r, http.StatusConflict, "invite.html", p)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Data = map[string]any{"Roles": org.Roles, "Link": link, "Invited": name.Display(p.Lang), "Emailed": inv.Send}
	p.Form = map[string]string{"role": string(inv.Role), "lang": inv.Lang, "send": p.Form["send"]}
	s.render(w, r, http.StatusCreated, "invite.html", p)
}

func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	entries, err := audit.List(r.Context(), s.db, rc.org.ID, before, 100)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r, rc, "audit.title")
	data := map[string]any{"Entries": entries}
	if len(entries) == 100 {
		data["Older"] = fmt.Sprintf("?before=%d", entries[len(entries)-1].ID)
	}
	p.Data = data
	s.render(w, r, http.StatusOK, "audit.html", p)
}
