package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/tsunagu/tsunagu/internal/invite"
	"github.com/tsunagu/tsunagu/internal/org"
)

// inviteRoutes registers the invite pages.
func (s *Server) inviteRoutes() {
	s.page("GET /o/{org}/admin/invitations", adminOnly, s.invitations)
	s.page("POST /o/{org}/admin/invitations/settings", adminOnly, s.invitationSettings)
	s.page("POST /o/{org}/admin/invitations/single", adminOnly, s.invitationSingle)
	s.page("GET /o/{org}/admin/invitations/new", adminOnly, s.campaignForm)
	s.page("POST /o/{org}/admin/invitations/campaigns", adminOnly, s.campaignCreate)
	s.page("GET /o/{org}/admin/invitations/campaigns/{campaign}", adminOnly, s.campaignPage)
	s.page("POST /o/{org}/admin/invitations/campaigns/{campaign}/send", adminOnly, s.campaignSend)
	s.page("GET /o/{org}/i/{pixel}", anyone, s.invitationPixel)
}

// inviteSSOEnabled says whether the join page offers SSO.
func (s *Server) inviteSSOEnabled(ctx context.Context, orgID int64) bool {
	return s.sso != nil && s.sso.Enabled(ctx, orgID)
}

func (s *Server) invitations(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p := s.newPage(r, rc, "invite.home.title")
	s.takeFlash(w, r, p)
	ctx := r.Context()
	campaigns, err := s.invites.Campaigns(ctx, rc.org.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	single, err := s.invites.Funnel(ctx, rc.org.ID, nil)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	recent, err := s.invites.Invitations(ctx, rc.org.ID, nil, 50)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	st, err := s.invites.Settings(ctx, s.db.Read(), rc.org.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Data = map[string]any{"Campaigns": campaigns, "Single": single, "Recent": recent, "Settings": st, "Now": s.invites.Now()}
	s.render(w, r, http.StatusOK, "invite_home.html", p)
}

func (s *Server) invitationSettings(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	st := invite.Settings{TrackOpens: r.PostForm.Get("track_opens") == "1"}
	if err := s.invites.SaveSettings(r.Context(), rc.org, *rc.member, st, s.client(r)); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(w, rc.org, "flash.invite_settings_saved")
	http.Redirect(w, r, "/o/"+rc.org.Slug+"/admin/invitations", http.StatusSeeOther)
}

// invitationSingle is the single-invitation form's target: like the older
// /admin/invite, but the invitation is tracked and reminded.
func (s *Server) invitationSingle(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	p := s.newPage(r, rc, "invite.title")
	f := r.PostForm
	name := nameFromForm(r)
	in := invite.Single{Email: strings.TrimSpace(f.Get("email")), Name: name, Role: org.Role(f.Get("role")), Lang: f.Get("lang"), Send: f.Get("send") == "1"}
	p.Form = nameForm(name)
	p.Form["email"], p.Form["role"], p.Form["lang"] = in.Email, string(in.Role), in.Lang
	if in.Send {
		p.Form["send"] = "1"
	}
	p.Data = map[string]any{"Roles": org.Roles}
	p.Errors = nameProblems(p, name)
	if _, _, err := org.NormalizeEmail(in.Email); err != nil {
		p.Errors["email"] = p.T("form.email_invalid")
	}
	if !in.Role.Valid() {
		p.Errors["role"] = p.T("form.choose")
	}
	if in.Lang != "ja" && in.Lang != "en" {
		p.Errors["lang"] = p.T("form.choose")
	}
	if len(p.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "invite.html", p)
		return
	}
	link, err := s.invites.InviteOne(r.Context(), rc.org, *rc.member, in, s.client(r))
	if errors.Is(err, org.ErrEmailTaken) {
		p.Errors["email"] = p.T("invite.email_taken")
		s.render(w, r, http.StatusConflict, "invite.html", p)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Data = map[string]any{"Roles": org.Roles, "Link": link, "Invited": name.Display(p.Lang), "Emailed": in.Send}
	p.Form = map[string]string{"role": string(in.Role), "lang": in.Lang, "send": p.Form["send"]}
	s.render(w, r, http.StatusCreated, "invite.html", p)
}

func (s *Server) campaignForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p := s.newPage(r, rc, "invite.campaign.new_title")
	p.Form = map[string]string{"lang": "ja", "leavers": "1"}
	s.render(w, r, http.StatusOK, "invite_campaign_new.html", p)
}

// formYear reads an optional year; ok is false for something that is not one.
func formYear(v string) (int, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n > 0
}

func (s *Server) campaignCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	p := s.newPage(r, rc, "invite.campaign.new_title")
	p.Form = map[string]string{"name": f.Get("name"), "intro": f.Get("intro"), "lang": f.Get("lang"), "leavers": f.Get("leavers"),
		"left_from": f.Get("left_from"), "left_to": f.Get("left_to"), "department": f.Get("department"), "emails": f.Get("emails")}
	p.Errors = map[string]string{}
	in := invite.CampaignInput{Name: f.Get("name"), Intro: f.Get("intro"), Lang: f.Get("lang"), Leavers: f.Get("leavers") == "1",
		Department: f.Get("department"), Emails: f.Get("emails")}
	var ok bool
	if in.LeftFrom, ok = formYear(f.Get("left_from")); !ok {
		p.Errors["left_from"] = p.T("invite.campaign.err_year", "min", invite.MinYear, "max", invite.MaxYear)
	}
	if in.LeftTo, ok = formYear(f.Get("left_to")); !ok {
		p.Errors["left_to"] = p.T("invite.campaign.err_year", "min", invite.MinYear, "max", invite.MaxYear)
	}
	var id int64
	var err error
	if len(p.Errors) == 0 {
		id, err = s.invites.CreateCampaign(r.Context(), rc.org, *rc.member, in, s.client(r))
	}
	var probs invite.Problems
	if errors.As(err, &probs) {
		for _, pr := range probs {
			if _, taken := p.Errors[pr.Field]; !taken {
				p.Errors[pr.Field] = p.T(pr.Key, pr.Args...)
			}
		}
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(p.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "invite_campaign_new.html", p)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/o/%s/admin/invitations/campaigns/%d", rc.org.Slug, id), http.StatusSeeOther)
}

// campaignFrom finds the campaign named in the path, or writes a 404.
func (s *Server) campaignFrom(w http.ResponseWriter, r *http.Request, rc *reqCtx) (invite.Campaign, bool) {
	id, err := strconv.ParseInt(r.PathValue("campaign"), 10, 64)
	if err != nil || id <= 0 {
		s.notFoundPage(w, r)
		return invite.Campaign{}, false
	}
	c, err := s.invites.Campaign(r.Context(), rc.org.ID, id)
	if errors.Is(err, invite.ErrNotFound) {
		s.notFoundPage(w, r)
		return c, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return c, false
	}
	return c, true
}

func (s *Server) campaignPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	c, ok := s.campaignFrom(w, r, rc)
	if !ok {
		return
	}
	s.renderCampaign(w, r, rc, c, http.StatusOK, "")
}

func (s *Server) renderCampaign(w http.ResponseWriter, r *http.Request, rc *reqCtx, c invite.Campaign, status int, problem string) {
	ctx := r.Context()
	p := s.newPage(r, rc, "invite.campaign.title")
	s.takeFlash(w, r, p)
	d := map[string]any{"C": c, "Now": s.invites.Now()}
	if c.State == invite.StateDraft {
		pv, err := s.invites.Preview(ctx, rc.org.ID, c.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d["Preview"] = pv
	} else {
		id := c.ID
		f, err := s.invites.Funnel(ctx, rc.org.ID, &id)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		list, err := s.invites.Invitations(ctx, rc.org.ID, &id, 100)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d["Funnel"], d["List"] = f, list
	}
	if problem != "" {
		p.Errors = map[string]string{"form": p.T(problem)}
	}
	p.Data = d
	s.render(w, r, status, "invite_campaign.html", p)
}

func (s *Server) campaignSend(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	c, ok := s.campaignFrom(w, r, rc)
	if !ok {
		return
	}
	err := s.invites.Start(r.Context(), rc.org, *rc.member, c.ID, s.client(r))
	switch {
	case errors.Is(err, invite.ErrNotDraft):
		s.renderCampaign(w, r, rc, c, http.StatusConflict, "invite.campaign.err_not_draft")
	case errors.Is(err, invite.ErrNoAudience):
		s.renderCampaign(w, r, rc, c, http.StatusUnprocessableEntity, "invite.campaign.err_nobody")
	case err != nil:
		s.serverError(w, r, err)
	default:
		s.flash(w, rc.org, "flash.invite_campaign_started")
		http.Redirect(w, r, fmt.Sprintf("/o/%s/admin/invitations/campaigns/%d", rc.org.Slug, c.ID), http.StatusSeeOther)
	}
}

// transparentGIF is a 1x1 transparent GIF.
var transparentGIF = []byte{0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
	0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b}

// invitationPixel is the open-tracking image. It answers the same image
// whatever the id, so it reveals nothing; opens are recorded only when the
// organization tracks them.
func (s *Server) invitationPixel(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	name := r.PathValue("pixel")
	tid, isGIF := strings.CutSuffix(name, ".gif")
	if !isGIF || tid == "" || len(tid) > 64 {
		s.notFoundPage(w, r)
		return
	}
	if err := s.invites.Opened(r.Context(), rc.org.ID, tid); err != nil {
		s.log.ErrorContext(r.Context(), "record invitation open", "err", err)
	}
	w.Header().Set("Content-Type", "image/gif")
	w.Header().Set("Cache-Control", "no-store, max-age=0")
	w.Header().Set("Content-Length", strconv.Itoa(len(transparentGIF)))
	_, _ = w.Write(transparentGIF)
}
