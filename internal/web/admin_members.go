package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/tsunagu/tsunagu/internal/audit"
	"github.com/tsunagu/tsunagu/internal/auth"
	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/org"
)

func (s *Server) adminMembers(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p := s.newPage(r, rc, "members.title")
	data, ok := s.directoryData(w, r, rc, p)
	if !ok {
		return
	}
	if rc.member.Role == org.Admin {
		fresh, err := s.members.FreshnessOf(r.Context(), rc.org.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		data["Freshness"] = fresh
		// The list shows each member's rehire eligibility, an internal field;
		// the store records the view, once for the page.
		res := data["Result"].(member.Result)
		internal, err := s.members.InternalAll(r.Context(), rc.org.ID, s.adminOf(r, rc), "admin.internal_listed",
			map[string]string{"shown": fmt.Sprint(len(res.Profiles)), "query": r.URL.RawQuery})
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		shown := map[int64]string{}
		for _, prof := range res.Profiles {
			shown[prof.UserID] = internal[prof.UserID].RehireEligibility
		}
		data["Rehire"] = shown
		data["Eligibilities"] = member.RehireEligibilities
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
	data, ok := s.adminMemberData(w, r, rc, m)
	if !ok {
		return
	}
	p.Data = data
	if in, ok := data["Internal"].(member.Internal); ok {
		p.Form = internalForm(in)
	}
	s.render(w, r, http.StatusOK, "member.html", p)
}

// adminMemberData gathers the admin's view of a member. Supporters see the
// profile as members do; admins see everything, and reading the internal
// fields is recorded in the audit log.
func (s *Server) adminMemberData(w http.ResponseWriter, r *http.Request, rc *reqCtx, m org.Member) (map[string]any, bool) {
	full, err := s.members.Get(r.Context(), rc.org.ID, m.UserID)
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	shown := full.For(viewerOf(rc))
	data := map[string]any{"M": m, "P": shown, "Bio": member.RenderBio(shown.Bio), "Roles": org.Roles,
		"Self": m.UserID == rc.member.UserID, "Eligibilities": member.RehireEligibilities, "OpenToKeys": member.OpenToKeys}
	if rc.member.Role == org.Admin {
		in, err := s.members.Internal(r.Context(), rc.org.ID, m.UserID, s.adminOf(r, rc))
		if err != nil {
			s.serverError(w, r, err)
			return nil, false
		}
		data["Internal"] = in
	}
	return data, true
}

func (s *Server) adminOf(r *http.Request, rc *reqCtx) member.Admin {
	return member.Admin{UserID: rc.member.UserID, Email: rc.member.Email, IP: s.clientIP(r)}
}

func internalForm(in member.Internal) map[string]string {
	return map[string]string{"rehire_eligibility": in.RehireEligibility, "rehire_conditions": in.RehireConditions,
		"notes": in.Notes, "employee_number": in.EmployeeNumber}
}

func (s *Server) adminSetInternal(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	m, ok := s.memberFromPath(w, r, rc)
	if !ok {
		return
	}
	f := r.PostForm
	in := member.Internal{RehireEligibility: f.Get("rehire_eligibility"), RehireConditions: f.Get("rehire_conditions"),
		Notes: f.Get("notes"), EmployeeNumber: f.Get("employee_number")}
	err := s.members.SetInternal(r.Context(), rc.org.ID, m.UserID, in, s.adminOf(r, rc))
	var verrs member.ValidationErrors
	if errors.As(err, &verrs) {
		p := s.newPage(r, rc, "member.title")
		p.Title = m.Name.Display(p.Lang)
		data, ok := s.adminMemberData(w, r, rc, m)
		if !ok {
			return
		}
		p.Data = data
		p.Form = internalForm(in)
		p.Errors = map[string]string{}
		for _, e := range verrs {
			p.Errors[e.Field] = p.T(e.Key, e.Args...)
		}
		s.render(w, r, http.StatusUnprocessableEntity, "member.html", p)
		return
	}
	if errors.Is(err, member.ErrNotFound) {
		s.notFoundPage(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(w, rc.org, "flash.internal_saved")
	http.Redirect(w, r, fmt.Sprintf("/o/%s/admin/members/%d", rc.org.Slug, m.UserID), http.StatusSeeOther)
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
