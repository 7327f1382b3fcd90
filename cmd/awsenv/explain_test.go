//go:build unix

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// Session values from AWS's documentation; nothing real.
const (
	sessionKeyID = "ASIAIOSFODNN7EXAMPLE"
	sessionToken = "AQoDYXdzEJr1K2F4eXcNExampleTokenValueThatIsLongEnoughToLookLikeOneFromSTSxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	oldKeyID     = "AKIAI44QH8DHBEXAMPLE"
)

// explainWorld is a HOME with the usual two profiles and an injected
// environment, for `awsenv explain` run in-process through newApp.
type explainWorld struct {
	t    *testing.T
	dir  string
	home string
	env  map[string]string
}

func newExplainWorld(t *testing.T) *explainWorld {
	w := &explainWorld{t: t, dir: t.TempDir(), env: map[string]string{}}
	w.home = filepath.Join(w.dir, "home")
	must(t, os.MkdirAll(filepath.Join(w.home, ".aws"), 0o700))
	w.write("credentials", "[alice]\naws_access_key_id = "+userKeyID+"\naws_secret_access_key = "+userSecret+"\n")
	w.write("config", "[profile alice]\nregion = eu-west-1\nmfa_serial = "+serial+"\n\n[profile prod]\nrole_arn = "+roleARN+"\nsource_profile = alice\n")
	return w
}

func (w *explainWorld) write(name, content string) {
	must(w.t, os.WriteFile(filepath.Join(w.home, ".aws", name), []byte(content), 0o600))
}

func (w *explainWorld) file(name string) string { return filepath.Join(w.home, ".aws", name) }

// run runs `awsenv explain ARGS` with stdin, as Main would: the error
// becomes the message on stderr and the exit code.
func (w *explainWorld) run(stdin string, args ...string) result {
	w.t.Helper()
	var out, errb bytes.Buffer
	d := &Deps{
		Stdout: &out, Stderr: &errb,
		Getenv:     func(k string) string { return w.env[k] },
		Environ:    func() []string { return nil },
		Now:        func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) },
		Home:       w.home,
		ConfigHome: filepath.Join(w.dir, "config"),
		StateHome:  filepath.Join(w.dir, "state"),
	}
	app := newApp(d)
	app.Reader = strings.NewReader(stdin)
	err := app.RunContext(context.Background(), permuteArgs(app, append([]string{"awsenv", "explain"}, args...)))
	code := exitOK
	if err != nil {
		var msg string
		code, msg = describe(err)
		errb.WriteString("awsenv: " + msg + "\n")
	}
	r := result{stdout: out.String(), stderr: errb.String(), code: code}
	for _, s := range []string{userSecret, sessionToken} {
		if strings.Contains(r.stdout+r.stderr, s) {
			w.t.Fatalf("a secret reached the output:\n%s", r)
		}
	}
	return r
}

func wantOut(t *testing.T, r result, code int, subs ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d:\n%s", r.code, code, r)
	}
	for _, s := range subs {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("stdout lacks %q:\n%s", s, r)
		}
	}
}

const awsCLIPrefix = "An error occurred "

// The seed's "missing session token": a session key exported without its
// token, pasted as an argument.
func TestExplainArgument(t *testing.T) {
	t.Parallel()
	w := newExplainWorld(t)
	w.env["AWS_ACCESS_KEY_ID"] = sessionKeyID
	w.env["AWS_SECRET_ACCESS_KEY"] = userSecret
	w.env["AWSENV_PROFILE"] = "alice"
	r := w.run("", awsCLIPrefix+"(InvalidAccessKeyId) when calling the ListBuckets operation: The AWS Access Key Id you provided does not exist in our records.")
	wantOut(t, r, exitOK,
		"AWS error: InvalidAccessKeyId (ListBuckets): The AWS Access Key Id you provided does not exist in our records.\n\n",
		"What:   AWS does not know AWS_ACCESS_KEY_ID "+sessionKeyID+" in your environment",
		"Cause:  AWS_ACCESS_KEY_ID holds a session key, but AWS_SESSION_TOKEN is not set.",
		"Fix:    Export the session's three values together: `eval \"$(awsenv use alice)\"`")
	if r.stderr != "" {
		t.Errorf("stderr: %q", r.stderr)
	}
}

// `aws s3 ls 2>&1 | awsenv explain` with long-term keys in a profile:
// the account wants MFA, and the fix names the profile.
func TestExplainStdin(t *testing.T) {
	t.Parallel()
	w := newExplainWorld(t)
	w.env["AWS_PROFILE"] = "alice"
	r := w.run("\nAn error occurred (AccessDenied) when calling the ListBuckets operation: Access Denied\n")
	wantOut(t, r, exitOK,
		"AWS denied ListBuckets to access key "+userKeyID+" of profile alice, a long-term key used without MFA.",
		"`eval \"$(awsenv use alice)\"`", "`awsenv exec alice -- COMMAND`")
}

// [default] is the profile when nothing names one, as in the AWS CLI.
func TestExplainDefaultProfile(t *testing.T) {
	t.Parallel()
	w := newExplainWorld(t)
	w.write("credentials", "[default]\naws_access_key_id = "+sessionKeyID+"\naws_secret_access_key = "+userSecret+"\naws_session_token = "+sessionToken+"\n")
	r := w.run("An error occurred (AccessDenied) when calling the GetSessionToken operation: Cannot call GetSessionToken with session credentials\n")
	wantOut(t, r, exitOK,
		"[default] in "+w.file("credentials")+" holds session credentials",
		"  [default-long-term]\n", "  [profile default-long-term]\n", "`eval \"$(awsenv use default-long-term)\"`")
}

// A role profile named with --profile: AssumeRole is signed by its source
// profile's key, and the fix names role_arn in the config file.
func TestExplainRoleProfile(t *testing.T) {
	t.Parallel()
	w := newExplainWorld(t)
	r := w.run("", "--profile", "prod", "operation error STS: AssumeRole, https response error StatusCode: 403, RequestID: 1a2b, api error AccessDenied: User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: "+roleARN)
	wantOut(t, r, exitOK,
		"alice may not assume role "+roleARN+" (profile prod).",
		"Check role_arn = "+roleARN+" under [profile prod] in "+w.file("config"),
		"Policy statement to add:\n    {\n      \"Effect\": \"Allow\",",
		`"AWS": "arn:aws:iam::123456789012:user/alice"`)
}

func TestExplainJSON(t *testing.T) {
	t.Parallel()
	w := newExplainWorld(t)
	r := w.run("", "--json", "--profile", "alice", awsCLIPrefix+"(AccessDenied) when calling the GetSessionToken operation: User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:GetSessionToken on resource: *")
	wantOut(t, r, exitOK)
	var got struct {
		Error       struct{ Operation, Code, Message string }
		Profile     string
		Explanation struct{ ID, What, Fix, Policy string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	if got.Error.Code != "AccessDenied" || got.Error.Operation != "GetSessionToken" || got.Profile != "alice" ||
		got.Explanation.ID != "get-session-token-denied" || !strings.Contains(got.Explanation.Policy, `"Action": "sts:GetSessionToken"`) ||
		!strings.Contains(got.Explanation.Fix, "arn:aws:iam::123456789012:user/alice") {
		t.Errorf("got %+v", got)
	}
}

// Keys left in the shell after a rotation: the file holds the new key, the
// environment the old one.
func TestExplainStaleKey(t *testing.T) {
	t.Parallel()
	w := newExplainWorld(t)
	w.env["AWS_ACCESS_KEY_ID"] = oldKeyID
	w.env["AWS_SECRET_ACCESS_KEY"] = userSecret
	w.env["AWS_PROFILE"] = "alice"
	r := w.run(awsCLIPrefix + "(InvalidClientTokenId) when calling the GetCallerIdentity operation: The security token included in the request is invalid.")
	wantOut(t, r, exitOK,
		"AWS_ACCESS_KEY_ID in your environment is "+oldKeyID+", not the key profile alice holds now ("+userKeyID+").",
		"`eval \"$(awsenv unset)\"`",
		// AWS_PROFILE next to keys is reported too.
		"Also:   AWS_PROFILE=alice is set, but the keys in your environment ("+oldKeyID+") win")
}

// Secrets in pasted text are never echoed, nor terminal escapes.
func TestExplainRedactsInput(t *testing.T) {
	t.Parallel()
	w := newExplainWorld(t)
	w.env["AWS_SESSION_TOKEN"] = sessionToken
	in := "export AWS_SECRET_ACCESS_KEY=" + userSecret + "\nexport AWS_SESSION_TOKEN=" + sessionToken + "\n" +
		awsCLIPrefix + "(ValidationError) when calling the AssumeRole operation: Value '" + userSecret + "' at 'externalId' failed \x1b]0;owned\x07to satisfy constraint " + sessionToken + "\n"
	r := w.run(in)
	wantOut(t, r, exitOK, "Value '[REDACTED]' at 'externalId' failed", "satisfy constraint [REDACTED]")
	if strings.Contains(r.stdout, "\x1b") || strings.Contains(r.stdout, "\x07") {
		t.Errorf("control characters echoed: %q", r.stdout)
	}
	// Unknown codes are an error, and their message is redacted too.
	r = w.run("", awsCLIPrefix+"(SlowDown) when calling the PutObject operation: secret "+userSecret)
	if r.code != exitError || r.stdout != "" || !strings.Contains(r.stderr, "awsenv does not know the AWS error SlowDown from PutObject yet: secret [REDACTED]") {
		t.Errorf("unknown code: %s", r)
	}
}

func TestExplainNothingFound(t *testing.T) {
	t.Parallel()
	w := newExplainWorld(t)
	for _, in := range []string{"", "2026-11-20 12:00:00 my-bucket\n", "Unable to locate credentials."} {
		r := w.run(in)
		if r.code != exitError || r.stdout != "" || !strings.Contains(r.stderr, "awsenv: no AWS error found in the text") {
			t.Errorf("%q: %s", in, r)
		}
	}
}

func TestExplainProfileErrors(t *testing.T) {
	t.Parallel()
	w := newExplainWorld(t)
	line := awsCLIPrefix + "(AccessDenied) when calling the ListBuckets operation: Access Denied"
	if r := w.run("", "--profile", "-x;rm", line); r.code != exitUsage || r.stdout != "" {
		t.Errorf("bad profile name: %s", r)
	}
	if r := w.run("", "--profile", "nosuch", line); r.code != exitConfig || !strings.Contains(r.stderr, "no such profile") {
		t.Errorf("missing profile: %s", r)
	}
	// A profile named by the environment that does not exist is no error:
	// the explanation still comes, with that name.
	w.env["AWS_PROFILE"] = "gone"
	if r := w.run(line); r.code != exitOK || !strings.Contains(r.stdout, "awsenv use gone") {
		t.Errorf("AWS_PROFILE names a missing profile: %s", r)
	}
	// A broken credentials file is a note, not a failure.
	w.write("credentials", "[alice\nnot ini\n")
	delete(w.env, "AWS_PROFILE")
	if r := w.run(line); r.code != exitOK || !strings.Contains(r.stderr, "awsenv: note: read "+w.file("credentials")) {
		t.Errorf("broken credentials file: %s", r)
	}
}

// The paste hint goes only to a person at a terminal.
func TestIsTerminal(t *testing.T) {
	t.Parallel()
	ptmx, tty, err := pty.Open()
	must(t, err)
	defer ptmx.Close()
	defer tty.Close()
	null, err := os.Open(os.DevNull)
	must(t, err)
	defer null.Close()
	if !isTerminal(tty) || isTerminal(null) || isTerminal(strings.NewReader("")) {
		t.Errorf("isTerminal: tty %v, /dev/null %v, reader %v", isTerminal(tty), isTerminal(null), isTerminal(strings.NewReader("")))
	}
}

// explain knows Identity Center's failures, with the profile's session.
func TestExplainSSOProfile(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cfg, err := os.ReadFile(filepath.Join(w.home, ".aws", "config"))
	must(t, err)
	w.writeConfig(string(cfg) + "\n[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = ReadOnly\n" +
		"[sso-session corp]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = eu-west-1\n")
	for _, tc := range []struct{ text, want string }{
		{"An error occurred (UnauthorizedException) when calling the GetRoleCredentials operation: Session token not found or invalid",
			"awsenv login --sso-session corp"},
		{"An error occurred (ForbiddenException) when calling the GetRoleCredentials operation: No access",
			"role ReadOnly in account 111122223333"},
	} {
		r := w.run("explain", "--profile", "dev", tc.text)
		if r.code != 0 || !strings.Contains(r.stdout, tc.want) || !strings.Contains(r.stdout, "sso-session corp") {
			t.Errorf("explain %q: %s", tc.text, r)
		}
	}
}
