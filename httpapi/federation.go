package httpapi

// federationRoutes are the partner-node routes (issue 7).
func (s *Server) federationRoutes() []route { return nil }
