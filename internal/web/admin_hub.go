package web

import (
	"net/http"
)

// adminSection is one entry of the administration page. Every staff page is
// reached from there, so the header stays short on a phone.
type adminSection struct {
	Path     string // inside the organization
	TitleKey string
	LeadKey  string
	Access   access
}

var adminSections = []adminSection{
	{"/admin/members", "admin.hub.members", "admin.hub.members_lead", staffOnly},
	{"/admin/departures", "admin.hub.departures", "admin.hub.departures_lead", adminOnly},
	{"/admin/invitations", "admin.hub.invitations", "admin.hub.invitations_lead", adminOnly},
	{"/admin/import", "admin.hub.import", "admin.hub.import_lead", adminOnly},
	{"/admin/applications", "admin.hub.applications", "admin.hub.applications_lead", staffOnly},
	{"/admin/inbox", "admin.hub.inbox", "admin.hub.inbox_lead", adminOnly},
	{"/admin/sso", "admin.hub.sso", "admin.hub.sso_lead", adminOnly},
	{"/admin/scim", "admin.hub.scim", "admin.hub.scim_lead", adminOnly},
	{"/admin/groups", "group.admin.hub", "group.admin.hub_lead", staffOnly},
	{"/admin/api-tokens", "admin.hub.api_tokens", "admin.hub.api_tokens_lead", adminOnly},
	{"/admin/feed/reports", "feed.hub.reports", "feed.hub.reports_lead", staffOnly},
	{"/admin/audit", "admin.hub.audit", "admin.hub.audit_lead", adminOnly},
	{"/admin/events", "event.admin.hub", "event.admin.hub_lead", staffOnly},
}

// hubEntry is a section as shown, with what waits there for staff.
type hubEntry struct {
	adminSection
	Pending int
}

func (s *Server) adminHub(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p := s.newPage(r, rc, "admin.hub.title")
	var sections []hubEntry
	for _, sec := range adminSections {
		if sec.Access.allows(rc.member) {
			sections = append(sections, hubEntry{adminSection: sec})
		}
	}
	if err := s.applyHubCounts(r, rc, sections); err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.inboxHubCounts(r, rc, sections); err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Data = sections
	s.render(w, r, http.StatusOK, "admin.html", p)
}
