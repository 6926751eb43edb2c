package web

import (
	"net/http"

	"github.com/tsunagu/tsunagu/internal/org"
)

// home shows each role the page that fits it: HR sees the state of the
// network, supporters their community tasks, alumni and employees their own
// place in it.
func (s *Server) home(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p := s.newPage(r, rc, "home.title")
	s.takeFlash(w, r, p)
	data := map[string]any{"Role": string(rc.member.Role)}
	prof, err := s.members.Get(r.Context(), rc.org.ID, rc.member.UserID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	data["Profile"] = prof
	data["AskConfirm"] = prof.NeedsConfirmation(s.auth.Now())
	if s.offboard != nil && rc.member.Role == org.Alumni {
		cards, err := s.offboard.CardsOf(r.Context(), rc.org.ID, rc.member.UserID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		data["FarewellCards"] = cards
	}
	if rc.member.Role.Staff() {
		counts, err := s.orgs.CountByRole(r.Context(), rc.org.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		total := 0
		for _, n := range counts {
			total += n
		}
		data["Counts"] = counts
		data["Total"] = total
		data["Roles"] = org.Roles
	}
	if rc.member.Role == org.Admin && s.jobs != nil {
		st, err := s.jobs.OrgStats(r.Context(), rc.org.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		data["Jobs"] = st
	}
	p.Data = data
	s.render(w, r, http.StatusOK, "home.html", p)
}
