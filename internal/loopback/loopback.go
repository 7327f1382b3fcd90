// Package loopback holds the one-shot listener of the OAuth authorization
// code grant (RFC 8252's loopback redirect): on 127.0.0.1, it takes exactly
// one redirect to /oauth/callback, answers the browser with a short page,
// and stops. Only awsenv-helper links it: the front has no network stack.
package loopback

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// CallbackPath is the redirect URI's path, as the AWS CLI registers it.
const CallbackPath = "/oauth/callback"

// Errors of Wait besides the context's.
var (
	// ErrDenied: the redirect said error=access_denied.
	ErrDenied = errors.New("the sign-in was denied in the browser")
	// ErrState: the redirect's state is missing or not ours: it was not
	// the answer to our request (a stale tab, or a forged redirect).
	ErrState = errors.New("the browser came back with a wrong or missing state; nothing was accepted")
	// ErrTimeout: no redirect came in time.
	ErrTimeout = errors.New("no answer came from the browser in time")
)

// CallbackError is a redirect that carried another OAuth error, or no code.
type CallbackError struct {
	Code, Description string // from the query, untrusted: shown cleaned by the caller
}

func (e *CallbackError) Error() string {
	if e.Code == "" {
		return "the browser came back without an authorization code"
	}
	msg := "the sign-in failed in the browser: " + e.Code
	if e.Description != "" {
		msg += " (" + e.Description + ")"
	}
	return msg
}

// Listener waits for one redirect.
type Listener struct {
	ln       net.Listener
	srv      *http.Server
	state    string
	redirect string
	once     sync.Once
	result   chan result
}

type result struct {
	code string
	err  error
}

// Listen listens on 127.0.0.1:port (0: a free port) for the redirect of
// the request that carried state.
func Listen(port int, state string) (*Listener, error) {
	if port < 0 || port > 65535 {
		return nil, fmt.Errorf("redirect port %d is not a TCP port; use 1 to 65535, or 0 for a free one", port)
	}
	ln, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("listen on 127.0.0.1:%d for the sign-in's redirect: %w. Choose another port with --redirect-port, or sign in with --use-device-code.", port, err)
	}
	l := &Listener{ln: ln, state: state, result: make(chan result, 1),
		redirect: "http://" + ln.Addr().String() + CallbackPath}
	mux := http.NewServeMux()
	mux.HandleFunc(CallbackPath, l.callback)
	l.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 10 * time.Second, MaxHeaderBytes: 16 << 10}
	go func() { _ = l.srv.Serve(ln) }()
	return l, nil
}

// RedirectURI is the address the browser is sent back to.
func (l *Listener) RedirectURI() string { return l.redirect }

// callback takes the first redirect, right or wrong, and answers every
// later one that the sign-in is over.
func (l *Listener) callback(w http.ResponseWriter, r *http.Request) {
	// A page that rebinds its own name to 127.0.0.1 carries that name in
	// Host: only our own address may end the sign-in.
	_, port, _ := net.SplitHostPort(l.ln.Addr().String())
	if h := strings.ToLower(r.Host); h != "127.0.0.1:"+port && h != "localhost:"+port {
		http.Error(w, "wrong Host header", http.StatusForbidden)
		return
	}
	taken := false
	var res result
	l.once.Do(func() {
		taken = true
		q := r.URL.Query()
		switch {
		case r.Method != http.MethodGet:
			res.err = &CallbackError{}
		case q.Get("state") == "" || subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(l.state)) != 1:
			res.err = ErrState
		case q.Get("error") == "access_denied":
			res.err = ErrDenied
		case q.Get("error") != "":
			res.err = &CallbackError{Code: clip(q.Get("error")), Description: clip(q.Get("error_description"))}
		case q.Get("code") == "":
			res.err = &CallbackError{}
		default:
			res.code = q.Get("code")
		}
		l.result <- res
	})
	status, text := http.StatusOK, "Signed in. awsenv has the answer; you can close this page."
	switch {
	case !taken:
		status, text = http.StatusGone, "This sign-in is over; awsenv took an earlier answer. You can close this page."
	case res.err != nil:
		status, text = http.StatusBadRequest, "The sign-in did not complete: "+res.err.Error()+". Return to the terminal."
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><html><head><meta charset=\"utf-8\"><title>awsenv sign-in</title></head><body><p>%s</p></body></html>\n", html.EscapeString(text))
}

// clip bounds a text from the query.
func clip(s string) string {
	const max = 200
	if !utf8.ValidString(s) {
		return "(not UTF-8)"
	}
	if len(s) > max {
		s = s[:max]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "..."
	}
	return s
}

// Wait returns the code of the one redirect, or why there is none; the
// listener is closed when it returns (after the page is sent).
func (l *Listener) Wait(ctx context.Context, timeout time.Duration) (string, error) {
	defer l.Close()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case r := <-l.result:
		return r.code, r.err
	case <-t.C:
		return "", ErrTimeout
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Close stops listening; the page of a redirect already taken is finished
// first (for a second at most).
func (l *Listener) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = l.srv.Shutdown(ctx)
}
