package fakeaws

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// wait fails the test if ch does not deliver within a few seconds.
func wait[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

type sent struct {
	r   rawResponse
	err error
}

// The kill test's shape: the key is created, the client never hears of it.
func TestHookAfterCreateAccessKeyWhileClientDies(t *testing.T) {
	w := newWorld(t)
	reached, release := make(chan struct{}), make(chan struct{})
	w.srv.Hook("CreateAccessKey", After, func() {
		close(reached)
		select {
		case <-release:
		case <-w.srv.Done():
		}
	})

	client, kill := context.WithCancel(context.Background())
	result := make(chan sent, 1)
	go func() {
		r, err := w.send(client, iamRequest(aliceCreds, "CreateAccessKey"))
		result <- sent{r, err}
	}()
	wait(t, reached, "the After hook")

	// The server is free while the hook blocks: inspect it and serve others.
	if keys := w.alice.Keys(); len(keys) != 2 {
		t.Fatalf("during the After hook alice has %d keys, want 2 (the new one committed)", len(keys))
	}
	if got := w.srv.Calls("CreateAccessKey"); got != 1 {
		t.Errorf("Calls = %d", got)
	}
	var list iamListKeys
	decodeOK(t, w.iam(t, &stsCreds{bobKeyID, bobSecret, ""}, "ListAccessKeys", "UserName", "alice"), &list)
	if len(list.Result.Keys) != 2 {
		t.Errorf("ListAccessKeys during the hook: %+v", list.Result.Keys)
	}

	kill()
	got := wait(t, result, "the killed client")
	if !errors.Is(got.err, context.Canceled) {
		t.Errorf("client: %v (status %d), want it to have died without an answer", got.err, got.r.status)
	}
	close(release)
	if keys := w.alice.Keys(); len(keys) != 2 {
		t.Errorf("after the client died alice has %d keys, want 2", len(keys))
	}
}

func TestHookOrderAndRemoval(t *testing.T) {
	w := newWorld(t)
	var mu sync.Mutex
	var events []string
	record := func(e string) func() {
		return func() {
			mu.Lock()
			defer mu.Unlock()
			events = append(events, e)
		}
	}
	w.srv.Hook("CreateAccessKey", Before, func() {
		record("before:" + strings.Repeat("k", len(w.alice.Keys())))()
	})
	w.srv.Hook("CreateAccessKey", After, func() {
		record("after:" + strings.Repeat("k", len(w.alice.Keys())))()
	})
	removeAny := w.srv.Hook(AnyAction, Before, record("any"))

	w.iam(t, aliceCreds, "CreateAccessKey")
	w.iam(t, aliceCreds, "ListAccessKeys")
	removeAny()
	w.iam(t, aliceCreds, "ListAccessKeys")
	// A failing request runs its hooks too.
	w.iam(t, aliceCreds, "CreateAccessKey", "UserName", "nobody")

	// Hooks run in the order they were added.
	want := "before:k any after:kk any before:kk after:kk"
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(events, " "); got != want {
		t.Errorf("events %q\nwant   %q", got, want)
	}
}

func TestCloseWithBlockedHooks(t *testing.T) {
	w := newWorld(t)
	reachedDone, reachedStuck := make(chan struct{}), make(chan struct{})
	releasedByClose, unstick := make(chan struct{}), make(chan struct{})
	w.srv.Hook("ListAccessKeys", Before, func() {
		close(reachedDone)
		<-w.srv.Done()
		close(releasedByClose)
	})
	w.srv.Hook("ListMFADevices", After, func() {
		close(reachedStuck)
		<-unstick // ignores Done: Close must still return
	})
	results := make(chan sent, 2)
	for _, action := range []string{"ListAccessKeys", "ListMFADevices"} {
		go func() {
			r, err := w.send(context.Background(), iamRequest(aliceCreds, action))
			results <- sent{r, err}
		}()
	}
	wait(t, reachedDone, "the hook waiting on Done")
	wait(t, reachedStuck, "the stuck hook")

	closed := make(chan struct{})
	go func() {
		w.srv.Close()
		close(closed)
	}()
	wait(t, closed, "Close")
	wait(t, releasedByClose, "Done to release the hook")
	close(unstick)
	for range 2 {
		if got := wait(t, results, "a client"); got.err == nil {
			t.Errorf("a client got an answer from a closed server: %d", got.r.status)
		}
	}
}

func TestFailNext(t *testing.T) {
	w := newWorld(t)
	w.srv.FailNext("CreateAccessKey", "ServiceFailure", 500, "Request processing has failed due to an unknown error.")
	wantIAMError(t, w.iam(t, aliceCreds, "CreateAccessKey"), 500, "ServiceFailure", "Request processing has failed due to an unknown error.")
	if n := len(w.alice.Keys()); n != 1 {
		t.Errorf("a failed CreateAccessKey left %d keys", n)
	}
	var created iamCreateKey
	decodeOK(t, w.iam(t, aliceCreds, "CreateAccessKey"), &created)

	// Requests that fail authentication leave the failure for the next one.
	w.srv.FailNext("ListAccessKeys", "Throttling", 400, "Rate exceeded")
	wantIAMError(t, w.iam(t, &stsCreds{aliceKeyID, bobSecret, ""}, "ListAccessKeys"), 403, "SignatureDoesNotMatch", msgSignatureMismatch)
	wantIAMError(t, w.iam(t, aliceCreds, "ListAccessKeys"), 400, "Throttling", "Rate exceeded")

	// Failures queue; AnyAction takes whatever comes.
	w.srv.FailNext(AnyAction, "ServiceUnavailable", 503, "first")
	w.srv.FailNext(AnyAction, "ServiceUnavailable", 503, "second")
	wantIAMError(t, w.iam(t, aliceCreds, "ListMFADevices"), 503, "ServiceUnavailable", "first")
	r := w.do(t, aliceRequest("POST", "/", "", "Action=GetCallerIdentity&Version=2011-06-15"))
	if e := wantWireErrorType(t, r, 503, "Receiver", "ServiceUnavailable"); e.Error.Message != "second" {
		t.Errorf("message %q", e.Error.Message)
	}

	// The SDK retries throttling by itself.
	w.srv.ResetCalls()
	w.srv.FailNext("GetCallerIdentity", "Throttling", 400, "Rate exceeded")
	if _, err := w.aliceClient(t).GetCallerIdentity(ctx, nil); err != nil {
		t.Errorf("after one injected Throttling: %v", err)
	}
	if got := w.srv.Calls("GetCallerIdentity"); got != 2 {
		t.Errorf("Calls = %d, want 2 (failure + retry)", got)
	}
}

func TestHookAndFailNextMisuse(t *testing.T) {
	s := New()
	for name, f := range map[string]func(){
		"Hook with a zero HookWhen": func() { s.Hook("X", 0, func() {}) },
		"FailNext with status 200":  func() { s.FailNext("X", "Code", 200, "m") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			f()
		}()
	}
}
