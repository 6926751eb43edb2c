package web

// messageRoutes registers the message pages.
func (s *Server) messageRoutes() {}
