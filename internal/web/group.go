package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/tsunagu/tsunagu/internal/feed"
	"github.com/tsunagu/tsunagu/internal/group"
	"github.com/tsunagu/tsunagu/internal/member"
)

// groupRoutes registers the group pages. Every handler checks the group
// belongs to the organization in the URL (a foreign id is 404) and asks the
// service, which checks the role, before changing anything.
func (s *Server) groupRoutes() {
	if s.groups == nil {
		return
	}
	s.page("GET /o/{org}/groups", anyMember, s.groupsIndex)
	s.page("POST /o/{org}/groups", anyMember, s.groupCreate)
	s.page("GET /o/{org}/groups/{id}", anyMember, s.groupShow)
	s.page("POST /o/{org}/groups/{id}/join", anyMember, s.groupJoin)
	s.page("POST /o/{org}/groups/{id}/leave", anyMember, s.groupLeave)
	s.page("POST /o/{org}/groups/{id}/edit", anyMember, s.groupUpdate)
	s.page("POST /o/{org}/groups/{id}/archive", anyMember, s.groupArchive)
	s.page("POST /o/{org}/groups/{id}/requests/{user}/approve", anyMember, s.groupApprove)
	s.page("POST /o/{org}/groups/{id}/requests/{user}/decline", anyMember, s.groupDecline)
	s.page("POST /o/{org}/groups/{id}/managers/{user}", staffOnly, s.groupManagerAdd)
	s.page("POST /o/{org}/groups/{id}/managers/{user}/remove", staffOnly, s.groupManagerRemove)

	s.page("GET /o/{org}/admin/groups", staffOnly, s.groupAdmin)
	s.page("POST /o/{org}/admin/groups/settings", adminOnly, s.groupSettings)
	s.page("POST /o/{org}/admin/groups/auto", staffOnly, s.groupCreateAuto)
	s.page("GET /o/{org}/admin/groups/preview", staffOnly, s.groupPreview)
}

func (s *Server) groupActor(r *http.Request, rc *reqCtx) group.Actor {
	return group.Actor{UserID: rc.member.UserID, Role: rc.member.Role, Label: rc.member.Email, IP: s.clientIP(r)}
}

// groupsView is the data of /groups.
type groupsView struct {
	Mine, Discover, All []group.Group
	MayCreate           bool
	Staff               bool
}

func (s *Server) groupsIndex(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.groupsPage(w, r, rc, s.newPage(r, rc, "group.index.title"), http.StatusOK)
}

func (s *Server) groupsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, p *Page, status int) {
	ctx := r.Context()
	var v groupsView
	var err error
	if v.Mine, err = s.groups.MyGroups(ctx, rc.org.ID, rc.member.UserID); err == nil {
		v.Discover, err = s.groups.Discover(ctx, rc.org.ID, rc.member.UserID)
	}
	if err == nil {
		v.MayCreate, err = s.groups.MayCreate(ctx, rc.org.ID, s.groupActor(r, rc))
	}
	if err == nil && rc.member.Role.Staff() {
		v.Staff = true
		v.All, err = s.groups.All(ctx, rc.org.ID)
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if p.Form == nil {
		p.Form = map[string]string{"kind": "open"}
	}
	s.takeFlash(w, r, p)
	p.Data = v
	s.render(w, r, status, "group_index.html", p)
}

func (s *Server) groupCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	d := group.Draft{Name: r.PostFormValue("name"), Description: r.PostFormValue("description"), Kind: group.Kind(r.PostFormValue("kind"))}
	if d.Kind == group.Auto {
		d.Kind = "" // automatic groups are made on the admin page, with a rule
	}
	g, err := s.groups.Create(r.Context(), rc.org.ID, s.groupActor(r, rc), d)
	var errs group.Errors
	switch {
	case errors.As(err, &errs):
		p := s.newPage(r, rc, "group.index.title")
		p.Form = map[string]string{"name": d.Name, "description": d.Description, "kind": string(d.Kind)}
		p.Errors = problemMessages(p, errs, "group.error.form")
		s.groupsPage(w, r, rc, p, http.StatusUnprocessableEntity)
	case errors.Is(err, group.ErrForbidden):
		s.errorPage(w, r, http.StatusForbidden, "error.forbidden")
	case err != nil:
		s.serverError(w, r, err)
	default:
		s.flash(w, rc.org, "flash.group.created")
		http.Redirect(w, r, "/o/"+rc.org.Slug+group.Link(g.ID), http.StatusSeeOther)
	}
}

// groupFromPath loads the group named in the URL; another organization's
// group, or a malformed id, is 404.
func (s *Server) groupFromPath(w http.ResponseWriter, r *http.Request, rc *reqCtx) (group.Group, bool) {
	id, ok := pathID(r)
	if !ok {
		s.notFoundPage(w, r)
		return group.Group{}, false
	}
	g, err := s.groups.Get(r.Context(), rc.org.ID, id)
	if errors.Is(err, group.ErrNotFound) {
		s.notFoundPage(w, r)
		return g, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return g, false
	}
	return g, true
}

// groupView is the data of a group's page.
type groupView struct {
	G         group.Group
	Me        group.Membership
	CanManage bool
	Staff     bool
	Members   []group.Person
	Requests  []group.Person
	Posts     []feed.Post
	HasFeed   bool
	RuleLabel string
}

func (s *Server) groupShow(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	g, ok := s.groupFromPath(w, r, rc)
	if !ok {
		return
	}
	s.groupPage(w, r, rc, g, s.groupPageOf(r, rc, g), http.StatusOK)
}

// groupPageOf starts a group's page, its edit form filled with the group.
func (s *Server) groupPageOf(r *http.Request, rc *reqCtx, g group.Group) *Page {
	p := s.newPage(r, rc, "group.show.title")
	p.Title = g.Name
	p.Form = map[string]string{"name": g.Name, "description": g.Description}
	return p
}

func (s *Server) groupPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, g group.Group, p *Page, status int) {
	ctx := r.Context()
	v := groupView{G: g, Staff: rc.member.Role.Staff(), HasFeed: s.feed != nil}
	var err error
	if v.Me, err = s.groups.MembershipOf(ctx, rc.org.ID, g.ID, rc.member.UserID); err == nil {
		v.CanManage, err = s.groups.CanManage(ctx, s.db.Read(), rc.org.ID, g.ID, s.groupActor(r, rc))
	}
	if err == nil {
		v.Members, err = s.groups.People(ctx, rc.org.ID, g.ID, "member")
	}
	if err == nil && v.CanManage && !g.Archived() {
		v.Requests, err = s.groups.People(ctx, rc.org.ID, g.ID, "pending")
	}
	if err == nil && s.feed != nil {
		// The feed applies the audience: only members of the group (and
		// staff) get its posts.
		v.Posts, _, err = s.feed.List(ctx, rc.org.ID, feed.ViewerOf(rc.member, s.clientIP(r)), feed.ListOptions{GroupID: g.ID, Limit: 5})
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if g.Kind == group.Auto {
		v.RuleLabel = ruleLabel(p, g.Rule)
	}
	s.takeFlash(w, r, p)
	p.Data = v
	s.render(w, r, status, "group_show.html", p)
}

// ruleLabel says in words what places members in an automatic group.
func ruleLabel(p *Page, rule group.Rule) string {
	value := rule.Value
	switch rule.Field {
	case group.RuleRegion:
		value = p.T("group.region." + rule.Value)
	case group.RuleIndustry:
		value = p.T("industry." + rule.Value)
	}
	return p.T("group.rule."+rule.Field+"_label", "value", value)
}

// groupAction runs one change on the group in the URL and redirects back to
// its page with a flash, or shows why not.
func (s *Server) groupAction(w http.ResponseWriter, r *http.Request, rc *reqCtx, flash string, do func(g group.Group) error) {
	s.groupActionFlash(w, r, rc, func(g group.Group) (string, error) { return flash, do(g) })
}

// groupActionFlash is groupAction for changes whose outcome picks the flash.
func (s *Server) groupActionFlash(w http.ResponseWriter, r *http.Request, rc *reqCtx, do func(g group.Group) (string, error)) {
	g, ok := s.groupFromPath(w, r, rc)
	if !ok {
		return
	}
	flash, err := do(g)
	var errs group.Errors
	switch {
	case errors.As(err, &errs):
		// Only the edit form has fields: show it again with what was typed.
		p := s.groupPageOf(r, rc, g)
		p.Form = map[string]string{"name": r.PostFormValue("name"), "description": r.PostFormValue("description")}
		p.Errors = problemMessages(p, errs, "group.error.form")
		s.groupPage(w, r, rc, g, p, http.StatusUnprocessableEntity)
	case errors.Is(err, group.ErrNotFound):
		s.notFoundPage(w, r)
	case errors.Is(err, group.ErrForbidden):
		s.errorPage(w, r, http.StatusForbidden, "error.forbidden")
	case errors.Is(err, group.ErrArchived):
		s.groupProblem(w, r, rc, g, "group.error.archived")
	case errors.Is(err, group.ErrAutomatic):
		s.groupProblem(w, r, rc, g, "group.error.automatic")
	case errors.Is(err, group.ErrLastManager):
		s.groupProblem(w, r, rc, g, "group.error.last_manager")
	case err != nil:
		s.serverError(w, r, err)
	default:
		s.flash(w, rc.org, flash)
		http.Redirect(w, r, "/o/"+rc.org.Slug+group.Link(g.ID), http.StatusSeeOther)
	}
}

func (s *Server) groupProblem(w http.ResponseWriter, r *http.Request, rc *reqCtx, g group.Group, key string) {
	p := s.groupPageOf(r, rc, g)
	p.Errors = map[string]string{"form": p.T(key)}
	s.groupPage(w, r, rc, g, p, http.StatusConflict)
}

func (s *Server) groupJoin(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.groupActionFlash(w, r, rc, func(g group.Group) (string, error) {
		state, err := s.groups.Join(r.Context(), rc.org.ID, g.ID, s.groupActor(r, rc))
		if state == "pending" {
			return "flash.group.requested", err
		}
		return "flash.group.joined", err
	})
}

func (s *Server) groupLeave(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.groupAction(w, r, rc, "flash.group.left", func(g group.Group) error {
		return s.groups.Leave(r.Context(), rc.org.ID, g.ID, s.groupActor(r, rc))
	})
}

func (s *Server) groupDecide(w http.ResponseWriter, r *http.Request, rc *reqCtx, approve bool) {
	user, err := strconv.ParseInt(r.PathValue("user"), 10, 64)
	if err != nil {
		s.notFoundPage(w, r)
		return
	}
	flash := "flash.group.declined"
	if approve {
		flash = "flash.group.approved"
	}
	s.groupAction(w, r, rc, flash, func(g group.Group) error {
		return s.groups.Decide(r.Context(), rc.org.ID, g.ID, user, approve, s.groupActor(r, rc))
	})
}

func (s *Server) groupApprove(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.groupDecide(w, r, rc, true)
}
func (s *Server) groupDecline(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.groupDecide(w, r, rc, false)
}

func (s *Server) groupSetManager(w http.ResponseWriter, r *http.Request, rc *reqCtx, manager bool) {
	user, err := strconv.ParseInt(r.PathValue("user"), 10, 64)
	if err != nil {
		s.notFoundPage(w, r)
		return
	}
	s.groupAction(w, r, rc, "flash.group.managers_changed", func(g group.Group) error {
		return s.groups.SetManager(r.Context(), rc.org.ID, g.ID, user, manager, s.groupActor(r, rc))
	})
}

func (s *Server) groupManagerAdd(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.groupSetManager(w, r, rc, true)
}
func (s *Server) groupManagerRemove(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.groupSetManager(w, r, rc, false)
}

func (s *Server) groupArchive(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.groupAction(w, r, rc, "flash.group.archived", func(g group.Group) error {
		return s.groups.Archive(r.Context(), rc.org.ID, g.ID, s.groupActor(r, rc))
	})
}

func (s *Server) groupUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.groupAction(w, r, rc, "flash.group.updated", func(g group.Group) error {
		_, err := s.groups.Update(r.Context(), rc.org.ID, g.ID, s.groupActor(r, rc), r.PostFormValue("name"), r.PostFormValue("description"))
		return err
	})
}

// groupAdminView is the data of /admin/groups.
type groupAdminView struct {
	Settings    group.Settings
	All         []group.Group
	Fields      []string
	Regions     []string
	Prefectures []string
	Industries  []string
	Preview     int
	HasPreview  bool
}

func (s *Server) groupAdmin(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p := s.newPage(r, rc, "group.admin.title")
	p.Form = map[string]string{"rule_field": group.RuleRegion}
	s.groupAdminPage(w, r, rc, p, http.StatusOK)
}

func (s *Server) groupAdminPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, p *Page, status int) {
	ctx := r.Context()
	v := groupAdminView{Fields: group.RuleFields, Regions: group.RegionKeys, Prefectures: group.Prefectures(), Industries: member.Industries}
	var err error
	if v.Settings, err = s.groups.SettingsOf(ctx, rc.org.ID); err == nil {
		v.All, err = s.groups.All(ctx, rc.org.ID)
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.takeFlash(w, r, p)
	p.Data = v
	s.render(w, r, status, "group_admin.html", p)
}

func (s *Server) groupSettings(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	st := group.Settings{MembersMayCreate: r.PostFormValue("members_may_create") == "1"}
	if err := s.groups.SaveSettings(r.Context(), rc.org.ID, s.groupActor(r, rc), st); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(w, rc.org, "flash.group.settings_saved")
	http.Redirect(w, r, "/o/"+rc.org.Slug+"/admin/groups", http.StatusSeeOther)
}

// ruleOfForm reads the rule form: one value input per field kind, so that
// each can be the right control (year, text, region, prefecture, industry).
func ruleOfForm(r *http.Request) (group.Rule, map[string]string) {
	field := r.FormValue("rule_field")
	form := map[string]string{"rule_field": field}
	for _, f := range group.RuleFields {
		form["value_"+f] = r.FormValue("value_" + f)
	}
	return group.Rule{Field: field, Value: r.FormValue("value_" + field)}, form
}

func (s *Server) groupCreateAuto(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	rule, form := ruleOfForm(r)
	d := group.Draft{Name: r.PostFormValue("name"), Description: r.PostFormValue("description"), Kind: group.Auto, Rule: rule}
	g, err := s.groups.Create(r.Context(), rc.org.ID, s.groupActor(r, rc), d)
	var errs group.Errors
	switch {
	case errors.As(err, &errs):
		p := s.newPage(r, rc, "group.admin.title")
		form["name"], form["description"] = d.Name, d.Description
		p.Form = form
		p.Errors = problemMessages(p, errs, "group.error.form")
		if msg, ok := p.Errors["rule_value"]; ok {
			p.Errors["value_"+rule.Field] = msg
		}
		s.groupAdminPage(w, r, rc, p, http.StatusUnprocessableEntity)
	case errors.Is(err, group.ErrForbidden):
		s.errorPage(w, r, http.StatusForbidden, "error.forbidden")
	case err != nil:
		s.serverError(w, r, err)
	default:
		s.flash(w, rc.org, "flash.group.created")
		http.Redirect(w, r, "/o/"+rc.org.Slug+group.Link(g.ID), http.StatusSeeOther)
	}
}

// groupPreview answers the rule form's live count (htmx swaps it in); it
// reveals only a number, and only to staff.
func (s *Server) groupPreview(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	rule, _ := ruleOfForm(r)
	n, err := s.groups.Preview(r.Context(), rc.org.ID, rule)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r, rc, "group.admin.title")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(p.T("group.admin.preview_count", "count", n)))
}
