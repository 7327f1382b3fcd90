package ykman

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/plugins"
)

// The tests run fake ykman scripts, one by one: writing an executable
// while another test forks can make exec fail with "text file busy".

// What ykman 4.0.9 prints, seen on this machine class or read from its
// sources (ykman/cli/__main__.py, ykman/cli/oath.py, ykman/cli/util.py).
const (
	pcscWarning     = "WARNING: PC/SC not available. Smart card protocols will not function.\n"
	noKey           = "Error: No YubiKey detected!\n"
	manyKeys        = "Error: Multiple YubiKeys detected. Use --device SERIAL to specify which one to use.\n"
	wrongSerial     = "Error: Failed connecting to a YubiKey with serial: 123.\nMake sure the application has the required permissions.\n"
	noMatch         = "Error: No matching account found.\n"
	manyMatches     = "Error: Multiple matches, please make the query more specific.\n\nAWS:alice\nAWS:bob\n"
	touch           = "Touch your YubiKey...\n"
	touchTimedOut   = "Touch your YubiKey...\nError: Touch account timed out!\n"
	wrongPassword   = "Error: Authentication to the YubiKey failed. Wrong password?\n"
	noPasswordGiven = "Enter the password: \nAborted!\n"
)

type fake struct {
	dir, path, argv string
}

// newFake writes an executable shell script named name that records its
// arguments, one a line, and then runs body.
func newFake(t *testing.T, name, body string) fake {
	t.Helper()
	dir := t.TempDir()
	f := fake{dir: dir, path: filepath.Join(dir, name), argv: filepath.Join(dir, "argv")}
	script := "#!/bin/sh\nprintf '%s\\n' \"$@\" >> " + sq(f.argv) + "\n" + body + "\n"
	if err := os.WriteFile(f.path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return f
}

// prints is a script body that prints stdout and stderr and exits with code.
func prints(stdout, stderr string, code int) string {
	return "printf '%s' " + sq(stderr) + " >&2\nprintf '%s' " + sq(stdout) + "\nexit " + strconv.Itoa(code)
}

func sq(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func (f fake) calls(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(f.argv)
	if errors.Is(err, os.ErrNotExist) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func argvOf(args ...string) string { return strings.Join(args, "\n") + "\n" }

func request(opts map[string]string) plugins.Request {
	return plugins.Request{Profile: "prod", Serial: "arn:aws:iam::123456789012:mfa/alice", Options: opts}
}

func TestCode(t *testing.T) {
	tests := []struct {
		name     string
		opts     map[string]string
		stdout   string
		stderr   string
		wantArgv string
	}{
		{"account only", map[string]string{"account": "AWS:alice@example.com"}, "123456\n", "",
			argvOf("oath", "accounts", "code", "--single", "AWS:alice@example.com")},
		{"with device", map[string]string{"account": "AWS prod", "device": "12345678"}, "654321\n", "",
			argvOf("--device", "12345678", "oath", "accounts", "code", "--single", "AWS prod")},
		{"touch", map[string]string{"account": "aws"}, "000123\n", touch,
			argvOf("oath", "accounts", "code", "--single", "aws")},
		{"hostile account", map[string]string{"account": "-x 'q' $(touch /tmp/x) `id`"}, "999999\n", "",
			argvOf("oath", "accounts", "code", "--single", "--", "-x 'q' $(touch /tmp/x) `id`")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, "ykman", prints(tt.stdout, tt.stderr, 0))
			var stderr bytes.Buffer
			p := &Provider{Command: f.path, Stderr: &stderr}
			code, err := p.Code(context.Background(), request(tt.opts))
			if err != nil {
				t.Fatal(err)
			}
			if code != strings.TrimSpace(tt.stdout) {
				t.Errorf("code = %q, want %q", code, strings.TrimSpace(tt.stdout))
			}
			if got := f.calls(t); got != tt.wantArgv {
				t.Errorf("argv = %q, want %q", got, tt.wantArgv)
			}
			if stderr.String() != tt.stderr {
				t.Errorf("stderr = %q, want %q (forwarded as is)", stderr.String(), tt.stderr)
			}
		})
	}
}

func TestDefaultCommandFromPath(t *testing.T) {
	f := newFake(t, "ykman", prints("123456\n", "", 0))
	t.Setenv("PATH", f.dir)
	code, err := (&Provider{}).Code(context.Background(), request(map[string]string{"account": "aws"}))
	if err != nil || code != "123456" {
		t.Fatalf("Code = %q, %v", code, err)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name    string
		opts    map[string]string
		stdout  string
		stderr  string
		exit    int
		problem string   // in Problem
		fix     []string // each in Fix
	}{
		{"no key", nil, "", pcscWarning + noKey, 1, "no YubiKey detected", []string{"pcscd", "insert your YubiKey"}},
		{"no key, pcscd running", nil, "", noKey, 1, "no YubiKey detected", []string{"Insert your YubiKey", "ykman list", "pcscd"}},
		{"several keys", nil, "", manyKeys, 1, "more than one YubiKey", []string{"awsenv_mfa_device = SERIAL", "ykman list --serials", "prod"}},
		{"wrong serial", map[string]string{"account": "aws", "device": "123"}, "", pcscWarning + wrongSerial, 1,
			"no YubiKey with serial 123", []string{"awsenv_mfa_device", "ykman list --serials"}},
		{"unknown account", nil, "", noMatch, 1, "no OATH account matching aws", []string{"awsenv_mfa_account", "ykman oath accounts list"}},
		{"several accounts", nil, "", manyMatches, 1, "more than one OATH account matches aws", []string{"full name", "ykman oath accounts list"}},
		{"touch timeout", nil, "", touchTimedOut, 1, "not touched in time", []string{"touch your YubiKey"}},
		{"wrong password", nil, "", wrongPassword, 1, "wrong password", []string{"ykman oath access remember"}},
		{"password needed", nil, "", noPasswordGiven, 1, "password-protected", []string{"ykman oath access remember"}},
		{"other error", nil, "", "Error: The functionality required for this command is not enabled or not available on this YubiKey.\n", 1,
			"ykman failed", []string{"oath accounts code --single aws", "6-digit"}},
		{"five characters", nil, "12345\n", "", 0, "did not print a 6-digit code", []string{"6-digit TOTP account"}},
		{"empty output", nil, "", "", 0, "did not print a 6-digit code", nil},
		{"no account", map[string]string{}, "", "", 0, "no OATH account is set for profile prod",
			[]string{"awsenv_mfa_account = NAME", "ykman oath accounts list"}},
		{"blank account", map[string]string{"account": "  "}, "", "", 0, "no OATH account", []string{"awsenv_mfa_account = NAME"}},
		{"bad device", map[string]string{"account": "aws", "device": "abc"}, "", "", 0, "not a YubiKey serial number",
			[]string{"ykman list --serials"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			if opts == nil {
				opts = map[string]string{"account": "aws"}
			}
			f := newFake(t, "ykman", prints(tt.stdout, tt.stderr, tt.exit))
			var stderr bytes.Buffer
			p := &Provider{Command: f.path, Stderr: &stderr}
			code, err := p.Code(context.Background(), request(opts))
			if code != "" {
				t.Errorf("code = %q, want none", code)
			}
			var pe *plugins.Error
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *plugins.Error", err)
			}
			if pe.Provider != "ykman" {
				t.Errorf("Provider = %q", pe.Provider)
			}
			if !strings.Contains(pe.Problem, tt.problem) {
				t.Errorf("Problem = %q, want it to contain %q", pe.Problem, tt.problem)
			}
			for _, want := range tt.fix {
				if !strings.Contains(strings.ToLower(pe.Fix), strings.ToLower(want)) {
					t.Errorf("Fix = %q, want it to contain %q", pe.Fix, want)
				}
			}
			if tt.stderr != "" && stderr.String() != tt.stderr {
				t.Errorf("stderr = %q, want %q", stderr.String(), tt.stderr)
			}
			if opts["account"] == "" || opts["device"] == "abc" {
				if got := f.calls(t); got != "" {
					t.Errorf("ykman ran with %q; want no run for a bad configuration", got)
				}
			}
		})
	}
}

func TestOtherErrorKeepsYkmansLine(t *testing.T) {
	f := newFake(t, "ykman", prints("", "Error: Something new.\n", 1))
	_, err := (&Provider{Command: f.path}).Code(context.Background(), request(map[string]string{"account": "aws"}))
	if err == nil || !strings.Contains(err.Error(), "ykman said: Something new. Run") {
		t.Fatalf("err = %v, want ykman's error line in it", err)
	}
}

func TestTimeout(t *testing.T) {
	f := newFake(t, "ykman", "printf 'Touch your YubiKey...\\n' >&2\nexec sleep 30")
	var stderr bytes.Buffer
	p := &Provider{Command: f.path, Stderr: &stderr, Timeout: 300 * time.Millisecond}
	start := time.Now()
	_, err := p.Code(context.Background(), request(map[string]string{"account": "aws"}))
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Code took %s after a 300ms timeout", d)
	}
	var pe *plugins.Error
	if !errors.As(err, &pe) || !strings.Contains(pe.Problem, "no code from the YubiKey after 300ms") ||
		!strings.Contains(pe.Fix, "Touch your YubiKey") {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(stderr.String(), "Touch your YubiKey...") {
		t.Errorf("stderr = %q, want the touch message", stderr.String())
	}
}

func TestCancel(t *testing.T) {
	f := newFake(t, "ykman", "exec sleep 30")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := (&Provider{Command: f.path}).Code(ctx, request(map[string]string{"account": "aws"}))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the caller's context error", err)
	}
}

func TestNotInstalled(t *testing.T) {
	for _, command := range []string{filepath.Join(t.TempDir(), "ykman"), "awsenv-test-no-such-ykman"} {
		_, err := (&Provider{Command: command}).Code(context.Background(), request(map[string]string{"account": "aws"}))
		var pe *plugins.Error
		if !errors.As(err, &pe) || pe.Problem != "ykman is not installed" || !strings.Contains(pe.Fix, "yubikey-manager") {
			t.Errorf("%s: err = %v", command, err)
		}
	}
}

func TestRejectedCodeIsNotHandedBack(t *testing.T) {
	// The first run prints the rejected code, the next ones a new code.
	body := `if [ -f "$0.ran" ]; then echo 222222; else : > "$0.ran"; echo 111111; fi`
	f := newFake(t, "ykman", body)
	var stderr bytes.Buffer
	p := &Provider{Command: f.path, Stderr: &stderr, Retry: 10 * time.Millisecond}
	req := request(map[string]string{"account": "aws"})
	req.Rejected = "111111"
	code, err := p.Code(context.Background(), req)
	if err != nil || code != "222222" {
		t.Fatalf("Code = %q, %v; want the next code", code, err)
	}
	want := argvOf("oath", "accounts", "code", "--single", "aws")
	if got := f.calls(t); got != want+want {
		t.Errorf("argv = %q, want two runs", got)
	}
	if !strings.Contains(stderr.String(), "rejected") {
		t.Errorf("stderr = %q, want a word about the rejected code", stderr.String())
	}

	// A key that keeps giving the rejected code runs into the timeout.
	f = newFake(t, "ykman", "echo 111111")
	p = &Provider{Command: f.path, Retry: 10 * time.Millisecond, Timeout: 100 * time.Millisecond}
	_, err = p.Code(context.Background(), req)
	var pe *plugins.Error
	if !errors.As(err, &pe) || !strings.Contains(pe.Problem, "no new code") {
		t.Fatalf("err = %v", err)
	}
}

func TestArgs(t *testing.T) {
	got := strings.Join(Args("-a", "7"), " ")
	if want := "--device 7 oath accounts code --single -- -a"; got != want {
		t.Errorf("Args = %q, want %q", got, want)
	}
}
