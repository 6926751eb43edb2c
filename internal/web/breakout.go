package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/tsunagu/tsunagu/internal/breakout"
	"github.com/tsunagu/tsunagu/internal/checkin"
)

// breakoutRoutes registers the breakout pages: the organizer's page where
// groups are made, adjusted, named and published. Participants see their
// published group on their ticket page (checkin.go).
func (s *Server) breakoutRoutes() {
	if s.breakout == nil || s.checkin == nil {
		return
	}
	s.page("GET /o/{org}/events/{event}/breakouts", anyMember, s.breakouts)
	s.page("POST /o/{org}/events/{event}/breakouts", anyMember, s.breakoutGenerate)
	s.page("POST /o/{org}/events/{event}/breakouts/move", anyMember, s.breakoutMove)
	s.page("POST /o/{org}/events/{event}/breakouts/names", anyMember, s.breakoutNames)
	s.page("POST /o/{org}/events/{event}/breakouts/publish", anyMember, s.breakoutPublish)
}

func (s *Server) breakoutActor(r *http.Request, rc *reqCtx) breakout.Actor {
	return breakout.Actor{UserID: rc.member.UserID, Role: rc.member.Role, Email: rc.member.Email, IP: s.clientIP(r)}
}

func (s *Server) renderBreakouts(w http.ResponseWriter, r *http.Request, rc *reqCtx, e checkin.Event, p *Page, status int) {
	plan, err := s.breakout.Plan(r.Context(), rc.org.ID, e.ID, s.breakoutActor(r, rc))
	if err != nil && !errors.Is(err, breakout.ErrNoPlan) {
		s.serverError(w, r, err)
		return
	}
	data := map[string]any{"Event": e, "Modes": breakout.Modes, "Min": breakout.MinSize, "Max": breakout.MaxSize}
	if err == nil {
		data["Plan"] = plan
	}
	p.Data = data
	if p.Form == nil {
		p.Form = map[string]string{"size": "4", "mode": string(breakout.Mixed)}
		if err == nil {
			p.Form["size"], p.Form["mode"] = strconv.Itoa(plan.Size), string(plan.Mode)
			if plan.OnlyCheckedIn {
				p.Form["only_checked_in"] = "1"
			}
		}
	}
	s.render(w, r, status, "breakout_plan.html", p)
}

func (s *Server) breakouts(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	e, ok := s.doorEvent(w, r, rc)
	if !ok {
		return
	}
	p := s.newPage(r, rc, "breakout.title")
	s.takeFlash(w, r, p)
	s.renderBreakouts(w, r, rc, e, p, http.StatusOK)
}

func (s *Server) breakoutGenerate(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	e, ok := s.doorEvent(w, r, rc)
	if !ok || !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	p := s.newPage(r, rc, "breakout.title")
	p.Form = map[string]string{"size": f.Get("size"), "mode": f.Get("mode"), "only_checked_in": f.Get("only_checked_in")}
	// A size that is not a number is 0, which Generate refuses as out of range.
	size, _ := strconv.Atoi(strings.TrimSpace(f.Get("size")))
	err := s.breakout.Generate(r.Context(), rc.org.ID, e.ID, size, breakout.Mode(f.Get("mode")), f.Get("only_checked_in") == "1", s.breakoutActor(r, rc))
	switch {
	case errors.Is(err, breakout.ErrSize):
		p.Errors = map[string]string{"size": p.T("breakout.error.size", "min", breakout.MinSize, "max", breakout.MaxSize)}
	case errors.Is(err, breakout.ErrMode):
		p.Errors = map[string]string{"mode": p.T("breakout.error.mode")}
	case errors.Is(err, breakout.ErrNoPeople):
		p.Errors = map[string]string{"form": p.T("breakout.error.no_people")}
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	if p.Errors != nil {
		s.renderBreakouts(w, r, rc, e, p, http.StatusUnprocessableEntity)
		return
	}
	s.flash(w, rc.org, "flash.breakout.generated")
	http.Redirect(w, r, fmt.Sprintf("/o/%s/events/%d/breakouts", rc.org.Slug, e.ID), http.StatusSeeOther)
}

func (s *Server) breakoutMove(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	e, ok := s.doorEvent(w, r, rc)
	if !ok || !s.parseForm(w, r) {
		return
	}
	user, err1 := strconv.ParseInt(r.PostForm.Get("user"), 10, 64)
	group, err2 := strconv.Atoi(r.PostForm.Get("group"))
	if err1 != nil || err2 != nil {
		s.errorPage(w, r, http.StatusUnprocessableEntity, "breakout.error.move")
		return
	}
	err := s.breakout.Move(r.Context(), rc.org.ID, e.ID, user, group, s.breakoutActor(r, rc))
	if errors.Is(err, breakout.ErrNotFound) {
		s.errorPage(w, r, http.StatusUnprocessableEntity, "breakout.error.move")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(w, rc.org, "flash.breakout.moved")
	http.Redirect(w, r, fmt.Sprintf("/o/%s/events/%d/breakouts", rc.org.Slug, e.ID), http.StatusSeeOther)
}

func (s *Server) breakoutNames(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	e, ok := s.doorEvent(w, r, rc)
	if !ok || !s.parseForm(w, r) {
		return
	}
	names := map[int]string{}
	for k, v := range r.PostForm {
		if n, err := strconv.Atoi(strings.TrimPrefix(k, "name_")); err == nil && strings.HasPrefix(k, "name_") && len(v) > 0 {
			names[n] = v[0]
		}
	}
	err := s.breakout.Rename(r.Context(), rc.org.ID, e.ID, names, s.breakoutActor(r, rc))
	if errors.Is(err, breakout.ErrNameTooLong) {
		p := s.newPage(r, rc, "breakout.title")
		p.Errors = map[string]string{"names": p.T("breakout.error.name_too_long", "max", breakout.MaxNameLen)}
		s.renderBreakouts(w, r, rc, e, p, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(w, rc.org, "flash.breakout.named")
	http.Redirect(w, r, fmt.Sprintf("/o/%s/events/%d/breakouts", rc.org.Slug, e.ID), http.StatusSeeOther)
}

func (s *Server) breakoutPublish(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	e, ok := s.doorEvent(w, r, rc)
	if !ok || !s.parseForm(w, r) {
		return
	}
	_, err := s.breakout.Publish(r.Context(), rc.org.ID, e.ID, e.Title, s.breakoutActor(r, rc))
	if errors.Is(err, breakout.ErrNoPlan) {
		p := s.newPage(r, rc, "breakout.title")
		p.Errors = map[string]string{"form": p.T("breakout.error.no_plan")}
		s.renderBreakouts(w, r, rc, e, p, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(w, rc.org, "flash.breakout.published")
	http.Redirect(w, r, fmt.Sprintf("/o/%s/events/%d/breakouts", rc.org.Slug, e.ID), http.StatusSeeOther)
}
