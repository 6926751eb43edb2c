package web

// checkinRoutes registers the checkin pages.
func (s *Server) checkinRoutes() {}
