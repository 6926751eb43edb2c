package web

// feedRoutes registers the feed pages.
func (s *Server) feedRoutes() {}
