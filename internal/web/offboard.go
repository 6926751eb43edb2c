package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tsunagu/tsunagu/internal/member"
	"github.com/tsunagu/tsunagu/internal/offboard"
)

// offboardRoutes registers the offboard pages: HR's departures, and the
// farewell card colleagues sign and the leaver keeps.
func (s *Server) offboardRoutes() {
	if s.offboard == nil {
		return
	}
	s.page("GET /o/{org}/admin/departures", adminOnly, s.departures)
	s.page("POST /o/{org}/admin/departures", adminOnly, s.departureRecord)
	s.page("POST /o/{org}/admin/departures/bulk", adminOnly, s.departureBulk)
	s.page("GET /o/{org}/admin/departures/{id}", adminOnly, s.departure)
	s.page("POST /o/{org}/admin/departures/{id}", adminOnly, s.departureUpdate)
	s.page("POST /o/{org}/admin/departures/{id}/cancel", adminOnly, s.departureCancel)

	// The card link is shared by HR with colleagues; each handler decides
	// what the visitor may do (see offboard.Service.AccessOf).
	s.page("GET /o/{org}/cards/{card}", anyone, s.card)
	s.page("POST /o/{org}/cards/{card}/messages", anyone, s.cardWrite)
	s.page("POST /o/{org}/cards/{card}/messages/{msg}/hide", anyMember, s.cardHide)
	s.page("POST /o/{org}/cards/{card}/messages/{msg}/show", anyMember, s.cardShow)
	s.page("GET /o/{org}/cards/{card}/messages/{msg}/photo/{variant}", anyone, s.cardPhoto)
}

// MaxCardBodyBytes bounds a card message with its photo.
const MaxCardBodyBytes = MaxPhotoBytes + 64<<10

func (s *Server) actorOf(r *http.Request, rc *reqCtx) offboard.Actor {
	return offboard.Actor{UserID: rc.member.UserID, Email: rc.member.Email, IP: s.clientIP(r)}
}

func departureForm(r *http.Request) offboard.Input {
	f := r.PostForm
	return offboard.Input{Member: f.Get("member"), LastDay: f.Get("last_day"), HiredOn: f.Get("hired_on"), TenureYears: f.Get("tenure_years"),
		Department: f.Get("department"), JobTitle: f.Get("job_title"), RehireEligibility: f.Get("rehire_eligibility"),
		RehireConditions: f.Get("rehire_conditions"), Notes: f.Get("notes"), PersonalEmail: f.Get("personal_email"), Lang: f.Get("lang"),
		CardAnonymous: f.Get("card_anonymous") == "1", CardManager: f.Get("card_manager")}
}

func formOfInput(in offboard.Input) map[string]string {
	anon := ""
	if in.CardAnonymous {
		anon = "1"
	}
	return map[string]string{"member": in.Member, "last_day": in.LastDay, "hired_on": in.HiredOn, "tenure_years": in.TenureYears,
		"department": in.Department, "job_title": in.JobTitle, "rehire_eligibility": in.RehireEligibility,
		"rehire_conditions": in.RehireConditions, "notes": in.Notes, "personal_email": in.PersonalEmail, "lang": in.Lang,
		"card_anonymous": anon, "card_manager": in.CardManager}
}

func (s *Server) departuresPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, p *Page, status int, extra map[string]any) {
	upcoming, past, err := s.offboard.List(r.Context(), rc.org.ID, 500)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	employees, err := s.offboard.Employees(r.Context(), rc.org.ID, 2000)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data := map[string]any{"Upcoming": upcoming, "Past": past, "Employees": employees, "Eligibilities": member.RehireEligibilities,
		"Today": s.offboard.Today()}
	for k, v := range extra {
		data[k] = v
	}
	p.Data = data
	if p.Form == nil {
		p.Form = map[string]string{"lang": "ja", "bulk_lang": "ja"}
	}
	s.render(w, r, status, "offboard_departures.html", p)
}

func (s *Server) departures(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p := s.newPage(r, rc, "offboard.departures.title")
	s.takeFlash(w, r, p)
	s.departuresPage(w, r, rc, p, http.StatusOK, nil)
}

func (s *Server) departureRecord(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	in := departureForm(r)
	d, err := s.offboard.Record(r.Context(), rc.org, in, s.actorOf(r, rc))
	var errs offboard.Errors
	if errors.As(err, &errs) {
		p := s.newPage(r, rc, "offboard.departures.title")
		p.Form = formOfInput(in)
		p.Form["bulk_lang"] = "ja"
		p.Errors = problemMessages(p, errs, "offboard.error.form")
		s.departuresPage(w, r, rc, p, http.StatusUnprocessableEntity, nil)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(w, rc.org, "flash.offboard.recorded")
	http.Redirect(w, r, fmt.Sprintf("/o/%s/admin/departures/%d", rc.org.Slug, d.ID), http.StatusSeeOther)
}

func (s *Server) departureBulk(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	common := offboard.Input{Lang: f.Get("bulk_lang"), CardAnonymous: f.Get("bulk_card_anonymous") == "1"}
	n, err := s.offboard.RecordBulk(r.Context(), rc.org, f.Get("lines"), common, s.actorOf(r, rc))
	var bulk offboard.BulkError
	var errs offboard.Errors
	if errors.As(err, &bulk) || errors.As(err, &errs) {
		p := s.newPage(r, rc, "offboard.departures.title")
		p.Form = map[string]string{"lang": "ja", "lines": f.Get("lines"), "bulk_lang": common.Lang}
		if common.CardAnonymous {
			p.Form["bulk_card_anonymous"] = "1"
		}
		p.Errors = map[string]string{"bulk": p.T("offboard.bulk.failed", "count", len(bulk))}
		for _, e := range errs {
			p.Errors["lines"] = p.T(e.Key, e.Args...)
			p.Errors["bulk"] = p.T(e.Key, e.Args...)
		}
		type row struct {
			Line     int
			Text     string
			Messages []string
		}
		var rows []row
		for _, b := range bulk {
			rw := row{Line: b.Line, Text: b.Text}
			for _, e := range b.Errors {
				rw.Messages = append(rw.Messages, p.T("offboard.field."+e.Field)+": "+p.T(e.Key, e.Args...))
			}
			rows = append(rows, rw)
		}
		s.departuresPage(w, r, rc, p, http.StatusUnprocessableEntity, map[string]any{"BulkRows": rows})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.log.InfoContext(r.Context(), "departures recorded in bulk", "org", rc.org.Slug, "count", n)
	s.flash(w, rc.org, "flash.offboard.bulk_recorded")
	http.Redirect(w, r, "/o/"+rc.org.Slug+"/admin/departures", http.StatusSeeOther)
}

func (s *Server) departureFromPath(w http.ResponseWriter, r *http.Request, rc *reqCtx) (offboard.Departure, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFoundPage(w, r)
		return offboard.Departure{}, false
	}
	d, err := s.offboard.Get(r.Context(), rc.org.ID, id)
	if errors.Is(err, offboard.ErrNotFound) {
		s.notFoundPage(w, r)
		return d, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return d, false
	}
	return d, true
}

func inputOf(d offboard.Departure, in member.Internal) offboard.Input {
	tenure := ""
	if d.TenureYears > 0 {
		tenure = strconv.Itoa(d.TenureYears)
	}
	return offboard.Input{LastDay: d.LastDay, HiredOn: d.HiredOn, TenureYears: tenure, Department: d.Department, JobTitle: d.JobTitle,
		RehireEligibility: in.RehireEligibility, RehireConditions: in.RehireConditions, Notes: in.Notes, PersonalEmail: d.PersonalEmail,
		Lang: d.Lang, CardAnonymous: d.CardAnonymous, CardManager: d.ManagerEmail}
}

func (s *Server) departurePage(w http.ResponseWriter, r *http.Request, rc *reqCtx, d offboard.Departure, p *Page, status int) {
	msgs, err := s.offboard.Messages(r.Context(), rc.org.ID, d.ID, true)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	hidden := 0
	for _, m := range msgs {
		if m.Hidden {
			hidden++
		}
	}
	p.Title = p.T("offboard.departure.title", "name", d.Name.Display(p.Lang))
	p.Data = map[string]any{"D": d, "CardURL": s.cfg.BaseURL + "/o/" + rc.org.Slug + "/cards/" + d.CardID, "Messages": len(msgs),
		"Hidden": hidden, "Eligibilities": member.RehireEligibilities, "Pending": d.State == offboard.Pending,
		"ConvertAt": offboard.ConvertAt(d.LastDay), "ClosesAt": offboard.WritingClosesAt(d.LastDay)}
	s.render(w, r, status, "offboard_departure.html", p)
}

func (s *Server) departure(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	d, ok := s.departureFromPath(w, r, rc)
	if !ok {
		return
	}
	p := s.newPage(r, rc, "offboard.departures.title")
	s.takeFlash(w, r, p)
	if d.State == offboard.Pending {
		// The edit form shows the rehire fields: reading them is audited.
		in, err := s.members.Internal(r.Context(), rc.org.ID, d.UserID, s.adminOf(r, rc))
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		p.Form = formOfInput(inputOf(d, in))
	}
	s.departurePage(w, r, rc, d, p, http.StatusOK)
}

func (s *Server) departureUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	d, ok := s.departureFromPath(w, r, rc)
	if !ok {
		return
	}
	in := departureForm(r)
	err := s.offboard.Update(r.Context(), rc.org, d.ID, in, s.actorOf(r, rc))
	var errs offboard.Errors
	switch {
	case errors.As(err, &errs):
		p := s.newPage(r, rc, "offboard.departures.title")
		p.Form = formOfInput(in)
		p.Errors = problemMessages(p, errs, "offboard.error.form")
		s.departurePage(w, r, rc, d, p, http.StatusUnprocessableEntity)
		return
	case errors.Is(err, offboard.ErrNotPending):
		s.errorPage(w, r, http.StatusConflict, "offboard.error.not_pending")
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	s.flash(w, rc.org, "flash.offboard.updated")
	http.Redirect(w, r, fmt.Sprintf("/o/%s/admin/departures/%d", rc.org.Slug, d.ID), http.StatusSeeOther)
}

func (s *Server) departureCancel(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	d, ok := s.departureFromPath(w, r, rc)
	if !ok {
		return
	}
	err := s.offboard.Cancel(r.Context(), rc.org, d.ID, s.actorOf(r, rc))
	if errors.Is(err, offboard.ErrNotPending) {
		s.errorPage(w, r, http.StatusConflict, "offboard.error.not_pending")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(w, rc.org, "flash.offboard.cancelled")
	http.Redirect(w, r, "/o/"+rc.org.Slug+"/admin/departures", http.StatusSeeOther)
}

// cardFromPath loads the card and what the visitor may do with it. A
// visitor who may not see it gets the sign-in page (signed out), 403
// (alumni), or, for the leaver before their last day, 404: the surprise
// is kept.
func (s *Server) cardFromPath(w http.ResponseWriter, r *http.Request, rc *reqCtx) (offboard.Departure, offboard.Access, bool) {
	d, err := s.offboard.Card(r.Context(), rc.org.ID, r.PathValue("card"))
	if errors.Is(err, offboard.ErrNotFound) {
		s.notFoundPage(w, r)
		return d, offboard.Access{}, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return d, offboard.Access{}, false
	}
	a := s.offboard.AccessOf(d, rc.member)
	if !a.See {
		switch {
		case a.NeedsSignIn:
			next := "/o/" + rc.org.Slug + "/cards/" + d.CardID
			http.Redirect(w, r, "/o/"+rc.org.Slug+"/login?next="+url.QueryEscape(next), http.StatusSeeOther)
		case a.Leaver:
			// Before the last day the card does not exist for its leaver.
			s.notFoundPage(w, r)
		default:
			s.errorPage(w, r, http.StatusForbidden, "error.forbidden")
		}
		return d, a, false
	}
	return d, a, true
}

func (s *Server) cardPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, d offboard.Departure, a offboard.Access, p *Page, status int) {
	var msgs []offboard.Message
	if a.SeeMessages {
		var err error
		if msgs, err = s.offboard.Messages(r.Context(), rc.org.ID, d.ID, a.Manage); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	p.Title = p.T("offboard.card.title", "name", d.Name.Display(p.Lang))
	p.Data = map[string]any{"D": d, "A": a, "Messages": msgs, "ClosesAt": offboard.WritingClosesAt(d.LastDay).Add(-1),
		"Base": "/o/" + rc.org.Slug + "/cards/" + d.CardID, "MaxLen": offboard.MaxMessageLen}
	s.render(w, r, status, "offboard_card.html", p)
}

func (s *Server) card(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	d, a, ok := s.cardFromPath(w, r, rc)
	if !ok {
		return
	}
	p := s.newPage(r, rc, "offboard.departures.title")
	s.takeFlash(w, r, p)
	s.cardPage(w, r, rc, d, a, p, http.StatusOK)
}

func (s *Server) cardWrite(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseUpload(w, r) {
		return
	}
	d, a, ok := s.cardFromPath(w, r, rc)
	if !ok {
		return
	}
	p := s.newPage(r, rc, "offboard.departures.title")
	p.Form = map[string]string{"body": r.PostForm.Get("body"), "name": r.PostForm.Get("name")}
	fail := func(status int, field, key string, args ...any) {
		p.Errors = map[string]string{field: p.T(key, args...)}
		s.cardPage(w, r, rc, d, a, p, status)
	}
	if !a.Write {
		fail(http.StatusConflict, "form", "offboard.card.closed")
		return
	}
	// A photo is for signed-in colleagues only: a shared link must not
	// become a way to put any picture in front of the leaver.
	var key string
	if r.MultipartForm != nil && len(r.MultipartForm.File["photo"]) > 0 {
		if a.Anonymous {
			fail(http.StatusUnprocessableEntity, "photo", "offboard.card.photo_members_only")
			return
		}
		keys, errKey, err := s.savePhotos(rc.org.ID, r.MultipartForm.File["photo"][:1])
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if errKey != "" {
			fail(http.StatusUnprocessableEntity, "photo", errKey)
			return
		}
		key = keys[0]
	}
	_, err := s.offboard.Write(r.Context(), d, offboard.Writer{Member: rc.member, Name: r.PostForm.Get("name"), IP: s.clientIP(r)},
		r.PostForm.Get("body"), key)
	if err != nil && key != "" {
		_ = s.photos.Delete(rc.org.ID, key)
	}
	var errs offboard.Errors
	switch {
	case errors.As(err, &errs):
		p.Errors = problemMessages(p, errs, "")
		s.cardPage(w, r, rc, d, a, p, http.StatusUnprocessableEntity)
		return
	case errors.Is(err, offboard.ErrClosed):
		fail(http.StatusConflict, "form", "offboard.card.closed")
		return
	case errors.Is(err, offboard.ErrTooMany):
		fail(http.StatusTooManyRequests, "form", "offboard.card.too_many")
		return
	case errors.Is(err, offboard.ErrNotFound):
		s.notFoundPage(w, r)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	s.flash(w, rc.org, "flash.offboard.message_saved")
	http.Redirect(w, r, "/o/"+rc.org.Slug+"/cards/"+d.CardID, http.StatusSeeOther)
}

func (s *Server) cardHide(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.cardSetHidden(w, r, rc, true)
}
func (s *Server) cardShow(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.cardSetHidden(w, r, rc, false)
}

func (s *Server) cardSetHidden(w http.ResponseWriter, r *http.Request, rc *reqCtx, hidden bool) {
	d, a, ok := s.cardFromPath(w, r, rc)
	if !ok {
		return
	}
	if !a.Manage {
		s.errorPage(w, r, http.StatusForbidden, "error.forbidden")
		return
	}
	id, err := strconv.ParseInt(r.PathValue("msg"), 10, 64)
	if err != nil {
		s.notFoundPage(w, r)
		return
	}
	err = s.offboard.SetHidden(r.Context(), d, id, hidden, s.actorOf(r, rc))
	if errors.Is(err, offboard.ErrNotFound) {
		s.notFoundPage(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	key := "flash.offboard.message_shown"
	if hidden {
		key = "flash.offboard.message_hidden"
	}
	s.flash(w, rc.org, key)
	http.Redirect(w, r, fmt.Sprintf("/o/%s/cards/%s#m-%d", rc.org.Slug, d.CardID, id), http.StatusSeeOther)
}

func (s *Server) cardPhoto(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	d, a, ok := s.cardFromPath(w, r, rc)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("msg"), 10, 64)
	if err != nil || !a.SeeMessages {
		s.notFoundPage(w, r)
		return
	}
	m, err := s.offboard.Message(r.Context(), rc.org.ID, d.ID, id)
	if errors.Is(err, offboard.ErrNotFound) || (err == nil && (m.PhotoKey == "" || (m.Hidden && !a.Manage))) {
		s.notFoundPage(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.photos.Serve(w, r, rc.org.ID, m.PhotoKey, strings.TrimSpace(r.PathValue("variant")))
}
