package web

// eventRoutes registers the event pages.
func (s *Server) eventRoutes() {}
