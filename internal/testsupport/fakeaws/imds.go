package fakeaws

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"
)

// IMDS is a stand-in for the EC2 instance metadata service, IMDSv2 only:
// a GET without the session token from PUT /latest/api/token (which needs
// the TTL header) is refused with 401, as on an instance that requires
// IMDSv2. Point AWS_EC2_METADATA_SERVICE_ENDPOINT at URL.
type IMDS struct {
	URL     string
	Refused atomic.Int32 // requests refused for want of a token
	srv     *httptest.Server
}

const imdsToken = "fake-imds-session-token"

// StartIMDS serves role's credentials (key id, secret, token) on loopback.
func StartIMDS(role, keyID, secret, token string) *IMDS {
	m := &IMDS{}
	mux := http.NewServeMux()
	mux.HandleFunc("/latest/api/token", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut || r.Header.Get("X-aws-ec2-metadata-token-ttl-seconds") == "" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		w.Header().Set("X-aws-ec2-metadata-token-ttl-seconds", r.Header.Get("X-aws-ec2-metadata-token-ttl-seconds"))
		_, _ = w.Write([]byte(imdsToken))
	})
	creds := "/latest/meta-data/iam/security-credentials/"
	mux.HandleFunc(creds, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-aws-ec2-metadata-token") != imdsToken {
			m.Refused.Add(1)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case creds:
			_, _ = w.Write([]byte(role))
		case creds + role:
			_ = json.NewEncoder(w).Encode(map[string]string{"Code": "Success", "Type": "AWS-HMAC",
				"AccessKeyId": keyID, "SecretAccessKey": secret, "Token": token,
				"Expiration":  time.Now().Add(6 * time.Hour).UTC().Format(time.RFC3339),
				"LastUpdated": time.Now().UTC().Format(time.RFC3339)})
		default:
			http.NotFound(w, r)
		}
	})
	m.srv = httptest.NewServer(mux)
	m.URL = m.srv.URL
	return m
}

// Close stops the stand-in.
func (m *IMDS) Close() { m.srv.Close() }
