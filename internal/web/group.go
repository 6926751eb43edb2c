package web

// groupRoutes registers the group pages.
func (s *Server) groupRoutes() {}
