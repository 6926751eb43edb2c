package web

// breakoutRoutes registers the breakout pages.
func (s *Server) breakoutRoutes() {}
