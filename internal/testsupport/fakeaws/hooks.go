package fakeaws

import (
	"net/http"
	"slices"
)

// HookWhen says at which point of a request a hook runs.
type HookWhen int

const (
	// Before runs once the request is routed and counted, before it is
	// authenticated or processed.
	Before HookWhen = iota + 1
	// After runs once the request was processed and its effect committed
	// (a key created, a session issued; or nothing, if it failed), before
	// the response is written.
	After
)

// AnyAction matches every action in Hook and FailNext.
const AnyAction = "*"

type hook struct {
	action string
	when   HookWhen
	fn     func()
}

type injectedFailure struct {
	action string
	err    *apiError
}

// Hook runs fn at point when of every request for action (a Query Action
// such as "CreateAccessKey", "ListBuckets" for S3, or AnyAction), in the
// request's own goroutine, with the server lock not held: fn may block, and
// other goroutines may inspect or change the server meanwhile. Hooks run in
// the order they were added. Remove the hook with the returned function.
//
// A hook that blocks holds its client's request open. Close does not wait
// for it: Close shuts the connections (the client sees its request fail)
// and returns, leaving the blocked goroutine behind. So either unblock the
// hook before Close, or have it wait on Done as well, e.g.
//
//	s.Hook("CreateAccessKey", fakeaws.After, func() {
//		created <- struct{}{}
//		select {
//		case <-release:
//		case <-s.Done():
//		}
//	})
func (s *Server) Hook(action string, when HookWhen, fn func()) (remove func()) {
	if when != Before && when != After {
		panic("fakeaws: Hook: when must be Before or After")
	}
	h := &hook{action: action, when: when, fn: fn}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks = append(s.hooks, h)
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.hooks = slices.DeleteFunc(s.hooks, func(x *hook) bool { return x == h })
	}
}

// hooksFor returns the functions to run; the caller holds the lock and runs
// them after releasing it.
func (s *Server) hooksFor(action string, when HookWhen) []func() {
	var fns []func()
	for _, h := range s.hooks {
		if h.when == when && (h.action == action || h.action == AnyAction) {
			fns = append(fns, h.fn)
		}
	}
	return fns
}

// FailNext makes the next authenticated request for action (or AnyAction)
// fail with that error code, HTTP status and message instead of being
// processed, so it has no effect. Each call injects one failure; several
// queue up in order. Requests that fail authentication do not consume one.
// Statuses of 500 and up are reported as the server's fault (Type
// Receiver). Mind that SDKs retry throttling and 5xx errors by themselves.
func (s *Server) FailNext(action, code string, status int, message string) {
	if status < 400 || status > 599 || http.StatusText(status) == "" {
		panic("fakeaws: FailNext: status must be an HTTP error status")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, injectedFailure{action: action, err: newError(status, code, "%s", message)})
}

// takeFailure consumes the first injected failure that matches action.
func (s *Server) takeFailure(action string) *apiError {
	for i, f := range s.failures {
		if f.action == action || f.action == AnyAction {
			s.failures = slices.Delete(s.failures, i, i+1)
			return f.err
		}
	}
	return nil
}
