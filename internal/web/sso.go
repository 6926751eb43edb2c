package web

// ssoRoutes registers the sso pages.
func (s *Server) ssoRoutes() {}
