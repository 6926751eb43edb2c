package web

// notifyRoutes registers the notify pages.
func (s *Server) notifyRoutes() {}
