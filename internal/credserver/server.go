// Package credserver holds the credential endpoint of `awsenv exec
// --server`: an HTTP server on 127.0.0.1 speaking the container-credentials
// protocol the AWS SDKs and CLI poll (AWS_CONTAINER_CREDENTIALS_FULL_URI
// with AWS_CONTAINER_AUTHORIZATION_TOKEN). It hands out the credentials it
// was last given and refuses every request that is not the child's: a
// wrong or missing token, a peer off the loopback, or a Host header other
// than its own address (a web page's DNS rebinding). Only awsenv-helper
// links it: the front has no network stack.
package credserver

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/awsenv/awsenv/profiles"
)

// Path is the endpoint's path in its URL.
const Path = "/awsenv/credentials"

// Server is one running endpoint.
type Server struct {
	token string
	port  int
	ln    net.Listener
	srv   *http.Server
	now   func() time.Time

	mu    sync.RWMutex
	creds profiles.Credentials
}

// NewToken is a random authorization token: 32 bytes, hex.
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make the server's token: %w. Check the system's random source.", err)
	}
	return hex.EncodeToString(b), nil
}

// Listen listens on 127.0.0.1 at a port the system picks, with a new
// random token, and serves until Close.
func Listen() (*Server, error) {
	token, err := NewToken()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen on 127.0.0.1: %w. Check that the loopback interface is up.", err)
	}
	s := New(token, ln.Addr().(*net.TCPAddr).Port)
	s.ln = ln
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 10 * time.Second, MaxHeaderBytes: 16 << 10}
	go s.srv.Serve(ln)
	return s, nil
}

// New is a Server's handler for port and token, not listening (tests use
// it as an http.Handler).
func New(token string, port int) *Server {
	return &Server{token: token, port: port, now: time.Now}
}

// URL is the endpoint's address, for AWS_CONTAINER_CREDENTIALS_FULL_URI.
func (s *Server) URL() string { return "http://127.0.0.1:" + strconv.Itoa(s.port) + Path }

// Token is the authorization token, for AWS_CONTAINER_AUTHORIZATION_TOKEN.
func (s *Server) Token() string { return s.token }

// Set makes c the credentials handed out from now on.
func (s *Server) Set(c profiles.Credentials) {
	s.mu.Lock()
	s.creds = c
	s.mu.Unlock()
}

// Close stops listening.
func (s *Server) Close() error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Close()
}

// answer is the container-credentials protocol's body.
type answer struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	Token           string `json:"Token,omitempty"`
	Expiration      string `json:"Expiration,omitempty"`
	AccountID       string `json:"AccountId,omitempty"`
}

// refusal is the body of an error, as the ECS agent words them.
type refusal struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if code, msg := s.refuse(r); code != 0 {
		write(w, code, refusal{Code: http.StatusText(code), Message: msg})
		return
	}
	s.mu.RLock()
	c := s.creds
	s.mu.RUnlock()
	if c.AccessKeyID == "" || (!c.Expiration.IsZero() && !s.now().Before(c.Expiration)) {
		// Being renewed (or the renewal failed): the SDKs retry.
		write(w, http.StatusServiceUnavailable, refusal{Code: "Unavailable", Message: "no fresh credentials yet; awsenv is renewing them"})
		return
	}
	a := answer{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey.Reveal(), Token: c.SessionToken.Reveal(),
		AccountID: c.AccountID}
	if !c.Expiration.IsZero() {
		a.Expiration = c.Expiration.UTC().Format(time.RFC3339)
	}
	write(w, http.StatusOK, a)
}

// refuse says why r is not the child's request, or 0.
func (s *Server) refuse(r *http.Request) (int, string) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return http.StatusForbidden, "only this machine may ask"
	}
	// A page whose name was rebound to 127.0.0.1 reaches the port with its
	// own name in Host: only our own address is accepted.
	port := strconv.Itoa(s.port)
	if h := strings.ToLower(r.Host); h != "127.0.0.1:"+port && h != "localhost:"+port {
		return http.StatusForbidden, "wrong Host header"
	}
	got := r.Header.Get("Authorization")
	if got == "" {
		return http.StatusUnauthorized, "no Authorization header"
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) != 1 {
		return http.StatusForbidden, "wrong authorization token"
	}
	if r.Method != http.MethodGet {
		return http.StatusMethodNotAllowed, "only GET"
	}
	if r.URL.Path != Path {
		return http.StatusNotFound, "no such path"
	}
	return 0, ""
}

func write(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
