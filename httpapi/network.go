package httpapi

// networkRoutes are the link-analysis routes (issue 8).
func (s *Server) networkRoutes() []route { return nil }
