package web

// hrimportRoutes registers the hrimport pages.
func (s *Server) hrimportRoutes() {}
