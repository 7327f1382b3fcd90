package sdk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
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
	for _, tc := range []struct {
		ms   string
		want time.Time // zero: refused
	}{
		{"1700000000000", time.UnixMilli(1700000000000).UTC()},
		{"0", time.Unix(0, 0).UTC()},
		{"253402300799000", time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"253402300800000", time.Time{}}, // year 10000
		{fmt.Sprint(int64(math.MaxInt64)), time.Time{}},
		{fmt.Sprint(int64(math.MinInt64)), time.Time{}},
		{"-1", time.Time{}},
	} {
		c, err := portal(t, tc.ms).GetRoleCredentials(context.Background(), awsapi.RoleInput{Target: ssoTarget,
			AccessToken: "token", AccountID: "123456789012", RoleName: "admin"})
		if tc.want.IsZero() {
			var tr *awsapi.TransportError
			if !errors.As(err, &tr) || tr.Operation != "GetRoleCredentials" || !strings.Contains(tr.Message, "expiration") {
				t.Errorf("expiration %s: %+v, %v; want a TransportError", tc.ms, c.Expiration, err)
			}
			continue
		}
		if err != nil || !c.Expiration.Equal(tc.want) {
			t.Errorf("expiration %s: %v, %v; want %v", tc.ms, c.Expiration, err, tc.want)
		}
		if _, err := json.Marshal(c.Expiration); err != nil {
			t.Errorf("expiration %s: %v", tc.ms, err)
		}
	}
	for _, s := range []string{fmt.Sprint(int64(math.MaxInt64)), "253402300800"} {
		_, err := portal(t, s).RegisterClient(context.Background(), awsapi.RegisterClientInput{Target: ssoTarget, ClientName: "awsenv"})
		var tr *awsapi.TransportError
		if !errors.As(err, &tr) || tr.Operation != "RegisterClient" {
			t.Errorf("clientSecretExpiresAt %s: %v; want a TransportError", s, err)
		}
	}
}

// Through the helper's loop, an expiration of 2^63-1 ms is an answer with
// an error, and the helper goes on serving (it used to fail to encode the
// answer and exit).
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
		if resp.TransportError == nil || resp.TransportError.Operation != "GetRoleCredentials" || resp.Credentials != nil {
			t.Fatalf("answer %d: %+v, want a transport error and no credentials", i, resp)
		}
	}
}
