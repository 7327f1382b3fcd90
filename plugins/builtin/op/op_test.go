package op

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

// The tests run fake op scripts, one by one: writing an executable while
// another test forks can make exec fail with "text file busy".

// What 1Password CLI 2 prints on stderr (it cannot be installed here: these
// are the texts users and other tools quote). Each ends with exit status 1.
const (
	notSignedIn    = "[ERROR] 2023/01/01 00:00:00 You are not currently signed in. Please run `op signin --help` for instructions\n"
	notSignedInNew = "[ERROR] 2024/05/01 10:00:00 account is not signed in\n"
	noAccounts     = "[ERROR] 2024/12/27 09:00:00 No accounts configured for use with 1Password CLI.\n"
	notAnItem      = "[ERROR] 2023/01/01 00:00:00 \"AWS\" isn't an item. Specify the item with its UUID, name, or domain.\n"
	notAVault      = "[ERROR] 2023/01/01 00:00:00 \"Nope\" isn't a vault in this account. Specify the vault with its ID or name.\n"
	manyItems      = "[ERROR] 2023/01/01 00:00:00 More than one item matches \"AWS\". Try again and specify the item by its ID:\n" +
		"\t* for the item \"AWS\" in vault Private: 2fvpqyhvgdaqfbzwk3w3mpbfsi\n\t* for the item \"AWS\" in vault Work: 7ca2yhx7hq3jxprbpgm3gnqtsm\n"
	dismissed = "[ERROR] 2023/01/01 00:00:00 authorization prompt dismissed, please try again\n"
	opV1      = "[ERROR] 2023/01/01 00:00:00 unknown command \"item\" for \"op\"\n"
	noOTPErr  = "[ERROR] 2023/01/01 00:00:00 item \"AWS\" does not have a one-time password field\n"
	noAccount = "[ERROR] 2023/01/01 00:00:00 no account found for filter work\n"
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
		wantArgv string
	}{
		{"item only", map[string]string{"item": "AWS"}, argvOf("item", "get", "AWS", "--otp")},
		{"vault and account", map[string]string{"item": "AWS prod", "vault": "Work", "account": "my.1password.com"},
			argvOf("item", "get", "AWS prod", "--otp", "--vault", "Work", "--account", "my.1password.com")},
		{"account only", map[string]string{"item": "2fvpqyhvgdaqfbzwk3w3mpbfsi", "account": "work"},
			argvOf("item", "get", "2fvpqyhvgdaqfbzwk3w3mpbfsi", "--otp", "--account", "work")},
		{"hostile item", map[string]string{"item": "-x 'q' $(id) `id`", "vault": "-v"},
			argvOf("item", "get", "--otp", "--vault", "-v", "--", "-x 'q' $(id) `id`")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, "op", prints("123456\n", "note on stderr\n", 0))
			var stderr bytes.Buffer
			code, err := (&Provider{Command: f.path, Stderr: &stderr}).Code(context.Background(), request(tt.opts))
			if err != nil || code != "123456" {
				t.Fatalf("Code = %q, %v", code, err)
			}
			if got := f.calls(t); got != tt.wantArgv {
				t.Errorf("argv = %q, want %q", got, tt.wantArgv)
			}
			if stderr.String() != "note on stderr\n" {
				t.Errorf("stderr = %q, want op's stderr passed on", stderr.String())
			}
		})
	}
}

func TestDefaultCommandFromPath(t *testing.T) {
	f := newFake(t, "op", prints("123456\n", "", 0))
	t.Setenv("PATH", f.dir)
	code, err := (&Provider{}).Code(context.Background(), request(map[string]string{"item": "AWS"}))
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
		problem string
		fix     []string
	}{
		{"not signed in", nil, "", notSignedIn, 1, "not signed in", []string{"eval $(op signin)"}},
		{"not signed in, newer op", map[string]string{"item": "AWS", "account": "work"}, "", notSignedInNew, 1, "not signed in",
			[]string{"eval $(op signin --account work)"}},
		{"no accounts", nil, "", noAccounts, 1, "not signed in", []string{"op signin", "Integrate with 1Password CLI"}},
		{"no such item", nil, "", notAnItem, 1, "no item AWS", []string{"awsenv_mfa_item", "op item list"}},
		{"no such item in vault", map[string]string{"item": "AWS", "vault": "Work"}, "", notAnItem, 1, "no item AWS in vault Work",
			[]string{"op item list --vault Work"}},
		{"no such vault", map[string]string{"item": "AWS", "vault": "Nope"}, "", notAVault, 1, "no vault Nope", []string{"op vault list"}},
		{"several items", nil, "", manyItems, 1, "more than one 1Password item matches AWS", []string{"ID", "awsenv_mfa_vault"}},
		{"dismissed", nil, "", dismissed, 1, "not approved", []string{"approve"}},
		{"op 1", nil, "", opV1, 1, "does not understand", []string{"version 2"}},
		{"no otp, empty output", nil, "", "", 0, "has no one-time password", []string{"Add a one-time password field to AWS"}},
		{"no otp, error", nil, "", noOTPErr, 1, "has no one-time password", []string{"Add a one-time password field to AWS"}},
		{"no such account", map[string]string{"item": "AWS", "account": "work"}, "", noAccount, 1, "no 1Password account matches work",
			[]string{"op account list"}},
		{"not six digits", nil, "12345678\n", "", 0, "did not print a 6-digit code", []string{"6-digit"}},
		{"other error", map[string]string{"item": "AWS otp"}, "", "[ERROR] 2023/01/01 00:00:00 something new about AWS otp\n", 1,
			"op failed", []string{"op item get 'AWS otp' --otp"}},
		{"no item", map[string]string{"vault": "Work"}, "", "", 0, "no 1Password item is set for profile prod",
			[]string{"awsenv_mfa_item = ITEM", "op item list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			if opts == nil {
				opts = map[string]string{"item": "AWS"}
			}
			f := newFake(t, "op", prints(tt.stdout, tt.stderr, tt.exit))
			var stderr bytes.Buffer
			code, err := (&Provider{Command: f.path, Stderr: &stderr}).Code(context.Background(), request(opts))
			if code != "" {
				t.Errorf("code = %q, want none", code)
			}
			var pe *plugins.Error
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *plugins.Error", err)
			}
			if pe.Provider != "op" {
				t.Errorf("Provider = %q", pe.Provider)
			}
			if !strings.Contains(pe.Problem, tt.problem) {
				t.Errorf("Problem = %q, want it to contain %q", pe.Problem, tt.problem)
			}
			for _, want := range tt.fix {
				if !strings.Contains(pe.Fix, want) {
					t.Errorf("Fix = %q, want it to contain %q", pe.Fix, want)
				}
			}
			if stderr.String() != tt.stderr {
				t.Errorf("stderr = %q, want %q", stderr.String(), tt.stderr)
			}
			if tt.stderr != "" && strings.Contains(err.Error(), "[ERROR] 2023") {
				t.Errorf("err = %q, want op's message without its prefix", err)
			}
			if opts["item"] == "" && f.calls(t) != "" {
				t.Errorf("op ran without an item")
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	f := newFake(t, "op", "exec sleep 30")
	p := &Provider{Command: f.path, Timeout: 300 * time.Millisecond}
	start := time.Now()
	_, err := p.Code(context.Background(), request(map[string]string{"item": "AWS"}))
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Code took %s after a 300ms timeout", d)
	}
	var pe *plugins.Error
	if !errors.As(err, &pe) || !strings.Contains(pe.Problem, "no code from 1Password after 300ms") {
		t.Fatalf("err = %v", err)
	}
}

func TestCancel(t *testing.T) {
	f := newFake(t, "op", "exec sleep 30")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	_, err := (&Provider{Command: f.path}).Code(ctx, request(map[string]string{"item": "AWS"}))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestNotInstalled(t *testing.T) {
	for _, command := range []string{filepath.Join(t.TempDir(), "op"), "awsenv-test-no-such-op"} {
		_, err := (&Provider{Command: command}).Code(context.Background(), request(map[string]string{"item": "AWS"}))
		var pe *plugins.Error
		if !errors.As(err, &pe) || !strings.Contains(pe.Problem, "not installed") || !strings.Contains(pe.Fix, "Install 1Password CLI") {
			t.Errorf("%s: err = %v", command, err)
		}
	}
}

func TestRejectedCodeIsNotHandedBack(t *testing.T) {
	body := `if [ -f "$0.ran" ]; then echo 222222; else : > "$0.ran"; echo 111111; fi`
	f := newFake(t, "op", body)
	var stderr bytes.Buffer
	req := request(map[string]string{"item": "AWS"})
	req.Rejected = "111111"
	code, err := (&Provider{Command: f.path, Stderr: &stderr, Retry: 10 * time.Millisecond}).Code(context.Background(), req)
	if err != nil || code != "222222" {
		t.Fatalf("Code = %q, %v; want the next code", code, err)
	}
	if want := argvOf("item", "get", "AWS", "--otp"); f.calls(t) != want+want {
		t.Errorf("argv = %q, want two runs", f.calls(t))
	}
	if !strings.Contains(stderr.String(), "rejected") {
		t.Errorf("stderr = %q", stderr.String())
	}

	f = newFake(t, "op", "echo 111111")
	_, err = (&Provider{Command: f.path, Retry: 10 * time.Millisecond, Timeout: 100 * time.Millisecond}).Code(context.Background(), req)
	var pe *plugins.Error
	if !errors.As(err, &pe) || !strings.Contains(pe.Problem, "no new code") {
		t.Fatalf("err = %v", err)
	}
}
