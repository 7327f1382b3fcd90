//go:build unix

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/testsupport/fakeaws"
)

// botocore (the aws CLI, boto3) runs a credential_process again on every
// call once the credentials it has are within 15 minutes of expiry. awsenv
// hands out credentials with at least 20 minutes left, so ten credential
// lookups by the real botocore run awsenv once, even when the cached
// session had only 15 minutes left.
func TestCredentialProcessServesBotocoreRefresh(t *testing.T) {
	t.Parallel()
	requireTool(t, "aws") // botocore comes with it
	w := newWorld(t)
	// A role session made while STS's clock is 45 minutes behind ends 15
	// minutes from now (the SDK corrects its signatures for the skew).
	w.fake.SetClockOffset(-45 * time.Minute)
	code := fakeaws.TOTPCode(mfaSecret, time.Now().Add(-45*time.Minute)) // STS's clock makes the codes
	if r := w.run("use", "prod", "--mfa-code", code); r.code != 0 {
		t.Fatalf("use prod: %s", r)
	}
	w.fake.SetClockOffset(0)
	before := w.fake.Calls("AssumeRole") // attempts, the SDK's skew retries included

	runs := filepath.Join(w.dir, "runs.log")
	wrapper := filepath.Join(w.dir, "awsenv-cp")
	must(t, os.WriteFile(wrapper, []byte(fmt.Sprintf("#!/bin/sh\necho run >> %s\nexec %s credential-process prod\n",
		runs, filepath.Join(binDir, "awsenv"))), 0o700))
	cfg, err := os.ReadFile(filepath.Join(w.home, ".aws", "config"))
	must(t, err)
	w.writeConfig(string(cfg) + "\n[profile tools]\ncredential_process = " + wrapper + "\n")

	script := `
import botocore.session
creds = botocore.session.Session(profile="tools").get_credentials()
keys = set()
for _ in range(10):
    keys.add(creds.get_frozen_credentials().access_key)
print(len(keys), creds._expiry_time.isoformat())
`
	r := w.shell("sh", `exec python3 -c "$SCRIPT"`, "SCRIPT="+script)
	if r.code != 0 {
		t.Fatalf("botocore: %s", r)
	}
	data, _ := os.ReadFile(runs)
	n := strings.Count(string(data), "run")
	if n != 1 {
		t.Fatalf("botocore ran awsenv credential-process %d times for ten lookups, want 1\n%s", n, r)
	}
	if a := w.fake.Calls("AssumeRole") - before; a != 1 {
		t.Fatalf("AssumeRole calls = %d, want 1 (the session with 15 minutes left renewed once)", a)
	}
	t.Logf("botocore: %s", strings.TrimSpace(r.stdout))
}
