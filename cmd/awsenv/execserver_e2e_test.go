//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/testsupport/fakeaws"
)

// serverChild is the command of the exec --server test: boto3 in one
// long-lived session and the AWS CLI, each calling STS every few seconds
// for longer than one session lasts; then the endpoint is tried as an
// attacker would (no token, a wrong one, a rebound Host).
const serverChild = `
import json, os, subprocess, sys, time, urllib.error, urllib.request
import boto3

bad = [k for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE") if k in os.environ]
if bad:
    print("keys in the environment:", bad); sys.exit(3)
url, token = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"], os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]

session = boto3.Session()
sts = session.client("sts")
keys, calls, cli = set(), 0, 0
end = time.time() + float(sys.argv[1])
while time.time() < end:
    sts.get_caller_identity()
    calls += 1
    keys.add(session.get_credentials().get_frozen_credentials().access_key)
    if calls % 2 == 0:
        out = subprocess.run(["aws", "sts", "get-caller-identity", "--output", "json"], capture_output=True, text=True)
        if out.returncode != 0:
            print("aws cli failed:", out.stderr); sys.exit(4)
        json.loads(out.stdout)
        cli += 1
    time.sleep(3)

def status(headers):
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code

port = url.split("/")[2].split(":")[1]
checks = {
    "token": status({"Authorization": token}),
    "none": status({}),
    "wrong": status({"Authorization": token[:-1] + ("0" if token[-1] != "0" else "1")}),
    "rebound": status({"Authorization": token, "Host": "evil.example:" + port}),
}
print(json.dumps({"boto3": calls, "cli": cli, "keys": len(keys), "checks": checks}))
`

// exec --server hands the command no keys, only the endpoint, and renews
// the credentials behind it: boto3 and the AWS CLI keep working across a
// renewal (STS's sessions last a minute here, the profile's margin is
// 20 s), every call succeeds, and the endpoint refuses a request without
// its token, with a wrong one, and with another Host (DNS rebinding).
func TestExecServerRenewsForBoto3AndTheCLI(t *testing.T) {
	t.Parallel()
	requireTool(t, "aws")
	py := requireTool(t, "python3")
	w := newWorld(t)
	const svcRole = "arn:aws:iam::123456789012:role/svc"
	w.fake.AddRole(svcRole, fakeaws.RoleOptions{})
	w.fake.SetSessionLifetime(time.Minute)
	cfg, err := os.ReadFile(filepath.Join(w.home, ".aws", "config"))
	must(t, err)
	w.writeConfig(string(cfg) + "\n[profile plain]\nregion = eu-west-1\n\n[profile svc]\nrole_arn = " + svcRole +
		"\nsource_profile = plain\nregion = us-west-2\nawsenv_refresh_margin = 20\n")
	creds, err := os.ReadFile(filepath.Join(w.home, ".aws", "credentials"))
	must(t, err)
	w.writeCredentials(string(creds) + "\n[plain]\naws_access_key_id = " + userKeyID + "\naws_secret_access_key = " + userSecret + "\n")
	script := filepath.Join(w.dir, "child.py")
	must(t, os.WriteFile(script, []byte(serverChild), 0o600))

	start := time.Now()
	r := w.run("exec", "--server", "svc", "--", py, script, "70")
	if r.code != 0 {
		t.Fatalf("exec --server svc: %s", r)
	}
	if el := time.Since(start); el < 60*time.Second {
		t.Errorf("the child ran %s, less than one session", el)
	}
	out := strings.TrimSpace(r.stdout)
	for _, want := range []string{`"none": 401`, `"wrong": 403`, `"rebound": 403`, `"token": 200`} {
		if !strings.Contains(out, want) {
			t.Errorf("endpoint checks: want %s in %s", want, out)
		}
	}
	if !strings.Contains(out, `"keys": 2`) && !strings.Contains(out, `"keys": 3`) {
		t.Errorf("boto3 saw no renewed key: %s", out)
	}
	if n := w.fake.Calls("AssumeRole"); n < 2 {
		t.Errorf("AssumeRole called %d times: no renewal", n)
	}
	t.Logf("child: %s; AssumeRole calls: %d; stderr: %q", out, w.fake.Calls("AssumeRole"), r.stderr)
	// The child's exit status is awsenv's.
	if r := w.run("exec", "--server", "svc", "--", "sh", "-c", "exit 7"); r.code != 7 {
		t.Errorf("exit 7 under exec --server: %s", r)
	}
}
