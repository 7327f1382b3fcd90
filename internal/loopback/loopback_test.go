package loopback

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, addr string) (int, string) {
	t.Helper()
	resp, err := http.Get(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestOneCallback(t *testing.T) {
	for name, tc := range map[string]struct {
		query  url.Values
		status int
		code   string
		err    error
	}{
		"code":          {url.Values{"state": {"s"}, "code": {"c"}}, 200, "c", nil},
		"wrong state":   {url.Values{"state": {"x"}, "code": {"c"}}, 400, "", ErrState},
		"missing state": {url.Values{"code": {"c"}}, 400, "", ErrState},
		"denied":        {url.Values{"state": {"s"}, "error": {"access_denied"}}, 400, "", ErrDenied},
		"no code":       {url.Values{"state": {"s"}}, 400, "", &CallbackError{}},
		"other error":   {url.Values{"state": {"s"}, "error": {"<script>x</script>"}}, 400, "", &CallbackError{}},
	} {
		t.Run(name, func(t *testing.T) {
			l, err := Listen(0, "s")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(l.RedirectURI(), "http://127.0.0.1:") || !strings.HasSuffix(l.RedirectURI(), CallbackPath) {
				t.Fatalf("redirect URI %s", l.RedirectURI())
			}
			if st, _ := get(t, strings.TrimSuffix(l.RedirectURI(), CallbackPath)+"/favicon.ico"); st != 404 {
				t.Errorf("another path: %d", st)
			}
			st, body := get(t, l.RedirectURI()+"?"+tc.query.Encode())
			if st != tc.status || strings.Contains(body, "<script>") {
				t.Errorf("page: %d %s", st, body)
			}
			code, err := l.Wait(context.Background(), time.Second)
			var ce *CallbackError
			if code != tc.code || (tc.err == nil) != (err == nil) || (tc.err != nil && !errors.Is(err, tc.err) && !errors.As(err, &ce)) {
				t.Errorf("Wait = %q, %v", code, err)
			}
			if _, err := http.Get(l.RedirectURI()); err == nil {
				t.Error("the listener still answers after Wait")
			}
		})
	}
}

func TestTimeoutAndCancel(t *testing.T) {
	l, _ := Listen(0, "s")
	if _, err := l.Wait(context.Background(), 50*time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Errorf("timeout: %v", err)
	}
	l, _ = Listen(0, "s")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Wait(ctx, time.Minute); !errors.Is(err, context.Canceled) {
		t.Errorf("cancel: %v", err)
	}
	if _, err := Listen(70000, "s"); err == nil {
		t.Error("port 70000 accepted")
	}
}

// A request naming another host (a page that rebound its name to
// 127.0.0.1) is refused and does not end the sign-in: the right callback
// after it still counts.
func TestRebindingRefused(t *testing.T) {
	l, err := Listen(0, "s")
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodGet, l.RedirectURI()+"?state=s&code=evil", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "evil.example" + strings.TrimPrefix(strings.TrimSuffix(l.RedirectURI(), CallbackPath), "http://127.0.0.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a rebound Host: %d, want 403", resp.StatusCode)
	}
	if st, _ := get(t, l.RedirectURI()+"?state=s&code=c"); st != 200 {
		t.Fatalf("the right callback after it: %d", st)
	}
	if code, err := l.Wait(context.Background(), time.Second); code != "c" || err != nil {
		t.Fatalf("Wait = %q, %v; want the right callback's code", code, err)
	}
}
