package web

// offboardRoutes registers the offboard pages.
func (s *Server) offboardRoutes() {}
