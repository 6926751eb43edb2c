package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/tsunagu/tsunagu/internal/feed"
)

// relayRoutes registers the self-introduction relay (自己紹介リレー).
func (s *Server) relayRoutes() {
	s.page("GET /o/{org}/relay", anyMember, s.relays)
	s.page("POST /o/{org}/relay", anyMember, s.relayStart)
	s.page("GET /o/{org}/relay/{id}", anyMember, s.relay)
	s.page("POST /o/{org}/relay/{id}/write", anyMember, s.relayWrite)
	s.page("POST /o/{org}/relay/{id}/pass", anyMember, s.relayPass)
}

func (s *Server) relaysPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, p *Page, status int) {
	relays, err := s.feed.Relays(r.Context(), rc.org.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	turns, err := s.feed.RelayTurns(r.Context(), rc.org.ID, rc.member.UserID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Data = map[string]any{"Relays": relays, "Turns": turns, "MaxLen": feed.MaxPostLen}
	s.render(w, r, status, "feed_relays.html", p)
}

func (s *Server) relays(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p := s.newPage(r, rc, "feed.relay.title")
	s.takeFlash(w, r, p)
	s.relaysPage(w, r, rc, p, http.StatusOK)
}

func (s *Server) relayStart(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	next, _ := s.feed.ParseMember(r.Context(), rc.org.ID, f.Get("next"))
	id, _, err := s.feed.StartRelay(r.Context(), rc.org, s.viewer(r, rc), f.Get("body"), next)
	var errs feed.Errors
	if errors.As(err, &errs) {
		p := s.newPage(r, rc, "feed.relay.title")
		p.Form = map[string]string{"body": f.Get("body"), "next": f.Get("next")}
		p.Errors = problemMessages(p, errs, "")
		s.relaysPage(w, r, rc, p, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(w, rc.org, "flash.feed.relay_started")
	http.Redirect(w, r, fmt.Sprintf("/o/%s/relay/%d", rc.org.Slug, id), http.StatusSeeOther)
}

func (s *Server) relayPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, p *Page, status int) {
	id, ok := pathID(r)
	if !ok {
		s.notFoundPage(w, r)
		return
	}
	relay, links, err := s.feed.RelayOf(r.Context(), rc.org.ID, id)
	if errors.Is(err, feed.ErrNotFound) {
		s.notFoundPage(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Data = map[string]any{"Relay": relay, "Links": links, "MyTurn": relay.NamedID == rc.member.UserID, "MaxLen": feed.MaxPostLen}
	s.render(w, r, status, "feed_relay.html", p)
}

func (s *Server) relay(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p := s.newPage(r, rc, "feed.relay.title")
	s.takeFlash(w, r, p)
	s.relayPage(w, r, rc, p, http.StatusOK)
}

func (s *Server) relayStep(w http.ResponseWriter, r *http.Request, rc *reqCtx, write bool) {
	if !s.parseForm(w, r) {
		return
	}
	id, ok := pathID(r)
	if !ok {
		s.notFoundPage(w, r)
		return
	}
	f := r.PostForm
	next, _ := s.feed.ParseMember(r.Context(), rc.org.ID, f.Get("next"))
	var err error
	if write {
		_, err = s.feed.WriteLink(r.Context(), rc.org, s.viewer(r, rc), id, f.Get("body"), next)
	} else {
		err = s.feed.PassOn(r.Context(), rc.org, s.viewer(r, rc), id, next)
	}
	p := s.newPage(r, rc, "feed.relay.title")
	var errs feed.Errors
	switch {
	case err == nil:
		s.flash(w, rc.org, "flash.feed.relay_passed")
		http.Redirect(w, r, fmt.Sprintf("/o/%s/relay/%d", rc.org.Slug, id), http.StatusSeeOther)
	case errors.As(err, &errs):
		if write {
			p.Form = map[string]string{"body": f.Get("body"), "next": f.Get("next")}
		} else {
			// The pass form's picker is "pass_next" on the page (the write
			// form on the same page has its own "next").
			p.Form = map[string]string{"pass_next": f.Get("next")}
			for i := range errs {
				if errs[i].Field == "next" {
					errs[i].Field = "pass_next"
				}
			}
		}
		p.Errors = problemMessages(p, errs, "")
		s.relayPage(w, r, rc, p, http.StatusUnprocessableEntity)
	case errors.Is(err, feed.ErrNotYourTurn):
		p.Errors = map[string]string{"form": p.T("feed.relay.error.not_your_turn")}
		s.relayPage(w, r, rc, p, http.StatusConflict)
	case errors.Is(err, feed.ErrNotFound):
		s.notFoundPage(w, r)
	default:
		s.serverError(w, r, err)
	}
}

func (s *Server) relayWrite(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.relayStep(w, r, rc, true)
}
func (s *Server) relayPass(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.relayStep(w, r, rc, false)
}
