//go:build unix

package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

// The same flow against moto_server, an independent STS, checked with the
// real aws CLI; AWS_PROFILE set beforehand must not win over the exports.
func TestMotoServerWithAWSCLI(t *testing.T) {
	t.Parallel()
	requireTool(t, "moto_server")
	requireTool(t, "aws")
	w := newWorld(t)
	moto := startMoto(t)
	w.extra = []string{"AWS_ENDPOINT_URL=" + moto}

	script := `set -eu
export AWS_PROFILE=alice AWS_DEFAULT_PROFILE=alice
eval "$(awsenv use prod --mfa-code 123456)"
test -z "${AWS_PROFILE:-}" || { echo "AWS_PROFILE still set" >&2; exit 1; }
aws sts get-caller-identity --query Arn --output text
eval "$(awsenv use alice)"
printf '%s\n' "$AWS_ACCESS_KEY_ID"
`
	r := w.shell("bash", script)
	if r.code != 0 {
		t.Fatalf("moto flow: %s", r)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "arn:aws:sts::123456789012:assumed-role/admin/alice") {
		t.Fatalf("aws CLI did not see the assumed role: %s", r)
	}
	// moto's GetSessionToken always answers with the same example key.
	if lines[1] != "AKIAIOSFODNN7EXAMPLE" {
		t.Fatalf("alice's session key from moto: %q", lines[1])
	}
	if strings.Contains(r.stderr, "Traceback") {
		t.Fatalf("aws CLI complained: %s", r.stderr)
	}
}

// startMoto is the test binary's moto_server without authentication,
// shared by the tests that need one (testproc.SharedMoto).
func startMoto(t *testing.T) string {
	t.Helper()
	return testproc.SharedMoto(t).URL
}

// The prompt reads the code from the controlling terminal, not stdin or
// stdout, so it works inside $(...); a malformed code is asked again.
func TestPromptOnTerminal(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	o := w.startOnTerminal("use", "prod")
	cmd, ptmx, screen, stdout, stderr := o.cmd, o.ptmx, o.screen, o.stdout, o.stderr
	expect(t, screen, "MFA code for profile alice ("+serial+"): ")
	fmt.Fprint(ptmx, "12a456\n")
	expect(t, screen, "six digits")
	expect(t, screen, "MFA code for profile alice")
	fmt.Fprint(ptmx, w.code()+"\n")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	go io.Copy(io.Discard, screen)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("use prod with the prompt: %v\nstderr: %s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("use prod did not finish after the code was typed")
	}
	if !strings.HasPrefix(stdout.String(), "unset ") || strings.Contains(stdout.String(), "MFA code") {
		t.Fatalf("stdout must hold only shell code:\n%s", stdout.String())
	}
	if g := w.fake.Calls("GetSessionToken"); g != 1 {
		t.Fatalf("GetSessionToken calls = %d: the malformed code must be refused before any STS call", g)
	}
}

// expect reads the terminal until it has seen want.
func expect(t *testing.T, r *bufio.Reader, want string) {
	t.Helper()
	got := make(chan string, 1)
	go func() {
		var seen strings.Builder
		buf := make([]byte, 1)
		for !strings.Contains(seen.String(), want) {
			if _, err := r.Read(buf); err != nil {
				break
			}
			seen.Write(buf)
		}
		got <- seen.String()
	}()
	select {
	case s := <-got:
		if !strings.Contains(s, want) {
			t.Fatalf("terminal never showed %q; it showed %q", want, s)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("timed out waiting for %q on the terminal", want)
	}
}

// Without a terminal and without --mfa-code, the prompt fails clearly and
// stdout stays empty.
func TestNoTerminalNoCode(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := w.run("use", "alice")
	if r.code != exitMFA || r.stdout != "" || !strings.Contains(r.stderr, "--mfa-code") {
		t.Fatalf("want exit %d, empty stdout and a hint about --mfa-code; got %s", exitMFA, r)
	}
}

// Each shell evaluates its own output: fish and zsh as well as bash.
func TestUseInFishAndZsh(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if r := w.run("use", "alice", "--mfa-code", w.code()); r.code != 0 {
		t.Fatalf("use: %s", r)
	}
	for sh, script := range map[string]string{
		"fish": `awsenv use alice --shell fish | source; and printf '%s %s' $AWSENV_PROFILE $AWS_REGION`,
		"zsh":  `setopt nounset; eval "$(awsenv use alice --shell zsh)" && printf '%s %s' $AWSENV_PROFILE $AWS_REGION`,
		"dash": `eval "$(awsenv use alice --shell sh)" && printf '%s %s' "$AWSENV_PROFILE" "$AWS_REGION"`,
	} {
		r := w.shell(sh, script)
		if r.code != 0 || r.stdout != "alice eu-west-1" || r.stderr != "" {
			t.Fatalf("%s: %s", sh, r)
		}
	}
	// SHELL picks the default output.
	r := w.runEnv([]string{"SHELL=/usr/bin/fish"}, "use", "alice")
	if !strings.Contains(r.stdout, "set -gx AWS_ACCESS_KEY_ID ") {
		t.Fatalf("SHELL=fish did not give fish code: %s", r)
	}
}

// exec runs a command with the credentials and returns its exit status;
// credential-process feeds the real aws CLI through credential_process.
func TestExecAndCredentialProcess(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := w.runEnv([]string{"AWS_PROFILE=alice"}, "exec", "alice", "--mfa-code", w.code(), "--",
		"sh", "-c", `printf '%s|%s|%s' "$AWS_ACCESS_KEY_ID" "${AWS_PROFILE:-unset}" "$AWSENV_PROFILE"; exit 7`)
	if r.code != 7 {
		t.Fatalf("exec should return the command's status 7: %s", r)
	}
	parts := strings.Split(r.stdout, "|")
	if len(parts) != 3 || !strings.HasPrefix(parts[0], "ASIA") || parts[1] != "unset" || parts[2] != "alice" {
		t.Fatalf("exec environment: %q", r.stdout)
	}
	if r := w.run("exec", "alice", "--", "no-such-command-xyz"); r.code != exitNoExec || r.stdout != "" {
		t.Fatalf("exec of a missing command: %s", r)
	}

	r = w.run("credential-process", "alice")
	if r.code != 0 || !strings.HasPrefix(r.stdout, `{"Version":1,"AccessKeyId":"ASIA`) || !strings.Contains(r.stdout, `"Expiration":"`) {
		t.Fatalf("credential-process: %s", r)
	}
	requireTool(t, "aws")
	cfg, _ := os.ReadFile(filepath.Join(w.home, ".aws", "config"))
	w.writeConfig(string(cfg) + fmt.Sprintf("\n[profile viaproc]\ncredential_process = %s credential-process alice\nregion = eu-west-1\n",
		filepath.Join(binDir, "awsenv")))
	r = w.shell("sh", `aws --profile viaproc sts get-caller-identity --query Arn --output text`)
	if r.code != 0 || strings.TrimSpace(r.stdout) != "arn:aws:iam::123456789012:user/alice" {
		t.Fatalf("aws CLI through credential_process: %s", r)
	}
	if g := w.fake.Calls("GetSessionToken"); g != 1 {
		t.Fatalf("GetSessionToken calls = %d, want 1 (all later calls cached)", g)
	}
}

// A profile that already holds session credentials is used as it is,
// never sent to GetSessionToken, with a hint.
func TestSessionCredentialsInFile(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.writeCredentials("[default]\naws_access_key_id = ASIAIOSFODNN7EXAMPLE\naws_secret_access_key = " + userSecret +
		"\naws_session_token = AQoDYXdzEJrEXAMPLETOKEN\n")
	w.writeConfig("[default]\nregion = us-east-1\n")
	r := w.run("use", "default")
	if r.code != 0 || exportedValue(t, r.stdout, "AWS_SESSION_TOKEN") != "AQoDYXdzEJrEXAMPLETOKEN" {
		t.Fatalf("use default: %s", r)
	}
	if !strings.Contains(r.stderr, "holds session credentials") || !strings.Contains(r.stdout, "unset AWS_CREDENTIAL_EXPIRATION") &&
		!strings.Contains(r.stdout, "unset -v AWS_CREDENTIAL_EXPIRATION") {
		t.Fatalf("want a hint and the expiry variables cleared: %s", r)
	}
	if n := w.fake.Calls("GetSessionToken"); n != 0 {
		t.Fatalf("session credentials were sent to GetSessionToken (%d calls)", n)
	}
}

// AWS's answers become a message with a fix, an exit status, and nothing on stdout.
func TestAWSErrorsExplained(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cases := []struct {
		name, config, creds string
		args                []string
		code                int
		want                []string
	}{
		{name: "wrong code", args: []string{"use", "alice", "--mfa-code", "000000"}, code: exitAWS,
			want: []string{"invalid MFA one time pass code", "Wait for the next code"}},
		{name: "wrong serial", config: "[profile alice]\nmfa_serial = arn:aws:iam::123456789012:mfa/bob\n",
			args: []string{"use", "alice", "--mfa-code", "123456"}, code: exitAWS,
			want: []string{"unable to validate MFA code", "mfa_serial = " + serial}},
		{name: "unknown key", creds: "[alice]\naws_access_key_id = AKIAI44QH8DHBEXAMPLE\naws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY\n",
			config: "[profile alice]\n", args: []string{"use", "alice"}, code: exitAWS,
			want: []string{"InvalidClientTokenId", "AKIAI44QH8DHBEXAMPLE", "list-access-keys"}},
		{name: "missing profile", args: []string{"use", "nope"}, code: exitConfig, want: []string{`"nope"`, "awsenv list"}},
		{name: "loop", config: "[profile a]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/y\nsource_profile = a\n",
			args: []string{"use", "a"}, code: exitConfig, want: []string{"a -> b -> a"}},
		{name: "no source", config: "[profile r]\nrole_arn = arn:aws:iam::1:role/x\n",
			args: []string{"use", "r"}, code: exitConfig, want: []string{"source_profile"}},
		{name: "bad duration", args: []string{"use", "alice", "--duration", "soon"}, code: exitUsage, want: []string{"--duration"}},
		{name: "malformed code", args: []string{"use", "alice", "--mfa-code", "12345"}, code: exitMFA, want: []string{"six digits"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.config != "" {
				w.writeConfig(c.config)
			}
			if c.creds != "" {
				w.writeCredentials(c.creds)
			}
			r := w.run(c.args...)
			if r.code != c.code || r.stdout != "" {
				t.Fatalf("want exit %d and empty stdout, got %s", c.code, r)
			}
			for _, s := range c.want {
				if !strings.Contains(r.stderr, s) {
					t.Fatalf("stderr lacks %q: %s", s, r.stderr)
				}
			}
			if strings.Contains(r.stderr, userSecret) || strings.Count(r.stderr, "\n") > 8 {
				t.Fatalf("stderr must be a short message without secrets: %s", r.stderr)
			}
		})
	}
}

// unset undoes use in each shell; AWS_REGION is left as it was.
func TestUnsetUndoesUse(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if r := w.run("use", "alice", "--mfa-code", w.code()); r.code != 0 {
		t.Fatalf("use: %s", r)
	}
	for sh, script := range map[string]string{
		"bash": `set -u; eval "$(awsenv use alice)"; eval "$(awsenv unset)"; env | grep -E '^(AWS_|AWSENV_)' | sort`,
		"zsh":  `eval "$(awsenv use alice --shell zsh)"; eval "$(awsenv unset --shell zsh)"; env | grep -E '^(AWS_|AWSENV_)' | sort`,
		"fish": `awsenv use alice --shell fish | source; awsenv unset --shell fish | source; env | grep -E '^(AWS_|AWSENV_)' | sort`,
	} {
		r := w.shell(sh, script)
		// What is left is the test's own setup plus the region use set.
		for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			name, _, _ := strings.Cut(line, "=")
			switch name {
			case "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_REGION", "AWS_DEFAULT_REGION":
			default:
				t.Fatalf("%s: %s still set after unset:\n%s", sh, name, r)
			}
		}
		if r.stderr != "" {
			t.Fatalf("%s: unset printed to stderr: %s", sh, r.stderr)
		}
	}
}

// PowerShell output sets and removes the same variables, quoted for it.
func TestPowerShellOutput(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := w.run("use", "alice", "--shell", "powershell", "--mfa-code", w.code())
	if r.code != 0 {
		t.Fatalf("use --shell powershell: %s", r)
	}
	for _, want := range []string{"$Env:AWS_ACCESS_KEY_ID = 'ASIA", "$Env:AWS_PROFILE = $null", "$Env:AWSENV_PROFILE = 'alice'", "$Env:AWS_REGION = 'eu-west-1'"} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("powershell output lacks %q:\n%s", want, r.stdout)
		}
	}
}

// sessions lists what is cached, without secrets, and clear removes it.
func TestSessionsListAndClear(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.writeCounterMFA(t)
	if r := w.run("use", "prod"); r.code != 0 {
		t.Fatalf("use prod: %s", r)
	}
	r := w.run("sessions")
	if r.code != 0 || !strings.Contains(r.stdout, "alice") || !strings.Contains(r.stdout, "mfa-session") ||
		!strings.Contains(r.stdout, "prod") || !strings.Contains(r.stdout, "role") {
		t.Fatalf("sessions: %s", r)
	}
	for _, secret := range []string{userSecret, "ASIA"} {
		if strings.Contains(r.stdout, secret) {
			t.Fatalf("sessions shows key material %q:\n%s", secret, r.stdout)
		}
	}
	if r := w.run("sessions", "clear", "prod"); r.code != 0 || !strings.Contains(r.stdout, "removed 1") {
		t.Fatalf("sessions clear prod: %s", r)
	}
	// alice's MFA session survives: prod is made again without a code.
	if r := w.run("use", "prod"); r.code != 0 || w.mfaRequests(t) != 1 {
		t.Fatalf("after clearing prod only: %s (MFA requests %d)", r, w.mfaRequests(t))
	}
	if r := w.run("sessions", "clear"); r.code != 0 || !strings.Contains(r.stdout, "removed 2") {
		t.Fatalf("sessions clear: %s", r)
	}
	if r := w.run("sessions", "clear", "$(id)"); r.code != exitUsage {
		t.Fatalf("sessions clear with a hostile name: %s", r)
	}
}

// Ctrl-C at the MFA prompt stops awsenv at once with 130 and prints no
// shell code, though the helper itself lets awsenv decide about interrupts.
func TestCtrlCAtPrompt(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	o := w.startOnTerminal("use", "prod")
	cmd, ptmx, screen, stdout, stderr := o.cmd, o.ptmx, o.screen, o.stdout, o.stderr
	expect(t, screen, "MFA code for profile alice")
	fmt.Fprint(ptmx, "\x03")
	go io.Copy(io.Discard, screen)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		t.Fatal("Ctrl-C at the prompt did not stop awsenv")
	}
	if code := cmd.ProcessState.ExitCode(); code != exitSignal || stdout.String() != "" {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, stdout.String(), stderr.String())
	}
	// Neither the helper nor the prompt plugin is left behind.
	waitFor(t, func() bool { return syscall.Kill(-cmd.Process.Pid, 0) == syscall.ESRCH })
}
