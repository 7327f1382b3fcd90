package doctor_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/awsenv/awsenv/internal/doctor"
)

// A healthy user profile passes every check, in the order a person would
// debug it; a role on top of it adds nothing that fails.
func TestDoctorHealthy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		profile string
		names   []string
	}{
		{"alice", []string{"files", "profile", "key", "key-storage", "default-profile", "clock", "identity", "key-active", "mfa-device",
			"mfa-provider", "hooks", "session", "session-storage", "shell-hook", "environment"}},
		{"prod", []string{"files", "profile", "key", "key-storage", "default-profile", "clock", "identity", "key-active", "mfa-device",
			"mfa-provider", "hooks", "session", "session-storage", "shell-hook", "environment"}},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			rep := w.run(tc.profile)
			if got := names(rep); !slices.Equal(got, tc.names) {
				t.Errorf("checks %v, want %v", got, tc.names)
			}
			if !rep.OK {
				t.Errorf("a healthy profile fails: %+v", rep.Checks)
			}
			for _, c := range rep.Checks {
				if c.Status != doctor.Pass && c.Name != "hooks" && c.Name != "key-storage" {
					t.Errorf("check %s: %s %q", c.Name, c.Status, c.Detail)
				}
			}
			want(t, rep, "hooks", doctor.Skip, "the profile runs no hooks", "")
			// Issue 17: a long-term key in plain text is a warning that
			// names the move into the keyring.
			want(t, rep, "key-storage", doctor.Warn, "is in plain text in", "awsenv keys import alice")
			want(t, rep, "files", doctor.Pass, "parse, and no one else can read keys in them", "")
			// Where the cached sessions live: sealed, and the data key's store.
			want(t, rep, "session-storage", doctor.Pass, "sealed (AES-256-GCM) under the data key awsenv:session-key in awsenv's keyring (keyctl), cached in the kernel keyring", "")
			if tc.profile == "prod" {
				want(t, rep, "profile", doctor.Pass, "prod is a role profile: prod -> alice", "")
			}
		})
	}
}

// The files check: modes that expose keys, files others could change
// (failing when they name a command, warning when not), missing files and
// parse errors.
func TestDoctorFiles(t *testing.T) {
	t.Parallel()
	const mfaProcess = "[profile alice]\nmfa_serial = " + serial + "\nmfa_process = /usr/bin/get-code\n"
	for _, tc := range []struct {
		name        string
		setup       func(w *world)
		status      string
		detail, fix string
		// rest: whether the profile checks ran after the files check
		rest bool
	}{
		{"healthy", func(*world) {}, doctor.Pass, "parse, and no one else can read keys in them", "", true},
		{"credentials readable by others", func(w *world) {
			w.write(w.files.Credentials, healthyCredentials, 0o644)
		}, doctor.Fail, "holds keys and its mode 0644 lets other users read it", "chmod 600 ", true},
		{"config with keys readable by others", func(w *world) {
			w.write(w.files.Config, healthyConfig+"[profile bob]\naws_access_key_id = "+keyID+"\naws_secret_access_key = "+secret+"\n", 0o640)
		}, doctor.Fail, "holds keys and its mode 0640", "chmod 600 " + "", true},
		{"config without keys readable by others", func(w *world) {
			w.write(w.files.Config, healthyConfig, 0o644)
		}, doctor.Pass, "parse", "", true},
		{"0666 config naming a command", func(w *world) {
			w.write(w.files.Config, mfaProcess, 0o666)
		}, doctor.Fail, "names commands that run as you (mfa_process in [profile alice]", "Until then awsenv refuses to run them.", true},
		{"0666 config naming a credential_process", func(w *world) {
			w.write(w.files.Config, healthyConfig+"[profile ext]\ncredential_process = /usr/bin/creds\n", 0o666)
		}, doctor.Fail, "credential_process in [profile ext]", "chmod go-w", true},
		{"0666 config naming no command", func(w *world) {
			w.write(w.files.Config, healthyConfig, 0o666)
		}, doctor.Warn, "names no command", "chmod go-w", true},
		{"0666 awsenv config naming a provider", func(w *world) {
			w.write(w.global, "[default]\nmfa_provider = vault\n", 0o666)
		}, doctor.Fail, "mfa_provider = vault in [default]", "chmod go-w", true},
		{"0666 awsenv config with a built-in provider", func(w *world) {
			w.write(w.global, "[default]\nmfa_provider = ykman\n", 0o666)
		}, doctor.Warn, "names no command", "chmod go-w", true},
		{"missing config", func(w *world) {
			w.files.Config = filepath.Join(w.dir, "nowhere", "config")
			w.write(w.files.Credentials, healthyCredentials, 0o600)
		}, doctor.Pass, "nowhere/config does not exist)", "", true},
		{"unreadable path", func(w *world) {
			w.files.Config = filepath.Join(w.files.Credentials, "config") // under a file
		}, doctor.Fail, "cannot read ", "ls -l ", false},
		{"parse error", func(w *world) {
			w.write(w.files.Config, "[profile alice\nregion = eu-west-1\n", 0o600)
		}, doctor.Fail, "line 1", "Fix the file at the line named", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			tc.setup(w)
			rep := w.run("alice")
			want(t, rep, "files", tc.status, tc.detail, tc.fix)
			ran := slices.Contains(names(rep), "profile")
			if ran != tc.rest {
				t.Errorf("profile checks ran: %v, want %v (%v)", ran, tc.rest, names(rep))
			}
			// The shell and its environment are checked whatever the files say.
			find(t, rep, "shell-hook")
			find(t, rep, "environment")
		})
	}
}

// Both files missing: the files pass with a note, and the profile fails
// with the way to list profiles.
func TestDoctorMissingProfile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		profile string
		missing bool
	}{
		{"no files", "alice", true},
		{"no such profile", "bob", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			if tc.missing {
				w.files.Config = filepath.Join(w.dir, "none", "config")
				w.files.Credentials = filepath.Join(w.dir, "none", "credentials")
			}
			rep := w.run(tc.profile)
			want(t, rep, "files", doctor.Pass, "parse", "")
			want(t, rep, "profile", doctor.Fail, tc.profile, "awsenv list")
			if got := names(rep); !slices.Equal(got, []string{"files", "profile", "shell-hook", "environment"}) {
				t.Errorf("checks after a missing profile: %v", got)
			}
		})
	}
}
