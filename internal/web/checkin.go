package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/tsunagu/tsunagu/internal/breakout"
	"github.com/tsunagu/tsunagu/internal/checkin"
	"github.com/tsunagu/tsunagu/internal/member"
)

// checkinRoutes registers the checkin pages: the participant's ticket (QR
// code, and their breakout group once published) and the door page staff
// and the organizer open on a phone.
func (s *Server) checkinRoutes() {
	if s.checkin == nil {
		return
	}
	s.page("GET /o/{org}/events/{event}/ticket", anyMember, s.ticket)
	s.page("GET /o/{org}/events/{event}/ticket.png", anyMember, s.ticketPNG)
	s.page("GET /o/{org}/events/{event}/checkin", anyMember, s.checkinPage)
	s.page("POST /o/{org}/events/{event}/checkin", anyMember, s.checkinPost)
}

// checkinEvent loads the event in the path, answering 404 for an event
// that is not a published one of this organization.
func (s *Server) checkinEvent(w http.ResponseWriter, r *http.Request, rc *reqCtx) (checkin.Event, bool) {
	id, err := strconv.ParseInt(r.PathValue("event"), 10, 64)
	if err != nil {
		s.notFoundPage(w, r)
		return checkin.Event{}, false
	}
	e, err := s.checkin.Event(r.Context(), rc.org.ID, id)
	if errors.Is(err, checkin.ErrNotFound) {
		s.notFoundPage(w, r)
		return e, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return e, false
	}
	return e, true
}

// doorEvent is checkinEvent for the door pages: staff and the organizer only.
func (s *Server) doorEvent(w http.ResponseWriter, r *http.Request, rc *reqCtx) (checkin.Event, bool) {
	e, ok := s.checkinEvent(w, r, rc)
	if ok && !e.Manages(rc.member) {
		s.errorPage(w, r, http.StatusForbidden, "error.forbidden")
		return e, false
	}
	return e, ok
}

func (s *Server) ticket(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	e, ok := s.checkinEvent(w, r, rc)
	if !ok {
		return
	}
	t, err := s.checkin.Ticket(r.Context(), rc.org.ID, e.ID, rc.member.UserID)
	if errors.Is(err, checkin.ErrNotFound) {
		s.notFoundPage(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r, rc, "checkin.ticket.title")
	data := map[string]any{"Event": e, "Ticket": t}
	if s.breakout != nil {
		g, err := s.breakout.MyGroup(r.Context(), rc.org.ID, e.ID, rc.member.UserID)
		switch {
		case err == nil:
			data["Group"] = g
		case !errors.Is(err, breakout.ErrNotPublished):
			s.serverError(w, r, err)
			return
		}
	}
	p.Data = data
	s.render(w, r, http.StatusOK, "checkin_ticket.html", p)
}

func (s *Server) ticketPNG(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	e, ok := s.checkinEvent(w, r, rc)
	if !ok {
		return
	}
	t, err := s.checkin.Ticket(r.Context(), rc.org.ID, e.ID, rc.member.UserID)
	if errors.Is(err, checkin.ErrNotFound) {
		s.notFoundPage(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	png, err := checkin.QR(t.Code, 320)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	// The code is a secret of one member: no shared caches.
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(png)
}

// checkinErrorKeys maps refusals to what the door staff read.
var checkinErrorKeys = map[error]string{
	checkin.ErrEmptyCode:   "checkin.error.empty",
	checkin.ErrUnknownCode: "checkin.error.unknown",
	checkin.ErrOtherEvent:  "checkin.error.other_event",
	checkin.ErrCancelled:   "checkin.error.cancelled",
	checkin.ErrWaitlisted:  "checkin.error.waitlisted",
}

func (s *Server) renderDoor(w http.ResponseWriter, r *http.Request, rc *reqCtx, e checkin.Event, p *Page, status int, extra map[string]any) {
	c, err := s.checkin.Count(r.Context(), rc.org.ID, e.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := map[string]any{"Event": e, "Count": c}
	for k, v := range extra {
		data[k] = v
	}
	p.Data = data
	s.render(w, r, status, "checkin_door.html", p)
}

func (s *Server) checkinPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	e, ok := s.doorEvent(w, r, rc)
	if !ok {
		return
	}
	s.renderDoor(w, r, rc, e, s.newPage(r, rc, "checkin.door.title"), http.StatusOK, nil)
}

func (s *Server) checkinPost(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	e, ok := s.doorEvent(w, r, rc)
	if !ok || !s.parseForm(w, r) {
		return
	}
	p := s.newPage(r, rc, "checkin.door.title")
	code := r.PostForm.Get("code")
	a, err := s.checkin.CheckIn(r.Context(), rc.org.ID, e.ID, code, checkin.Staff{UserID: rc.member.UserID, Email: rc.member.Email, IP: s.clientIP(r)})
	for known, key := range checkinErrorKeys {
		if errors.Is(err, known) {
			p.Form = map[string]string{"code": code}
			p.Errors = map[string]string{"code": p.T(key)}
			s.renderDoor(w, r, rc, e, p, http.StatusUnprocessableEntity, nil)
			return
		}
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	extra := map[string]any{"Attendee": a}
	// The photo helps staff recognise the person, as far as the viewer may see it.
	if prof, err := s.members.Get(r.Context(), rc.org.ID, a.UserID); err == nil {
		if shown := prof.For(member.Viewer{UserID: rc.member.UserID, Role: rc.member.Role}); shown.PhotoKey != "" {
			extra["Photo"] = true
		}
	}
	s.renderDoor(w, r, rc, e, p, http.StatusOK, extra)
}
