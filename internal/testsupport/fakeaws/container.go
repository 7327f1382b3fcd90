package fakeaws

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"
)

// Container is a stand-in for the ECS (and EKS Pod Identity) container
// credential endpoint: a request whose Authorization header is not Auth is
// refused with 403. Point AWS_CONTAINER_CREDENTIALS_FULL_URI at URL.
type Container struct {
	URL     string
	Refused atomic.Int32
	srv     *httptest.Server
}

// StartContainer serves the credentials (key id, secret, token) to
// requests that carry auth.
func StartContainer(auth, keyID, secret, token string) *Container {
	c := &Container{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != auth {
			c.Refused.Add(1)
			w.WriteHeader(http.StatusForbidden)
			_ = json.NewEncoder(w).Encode(map[string]string{"code": "AccessDenied", "message": "wrong authorization token"})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"AccessKeyId": keyID, "SecretAccessKey": secret, "Token": token,
			"Expiration": time.Now().Add(6 * time.Hour).UTC().Format(time.RFC3339)})
	}))
	c.URL = c.srv.URL + "/v2/credentials/abc"
	return c
}

// Close stops the stand-in.
func (c *Container) Close() { c.srv.Close() }
