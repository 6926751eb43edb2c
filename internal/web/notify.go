package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/tsunagu/tsunagu/internal/notify"
)

// notifyRoutes registers the notify pages.
func (s *Server) notifyRoutes() {
	s.page("GET /o/{org}/notifications", anyMember, s.notifications)
	s.page("POST /o/{org}/notifications/read", anyMember, s.notificationsReadAll)
	s.page("GET /o/{org}/notifications/settings", anyMember, s.notificationSettings)
	s.page("POST /o/{org}/notifications/settings", anyMember, s.notificationSettingsSave)
	// Opening a notification marks it read, then goes to what it is about.
	// Only the member's own, in-app notifications are found, and the stored
	// link is checked to stay inside the organization.
	s.page("GET /o/{org}/notifications/{id}", anyMember, s.notificationOpen)
}

// notifyItem is one row of the notifications page.
type notifyItem struct {
	notify.Item
	Text string
}

func (s *Server) notifications(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p := s.newPage(r, rc, "notify.title")
	s.takeFlash(w, r, p)
	page := 1
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			s.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
			return
		}
		page = n
	}
	items, more, err := s.notify.List(r.Context(), rc.org.ID, rc.member.UserID, page)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	rows := make([]notifyItem, len(items))
	unread := false
	for i, it := range items {
		rows[i] = notifyItem{Item: it, Text: it.Text(p.Lang)}
		unread = unread || !it.Read
	}
	p.Data = map[string]any{"Items": rows, "Page": page, "More": more, "AnyUnread": unread}
	s.render(w, r, http.StatusOK, "notify_list.html", p)
}

func (s *Server) notificationsReadAll(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if _, err := s.notify.MarkAllRead(r.Context(), rc.org.ID, rc.member.UserID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(w, rc.org, "flash.notify_all_read")
	http.Redirect(w, r, "/o/"+rc.org.Slug+"/notifications", http.StatusSeeOther)
}

func (s *Server) notificationOpen(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	id, ok := pathID(r)
	if !ok {
		s.notFoundPage(w, r)
		return
	}
	link, err := s.notify.Open(r.Context(), rc.org.ID, rc.member.UserID, id)
	if errors.Is(err, notify.ErrNotFound) {
		s.notFoundPage(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if link == "" {
		link = "/notifications"
	}
	http.Redirect(w, r, "/o/"+rc.org.Slug+link, http.StatusSeeOther)
}

// notifySettingRow is one category on the preferences page.
type notifySettingRow struct {
	notify.Preference
	Error string
}

func (s *Server) notificationSettings(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p := s.newPage(r, rc, "notify.settings.title")
	s.takeFlash(w, r, p)
	prefs, err := s.notify.Preferences(r.Context(), rc.org.ID, rc.member.UserID, rc.member.Role.Staff())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.renderNotifySettings(w, r, p, http.StatusOK, prefs)
}

func (s *Server) renderNotifySettings(w http.ResponseWriter, r *http.Request, p *Page, status int, prefs []notify.Preference) {
	rows := make([]notifySettingRow, len(prefs))
	for i, pr := range prefs {
		rows[i] = notifySettingRow{Preference: pr, Error: p.Errors["email_"+string(pr.Category)]}
	}
	p.Data = map[string]any{"Rows": rows, "Frequencies": notify.Frequencies}
	s.render(w, r, status, "notify_settings.html", p)
}

func (s *Server) notificationSettingsSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if !s.parseForm(w, r) {
		return
	}
	p := s.newPage(r, rc, "notify.settings.title")
	staff := rc.member.Role.Staff()
	var prefs []notify.Preference
	for _, c := range notify.CategoriesFor(staff) {
		prefs = append(prefs, notify.Preference{Category: c, InApp: r.PostForm.Get("inapp_"+string(c)) == "1",
			Email: notify.Frequency(r.PostForm.Get("email_" + string(c)))})
	}
	err := s.notify.SavePreferences(r.Context(), rc.org.ID, rc.member.UserID, staff, prefs)
	var fe notify.FieldErrors
	if errors.As(err, &fe) {
		p.Errors = map[string]string{"form": p.T("notify.settings.error.form")}
		for k, key := range fe {
			p.Errors[k] = p.T(key)
		}
		s.renderNotifySettings(w, r, p, http.StatusUnprocessableEntity, prefs)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(w, rc.org, "flash.notify_settings_saved")
	http.Redirect(w, r, "/o/"+rc.org.Slug+"/notifications/settings", http.StatusSeeOther)
}
