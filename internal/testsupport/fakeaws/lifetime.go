package fakeaws

import "time"

// SetSessionLifetime makes every temporary credential STS issues from now
// on expire after at most d (zero: as asked), whatever DurationSeconds
// said: AWS's shortest session is 15 minutes, too long for a test that
// must see one renewed.
func (s *Server) SetSessionLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessionLife = d
}
