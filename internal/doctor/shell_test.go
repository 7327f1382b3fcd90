package doctor_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/doctor"
)

// The shell-hook check: whether awsenv ran through its shell function, and
// the line for the user's shell when not.
func TestDoctorShellHook(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		env         map[string]string
		status      string
		detail, fix string
	}{
		{"loaded", map[string]string{"AWSENV_SHELL_HOOK": "zsh"}, doctor.Pass, "the awsenv shell function is loaded (zsh)", ""},
		{"bash", map[string]string{"SHELL": "/bin/bash"}, doctor.Warn, "awsenv was not run through its shell function", `eval "$(awsenv init bash)"   # in ~/.bashrc`},
		{"zsh", map[string]string{"SHELL": "/usr/bin/zsh"}, doctor.Warn, "cannot change this shell without eval", `eval "$(awsenv init zsh)"   # in ~/.zshrc`},
		{"fish", map[string]string{"SHELL": "/usr/local/bin/fish"}, doctor.Warn, "not run through its shell function", "awsenv init fish | source"},
		{"no SHELL", map[string]string{}, doctor.Warn, "not run through its shell function", "awsenv init bash"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.env = tc.env
			rep := w.run("alice")
			want(t, rep, "shell-hook", tc.status, tc.detail, tc.fix)
		})
	}
}

// The environment check: variables that shadow or contradict awsenv's.
func TestDoctorEnvironment(t *testing.T) {
	t.Parallel()
	const other = "AKIAOTHERKEY00000000"
	expired := fmt.Sprint(now0.Add(-time.Minute).Unix())
	for _, tc := range []struct {
		name        string
		env         map[string]string
		status      string
		detail, fix string
	}{
		{"none", nil, doctor.Pass, "no AWS credentials in the environment", ""},
		{"from awsenv", map[string]string{"AWS_ACCESS_KEY_ID": "ASIAIOSFODNN7EXAMPLE", "AWS_SESSION_TOKEN": "t", "AWSENV_PROFILE": "alice"},
			doctor.Pass, "AWS_ACCESS_KEY_ID ASIAIOSFODNN7EXAMPLE from awsenv profile alice", ""},
		{"from elsewhere", map[string]string{"AWS_ACCESS_KEY_ID": "ASIAIOSFODNN7EXAMPLE", "AWS_SESSION_TOKEN": "t"},
			doctor.Pass, "from awsenv profile (none)", ""},
		{"rotated away", map[string]string{"AWS_ACCESS_KEY_ID": oldKey, "AWSENV_PROFILE": "alice"},
			doctor.Fail, "AWS_ACCESS_KEY_ID is " + oldKey + ", the old key awsenv rotated away on 2026-12-01 09:30 UTC", "Run `awsenv use alice` or `awsenv unset` in this shell"},
		{"rotated away, no active profile", map[string]string{"AWS_ACCESS_KEY_ID": oldKey},
			doctor.Fail, "the old key awsenv rotated away", "Run `awsenv use alice` or `awsenv unset`"},
		{"temporary key without its token", map[string]string{"AWS_ACCESS_KEY_ID": "ASIAIOSFODNN7EXAMPLE"},
			doctor.Fail, "AWS_ACCESS_KEY_ID is a temporary key (ASIAIOSFODNN7EXAMPLE) but AWS_SESSION_TOKEN is not set", "which sets all three"},
		{"another key for the active profile", map[string]string{"AWS_ACCESS_KEY_ID": other, "AWSENV_PROFILE": "alice"},
			doctor.Warn, "AWS_ACCESS_KEY_ID is " + other + ", not the key " + keyID + " of alice", "Run `awsenv use alice`."},
		{"another key, another profile", map[string]string{"AWS_ACCESS_KEY_ID": other, "AWSENV_PROFILE": "prod"},
			doctor.Pass, "AWS_ACCESS_KEY_ID " + other + " from awsenv profile prod", ""},
		{"AWS_PROFILE beside keys", map[string]string{"AWS_ACCESS_KEY_ID": keyID, "AWS_PROFILE": "other"},
			doctor.Warn, "AWS_PROFILE=other is set next to exported keys", "unset AWS_PROFILE"},
		{"AWS_PROFILE alone", map[string]string{"AWS_PROFILE": "other"}, doctor.Pass, "no AWS credentials in the environment", ""},
		{"expired", map[string]string{"AWS_ACCESS_KEY_ID": "ASIAIOSFODNN7EXAMPLE", "AWS_SESSION_TOKEN": "t", "AWSENV_PROFILE": "prod", "AWSENV_EXPIRES_AT": expired},
			doctor.Warn, "the credentials of prod in this shell expired at 2026-12-07T11:59:00Z", "Run `awsenv use prod`."},
		{"not yet expired", map[string]string{"AWS_ACCESS_KEY_ID": "ASIAIOSFODNN7EXAMPLE", "AWS_SESSION_TOKEN": "t", "AWSENV_PROFILE": "prod",
			"AWSENV_EXPIRES_AT": fmt.Sprint(now0.Add(time.Hour).Unix())}, doctor.Pass, "from awsenv profile prod", ""},
		{"unreadable expiry", map[string]string{"AWS_ACCESS_KEY_ID": "ASIAIOSFODNN7EXAMPLE", "AWS_SESSION_TOKEN": "t", "AWSENV_PROFILE": "prod",
			"AWSENV_EXPIRES_AT": "soon"}, doctor.Pass, "from awsenv profile prod", ""},
		// Failures come first, the warnings after them in one line.
		{"fail and warn", map[string]string{"AWS_ACCESS_KEY_ID": "ASIAIOSFODNN7EXAMPLE", "AWS_PROFILE": "other"},
			doctor.Fail, "AWS_SESSION_TOKEN is not set; AWS_PROFILE=other is set next to exported keys", "which sets all three. Unset it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.env = map[string]string{"AWSENV_SHELL_HOOK": "bash"}
			for k, v := range tc.env {
				w.env[k] = v
			}
			w.retired[oldKey] = time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
			rep := w.run("alice")
			want(t, rep, "environment", tc.status, tc.detail, tc.fix)
		})
	}
}

// The environment is checked even when the profile cannot be read, without
// comparing to a key it does not know.
func TestDoctorEnvironmentWithoutProfile(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.env = map[string]string{"AWSENV_SHELL_HOOK": "bash", "AWS_ACCESS_KEY_ID": "AKIAOTHERKEY00000000", "AWSENV_PROFILE": "nosuch"}
	rep := w.run("nosuch")
	want(t, rep, "profile", doctor.Fail, "nosuch", "")
	want(t, rep, "environment", doctor.Pass, "AWS_ACCESS_KEY_ID AKIAOTHERKEY00000000 from awsenv profile nosuch", "")
}
