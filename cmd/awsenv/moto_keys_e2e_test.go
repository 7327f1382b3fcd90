//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

// startMotoAuth runs moto_server of the test's own on a free loopback port
// until the test ends. With freeActions >= 0, authentication is enforced
// after that many free actions: from then on it checks keys, signatures and
// IAM policies on its own, an emulator independent of awsenv's double.
func startMotoAuth(t *testing.T, freeActions int) string {
	t.Helper()
	return testproc.StartMoto(t, freeActions).URL
}

// TestKeysAndRotateAgainstMoto runs keys and rotate against moto_server
// with signatures and policies checked, and the real aws CLI confirms the
// result with the keys in the file.
func TestKeysAndRotateAgainstMoto(t *testing.T) {
	t.Parallel()
	requireTool(t, "aws")
	w := newWorld(t)
	moto := startMotoAuth(t, 3)
	w.extra = []string{"AWS_ENDPOINT_URL=" + moto, "AWS_DEFAULT_REGION=us-east-1"}
	setup := `set -eu
aws iam create-user --user-name alice >/dev/null
aws iam put-user-policy --user-name alice --policy-name self --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","sts:*"],"Resource":"*"}]}'
aws iam create-access-key --user-name alice --output json`
	r := w.shell("bash", setup, "AWS_ACCESS_KEY_ID=AKIAFREEACTIONS00000", "AWS_SECRET_ACCESS_KEY=free")
	if r.code != 0 {
		t.Fatalf("moto setup: %s", r)
	}
	var created struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	must(t, json.Unmarshal([]byte(r.stdout), &created))
	oldID := created.AccessKey.AccessKeyId
	w.writeCredentials(fmt.Sprintf("# moto\n[alice]\naws_access_key_id = %s\naws_secret_access_key = %s\n", oldID, created.AccessKey.SecretAccessKey))
	w.writeConfig("[profile alice]\nregion = us-east-1\n")

	// Signatures are checked now: a wrong secret is refused.
	if r := w.shell("bash", "aws sts get-caller-identity", "AWS_ACCESS_KEY_ID="+oldID, "AWS_SECRET_ACCESS_KEY=wrong"); r.code == 0 {
		t.Fatal("moto accepted a wrong secret: authentication is not enforced")
	}

	r = w.run("keys", "alice")
	if r.code != 0 || !strings.Contains(r.stdout, oldID) || !strings.Contains(r.stdout, "<- profile alice") {
		t.Fatalf("keys against moto: %s", r)
	}
	r = w.run("rotate", "alice", "--yes")
	if r.code != 0 {
		t.Fatalf("rotate against moto: %s", r)
	}
	newID, _ := w.fileKey()
	if newID == oldID {
		t.Fatal("the file still holds the old key")
	}
	// The aws CLI, with the profile's keys as the file now holds them.
	r = w.shell("bash", "aws iam list-access-keys --user-name alice --query 'AccessKeyMetadata[].AccessKeyId' --output text && aws sts get-caller-identity --query Arn --output text",
		"AWS_PROFILE=alice")
	lines := strings.Fields(r.stdout)
	if r.code != 0 || len(lines) != 2 || lines[0] != newID || !strings.HasSuffix(lines[1], ":user/alice") {
		t.Fatalf("after rotate, IAM should list only %s: %s", newID, r)
	}
	// The old key is gone for every client.
	if r := w.shell("bash", "aws sts get-caller-identity", "AWS_ACCESS_KEY_ID="+oldID, "AWS_SECRET_ACCESS_KEY="+created.AccessKey.SecretAccessKey); r.code == 0 {
		t.Fatal("the old key still works after rotate")
	}

	// Two keys: the user's second, inactive key stops the rotation, which
	// lists both; --delete-inactive clears the way.
	r = w.shell("bash", `set -eu
id=$(aws iam create-access-key --user-name alice --query AccessKey.AccessKeyId --output text)
aws iam update-access-key --user-name alice --access-key-id "$id" --status Inactive
printf '%s' "$id"`, "AWS_PROFILE=alice")
	if r.code != 0 {
		t.Fatalf("second key: %s", r)
	}
	second := r.stdout
	r = w.run("rotate", "alice", "--yes")
	if r.code != exitAWS || !strings.Contains(r.stderr, second) || !strings.Contains(r.stderr, "Inactive") || !strings.Contains(r.stderr, "--delete-inactive") {
		t.Fatalf("rotate with two keys against moto: %s", r)
	}
	if r := w.run("rotate", "alice", "--yes", "--delete-inactive"); r.code != 0 {
		t.Fatalf("rotate --delete-inactive against moto: %s", r)
	}
	third, _ := w.fileKey()
	r = w.shell("bash", "aws iam list-access-keys --user-name alice --query 'AccessKeyMetadata[].AccessKeyId' --output text", "AWS_PROFILE=alice")
	if strings.TrimSpace(r.stdout) != third || third == newID {
		t.Fatalf("want only %s left: %s", third, r)
	}
}
