package fakeaws

// AnswerCredentials are the temporary credentials of one answer as the
// double is about to write them, for TamperCredentials to change: a
// hostile or broken AWS, as a client must survive it.
type AnswerCredentials struct {
	Action          string // "GetSessionToken", "AssumeRole", "GetFederationToken", "GetRoleCredentials"
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	// Expiration as STS writes it (RFC 3339 text); ExpirationMillis as
	// GetRoleCredentials does (epoch milliseconds). Each answer uses one.
	Expiration       string
	ExpirationMillis int64
}

// TamperCredentials has fn change the credentials of every answer that
// carries some, after they were issued (the issued session itself is not
// changed). fn runs with the server's lock held: it must not call the
// server. Remove it with the returned function.
func (s *Server) TamperCredentials(fn func(*AnswerCredentials)) (remove func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tamper = fn
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.tamper = nil
	}
}

// tampered applies the tamper function, if any, to c; the caller holds
// s.mu, as every action handler does.
func (s *Server) tampered(c AnswerCredentials) AnswerCredentials {
	if s.tamper != nil {
		s.tamper(&c)
	}
	return c
}
