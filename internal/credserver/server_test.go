package credserver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/profiles"
)

func creds(exp time.Time) profiles.Credentials {
	return profiles.Credentials{AccessKeyID: "ASIAEXAMPLEEXAMPLE12", SecretAccessKey: "secret", SessionToken: "tok", Expiration: exp}
}

func do(s *Server, mod func(*http.Request)) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:4242"+Path, nil)
	r.RemoteAddr = "127.0.0.1:50000"
	r.Header.Set("Authorization", "the-token")
	if mod != nil {
		mod(r)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

func TestAnswersTheChild(t *testing.T) {
	t.Parallel()
	s := New("the-token", 4242)
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	s.Set(creds(exp))
	w := do(s, nil)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var a map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
		t.Fatal(err)
	}
	if a["AccessKeyId"] != "ASIAEXAMPLEEXAMPLE12" || a["SecretAccessKey"] != "secret" || a["Token"] != "tok" {
		t.Errorf("answer %v", a)
	}
	if got, err := time.Parse(time.RFC3339, a["Expiration"]); err != nil || !got.Equal(exp) {
		t.Errorf("Expiration %q, want %v (RFC 3339)", a["Expiration"], exp)
	}
	// localhost:PORT is the child's address too.
	if w := do(s, func(r *http.Request) { r.Host = "LocalHost:4242" }); w.Code != 200 {
		t.Errorf("Host localhost: status %d", w.Code)
	}
}

func TestRefusesWhatIsNotTheChilds(t *testing.T) {
	t.Parallel()
	s := New("the-token", 4242)
	s.Set(creds(time.Now().Add(time.Hour)))
	for name, c := range map[string]struct {
		mod  func(*http.Request)
		code int
	}{
		"no token":        {func(r *http.Request) { r.Header.Del("Authorization") }, 401},
		"wrong token":     {func(r *http.Request) { r.Header.Set("Authorization", "the-tokem") }, 403},
		"token prefix":    {func(r *http.Request) { r.Header.Set("Authorization", "the-toke") }, 403},
		"rebound host":    {func(r *http.Request) { r.Host = "evil.example:4242" }, 403},
		"other port":      {func(r *http.Request) { r.Host = "127.0.0.1:4243" }, 403},
		"no port":         {func(r *http.Request) { r.Host = "127.0.0.1" }, 403},
		"remote peer":     {func(r *http.Request) { r.RemoteAddr = "192.0.2.7:50000" }, 403},
		"unparsable peer": {func(r *http.Request) { r.RemoteAddr = "nonsense" }, 403},
		"post":            {func(r *http.Request) { r.Method = http.MethodPost }, 405},
		"other path":      {func(r *http.Request) { r.URL.Path = "/" }, 404},
	} {
		w := do(s, c.mod)
		if w.Code != c.code {
			t.Errorf("%s: status %d, want %d", name, w.Code, c.code)
		}
		if b := w.Body.String(); !json.Valid([]byte(b)) || strings.Contains(b, "secret") || strings.Contains(b, "tok\"") {
			t.Errorf("%s: body %q", name, b)
		}
	}
}

func TestNoStaleCredentials(t *testing.T) {
	t.Parallel()
	s := New("the-token", 4242)
	if w := do(s, nil); w.Code != http.StatusServiceUnavailable {
		t.Errorf("none yet: status %d", w.Code)
	}
	s.Set(creds(time.Now().Add(-time.Second)))
	if w := do(s, nil); w.Code != http.StatusServiceUnavailable {
		t.Errorf("expired: status %d", w.Code)
	}
}

func TestListenOnLoopback(t *testing.T) {
	t.Parallel()
	s, err := Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Set(creds(time.Now().Add(time.Hour)))
	if len(s.Token()) != 64 {
		t.Errorf("token %d characters", len(s.Token()))
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL(), nil)
	req.Header.Set("Authorization", s.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status %d", resp.StatusCode)
	}
}
