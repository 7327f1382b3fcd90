//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

// A person evals `use` in bash, gets working credentials, and a second use
// makes no STS call.
func TestUseEvalInBashThenCached(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	script := `set -euo pipefail
eval "$(awsenv use alice --mfa-code ` + w.code() + `)"
printf 'key=%s\nprofile=%s\nregion=%s/%s\nexp=%s\nat=%s\n' "$AWS_ACCESS_KEY_ID" "$AWSENV_PROFILE" "$AWS_REGION" "$AWS_DEFAULT_REGION" "$AWS_CREDENTIAL_EXPIRATION" "$AWSENV_EXPIRES_AT"
test -n "$AWS_SECRET_ACCESS_KEY" && test -n "$AWS_SESSION_TOKEN"
test "$AWS_SESSION_EXPIRATION" = "$AWS_CREDENTIAL_EXPIRATION"
test "$AWSUME_PROFILE" = alice  # the name starship and powerlevel10k show
`
	r := w.shell("bash", script)
	if r.code != 0 {
		t.Fatalf("use failed: %s", r)
	}
	vals := parseKV(r.stdout)
	if !strings.HasPrefix(vals["key"], "ASIA") || vals["profile"] != "alice" || vals["region"] != "eu-west-1/eu-west-1" {
		t.Fatalf("unexpected environment: %v", vals)
	}
	exp, err := time.Parse(time.RFC3339, vals["exp"])
	if err != nil || !strings.HasSuffix(vals["exp"], "Z") {
		t.Fatalf("AWS_CREDENTIAL_EXPIRATION %q is not RFC 3339 UTC: %v", vals["exp"], err)
	}
	if at, _ := strconv.ParseInt(vals["at"], 10, 64); at != exp.Unix() {
		t.Fatalf("AWSENV_EXPIRES_AT %s does not match %s", vals["at"], vals["exp"])
	}
	if left := time.Until(exp); left < 11*time.Hour || left > 12*time.Hour+time.Minute {
		t.Fatalf("default session should last 12h, got %s", left)
	}
	if n := w.fake.Calls("GetSessionToken"); n != 1 {
		t.Fatalf("GetSessionToken calls = %d, want 1", n)
	}

	// The exported credentials work with a real client.
	w.callerIdentity(t, "bash", `eval "$(awsenv use alice)"`, "arn:aws:iam::123456789012:user/alice")

	// Second use: same credentials, no STS call, no code needed.
	again := w.shell("bash", `eval "$(awsenv use alice)" && printf '%s' "$AWS_ACCESS_KEY_ID"`)
	if again.code != 0 || again.stdout != vals["key"] {
		t.Fatalf("second use did not reuse the session: %s", again)
	}
	if n := w.fake.Calls("GetSessionToken"); n != 1 {
		t.Fatalf("second use called STS: GetSessionToken calls = %d", n)
	}
}

// callerIdentity evals setup in sh and checks that the real aws CLI sees
// the expected identity; skipped (or failed in CI) without the aws CLI.
func (w *world) callerIdentity(t *testing.T, sh, setup, want string) {
	t.Helper()
	requireTool(t, "aws")
	r := w.shell(sh, setup+` && aws sts get-caller-identity --query Arn --output text`)
	if r.code != 0 || strings.TrimSpace(r.stdout) != want {
		t.Fatalf("aws sts get-caller-identity: want %s, got %s", want, r)
	}
}

// One MFA code covers a role on top of the user's MFA session, and the
// user's own session after it.
func TestRoleOnMFASessionOneCode(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.writeCounterMFA(t)
	r := w.run("use", "prod", "--shell", "bash")
	if r.code != 0 {
		t.Fatalf("use prod: %s", r)
	}
	w.callerIdentity(t, "bash", `eval "$(awsenv use prod)"`, "arn:aws:sts::123456789012:assumed-role/admin/alice")
	if r := w.run("use", "alice"); r.code != 0 {
		t.Fatalf("use alice: %s", r)
	}
	if r := w.run("use", "prod"); r.code != 0 {
		t.Fatalf("use prod again: %s", r)
	}
	if got := w.mfaRequests(t); got != 1 {
		t.Fatalf("MFA requests = %d, want 1", got)
	}
	if g, a := w.fake.Calls("GetSessionToken"), w.fake.Calls("AssumeRole"); g != 1 || a != 1 {
		t.Fatalf("STS calls: GetSessionToken %d, AssumeRole %d; want 1 and 1", g, a)
	}
	if !strings.Contains(r.stdout, "export AWS_REGION='us-west-2'") {
		t.Fatalf("role's own region not exported:\n%s", r.stdout)
	}
}

// A role asking for more than an hour cannot be chained on a session; it
// is assumed directly with the keys and a code, and --debug says so.
func TestLongRoleAssumedDirectlyWithMFA(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := w.run("use", "long", "--debug", "--mfa-code", w.code())
	if r.code != 0 {
		t.Fatalf("use long: %s", r)
	}
	if !strings.Contains(r.stderr, "assuming "+longRole+" directly") {
		t.Fatalf("--debug does not explain the direct AssumeRole:\n%s", r.stderr)
	}
	if g, a := w.fake.Calls("GetSessionToken"), w.fake.Calls("AssumeRole"); g != 0 || a != 1 {
		t.Fatalf("STS calls: GetSessionToken %d, AssumeRole %d; want 0 and 1", g, a)
	}
	exp := exportedExpiry(t, r.stdout)
	if left := time.Until(exp); left < 119*time.Minute || left > 121*time.Minute {
		t.Fatalf("role should last 2h, got %s", left)
	}
}

// N shells at once on an expired session: one MFA request, one STS call.
func TestParallelUseOneMFARequest(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.writeCounterMFA(t)
	const n = 8
	var wg sync.WaitGroup
	results := make([]result, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			profile := "alice"
			if i%2 == 1 {
				profile = "prod"
			}
			results[i] = w.run("use", profile)
		}()
	}
	wg.Wait()
	keys := map[string]bool{}
	for i, r := range results {
		if r.code != 0 {
			t.Fatalf("call %d failed: %s", i, r)
		}
		if i%2 == 0 {
			keys[exportedValue(t, r.stdout, "AWS_ACCESS_KEY_ID")] = true
		}
	}
	if got := w.mfaRequests(t); got != 1 {
		t.Fatalf("MFA requests = %d, want 1", got)
	}
	if g, a := w.fake.Calls("GetSessionToken"), w.fake.Calls("AssumeRole"); g != 1 || a != 1 {
		t.Fatalf("STS calls: GetSessionToken %d, AssumeRole %d; want 1 and 1", g, a)
	}
	if len(keys) != 1 {
		t.Fatalf("parallel uses of alice got %d different sessions", len(keys))
	}
}

// A process killed while it holds the lock (waiting for a code) must not
// wedge the next one.
func TestKilledHolderDoesNotWedge(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	started := filepath.Join(w.dir, "started")
	w.writeConfig(fmt.Sprintf("[profile alice]\nmfa_serial = %s\nmfa_process = touch %s; sleep 30\n", serial, started))
	cmd := testproc.Command(filepath.Join(binDir, "awsenv"), "use", "alice")
	cmd.Env = w.env()
	setNoTTY(cmd)
	must(t, testproc.Start(cmd))
	waitFor(t, func() bool { _, err := os.Stat(started); return err == nil })
	// Kill awsenv and its mfa_process (the whole session).
	must(t, syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL))
	_ = cmd.Wait()

	start := time.Now()
	r := w.run("use", "alice", "--mfa-code", w.code())
	if r.code != 0 {
		t.Fatalf("use after a killed holder: %s", r)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("use waited %s on a dead holder's lock", d)
	}
}

// --refresh makes new credentials even though the cached ones are fresh.
func TestRefreshForcesNewSession(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	first := w.run("use", "alice", "--mfa-code", w.code())
	second := w.run("use", "alice", "--refresh", "--mfa-code", w.code())
	if first.code != 0 || second.code != 0 {
		t.Fatalf("use: %s\n%s", first, second)
	}
	if exportedValue(t, first.stdout, "AWS_ACCESS_KEY_ID") == exportedValue(t, second.stdout, "AWS_ACCESS_KEY_ID") {
		t.Fatal("--refresh returned the cached session")
	}
	if n := w.fake.Calls("GetSessionToken"); n != 2 {
		t.Fatalf("GetSessionToken calls = %d, want 2", n)
	}
}

// Hostile profile names are refused before any work, with nothing on stdout.
func TestHostileProfileNamesRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	pwned := filepath.Join(w.dir, "PWNED")
	names := []string{
		"$(touch " + pwned + ")", "`touch " + pwned + "`", "a;touch " + pwned, "a b", "a'b", "a\"b",
		"a\nb", "../../etc", "a/b", "", "é", "a|b", "*", "a=b", "-x", "--",
	}
	for _, name := range names {
		for _, cmd := range [][]string{{"use", name}, {"credential-process", name}, {"exec", name, "--", "true"}} {
			r := w.run(cmd...)
			if name == "-x" || name == "--" {
				// Parsed as flags/separator: still a usage error, still nothing on stdout.
				if r.code == 0 || r.stdout != "" {
					t.Fatalf("%q: %s", cmd, r)
				}
				continue
			}
			if r.code != exitUsage || r.stdout != "" {
				t.Fatalf("%q: want exit %d and empty stdout, got %s", cmd, exitUsage, r)
			}
			if name != "" && !strings.Contains(r.stderr, "profile name") {
				t.Fatalf("%q: error does not explain the name rule: %s", cmd, r.stderr)
			}
		}
	}
	// Through eval in bash too: nothing runs, the environment is untouched.
	r := w.shell("bash", `eval "$(awsenv use '$(touch `+pwned+`)')"; echo "rc=$? key=${AWS_ACCESS_KEY_ID:-none}"`)
	if !strings.Contains(r.stdout, "rc=0 key=none") {
		t.Fatalf("eval of a refused use: %s", r)
	}
	if _, err := os.Stat(pwned); err == nil {
		t.Fatal("a hostile profile name executed")
	}
	if n := w.fake.Calls("GetSessionToken"); n != 0 {
		t.Fatalf("a refused name reached STS (%d calls)", n)
	}
}

// A corrupt session file is replaced; files others can read are refused.
func TestCorruptAndUnsafeSessionFiles(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if r := w.run("use", "alice", "--mfa-code", w.code()); r.code != 0 {
		t.Fatalf("use: %s", r)
	}
	files, _ := filepath.Glob(filepath.Join(w.sessionDir(), "alice.*.json"))
	if len(files) != 1 {
		t.Fatalf("session files: %v", files)
	}
	data, err := os.ReadFile(files[0])
	must(t, err)
	must(t, os.WriteFile(files[0], data[:len(data)/2], 0o600))
	r := w.run("use", "alice", "--mfa-code", w.code())
	if r.code != 0 {
		t.Fatalf("use with a truncated session file: %s", r)
	}
	if n := w.fake.Calls("GetSessionToken"); n != 2 {
		t.Fatalf("truncated session not replaced: GetSessionToken calls = %d", n)
	}
	var sess map[string]any
	data, _ = os.ReadFile(files[0])
	if err := json.Unmarshal(data, &sess); err != nil {
		t.Fatalf("session file not rewritten whole: %v", err)
	}

	must(t, os.Chmod(files[0], 0o644))
	r = w.run("use", "alice")
	if r.code != exitConfig || r.stdout != "" || !strings.Contains(r.stderr, "chmod 600 "+files[0]) {
		t.Fatalf("0644 session file: want exit %d, empty stdout and the chmod fix, got %s", exitConfig, r)
	}
	must(t, os.Chmod(files[0], 0o600))
	must(t, os.Chmod(w.sessionDir(), 0o755))
	r = w.run("use", "alice")
	if r.code != exitConfig || r.stdout != "" || !strings.Contains(r.stderr, "chmod 700 "+w.sessionDir()) {
		t.Fatalf("0755 session dir: want exit %d, empty stdout and the chmod fix, got %s", exitConfig, r)
	}
	must(t, os.Chmod(w.sessionDir(), 0o700))
	if r := w.run("use", "alice"); r.code != 0 {
		t.Fatalf("after fixing modes: %s", r)
	}
	// Secrets never reach stderr or the listing.
	list := w.run("sessions")
	if strings.Contains(list.stdout+r.stderr, userSecret) || !strings.Contains(list.stdout, "mfa-session") {
		t.Fatalf("sessions listing: %s", list)
	}
}

// helpers

// writeCounterMFA makes alice's MFA provider a process that counts its runs
// in a file and prints a fresh code, so tests can count MFA requests.
func (w *world) writeCounterMFA(t *testing.T) {
	t.Helper()
	codeFile := filepath.Join(w.dir, "code")
	must(t, os.WriteFile(codeFile, []byte(w.code()+"\n"), 0o600))
	script := filepath.Join(w.dir, "mfa.sh")
	must(t, os.WriteFile(script, []byte(fmt.Sprintf("#!/bin/sh\nsleep 0.3\necho x >> %s\ncat %s\n",
		filepath.Join(w.dir, "mfa-count"), codeFile)), 0o700))
	cfg, err := os.ReadFile(filepath.Join(w.home, ".aws", "config"))
	must(t, err)
	w.writeConfig(strings.Replace(string(cfg), "[profile alice]\n", "[profile alice]\nmfa_process = "+script+"\n", 1))
}

func (w *world) mfaRequests(t *testing.T) int {
	data, err := os.ReadFile(filepath.Join(w.dir, "mfa-count"))
	if os.IsNotExist(err) {
		return 0
	}
	must(t, err)
	return strings.Count(string(data), "x")
}

func parseKV(s string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			m[k] = v
		}
	}
	return m
}

// exportedValue reads NAME='value' from POSIX output (values here have no quotes).
func exportedValue(t *testing.T, out, name string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, "export "+name+"="); ok {
			return strings.Trim(v, "'")
		}
	}
	t.Fatalf("%s not exported in:\n%s", name, out)
	return ""
}

func exportedExpiry(t *testing.T, out string) time.Time {
	t.Helper()
	exp, err := time.Parse(time.RFC3339, exportedValue(t, out, "AWS_CREDENTIAL_EXPIRATION"))
	must(t, err)
	return exp
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A device gives the same code for 30 s: a second session inside that
// window waits for the next code instead of sending one AWS refuses.
func TestReusedCodeWait(t *testing.T) {
	t.Parallel()
	oathtool := requireTool(t, "oathtool")
	w := newWorld(t)
	cfg, err := os.ReadFile(filepath.Join(w.home, ".aws", "config"))
	must(t, err)
	w.writeConfig(strings.Replace(string(cfg), "[profile alice]\n",
		"[profile alice]\nmfa_process = "+oathtool+" --totp -b "+mfaSecret+"\n", 1))
	before := time.Now().Unix() / 30
	if r := w.run("use", "alice"); r.code != 0 {
		t.Fatalf("first use: %s", r)
	}
	sameWindow := time.Now().Unix()/30 == before
	r := w.run("use", "alice", "--refresh")
	if r.code != 0 {
		t.Fatalf("second use in the same window: %s", r)
	}
	// Both calls in one window: the device's code is the one just used.
	if sameWindow && !strings.Contains(r.stderr, "waiting") {
		t.Fatalf("no wait announced for a reused code: %s", r)
	}
	if g := w.fake.Calls("GetSessionToken"); g != 2 {
		t.Fatalf("GetSessionToken calls = %d, want 2 (no refused reuse)", g)
	}
}

// A lone quote as a value anywhere in the AWS files once made the SDK's own
// reader panic in the helper (a 36-line trace on every cache miss). The
// helper no longer lets the SDK read the files: a cold use, doctor and keys
// work, and no process prints a Go trace.
func TestQuoteInUnusedProfile(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cfg, err := os.ReadFile(filepath.Join(w.home, ".aws", "config"))
	must(t, err)
	w.writeConfig(string(cfg) + "\n[profile unrelated]\nregion = \"\n[profile other]\nregion = '\noutput = \"json\n")
	creds, err := os.ReadFile(filepath.Join(w.home, ".aws", "credentials"))
	must(t, err)
	w.writeCredentials(string(creds) + "\n[stray]\naws_access_key_id = \"\n")
	r := w.run("use", "prod", "--mfa-code", w.code())
	if r.code != 0 || !strings.Contains(r.stdout, "AWS_SESSION_TOKEN") {
		t.Fatalf("cold use prod with a quote in another profile: %s", r)
	}
	for _, args := range [][]string{{"doctor", "alice"}, {"list"}} {
		r := w.run(args...)
		if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") {
			t.Fatalf("%v printed a Go trace: %s", args, r)
		}
	}
}
