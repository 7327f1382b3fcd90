package doctor_test

import (
	"context"
	"testing"

	"github.com/awsenv/awsenv/internal/doctor"
	"github.com/awsenv/awsenv/profiles"
)

// The mfa-device check: the configured serial among the user's devices.
func TestDoctorMFADevice(t *testing.T) {
	t.Parallel()
	const other = "arn:aws:iam::123456789012:mfa/bob"
	for _, tc := range []struct {
		name        string
		profile     string
		config      string
		serials     []string
		err         error
		status      string
		detail, fix string
	}{
		{"present", "alice", healthyConfig, []string{other, serial}, nil,
			doctor.Pass, serial + " is an MFA device of alice", ""},
		{"no mfa_serial", "alice", "[profile alice]\nregion = eu-west-1\n", nil, nil,
			doctor.Pass, "no mfa_serial: sessions are made without MFA", ""},
		{"user has none", "alice", healthyConfig, nil, nil,
			doctor.Fail, "mfa_serial is " + serial + ", but alice has no MFA device", "Assign one in the IAM console"},
		{"wrong serial", "alice", "[profile alice]\nmfa_serial = " + other + "\n", []string{serial}, nil,
			doctor.Fail, "mfa_serial " + other + " of [alice] is not a device of alice, whose devices are " + serial, "Set mfa_serial = " + serial + " in [alice] of "},
		// The serial is on the role; the fix names the profile that holds it.
		{"wrong serial on a role", "prod", "[profile alice]\n[profile prod]\nrole_arn = " + roleARN + "\nsource_profile = alice\nmfa_serial = " + other + "\n",
			[]string{serial}, nil, doctor.Fail, "of [prod] is not a device of alice", "Set mfa_serial = " + serial + " in [prod]"},
		{"not allowed", "alice", healthyConfig, nil, apiError("AccessDenied", "not authorized to perform iam:ListMFADevices"),
			doctor.Skip, "user alice may not call iam:ListMFADevices", ""},
		{"other error", "alice", healthyConfig, nil, apiError("ServiceFailure", "try again"),
			doctor.Fail, "explained: GetCallerIdentity: ServiceFailure", "fix for alice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.write(w.files.Config, tc.config, 0o600)
			w.iam.serials, w.iam.devicesErr = tc.serials, tc.err
			rep := w.run(tc.profile)
			want(t, rep, "mfa-device", tc.status, tc.detail, tc.fix)
		})
	}
}

// The mfa-provider check: what the injected Provider says of the settings
// that apply to the profile holding the serial.
func TestDoctorMFAProvider(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name            string
		profile, config string
		detail, problem string // the Provider's answer
		status          string
		wantDetail, fix string
		provider        string // the provider the settings name
	}{
		{"prompt works", "alice", healthyConfig, "asks for the code on the terminal", "",
			doctor.Pass, "provider prompt: asks for the code on the terminal", "", "prompt"},
		// Only where no one can type: a warning.
		{"prompt without a terminal", "alice", healthyConfig, "Run on a terminal", "it asks on the terminal, and there is none",
			doctor.Warn, "provider prompt: it asks on the terminal, and there is none", "Run on a terminal", "prompt"},
		{"tool missing", "alice", "[profile alice]\nmfa_serial = " + serial + "\nawsenv_mfa_provider = ykman\n", "Install YubiKey Manager", "ykman is not on your PATH",
			doctor.Fail, "provider ykman: ykman is not on your PATH", "Install YubiKey Manager", "ykman"},
		// The role's provider comes from the source profile with the serial.
		{"role uses its source's settings", "prod", "[profile alice]\nmfa_serial = " + serial + "\nawsenv_mfa_provider = op\n" +
			"[profile prod]\nrole_arn = " + roleARN + "\nsource_profile = alice\n", "runs /usr/bin/op", "",
			doctor.Pass, "provider op: runs /usr/bin/op", "", "op"},
		{"bad setting", "alice", "[profile alice]\nmfa_serial = " + serial + "\nawsenv_mfa_timeout = soon\n", "", "",
			doctor.Fail, "awsenv_mfa_timeout", "", ""},
		{"no device", "alice", "[profile alice]\n", "", "",
			doctor.Skip, "no MFA device, so no provider is needed", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.write(w.files.Config, tc.config, 0o600)
			var asked []string
			w.provider = func(_ context.Context, s profiles.Settings) (string, string) {
				asked = append(asked, s.MFAProvider)
				return tc.detail, tc.problem
			}
			rep := w.run(tc.profile)
			want(t, rep, "mfa-provider", tc.status, tc.wantDetail, tc.fix)
			if tc.provider != "" && (len(asked) != 1 || asked[0] != tc.provider) {
				t.Errorf("Provider asked about %v, want %s", asked, tc.provider)
			}
			if tc.provider == "" && len(asked) != 0 {
				t.Errorf("Provider asked about %v", asked)
			}
		})
	}
}
