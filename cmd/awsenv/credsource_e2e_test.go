//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// processWorld is a world with a script that prints what file out holds
// and counts its runs in runs.log.
func processWorld(t *testing.T, out string) (w *world, script, runs string) {
	w = newWorld(t)
	runs = filepath.Join(w.dir, "runs.log")
	data := filepath.Join(w.dir, "creds.json")
	must(t, os.WriteFile(data, []byte(out), 0o600))
	script = filepath.Join(w.dir, "getcreds")
	must(t, os.WriteFile(script, []byte(fmt.Sprintf("#!/bin/sh\necho run >> %s\necho 'getcreds: talking to the vault' >&2\ncat %s\n", runs, data)), 0o700))
	return w, script, runs
}

func runsOf(t *testing.T, runs string) int {
	data, _ := os.ReadFile(runs)
	return strings.Count(string(data), "run")
}

func (w *world) appendConfig(s string) {
	cfg, err := os.ReadFile(filepath.Join(w.home, ".aws", "config"))
	must(w.t, err)
	w.writeConfig(string(cfg) + "\n" + s)
}

// Temporary credentials from a credential_process are used as they are,
// every time (the process runs each time, no STS call), and as the source
// of a role, whose session is cached.
func TestCredentialProcessTemporary(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := w.run("credential-process", "alice", "--mfa-code", w.code())
	if r.code != 0 {
		t.Fatalf("credential-process alice: %s", r)
	}
	session := strings.TrimSpace(r.stdout)
	var sess processOutput
	must(t, json.Unmarshal([]byte(session), &sess))
	w2, script, runs := w, filepath.Join(w.dir, "getcreds"), filepath.Join(w.dir, "runs.log")
	must(t, os.WriteFile(filepath.Join(w.dir, "creds.json"), []byte(session), 0o600))
	must(t, os.WriteFile(script, []byte(fmt.Sprintf("#!/bin/sh\necho run >> %s\necho 'getcreds: talking to the vault' >&2\ncat %s\n",
		runs, filepath.Join(w.dir, "creds.json"))), 0o700))
	w2.appendConfig(fmt.Sprintf("[profile proc]\ncredential_process = %s\nregion = eu-west-1\n\n[profile procrole]\nrole_arn = %s\nsource_profile = proc\n", script, roleARN))
	gst := w.fake.Calls("GetSessionToken")

	for i := 1; i <= 2; i++ {
		r = w.run("credential-process", "proc")
		if r.code != 0 {
			t.Fatalf("credential-process proc: %s", r)
		}
		var got processOutput
		must(t, json.Unmarshal([]byte(r.stdout), &got))
		if got.AccessKeyID != sess.AccessKeyID || got.SessionToken != sess.SessionToken || got.Expiration != sess.Expiration {
			t.Fatalf("credential-process proc did not hand out the process's credentials as they are: %s", r)
		}
		if n := runsOf(t, runs); n != i {
			t.Fatalf("the process ran %d times for %d runs: temporary credentials are never cached", n, i)
		}
		if !strings.Contains(r.stderr, "getcreds: talking to the vault") {
			t.Fatalf("the process's stderr did not reach the user: %s", r)
		}
	}
	if n := w.fake.Calls("GetSessionToken"); n != gst {
		t.Fatalf("GetSessionToken calls went from %d to %d for temporary credentials", gst, n)
	}

	ar := w.fake.Calls("AssumeRole")
	r = w.shell("sh", `eval "$(awsenv use procrole)" && echo "$AWS_ACCESS_KEY_ID"`)
	if r.code != 0 || !strings.HasPrefix(strings.TrimSpace(r.stdout), "ASIA") {
		t.Fatalf("use procrole: %s", r)
	}
	if n := w.fake.Calls("AssumeRole") - ar; n != 1 {
		t.Fatalf("AssumeRole calls = %d, want 1", n)
	}
	before := runsOf(t, runs)
	if r = w.run("credential-process", "procrole"); r.code != 0 {
		t.Fatalf("credential-process procrole (cached): %s", r)
	}
	if n := w.fake.Calls("AssumeRole") - ar; n != 1 {
		t.Fatalf("the role session was not cached: %d AssumeRole calls", n)
	}
	if n := runsOf(t, runs); n != before {
		t.Fatalf("a cached role session ran the credential_process again")
	}
}

// Long-term keys from a credential_process with mfa_serial on the profile
// go through GetSessionToken with MFA, and the session is cached.
func TestCredentialProcessLongTermMFA(t *testing.T) {
	t.Parallel()
	w, script, runs := processWorld(t, fmt.Sprintf(`{"Version": 1, "AccessKeyId": %q, "SecretAccessKey": %q}`, userKeyID, userSecret))
	w.appendConfig(fmt.Sprintf("[profile procuser]\ncredential_process = %s\nmfa_serial = %s\n", script, serial))
	before := w.fake.Calls("GetSessionToken")
	r := w.run("credential-process", "procuser", "--no-input")
	if r.code != 4 || r.stdout != "" {
		t.Fatalf("without a code: want exit 4 and nothing on stdout: %s", r)
	}
	r = w.run("credential-process", "procuser", "--mfa-code", w.code())
	if r.code != 0 {
		t.Fatalf("credential-process procuser: %s", r)
	}
	var got processOutput
	must(t, json.Unmarshal([]byte(r.stdout), &got))
	if !strings.HasPrefix(got.AccessKeyID, "ASIA") || got.SessionToken == "" {
		t.Fatalf("want an MFA session: %s", r)
	}
	if n := w.fake.Calls("GetSessionToken") - before; n != 1 {
		t.Fatalf("GetSessionToken calls = %d, want 1", n)
	}
	ran := runsOf(t, runs)
	if r = w.run("credential-process", "procuser", "--no-input"); r.code != 0 {
		t.Fatalf("cached: %s", r)
	}
	if n := w.fake.Calls("GetSessionToken") - before; n != 1 {
		t.Fatalf("the MFA session was not reused: %d GetSessionToken calls", n)
	}
	if n := runsOf(t, runs); n != ran {
		t.Fatalf("the cached session ran the credential_process again")
	}
	if strings.Contains(r.stderr+r.stdout, userSecret) {
		t.Fatal("the long-term secret reached the output")
	}
}

// A profile whose credential_process runs awsenv for itself, directly or
// through a role on top of it, or through a wrapper script the static
// check cannot see into, fails fast with the loop named.
func TestCredentialProcessLoop(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	awsenv := filepath.Join(binDir, "awsenv")
	wrapper := filepath.Join(w.dir, "wrapped")
	must(t, os.WriteFile(wrapper, []byte(fmt.Sprintf("#!/bin/sh\nexec %s credential-process \"$1\"\n", awsenv)), 0o700))
	w.appendConfig(fmt.Sprintf(`[profile self]
credential_process = awsenv credential-process self

[profile base2]
credential_process = %s --debug credential-process top2

[profile top2]
role_arn = %s
source_profile = base2

[profile hidden]
credential_process = %s hidden
`, awsenv, roleARN, wrapper))
	for _, c := range []struct{ profile, want string }{
		{"self", "credential_process of profile self runs awsenv for profile self"},
		{"top2", "profile top2: credential_process of profile base2 runs awsenv for profile top2"},
		{"hidden", "would loop"},
	} {
		start := time.Now()
		r := w.run("use", c.profile)
		if took := time.Since(start); took > 10*time.Second {
			t.Errorf("%s: the loop took %s to fail", c.profile, took)
		}
		t.Logf("%s: %s", c.profile, r.stderr)
		if r.code == 0 || r.stdout != "" || !strings.Contains(r.stderr, c.want) {
			t.Errorf("use %s: want a non-zero exit, nothing on stdout and %q: %s", c.profile, c.want, r)
		}
	}
}

// A credential_process that fails, prints something other than the
// Version 1 JSON or hangs fails with the profile named, nothing on stdout
// and the secret never quoted.
func TestCredentialProcessFailures(t *testing.T) {
	t.Parallel()
	const secret = "SECRETabcdefghijklmnopqrstuvwxyz0123456789"
	for _, c := range []struct {
		name, out, command, want string
		code                     int
	}{
		{name: "exit", command: `sh -c 'echo "vault: access denied" >&2; exit 3'`, want: "exit status 3", code: 7},
		{name: "not-json", out: "AccessKeyId=AKIAIOSFODNN7EXAMPLE " + secret, want: "its output is not JSON", code: 7},
		{name: "version", out: `{"Version": 2, "AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "SecretAccessKey": "` + secret + `"}`, want: `"Version": 2`, code: 7},
		{name: "no-secret", out: `{"Version": 1, "AccessKeyId": "AKIAIOSFODNN7EXAMPLE"}`, want: `no "SecretAccessKey"`, code: 7},
		{name: "expiration", out: `{"Version": 1, "AccessKeyId": "ASIAIOSFODNN7EXAMPLE", "SecretAccessKey": "` + secret + `", "SessionToken": "tok", "Expiration": "tomorrow"}`, want: "not an RFC 3339 time", code: 7},
		{name: "expired", out: `{"Version": 1, "AccessKeyId": "ASIAIOSFODNN7EXAMPLE", "SecretAccessKey": "` + secret + `", "SessionToken": "tok", "Expiration": "2020-01-01T00:00:00Z"}`, want: "expired at 2020-01-01", code: 7},
		// Output that parses but is no credentials: the one credential check.
		{name: "escape-in-key-id", out: `{"Version": 1, "AccessKeyId": "ASIA\u001b]52;c;cHduZWQ=\u0007AAAAAA", "SecretAccessKey": "` + secret + `"}`, want: "access key id is not one", code: 7},
		{name: "lower-case-key-id", out: `{"Version": 1, "AccessKeyId": "akiaiosfodnn7example", "SecretAccessKey": "` + secret + `"}`, want: "access key id is not one", code: 7},
		{name: "newline-in-secret", out: `{"Version": 1, "AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "SecretAccessKey": "` + secret + `\nexport PWNED=1"}`, want: "secret access key holds", code: 7},
		{name: "absurd-expiry", out: `{"Version": 1, "AccessKeyId": "ASIAIOSFODNN7EXAMPLE", "SecretAccessKey": "` + secret + `", "SessionToken": "tok", "Expiration": "9999-12-31T23:59:59Z"}`, want: "later than such credentials last", code: 7},
		{name: "hang", command: "sleep 30", want: "timed out after 1s", code: 7},
		{name: "quote", command: `getcreds 'unclosed`, want: "unclosed quote", code: 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			w, script, _ := processWorld(t, c.out)
			command := script
			if c.command != "" {
				command = c.command
			}
			w.appendConfig("[profile proc]\ncredential_process = " + command + "\nawsenv_credential_process_timeout = 1s\n")
			start := time.Now()
			r := w.run("use", "proc")
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("took %s", took)
			}
			if r.code != c.code || r.stdout != "" || !strings.Contains(r.stderr, c.want) || !(strings.Contains(r.stderr, "profile proc") || strings.Contains(r.stderr, `profile "proc"`)) {
				t.Fatalf("want exit %d, nothing on stdout, %q and the profile: %s", c.code, c.want, r)
			}
			if strings.Contains(r.stderr, secret) || strings.Contains(r.stderr, "PWNED") || strings.ContainsAny(r.stderr, "\x1b\x07") {
				t.Fatalf("the secret or the output reached stderr: %s", r)
			}
			t.Logf("%s", r.stderr)
			if c.name == "exit" && !strings.Contains(r.stderr, "vault: access denied") {
				t.Fatalf("the process's stderr did not reach the user: %s", r)
			}
		})
	}
}

// A config file others can write that names a credential_process is
// refused with the chmod that fixes it, and nothing runs.
func TestCredentialProcessUntrustedConfig(t *testing.T) {
	t.Parallel()
	w, script, runs := processWorld(t, `{"Version": 1, "AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "SecretAccessKey": "x"}`)
	w.appendConfig("[profile proc]\ncredential_process = " + script + "\n")
	cfg := filepath.Join(w.home, ".aws", "config")
	must(t, os.Chmod(cfg, 0o666))
	r := w.run("use", "proc")
	if r.code != 3 || r.stdout != "" || !strings.Contains(r.stderr, "chmod go-w "+cfg) {
		t.Fatalf("want exit 3 with the chmod fix and nothing on stdout: %s", r)
	}
	if n := runsOf(t, runs); n != 0 {
		t.Fatalf("the credential_process ran %d times from a file others can write", n)
	}
}
