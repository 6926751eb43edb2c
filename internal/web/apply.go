package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/tsunagu/tsunagu/internal/apply"
)

// applyRoutes registers the apply pages: the public application form a
// company links from its website, the email confirmation, and the staff queue.
func (s *Server) applyRoutes() {
	s.page("GET /o/{org}/apply", anyone, s.applyForm)
	s.page("POST /o/{org}/apply", anyone, s.applySubmit)
	s.page("GET /o/{org}/apply/sent", anyone, s.applySent)
	// GET only shows a button: mail scanners follow links, and must not
	// confirm an application on the applicant's behalf.
	s.page("GET /o/{org}/apply/verify/{token}", anyone, s.applyVerifyForm)
	s.page("POST /o/{org}/apply/verify/{token}", anyone, s.applyVerify)

	s.page("GET /o/{org}/admin/applications", staffOnly, s.adminApplications)
	s.page("GET /o/{org}/admin/applications/{id}", staffOnly, s.adminApplication)
	s.page("POST /o/{org}/admin/applications/{id}/approve", staffOnly, s.adminApproveApplication)
	s.page("POST /o/{org}/admin/applications/{id}/reject", staffOnly, s.adminRejectApplication)
}

// applyFields are the form's inputs, for showing it again.
var applyFields = []string{"family_name", "given_name", "family_kana", "given_kana", "email", "joined_year", "left_year", "department", "message", "consent"}

func (s *Server) applyForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if s.applications == nil {
		s.notFoundPage(w, r)
		return
	}
	p := s.newPage(r, rc, "apply.title")
	p.Form = map[string]string{}
	s.render(w, r, http.StatusOK, "apply_form.html", p)
}

func (s *Server) applySubmit(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if s.applications == nil {
		s.notFoundPage(w, r)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	p := s.newPage(r, rc, "apply.title")
	f := r.PostForm
	p.Form = map[string]string{}
	for _, k := range applyFields {
		p.Form[k] = strings.TrimSpace(f.Get(k))
	}
	err := s.applications.Submit(r.Context(), rc.org, apply.Form{
		Family: f.Get("family_name"), Given: f.Get("given_name"), FamilyKana: f.Get("family_kana"), GivenKana: f.Get("given_kana"),
		Email: f.Get("email"), JoinedYear: f.Get("joined_year"), LeftYear: f.Get("left_year"), Department: f.Get("department"),
		Message: f.Get("message"), Consent: f.Get("consent") == "1", Lang: p.Lang, Honeypot: f.Get("website"),
	}, s.client(r))
	var verrs apply.ValidationErrors
	switch {
	case err == nil:
		http.Redirect(w, r, "/o/"+rc.org.Slug+"/apply/sent", http.StatusSeeOther)
	case errors.As(err, &verrs):
		p.Errors = problemMessages(p, verrs, "apply.error.summary")
		s.render(w, r, http.StatusUnprocessableEntity, "apply_form.html", p)
	case errors.Is(err, apply.ErrRateLimited):
		p.Errors = map[string]string{"form": p.T("apply.error.rate_limited")}
		s.render(w, r, http.StatusTooManyRequests, "apply_form.html", p)
	default:
		s.serverError(w, r, err)
	}
}

func (s *Server) applySent(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.render(w, r, http.StatusOK, "apply_sent.html", s.newPage(r, rc, "apply.sent.title"))
}

// applyLinkProblem explains a verification link that cannot be used.
func (s *Server) applyLinkProblem(w http.ResponseWriter, r *http.Request, rc *reqCtx, err error) {
	var key string
	switch {
	case errors.Is(err, apply.ErrLinkExpired):
		key = "apply.link.expired"
	case errors.Is(err, apply.ErrLinkUsed):
		key = "apply.link.used"
	case errors.Is(err, apply.ErrLinkInvalid):
		key = "apply.link.invalid"
	default:
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r, rc, "apply.link.title")
	p.Data = map[string]any{"Key": key}
	s.render(w, r, http.StatusGone, "apply_link_problem.html", p)
}

func (s *Server) applyVerifyForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if s.applications == nil {
		s.notFoundPage(w, r)
		return
	}
	a, err := s.applications.Peek(r.Context(), rc.org, r.PathValue("token"))
	if err != nil {
		s.applyLinkProblem(w, r, rc, err)
		return
	}
	p := s.newPage(r, rc, "apply.verify.title")
	p.Data = map[string]any{"Email": a.Email, "Name": a.Name()}
	s.render(w, r, http.StatusOK, "apply_verify.html", p)
}

func (s *Server) applyVerify(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if s.applications == nil {
		s.notFoundPage(w, r)
		return
	}
	res, err := s.applications.Verify(r.Context(), rc.org, r.PathValue("token"), s.client(r))
	if err != nil {
		s.applyLinkProblem(w, r, rc, err)
		return
	}
	p := s.newPage(r, rc, "apply.verified.title")
	p.Data = map[string]any{"Approved": res.Approved, "Email": res.Application.Email}
	s.render(w, r, http.StatusOK, "apply_verified.html", p)
}
