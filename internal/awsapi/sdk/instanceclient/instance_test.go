package instanceclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/awsapi/sdk"
	"github.com/awsenv/awsenv/internal/diagnose"
	"github.com/awsenv/awsenv/internal/testsupport/fakeaws"
	"github.com/awsenv/awsenv/profiles"
)

// The SDK's providers against the stand-ins: IMDSv2 (token PUT first),
// the container endpoint with its authorization; an IMDSv1-only endpoint
// (the PUT refused) and an absent one fail in ways diagnose tells apart.
func TestInstanceCredentials(t *testing.T) {
	t.Parallel()
	c := Instance{World: sdk.World{Network: sdk.Network{Connect: 2 * time.Second, Call: 10 * time.Second}}}
	ctx := context.Background()
	imds := fakeaws.StartIMDS("web", keyID, secret, "")
	t.Cleanup(imds.Close)
	got, err := c.InstanceCredentials(ctx, awsapi.InstanceInput{Source: profiles.SourceEC2, IMDSEndpoint: imds.URL})
	if err != nil || got.AccessKeyID != keyID || got.Expiration.IsZero() || imds.Refused.Load() != 0 {
		t.Fatalf("IMDSv2: %+v %v (refused %d)", got, err, imds.Refused.Load())
	}
	ctr := fakeaws.StartContainer("right", keyID, secret, "")
	t.Cleanup(ctr.Close)
	if got, err := c.InstanceCredentials(ctx, awsapi.InstanceInput{Source: profiles.SourceECS, ContainerURL: ctr.URL, AuthToken: "right"}); err != nil || got.AccessKeyID != keyID {
		t.Fatalf("container: %+v %v", got, err)
	}
	if _, err := c.InstanceCredentials(ctx, awsapi.InstanceInput{Source: profiles.SourceECS, ContainerURL: ctr.URL, AuthToken: "wrong"}); err == nil || ctr.Refused.Load() != 1 {
		t.Fatalf("container with a wrong authorization: %v", err)
	}

	v1 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		_, _ = w.Write([]byte("web"))
	}))
	t.Cleanup(v1.Close)
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	for ep, id := range map[string]string{v1.URL: diagnose.IDIMDSv1Only, dead.URL: diagnose.IDIMDSUnreachable} {
		_, err := c.InstanceCredentials(ctx, awsapi.InstanceInput{Source: profiles.SourceEC2, IMDSEndpoint: ep})
		if err == nil {
			t.Fatalf("%s: no error", id)
		}
		e, ok := diagnose.Parse(err.Error())
		if !ok || diagnose.Explain(e, diagnose.Facts{}).ID != id {
			t.Errorf("%s: %v not recognised (%v)", id, err, e)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("the error shows the secret")
		}
	}
}
