package fakeaws

import (
	"net/url"
	"strconv"
)

// AssumeRoleRequest is what one AssumeRole call sent beside the role: its
// session tags, transitive tag keys and source identity (recorded for
// tests of aws-vault's session_tags, transitive_session_tags and
// source_identity).
type AssumeRoleRequest struct {
	RoleARN           string
	RoleSessionName   string
	Tags              map[string]string
	TransitiveTagKeys []string
	SourceIdentity    string
}

// AssumeRoleRequests are the AssumeRole calls that reached the server, in
// order (authorized or not).
func (s *Server) AssumeRoleRequests() []AssumeRoleRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]AssumeRoleRequest(nil), s.assumeRequests...)
}

// recordAssumeRole reads the query protocol's lists (Tags.member.N.Key,
// TransitiveTagKeys.member.N). The caller holds s.mu.
func (s *Server) recordAssumeRole(p url.Values) {
	r := AssumeRoleRequest{RoleARN: p.Get("RoleArn"), RoleSessionName: p.Get("RoleSessionName"), SourceIdentity: p.Get("SourceIdentity")}
	for i := 1; ; i++ {
		n := "Tags.member." + strconv.Itoa(i)
		if !p.Has(n + ".Key") {
			break
		}
		if r.Tags == nil {
			r.Tags = map[string]string{}
		}
		r.Tags[p.Get(n+".Key")] = p.Get(n + ".Value")
	}
	for i := 1; ; i++ {
		n := "TransitiveTagKeys.member." + strconv.Itoa(i)
		if !p.Has(n) {
			break
		}
		r.TransitiveTagKeys = append(r.TransitiveTagKeys, p.Get(n))
	}
	s.assumeRequests = append(s.assumeRequests, r)
}
