package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/tsunagu/tsunagu/internal/audience"
	"github.com/tsunagu/tsunagu/internal/event"
	"github.com/tsunagu/tsunagu/internal/member"
)

// eventRoutes registers the event pages.
func (s *Server) eventRoutes() {
	if s.events == nil {
		return
	}
	s.page("GET /o/{org}/events", anyMember, s.eventList)
	s.page("GET /o/{org}/events/new", staffOnly, s.eventNewForm)
	s.page("POST /o/{org}/events/new", staffOnly, s.eventCreate)
	s.page("GET /o/{org}/events/propose", anyMember, s.eventProposeForm)
	s.page("POST /o/{org}/events/propose", anyMember, s.eventPropose)
	s.page("GET /o/{org}/events/calendar", anyMember, s.eventCalendarSettings)
	s.page("POST /o/{org}/events/calendar", anyMember, s.eventCalendarRegenerate)
	s.page("GET /o/{org}/events/{id}", anyMember, s.eventShow)
	s.page("GET /o/{org}/events/{id}/edit", anyMember, s.eventEditForm)
	s.page("POST /o/{org}/events/{id}/edit", anyMember, s.eventUpdate)
	s.page("POST /o/{org}/events/{id}/register", anyMember, s.eventRegister)
	s.page("POST /o/{org}/events/{id}/unregister", anyMember, s.eventUnregister)
	s.page("POST /o/{org}/events/{id}/cancel", anyMember, s.eventCancel)
	s.page("POST /o/{org}/events/{id}/review", staffOnly, s.eventReview)
	s.page("POST /o/{org}/events/{id}/feedback", anyMember, s.eventFeedback)
	s.page("GET /o/{org}/events/{id}/incident", anyMember, s.incidentForm)
	s.page("POST /o/{org}/events/{id}/incident", anyMember, s.incidentSubmit)
	s.page("GET /o/{org}/incident", anyMember, s.incidentForm)
	s.page("POST /o/{org}/incident", anyMember, s.incidentSubmit)
	s.page("GET /o/{org}/events/{id}/event.ics", anyMember, s.eventICS)
	// The personal feed is fetched by calendar apps, without a cookie: the
	// secret in the path is the credential.
	s.page("GET /o/{org}/calendar/{file}", anyone, s.personalICS)
	s.page("GET /o/{org}/admin/events", staffOnly, s.adminEvents)
}

func eventFormFrom(r *http.Request) event.Form {
	f := r.PostForm
	return event.Form{Title: f.Get("title"), Description: f.Get("description"), Format: f.Get("format"), TZ: f.Get("tz"),
		Start: f.Get("start"), End: f.Get("end"), Deadline: f.Get("deadline"), Venue: f.Get("venue"), OnlineURL: f.Get("online_url"),
		Capacity: f.Get("capacity"), Audience: f.Get("audience"), GroupID: f.Get("group_id"), Alcohol: f.Get("alcohol") == "1",
		Conduct: f.Get("conduct")}
}

func formMap(f event.Form) map[string]string {
	alcohol := ""
	if f.Alcohol {
		alcohol = "1"
	}
	return map[string]string{"title": f.Title, "description": f.Description, "format": f.Format, "tz": f.TZ, "start": f.Start,
		"end": f.End, "deadline": f.Deadline, "venue": f.Venue, "online_url": f.OnlineURL, "capacity": f.Capacity,
		"audience": f.Audience, "group_id": f.GroupID, "alcohol": alcohol, "conduct": f.Conduct}
}

// loadEvent reads the event of the path that the member may see,
// answering 404 for anything else (another organization's, another audience's).
func (s *Server) loadEvent(w http.ResponseWriter, r *http.Request, rc *reqCtx) (event.Event, bool) {
	id, ok := pathID(r)
	if !ok {
		s.notFoundPage(w, r)
		return event.Event{}, false
	}
	e, err := s.events.Get(r.Context(), rc.org.ID, id)
	if errors.Is(err, event.ErrNotFound) {
		s.notFoundPage(w, r)
		return e, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return e, false
	}
	ok, err = s.events.CanSee(r.Context(), *rc.member, e)
	if err != nil {
		s.serverError(w, r, err)
		return e, false
	}
	if !ok {
		s.notFoundPage(w, r)
		return e, false
	}
	return e, true
}

func (s *Server) eventList(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	ctx := r.Context()
	upcoming, err := s.events.List(ctx, *rc.member, true, 100)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	past, err := s.events.List(ctx, *rc.member, false, 20)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	proposals, err := s.events.Proposals(ctx, *rc.member)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	mine, statuses, err := s.events.Mine(ctx, *rc.member)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r, rc, "event.list.title")
	s.takeFlash(w, r, p)
	mineRows := s.eventRows(p, mine)
	for i := range mineRows {
		mineRows[i].Mine = statuses[i]
	}
	p.Data = map[string]any{"Upcoming": s.eventRows(p, upcoming), "Past": s.eventRows(p, past), "Proposals": s.eventRows(p, proposals),
		"Mine": mineRows}
	s.render(w, r, http.StatusOK, "event_list.html", p)
}

// eventRow is an event as a list shows it.
type eventRow struct {
	event.Event
	When string
	Mine string // the viewer's registration status, in "my events"
}

func (s *Server) eventRows(p *Page, es []event.Event) []eventRow {
	out := make([]eventRow, len(es))
	for i, e := range es {
		out[i] = eventRow{Event: e, When: event.When(e, p.Lang)}
	}
	return out
}

// eventFormPage renders the create/propose/edit form.
func (s *Server) eventFormPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, titleKey, action string, f map[string]string, errs map[string]string) {
	p := s.newPage(r, rc, titleKey)
	p.Form, p.Errors = f, errs
	groups, err := s.audienceGroups(r, rc)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Data = map[string]any{"Action": action, "Formats": event.Formats, "Zones": event.Zones, "Audiences": audience.Kinds,
		"Groups": groups, "Submit": titleKey + "_submit"}
	s.render(w, r, status, "event_form.html", p)
}

type groupOption struct {
	ID   string
	Name string
}

func (s *Server) audienceGroups(r *http.Request, rc *reqCtx) ([]groupOption, error) {
	if s.groups == nil {
		return nil, nil
	}
	gs, err := s.groups.PostableGroups(r.Context(), rc.org.ID, rc.member.UserID)
	if err != nil {
		return nil, err
	}
	out := make([]groupOption, len(gs))
	for i, g := range gs {
		out[i] = groupOption{ID: strconv.FormatInt(g.ID, 10), Name: g.Name}
	}
	return out, nil
}

func newEventForm() map[string]string {
	return map[string]string{"format": event.Offline, "tz": event.DefaultTZ, "capacity": "0", "audience": string(audience.Network)}
}

func (s *Server) eventNewForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.eventFormPage(w, r, rc, http.StatusOK, "event.new.title", "/events/new", newEventForm(), nil)
}

func (s *Server) eventProposeForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.eventFormPage(w, r, rc, http.StatusOK, "event.propose.title", "/events/propose", newEventForm(), nil)
}

func (s *Server) actor(r *http.Request, rc *reqCtx) event.Actor {
	return event.Actor{Member: *rc.member, IP: s.clientIP(r)}
}

func (s *Server) eventCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.eventSave(w, r, rc, "event.new.title", "/events/new", func(f event.Form) (event.Event, error) {
		return s.events.Create(r.Context(), rc.org, s.actor(r, rc), f)
	}, "flash.event.created")
}

func (s *Server) eventPropose(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.eventSave(w, r, rc, "event.propose.title", "/events/propose", func(f event.Form) (event.Event, error) {
		return s.events.Propose(r.Context(), rc.org, s.actor(r, rc), f)
	}, "flash.event.proposed")
}

func (s *Server) eventSave(w http.ResponseWriter, r *http.Request, rc *reqCtx, titleKey, action string, save func(event.Form) (event.Event, error), flash string) {
	if !s.parseForm(w, r) {
		return
	}
	f := eventFormFrom(r)
	e, err := save(f)
	var probs event.ValidationErrors
	switch {
	case errors.As(err, &probs):
		errs := problemMessages(s.newPage(r, rc, titleKey), probs, "event.error.summary")
		s.eventFormPage(w, r, rc, http.StatusUnprocessableEntity, titleKey, action, formMap(f), errs)
		return
	case err != nil:
		s.eventError(w, r, err)
		return
	}
	s.flash(w, rc.org, flash)
	http.Redirect(w, r, fmt.Sprintf("/o/%s/events/%d", rc.org.Slug, e.ID), http.StatusSeeOther)
}

// eventError answers the service's refusals.
func (s *Server) eventError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, event.ErrNotFound):
		s.notFoundPage(w, r)
	case errors.Is(err, event.ErrForbidden):
		s.errorPage(w, r, http.StatusForbidden, "error.forbidden")
	case errors.Is(err, event.ErrNotOpen):
		// Editing a cancelled or declined event.
		s.errorPage(w, r, http.StatusConflict, "event.error.not_editable")
	default:
		s.serverError(w, r, err)
	}
}

func (s *Server) eventEditForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	e, ok := s.loadEvent(w, r, rc)
	if !ok {
		return
	}
	if !event.CanManage(*rc.member, e) {
		s.errorPage(w, r, http.StatusForbidden, "error.forbidden")
		return
	}
	s.eventFormPage(w, r, rc, http.StatusOK, "event.edit.title", fmt.Sprintf("/events/%d/edit", e.ID), formMap(event.FormOf(e)), nil)
}

func (s *Server) eventUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	e, ok := s.loadEvent(w, r, rc)
	if !ok {
		return
	}
	if !event.CanManage(*rc.member, e) {
		s.errorPage(w, r, http.StatusForbidden, "error.forbidden")
		return
	}
	s.eventSave(w, r, rc, "event.edit.title", fmt.Sprintf("/events/%d/edit", e.ID), func(f event.Form) (event.Event, error) {
		return s.events.Update(r.Context(), rc.org, s.actor(r, rc), e.ID, f)
	}, "flash.event.updated")
}

// eventView is what the event page shows.
type eventView struct {
	Event        event.Event
	When         string
	Deadline     string // in the event's zone
	Description  template.HTML
	Conduct      string
	Reg          *event.Registration
	SeesPlace    bool
	Manages      bool
	Open         bool // registration possible now
	Started      bool
	Ended        bool
	People       []event.Registration
	Summary      *event.FeedbackSummary
	CanFeedback  bool
	Feedback     *event.Feedback
	HasCheckin   bool
	HasBreakouts bool
	Ratings      []int
}

func (s *Server) eventShow(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	e, ok := s.loadEvent(w, r, rc)
	if !ok {
		return
	}
	p := s.newPage(r, rc, "event.show.title")
	s.takeFlash(w, r, p)
	s.renderEvent(w, r, rc, p, e, http.StatusOK)
}

func (s *Server) renderEvent(w http.ResponseWriter, r *http.Request, rc *reqCtx, p *Page, e event.Event, status int) {
	ctx := r.Context()
	now := s.auth.Now()
	v := eventView{Event: e, When: event.When(e, p.Lang), Description: member.RenderBio(e.Description), Conduct: e.Conduct,
		Manages: event.CanManage(*rc.member, e), Started: !now.Before(e.StartsAt), Ended: !now.Before(e.EndsAt),
		HasCheckin: s.checkin != nil, HasBreakouts: s.breakout != nil, Ratings: []int{1, 2, 3, 4, 5}}
	v.Open = e.Published() && now.Before(e.RegistrationCloses())
	if !e.DeadlineAt.IsZero() {
		v.Deadline = event.FormatTime(e, e.DeadlineAt, p.Lang)
	}
	if v.Conduct == "" {
		v.Conduct = p.T("event.conduct.standard")
	}
	reg, err := s.events.RegistrationOf(ctx, rc.org.ID, e.ID, rc.member.UserID)
	switch {
	case err == nil:
		v.Reg = &reg
	case !errors.Is(err, event.ErrNotRegistered):
		s.serverError(w, r, err)
		return
	}
	// The venue and the online URL are for people holding a seat, and for
	// the organizers; the waitlist sees them once promoted.
	v.SeesPlace = v.Manages || (v.Reg != nil && v.Reg.Status == event.Registered)
	if v.Manages {
		if v.People, err = s.events.Registrations(ctx, rc.org.ID, e.ID); err != nil {
			s.serverError(w, r, err)
			return
		}
		if v.Ended {
			sum, err := s.events.Summary(ctx, rc.org.ID, e.ID)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			v.Summary = &sum
		}
	}
	if v.Ended {
		if v.CanFeedback, err = s.events.CanGiveFeedback(ctx, *rc.member, e); err != nil {
			s.serverError(w, r, err)
			return
		}
		if fb, found, err := s.events.FeedbackOf(ctx, rc.org.ID, e.ID, rc.member.UserID); err != nil {
			s.serverError(w, r, err)
			return
		} else if found {
			v.Feedback = &fb
			if p.Form == nil {
				p.Form = map[string]string{"rating": strconv.Itoa(fb.Rating), "comment": fb.Comment}
			}
		}
	}
	if p.Form == nil {
		p.Form = map[string]string{}
	}
	p.Title = e.Title
	p.Data = v
	s.render(w, r, status, "event_show.html", p)
}

// eventProblem shows the event page again with an alert.
func (s *Server) eventProblem(w http.ResponseWriter, r *http.Request, rc *reqCtx, e event.Event, status int, field, key string) {
	p := s.newPage(r, rc, "event.show.title")
	p.Errors = map[string]string{field: p.T(key)}
	s.renderEvent(w, r, rc, p, e, status)
}

func (s *Server) eventRegister(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	e, ok := s.loadEvent(w, r, rc)
	if !ok || !s.parseForm(w, r) {
		return
	}
	reg, err := s.events.Register(r.Context(), rc.org, *rc.member, e.ID, r.PostForm.Get("accept_conduct") == "1")
	key := ""
	switch {
	case err == nil:
		flash := "flash.event.registered"
		if reg.Status == event.Waitlisted {
			flash = "flash.event.waitlisted"
		}
		s.flash(w, rc.org, flash)
		http.Redirect(w, r, fmt.Sprintf("/o/%s/events/%d", rc.org.Slug, e.ID), http.StatusSeeOther)
		return
	case errors.Is(err, event.ErrAlreadyRegistered):
		key = "event.error.already_registered"
	case errors.Is(err, event.ErrDeadlinePassed):
		key = "event.error.deadline_passed"
	case errors.Is(err, event.ErrStarted):
		key = "event.error.started"
	case errors.Is(err, event.ErrNotOpen):
		key = "event.error.not_open"
	case errors.Is(err, event.ErrConductRequired):
		s.eventProblem(w, r, rc, e, http.StatusUnprocessableEntity, "accept_conduct", "event.error.conduct_required")
		return
	default:
		s.eventError(w, r, err)
		return
	}
	// A refused registration changed nothing: the event loaded above is current.
	s.eventProblem(w, r, rc, e, http.StatusConflict, "register", key)
}

func (s *Server) eventUnregister(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	e, ok := s.loadEvent(w, r, rc)
	if !ok {
		return
	}
	err := s.events.Cancel(r.Context(), rc.org, *rc.member, e.ID)
	switch {
	case err == nil:
		s.flash(w, rc.org, "flash.event.unregistered")
		http.Redirect(w, r, fmt.Sprintf("/o/%s/events/%d", rc.org.Slug, e.ID), http.StatusSeeOther)
	case errors.Is(err, event.ErrStarted):
		s.eventProblem(w, r, rc, e, http.StatusConflict, "register", "event.error.cancel_started")
	case errors.Is(err, event.ErrNotRegistered):
		s.eventProblem(w, r, rc, e, http.StatusConflict, "register", "event.error.not_registered")
	default:
		s.eventError(w, r, err)
	}
}

func (s *Server) eventCancel(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	e, ok := s.loadEvent(w, r, rc)
	if !ok {
		return
	}
	if !event.CanManage(*rc.member, e) {
		s.errorPage(w, r, http.StatusForbidden, "error.forbidden")
		return
	}
	err := s.events.CancelEvent(r.Context(), rc.org, s.actor(r, rc), e.ID)
	switch {
	case err == nil:
		s.flash(w, rc.org, "flash.event.cancelled")
		http.Redirect(w, r, fmt.Sprintf("/o/%s/events/%d", rc.org.Slug, e.ID), http.StatusSeeOther)
	case errors.Is(err, event.ErrNotOpen):
		s.eventProblem(w, r, rc, e, http.StatusConflict, "manage", "event.error.not_cancellable")
	default:
		s.eventError(w, r, err)
	}
}

func (s *Server) eventReview(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	e, ok := s.loadEvent(w, r, rc)
	if !ok || !s.parseForm(w, r) {
		return
	}
	decision := r.PostForm.Get("decision")
	err := s.events.Review(r.Context(), rc.org, s.actor(r, rc), e.ID, decision, r.PostForm.Get("message"))
	switch {
	case err == nil:
		s.flash(w, rc.org, "flash.event.reviewed")
		http.Redirect(w, r, fmt.Sprintf("/o/%s/events/%d", rc.org.Slug, e.ID), http.StatusSeeOther)
	case errors.Is(err, event.ErrMessageRequired):
		p := s.newPage(r, rc, "event.show.title")
		p.Form = map[string]string{"message": r.PostForm.Get("message")}
		p.Errors = map[string]string{"message": p.T("event.error.message_required")}
		s.renderEvent(w, r, rc, p, e, http.StatusUnprocessableEntity)
	case errors.Is(err, event.ErrMessageTooLong):
		p := s.newPage(r, rc, "event.show.title")
		p.Form = map[string]string{"message": r.PostForm.Get("message")}
		p.Errors = map[string]string{"message": p.T("form.too_long", "max", event.MaxMessage)}
		s.renderEvent(w, r, rc, p, e, http.StatusUnprocessableEntity)
	case errors.Is(err, event.ErrNotReviewable):
		s.eventProblem(w, r, rc, e, http.StatusConflict, "manage", "event.error.not_reviewable")
	case errors.Is(err, event.ErrStarted):
		s.eventProblem(w, r, rc, e, http.StatusConflict, "manage", "event.error.review_started")
	default:
		s.eventError(w, r, err)
	}
}

func (s *Server) eventFeedback(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	e, ok := s.loadEvent(w, r, rc)
	if !ok || !s.parseForm(w, r) {
		return
	}
	rating, _ := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("rating")))
	err := s.events.GiveFeedback(r.Context(), *rc.member, e.ID, rating, r.PostForm.Get("comment"))
	key, field := "", "rating"
	switch {
	case err == nil:
		s.flash(w, rc.org, "flash.event.feedback")
		http.Redirect(w, r, fmt.Sprintf("/o/%s/events/%d#feedback", rc.org.Slug, e.ID), http.StatusSeeOther)
		return
	case errors.Is(err, event.ErrRating):
		key = "event.error.rating"
	case errors.Is(err, event.ErrCommentTooLong):
		key, field = "event.error.comment_too_long", "comment"
	case errors.Is(err, event.ErrNotEnded), errors.Is(err, event.ErrFeedbackClosed):
		key, field = "event.error.feedback_closed", "feedback"
	default:
		s.eventError(w, r, err)
		return
	}
	p := s.newPage(r, rc, "event.show.title")
	p.Form = map[string]string{"rating": r.PostForm.Get("rating"), "comment": r.PostForm.Get("comment")}
	p.Errors = map[string]string{field: p.T(key, "max", event.MaxComment, "days", int(event.FeedbackWindow.Hours()/24))}
	s.renderEvent(w, r, rc, p, e, http.StatusUnprocessableEntity)
}

func (s *Server) incidentForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.incidentPage(w, r, rc, http.StatusOK, map[string]string{}, nil)
}

func (s *Server) incidentPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, form, errs map[string]string) {
	var ev *event.Event
	action := "/incident"
	if r.PathValue("id") != "" {
		e, ok := s.loadEvent(w, r, rc)
		if !ok {
			return
		}
		ev, action = &e, fmt.Sprintf("/events/%d/incident", e.ID)
	}
	p := s.newPage(r, rc, "event.incident.title")
	p.Form, p.Errors = form, errs
	p.Data = map[string]any{"Event": ev, "Action": action}
	s.render(w, r, status, "event_incident.html", p)
}

func (s *Server) incidentSubmit(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	var eventID int64
	if r.PathValue("id") != "" {
		e, ok := s.loadEvent(w, r, rc)
		if !ok {
			return
		}
		eventID = e.ID
	}
	if !s.parseForm(w, r) {
		return
	}
	body := r.PostForm.Get("body")
	err := s.events.ReportIncident(r.Context(), rc.org, s.actor(r, rc), eventID, body)
	p := s.newPage(r, rc, "event.incident.title")
	switch {
	case err == nil:
		s.flash(w, rc.org, "flash.event.incident")
		if eventID != 0 {
			http.Redirect(w, r, fmt.Sprintf("/o/%s/events/%d", rc.org.Slug, eventID), http.StatusSeeOther)
		} else {
			http.Redirect(w, r, "/o/"+rc.org.Slug+"/events", http.StatusSeeOther)
		}
	case errors.Is(err, event.ErrIncidentEmpty):
		s.incidentPage(w, r, rc, http.StatusUnprocessableEntity, map[string]string{"body": body}, map[string]string{"body": p.T("form.required")})
	case errors.Is(err, event.ErrIncidentTooLong):
		s.incidentPage(w, r, rc, http.StatusUnprocessableEntity, map[string]string{"body": body},
			map[string]string{"body": p.T("form.too_long", "max", event.MaxIncident)})
	default:
		s.eventError(w, r, err)
	}
}

func (s *Server) eventICS(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	e, ok := s.loadEvent(w, r, rc)
	if !ok {
		return
	}
	if e.Status != event.StatusPublished && e.Status != event.StatusCancelled {
		s.notFoundPage(w, r)
		return
	}
	writeICS(w, fmt.Sprintf("event-%d.ics", e.ID), s.events.EventICS(rc.org, e, s.language(r, rc.member)))
}

func writeICS(w http.ResponseWriter, filename, body string) {
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	h.Set("Cache-Control", "private, no-store")
	_, _ = w.Write([]byte(body))
}

func (s *Server) personalICS(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	token, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok || token == "" {
		s.notFoundPage(w, r)
		return
	}
	m, err := s.events.MemberByCalendarToken(r.Context(), rc.org.ID, token)
	if errors.Is(err, event.ErrNotFound) {
		s.notFoundPage(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	body, err := s.events.PersonalICS(r.Context(), rc.org, m)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	writeICS(w, "tsunagu.ics", body)
}

func (s *Server) eventCalendarSettings(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	has, err := s.events.HasCalendarToken(r.Context(), *rc.member)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r, rc, "event.calendar.title")
	p.Data = map[string]any{"Has": has}
	s.render(w, r, http.StatusOK, "event_calendar.html", p)
}

// eventCalendarRegenerate makes a new secret address (the old one stops
// working) and shows it once: only its hash is kept.
func (s *Server) eventCalendarRegenerate(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	token, err := s.events.NewCalendarToken(r.Context(), *rc.member)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r, rc, "event.calendar.title")
	p.Data = map[string]any{"Has": true, "URL": s.events.Link(rc.org, "/calendar/"+token+".ics")}
	s.render(w, r, http.StatusOK, "event_calendar.html", p)
}

func (s *Server) adminEvents(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	proposals, err := s.events.Proposals(r.Context(), *rc.member)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r, rc, "event.admin.title")
	data := map[string]any{"Proposals": s.eventRows(p, proposals)}
	// Incident reports are for admins only, not supporters.
	switch incidents, err := s.events.Incidents(r.Context(), *rc.member); {
	case err == nil:
		data["Incidents"] = incidents
	case !errors.Is(err, event.ErrForbidden):
		s.serverError(w, r, err)
		return
	}
	p.Data = data
	s.render(w, r, http.StatusOK, "event_admin.html", p)
}
