package web

// scimRoutes registers the SCIM settings pages.
func (s *Server) scimRoutes() {}
