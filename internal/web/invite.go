package web

// inviteRoutes registers the invite pages.
func (s *Server) inviteRoutes() {}
