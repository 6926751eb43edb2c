package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/tsunagu/tsunagu/internal/apply"
	"github.com/tsunagu/tsunagu/internal/org"
)

// adminApplications is the staff queue: verified applications waiting for a
// decision, with the decided ones a tab away.
func (s *Server) adminApplications(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	status := r.URL.Query().Get("status")
	if status != apply.StatusApproved && status != apply.StatusRejected {
		status = apply.StatusPending
	}
	counts, err := s.applications.Count(r.Context(), rc.org.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	list, err := s.applications.List(r.Context(), rc.org.ID, status, 200)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r, rc, "apply.queue.title")
	s.takeFlash(w, r, p)
	p.Data = map[string]any{"Counts": counts, "List": list, "Status": status,
		"Statuses": []string{apply.StatusPending, apply.StatusApproved, apply.StatusRejected}}
	s.render(w, r, http.StatusOK, "apply_queue.html", p)
}

// applicationFromPath loads the application named in the URL within the
// request's organization; another organization's is not found.
func (s *Server) applicationFromPath(w http.ResponseWriter, r *http.Request, rc *reqCtx) (apply.Application, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFoundPage(w, r)
		return apply.Application{}, false
	}
	a, err := s.applications.Get(r.Context(), rc.org.ID, id)
	if errors.Is(err, apply.ErrNotFound) {
		s.notFoundPage(w, r)
		return a, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return a, false
	}
	return a, true
}

// renderApplication shows one application with its candidate records
// (apply.Candidates decides what each role sees, and audits admins).
func (s *Server) renderApplication(w http.ResponseWriter, r *http.Request, rc *reqCtx, a apply.Application, status int, p *Page) {
	cands, err := s.applications.Candidates(r.Context(), a, s.staffOf(r, rc))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Title = a.Name().Display(p.Lang)
	if p.Form == nil {
		p.Form = map[string]string{}
	}
	data := map[string]any{"A": a, "Candidates": cands, "Admin": rc.member.Role == org.Admin}
	if a.UserID != 0 {
		if m, err := s.orgs.Member(r.Context(), rc.org.ID, a.UserID); err == nil {
			data["Account"] = m
		}
	}
	p.Data = data
	s.render(w, r, status, "apply_detail.html", p)
}

func (s *Server) adminApplication(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	a, ok := s.applicationFromPath(w, r, rc)
	if !ok {
		return
	}
	p := s.newPage(r, rc, "apply.detail.title")
	s.takeFlash(w, r, p)
	s.renderApplication(w, r, rc, a, http.StatusOK, p)
}

func (s *Server) staffOf(r *http.Request, rc *reqCtx) apply.Staff {
	return apply.Staff{Member: *rc.member, Client: s.client(r)}
}

// decisionProblem re-shows the application with what went wrong, or
// reports false when err is not one a person can act on.
func (s *Server) decisionProblem(w http.ResponseWriter, r *http.Request, rc *reqCtx, a apply.Application, err error) bool {
	p := s.newPage(r, rc, "apply.detail.title")
	p.Form = map[string]string{"reason": strings.TrimSpace(r.PostForm.Get("reason")), "target": r.PostForm.Get("target")}
	status := http.StatusUnprocessableEntity
	switch {
	case errors.Is(err, apply.ErrAlreadyDecided):
		status = http.StatusConflict
		p.Errors = map[string]string{"form": p.T("apply.error.already_decided")}
		// Show the decision that won.
		if fresh, err := s.applications.Get(r.Context(), rc.org.ID, a.ID); err == nil {
			a = fresh
		}
	case errors.Is(err, apply.ErrEmailInUse):
		p.Errors = map[string]string{"form": p.T("apply.error.email_in_use"), "target": p.T("apply.error.email_in_use")}
	case errors.Is(err, apply.ErrNotLinkable):
		p.Errors = map[string]string{"form": p.T("apply.error.not_linkable"), "target": p.T("apply.error.not_linkable")}
	case errors.Is(err, apply.ErrReasonRequired):
		p.Errors = map[string]string{"form": p.T("apply.error.summary"), "reason": p.T("apply.error.reason_required")}
	case errors.Is(err, apply.ErrReasonTooLong):
		p.Errors = map[string]string{"form": p.T("apply.error.summary"), "reason": p.T("form.too_long", "max", apply.MaxReason)}
	case errors.Is(err, errNoTarget):
		p.Errors = map[string]string{"form": p.T("apply.error.summary"), "target": p.T("apply.error.choose_target")}
	default:
		return false
	}
	s.renderApplication(w, r, rc, a, status, p)
	return true
}

var errNoTarget = errors.New("no approval target chosen")

func (s *Server) adminApproveApplication(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	a, ok := s.applicationFromPath(w, r, rc)
	if !ok {
		return
	}
	// target is a candidate's user id, or "new" for a new alumni account.
	var userID int64
	var err error
	switch t := r.PostForm.Get("target"); t {
	case "new":
	case "":
		err = errNoTarget
	default:
		if userID, err = strconv.ParseInt(t, 10, 64); err != nil || userID <= 0 {
			err = apply.ErrNotLinkable
		}
	}
	if err == nil {
		err = s.applications.Approve(r.Context(), rc.org, a.ID, userID, s.staffOf(r, rc))
	}
	if err != nil {
		if !s.decisionProblem(w, r, rc, a, err) {
			s.serverError(w, r, err)
		}
		return
	}
	s.flash(w, rc.org, "flash.apply_approved")
	http.Redirect(w, r, "/o/"+rc.org.Slug+"/admin/applications", http.StatusSeeOther)
}

func (s *Server) adminRejectApplication(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	a, ok := s.applicationFromPath(w, r, rc)
	if !ok {
		return
	}
	if err := s.applications.Reject(r.Context(), rc.org, a.ID, r.PostForm.Get("reason"), s.staffOf(r, rc)); err != nil {
		if !s.decisionProblem(w, r, rc, a, err) {
			s.serverError(w, r, err)
		}
		return
	}
	s.flash(w, rc.org, "flash.apply_rejected")
	http.Redirect(w, r, "/o/"+rc.org.Slug+"/admin/applications", http.StatusSeeOther)
}

// applyHubCounts shows on the administration page how many verified
// applications wait for a decision.
func (s *Server) applyHubCounts(r *http.Request, rc *reqCtx, sections []hubEntry) error {
	if s.applications == nil {
		return nil
	}
	for i := range sections {
		if sections[i].Path != "/admin/applications" {
			continue
		}
		c, err := s.applications.Count(r.Context(), rc.org.ID)
		if err != nil {
			return err
		}
		sections[i].Pending = c.Pending
	}
	return nil
}
