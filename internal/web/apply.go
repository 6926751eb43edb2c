package web

// applyRoutes registers the apply pages.
func (s *Server) applyRoutes() {}
