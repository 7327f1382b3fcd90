package ssoclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/helper"
)

// portal answers GetRoleCredentials with expiration and RegisterClient
// with clientSecretExpiresAt set to n, as raw JSON numbers.
func portal(t *testing.T, n string) SSO {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/federation/credentials":
			fmt.Fprintf(w, `{"roleCredentials":{"accessKeyId":"ASIAIOSFODNN7EXAMPLE","secretAccessKey":"s","sessionToken":"t","expiration":%s}}`, n)
		case "/client/register":
			fmt.Fprintf(w, `{"clientId":"id","clientSecret":"s","clientIdIssuedAt":0,"clientSecretExpiresAt":%s}`, n)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return SSO{World: env{"AWS_ENDPOINT_URL": srv.URL}.world()}
}

var ssoTarget = awsapi.Target{Region: "eu-west-1"}

// Identity Center's times are integers of any size: one that is no time
// JSON can carry (a four-digit year) is refused with an error, never
// turned into a time the helper cannot encode; the rest pass, for the
// front's validator to judge.
func TestSSOTimesOutOfRange(t *testing.T) {
	t.Parallel()
	// Any number becomes a time the pipe carries, clamped to years 0 to
	// 9999; whether it makes sense is the front's one credential check.
	for _, tc := range []struct {
		ms   string
		want time.Time
	}{
		{"1700000000000", time.UnixMilli(1700000000000).UTC()},
		{"0", time.Unix(0, 0).UTC()},
		{"-1", time.UnixMilli(-1).UTC()},
		{"253402300799000", awsapi.MaxTime},
		{"253402300800000", awsapi.MaxTime}, // year 10000
		{fmt.Sprint(int64(math.MaxInt64)), awsapi.MaxTime},
		{fmt.Sprint(int64(math.MinInt64)), awsapi.MinTime},
	} {
		c, err := portal(t, tc.ms).GetRoleCredentials(context.Background(), awsapi.RoleInput{Target: ssoTarget,
			AccessToken: "token", AccountID: "123456789012", RoleName: "admin"})
		if err != nil || !c.Expiration.Equal(tc.want) {
			t.Errorf("expiration %s: %v, %v; want %v", tc.ms, c.Expiration, err, tc.want)
		}
		if _, err := json.Marshal(c.Expiration); err != nil {
			t.Errorf("expiration %s: %v", tc.ms, err)
		}
	}
	for _, s := range []string{fmt.Sprint(int64(math.MaxInt64)), "253402300800"} {
		r, err := portal(t, s).RegisterClient(context.Background(), awsapi.RegisterClientInput{Target: ssoTarget, ClientName: "awsenv"})
		if err != nil || !r.ExpiresAt.Equal(awsapi.MaxTime) {
			t.Errorf("clientSecretExpiresAt %s: %v, %v; want %v", s, r.ExpiresAt, err, awsapi.MaxTime)
		}
	}
}

// Through the helper's loop, an expiration of 2^63-1 ms is an answer the
// pipe carries (the front refuses it), and the helper goes on serving (it
// used to fail to encode the answer and exit).
func TestHelperSurvivesAbsurdExpiration(t *testing.T) {
	t.Parallel()
	sso := portal(t, fmt.Sprint(int64(math.MaxInt64)))
	in := awsapi.RoleInput{Target: ssoTarget, AccessToken: "token", AccountID: "123456789012", RoleName: "admin"}
	var reqs bytes.Buffer
	for range 2 {
		if err := json.NewEncoder(&reqs).Encode(helper.Request{SSOGetRoleCredentials: &in}); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := helper.Serve(context.Background(), &reqs, &out, helper.Handlers{SSO: sso}); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	dec := json.NewDecoder(&out)
	for i := range 2 {
		var resp helper.Response
		if err := dec.Decode(&resp); err != nil {
			t.Fatalf("answer %d: %v", i, err)
		}
		if resp.Credentials == nil || !resp.Credentials.Expiration.Equal(awsapi.MaxTime) {
			t.Fatalf("answer %d: %+v, want credentials expiring at %v", i, resp, awsapi.MaxTime)
		}
	}
}
