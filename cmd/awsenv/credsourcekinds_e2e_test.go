//go:build unix

package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/internal/testsupport/fakeaws"
)

// credential_source as the source of role_arn: the keys of awsenv's own
// environment, IMDSv2 (a GET without the token refused) and the container
// endpoint (a wrong authorization refused), against loopback stand-ins;
// the double's STS checks that the source's keys signed AssumeRole.
func TestCredentialSourceKinds(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const open = "arn:aws:iam::123456789012:role/open"
	w.fake.AddRole(open, fakeaws.RoleOptions{})
	w.appendConfig("[profile env]\nregion = us-east-1\nrole_arn = " + open + "\ncredential_source = Environment\n" +
		"[profile ec2]\nregion = us-east-1\nrole_arn = " + open + "\ncredential_source = Ec2InstanceMetadata\n" +
		"[profile ecs]\nregion = us-east-1\nrole_arn = " + open + "\ncredential_source = EcsContainer\n")
	ok := func(r result, what string) {
		t.Helper()
		if r.code != 0 || !strings.Contains(r.stdout, "AWS_SESSION_TOKEN") {
			t.Fatalf("%s: %s\n%s", what, r, r.stderr)
		}
	}
	ok(w.runEnv([]string{"AWS_ACCESS_KEY_ID=" + userKeyID, "AWS_SECRET_ACCESS_KEY=" + userSecret}, "use", "env"), "Environment")
	if r := w.run("use", "env", "--refresh"); r.code == 0 || !strings.Contains(r.stderr, "AWS_ACCESS_KEY_ID is not set") {
		t.Fatalf("Environment without keys: %s", r)
	}

	imds := fakeaws.StartIMDS("web", userKeyID, userSecret, "")
	t.Cleanup(imds.Close)
	ok(w.runEnv([]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT=" + imds.URL}, "use", "ec2"), "Ec2InstanceMetadata")
	if imds.Refused.Load() != 0 {
		t.Fatalf("awsenv asked IMDS without the IMDSv2 token")
	}
	// The stand-in refuses a GET without the token, as IMDSv2 must.
	resp, err := httpGet(imds.URL + "/latest/meta-data/iam/security-credentials/")
	if err != nil || resp != 401 {
		t.Fatalf("IMDS stand-in without a token: %d %v", resp, err)
	}

	ctr := fakeaws.StartContainer("Bearer-right", userKeyID, userSecret, "")
	t.Cleanup(ctr.Close)
	tokFile := filepath.Join(w.dir, "ctrtoken")
	must(t, os.WriteFile(tokFile, []byte("Bearer-right\n"), 0o600))
	ok(w.runEnv([]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI=" + ctr.URL, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=" + tokFile}, "use", "ecs"), "EcsContainer (token file)")
	r := w.runEnv([]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI=" + ctr.URL, "AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong"}, "use", "ecs", "--refresh")
	if r.code == 0 || ctr.Refused.Load() == 0 || !strings.Contains(r.stderr, "container endpoint") {
		t.Fatalf("EcsContainer with a wrong authorization: %s", r)
	}
}

// httpGet is the status of a plain GET of url.
func httpGet(url string) (int, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
