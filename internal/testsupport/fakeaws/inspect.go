package fakeaws

import "time"

// Inspection and eventual consistency, for tests that check what a client
// left behind on the server (from any goroutine, even while a hook blocks).

// KeyInfo is what the server knows about one long-term access key (never its
// secret).
type KeyInfo struct {
	ID      string
	Active  bool
	Created time.Time // server clock at AddKey or CreateAccessKey
	// LastUsed is when a request signed with the key last authenticated;
	// zero if never. LastService and LastRegion come from that request's
	// credential scope ("sts", "iam", "s3"; "us-east-1").
	LastUsed    time.Time
	LastService string
	LastRegion  string
}

// Keys returns the user's access keys, oldest first.
func (u *User) Keys() []KeyInfo {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	var infos []KeyInfo
	for _, k := range u.s.keysOf(u) {
		infos = append(infos, KeyInfo{
			ID:          k.id,
			Active:      k.active,
			Created:     k.created,
			LastUsed:    k.lastUsed,
			LastService: k.lastService,
			LastRegion:  k.lastRegion,
		})
	}
	return infos
}

// MadeSecrets returns the secret of every key CreateAccessKey made, in
// order, including keys deleted since: what a test searches the disk for.
func (s *Server) MadeSecrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.made...)
}

// DeleteKey deletes a long-term key as a person would in the console.
func (s *Server) DeleteKey(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.keys, id)
}

// DeviceInfo is one MFA device of a user.
type DeviceInfo struct {
	Serial  string
	Enabled time.Time
}

// Devices returns the user's MFA devices, oldest first.
func (u *User) Devices() []DeviceInfo {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	var infos []DeviceInfo
	for _, d := range u.s.devicesOf(u) {
		infos = append(infos, DeviceInfo{Serial: d.serial, Enabled: d.enabled})
	}
	return infos
}

// KeyWorks reports whether a request signed with access key id would pass
// the key checks now, on the server clock: a long-term key that exists, is
// active and has propagated, or temporary credentials that exist and have
// not expired.
func (s *Server) KeyWorks(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if k, ok := s.keys[id]; ok {
		return s.keyWorks(k, now)
	}
	if sess, ok := s.sessions[id]; ok {
		return now.Before(sess.expires)
	}
	return false
}

// SetKeyPropagationDelay simulates IAM's eventual consistency: a key made by
// CreateAccessKey is refused (InvalidClientTokenId, or InvalidAccessKeyId
// from S3, as AWS answers) until d has passed on the server clock since it
// was created. Keys added with AddKey are not affected. The delay applies to
// keys already created too.
func (s *Server) SetKeyPropagationDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keyDelay = d
}

// SetKeyNeverWorks, while true, makes every key made by CreateAccessKey
// refused as if it had not propagated yet: a new key that never starts
// working. Setting it back to false lets them work (subject to the delay).
func (s *Server) SetKeyNeverWorks(never bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keyNeverWorks = never
}
