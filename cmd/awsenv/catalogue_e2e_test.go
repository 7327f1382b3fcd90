//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/testsupport/fakeaws"
	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

// The seeds' twelve failures, each reproduced by the double the way AWS
// words it and met through the real binary: by awsenv's own calls where
// awsenv makes them, else by the real aws CLI, whose output goes through
// `awsenv explain`. Each explanation must name the profile, the file and
// the fix.

// credFile is the credentials file of the world.
func (w *world) credFile() string { return filepath.Join(w.home, ".aws", "credentials") }

// awsCLI runs the real aws CLI in a shell with the world's environment and
// pipes its error into awsenv explain.
func (w *world) awsThenExplain(awsArgs string, env ...string) (aws, explain result) {
	w.t.Helper()
	requireTool(w.t, "aws")
	env = append(env, "AWS_DEFAULT_REGION=us-east-1")
	aws = w.shell("bash", "aws "+awsArgs, env...)
	if aws.code == 0 {
		w.t.Fatalf("aws %s was expected to fail: %s", awsArgs, aws)
	}
	explain = w.shell("bash", "aws "+awsArgs+" 2>&1 | awsenv explain", env...)
	return aws, explain
}

func wantAll(t *testing.T, what, text string, want ...string) {
	t.Helper()
	for _, s := range want {
		if !strings.Contains(text, s) {
			t.Errorf("%s lacks %q:\n%s", what, s, text)
		}
	}
	if strings.Contains(text, userSecret) {
		t.Errorf("%s shows the secret key", what)
	}
}

func TestCatalogue1InvalidClientTokenId(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.alice().AddKey(userKeyID, userSecret).SetActive(false)
	r := w.run("use", "alice", "--mfa-code", "123456")
	if r.code != exitAWS {
		t.Fatalf("%s", r)
	}
	wantAll(t, "use", r.stderr, "InvalidClientTokenId", "profile alice", userKeyID, w.credFile(), "awsenv keys alice", "--status Active")
}

func TestCatalogue2SignatureAndClock(t *testing.T) {
	t.Parallel()
	t.Run("wrong secret", func(t *testing.T) {
		w := newWorld(t)
		w.writeCredentials("[alice]\naws_access_key_id = " + userKeyID + "\naws_secret_access_key = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n")
		r := w.run("use", "alice", "--mfa-code", "123456")
		if r.code != exitAWS {
			t.Fatalf("%s", r)
		}
		wantAll(t, "use", r.stderr, "SignatureDoesNotMatch", "aws_secret_access_key", w.credFile(), "[alice]")
	})
	t.Run("clock off, call corrected by the SDK", func(t *testing.T) {
		w := newWorld(t)
		w.fake.SetClockOffset(20 * time.Minute)
		r := w.run("use", "alice", "--mfa-code", fakeaws.TOTPCode(mfaSecret, time.Now().Add(20*time.Minute)))
		if r.code != 0 {
			t.Fatalf("%s", r)
		}
		wantAll(t, "use", r.stderr, "your clock is about 20 minutes behind AWS's", "timedatectl")
	})
	t.Run("clock off, doctor measures it", func(t *testing.T) {
		w := newWorld(t)
		w.fake.SetClockOffset(-7 * time.Minute)
		r := w.run("doctor", "alice")
		wantAll(t, "doctor", r.stdout, "[FAIL] clock", "about 7 minutes ahead of AWS's", "timedatectl")
	})
}

func TestCatalogue3WrongSerialOffersTheRightOne(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.writeConfig("[profile alice]\nmfa_serial = arn:aws:iam::123456789012:mfa/bob\n")
	r := w.run("use", "alice", "--mfa-code", "123456")
	if r.code != exitAWS {
		t.Fatalf("%s", r)
	}
	wantAll(t, "use", r.stderr, "unable to validate MFA code", "mfa_serial = "+serial, "[profile alice]", filepath.Join(w.home, ".aws", "config"))
}

func TestCatalogue4WrongCodeAskedAgain(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	// The process provider plays a person who mistypes once.
	script := filepath.Join(w.dir, "codes.sh")
	must(t, os.WriteFile(script, []byte("#!/bin/sh\nif [ -e "+w.dir+"/asked ]; then cat "+w.dir+"/good; else touch "+w.dir+"/asked; echo 000000; fi\n"), 0o700))
	must(t, os.WriteFile(filepath.Join(w.dir, "good"), []byte(w.code()+"\n"), 0o600))
	w.writeConfig("[profile alice]\nmfa_serial = " + serial + "\nmfa_process = " + script + "\n")
	r := w.run("use", "alice")
	if r.code != 0 || w.fake.Calls("GetSessionToken") != 2 {
		t.Fatalf("want a second code after the wrong one: %d calls\n%s", w.fake.Calls("GetSessionToken"), r)
	}
	r = w.run("use", "alice", "--refresh", "--mfa-code", "000000")
	wantAll(t, "use", r.stderr, "invalid MFA one time pass code", "Wait for the next code")
}

func TestCatalogue5SessionCredentialsInDefault(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	// The seed's mistake: the session from get-session-token pasted into [default].
	out := w.run("use", "alice", "--mfa-code", w.code())
	env := parseExports(t, out.stdout)
	w.writeCredentials("[default]\naws_access_key_id = " + env["AWS_ACCESS_KEY_ID"] + "\naws_secret_access_key = " + env["AWS_SECRET_ACCESS_KEY"] +
		"\naws_session_token = " + env["AWS_SESSION_TOKEN"] + "\n[alice]\naws_access_key_id = " + userKeyID + "\naws_secret_access_key = " + userSecret + "\n")
	aws, ex := w.awsThenExplain("sts get-session-token --serial-number " + serial + " --token-code 123456")
	wantAll(t, "aws", aws.stderr, "Cannot call GetSessionToken with session credentials")
	wantAll(t, "explain", ex.stdout, "[default]", w.credFile(), "long-term")
	r := w.run("doctor", "default")
	wantAll(t, "doctor", r.stdout, "default-profile", "Cannot call GetSessionToken with session credentials")
}

func TestCatalogue6DamagedToken(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	// Written in plain text, as earlier versions did (sealed sessions
	// cannot be edited, only refused: TestSealTampered), so the token in
	// the file can be damaged; doctor, with encryption on, still reads it.
	out := w.runEnv([]string{"AWSENV_SESSION_ENCRYPTION=off"}, "use", "alice", "--mfa-code", w.code())
	env := parseExports(t, out.stdout)
	_, ex := w.awsThenExplain("s3 ls", "AWS_ACCESS_KEY_ID="+env["AWS_ACCESS_KEY_ID"], "AWS_SECRET_ACCESS_KEY="+env["AWS_SECRET_ACCESS_KEY"],
		"AWS_SESSION_TOKEN=damaged"+env["AWS_SESSION_TOKEN"][:20], "AWSENV_PROFILE=alice")
	wantAll(t, "explain", ex.stdout, "InvalidToken", "awsenv use alice")
	// A damaged cached session: doctor finds it and drops it.
	files, _ := filepath.Glob(filepath.Join(w.sessionDir(), "alice.*.json"))
	if len(files) != 1 {
		t.Fatalf("sessions: %v", files)
	}
	data, err := os.ReadFile(files[0])
	must(t, err)
	must(t, os.WriteFile(files[0], []byte(strings.Replace(string(data), env["AWS_SESSION_TOKEN"], "AQoDYXdzEJr", 1)), 0o600))
	r := w.run("doctor", "alice")
	wantAll(t, "doctor", r.stdout, "[WARN] session", "removed it", "awsenv use alice")
	if _, err := os.Stat(files[0]); err == nil {
		t.Error("the damaged session is still cached")
	}
}

func TestCatalogue7SessionKeyWithoutToken(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	out := w.run("use", "alice", "--mfa-code", w.code())
	env := parseExports(t, out.stdout)
	aws, ex := w.awsThenExplain("s3 ls", "AWS_ACCESS_KEY_ID="+env["AWS_ACCESS_KEY_ID"], "AWS_SECRET_ACCESS_KEY="+env["AWS_SECRET_ACCESS_KEY"])
	wantAll(t, "aws", aws.stderr, "InvalidAccessKeyId", "does not exist in our records")
	wantAll(t, "explain", ex.stdout, "AWS_SESSION_TOKEN", env["AWS_ACCESS_KEY_ID"])
	// The same mistake in a file is caught before any call.
	w.writeCredentials("[alice]\naws_access_key_id = " + env["AWS_ACCESS_KEY_ID"] + "\naws_secret_access_key = " + env["AWS_SECRET_ACCESS_KEY"] + "\n")
	r := w.run("doctor", "alice")
	wantAll(t, "doctor", r.stdout, "[FAIL] profile", "without its aws_session_token")
	w.fake.ResetCalls()
	r = w.run("use", "alice", "--mfa-code", "123456")
	wantAll(t, "use", r.stderr, "temporary key (ASIA...) without its aws_session_token")
	if r.code != exitConfig || w.fake.Calls("GetSessionToken") != 0 {
		t.Fatalf("a key without its token must be refused before any call: %s", r)
	}
}

func TestCatalogue8MFARequiredForServiceCall(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.alice().RequireMFA()
	aws, ex := w.awsThenExplain("s3 ls", "AWS_ACCESS_KEY_ID="+userKeyID, "AWS_SECRET_ACCESS_KEY="+userSecret, "AWS_PROFILE=alice")
	wantAll(t, "aws", aws.stderr, "(AccessDenied) when calling the ListBuckets operation: Access Denied")
	wantAll(t, "explain", ex.stdout, "MFA", "awsenv use alice")
	// The seed's CloudFormation form.
	r := w.runEnv([]string{"AWS_ACCESS_KEY_ID=" + userKeyID, "AWSENV_PROFILE=alice"}, "explain",
		"API: sqs:CreateQueue Access to the resource https://sqs.us-east-1.amazonaws.com/ is denied.")
	wantAll(t, "explain", r.stdout, "MFA", "awsenv use alice")
	// With an MFA session from awsenv, the same call works.
	script := `eval "$(awsenv use alice --mfa-code ` + w.code() + `)" && aws s3 ls`
	if r := w.shell("bash", script, "AWS_DEFAULT_REGION=us-east-1"); r.code != 0 {
		t.Fatalf("aws s3 ls with the MFA session: %s", r)
	}
}

func TestCatalogue9GetSessionTokenDenied(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.alice().Deny("sts:GetSessionToken")
	r := w.run("use", "alice", "--mfa-code", "123456")
	if r.code != exitAWS {
		t.Fatalf("%s", r)
	}
	wantAll(t, "use", r.stderr, `"Action": "sts:GetSessionToken"`, `"Effect": "Allow"`, "arn:aws:iam::123456789012:user/alice")
}

func TestCatalogue10CreateAccessKeyDenied(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.alice().Deny("iam:CreateAccessKey")
	r := w.run("rotate", "alice", "--yes")
	if r.code != exitAWS {
		t.Fatalf("%s", r)
	}
	wantAll(t, "rotate", r.stderr, `"Action": "iam:CreateAccessKey"`, "${aws:username}", "arn:aws:iam::123456789012:user/alice")
	if len(w.alice().Keys()) != 1 {
		t.Fatal("a key was made")
	}
}

func TestCatalogue11LimitExceeded(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	// Another key appears between awsenv's look and its CreateAccessKey.
	remove := w.fake.Hook("CreateAccessKey", fakeaws.Before, func() {
		w.alice().AddKey("AKIARACEKEY000000003", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0")
	})
	defer remove()
	r := w.run("rotate", "alice", "--yes")
	if r.code != exitAWS {
		t.Fatalf("%s", r)
	}
	wantAll(t, "rotate", r.stderr, "the most IAM allows", "AKIARACEKEY000000003", userKeyID, "Active", "delete-access-key")
}

func TestCatalogue12StaleKeyAfterRotation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if r := w.run("rotate", "alice", "--yes"); r.code != 0 {
		t.Fatalf("%s", r)
	}
	aws, ex := w.awsThenExplain("s3 ls", "AWS_ACCESS_KEY_ID="+userKeyID, "AWS_SECRET_ACCESS_KEY="+userSecret, "AWSENV_PROFILE=alice")
	wantAll(t, "aws", aws.stderr, "InvalidAccessKeyId")
	wantAll(t, "explain", ex.stdout, userKeyID, "rotated", "awsenv use alice")
	r := w.runEnv([]string{"AWS_ACCESS_KEY_ID=" + userKeyID}, "doctor", "alice")
	wantAll(t, "doctor", r.stdout, "[FAIL] environment", "rotated away")
}

// parseExports evaluates `awsenv use` output in bash and returns the three
// credential variables it set.
func parseExports(t *testing.T, out string) map[string]string {
	t.Helper()
	cmd := testproc.Command("bash", "-c", `eval "$1" && printf '%s\n%s\n%s\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN"`, "bash", out)
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("eval the exports: %v\n%s", err, out)
	}
	v := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
	if len(v) != 3 || v[0] == "" || v[2] == "" {
		t.Fatalf("exports lack credentials: %q", out)
	}
	return map[string]string{"AWS_ACCESS_KEY_ID": v[0], "AWS_SECRET_ACCESS_KEY": v[1], "AWS_SESSION_TOKEN": v[2]}
}
