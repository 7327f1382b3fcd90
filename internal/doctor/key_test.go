package doctor_test

import (
	"slices"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/doctor"
)

// The key check: the shapes of the long-term key in the file.
func TestDoctorKeyShapes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		credentials string
		status      string
		detail, fix string
	}{
		{"long-term key", healthyCredentials, doctor.Pass, "holds the long-term key " + keyID, ""},
		{"session credentials", "[alice]\naws_access_key_id = ASIAIOSFODNN7EXAMPLE\naws_secret_access_key = " + secret + "\naws_session_token = tok\n",
			doctor.Warn, "holds session credentials (ASIAIOSFODNN7EXAMPLE with aws_session_token)", "Keep the user's long-term key (AKIA...)"},
		{"not shaped like a key", "[alice]\naws_access_key_id = AKIA-not-a-key\naws_secret_access_key = " + secret + "\n",
			doctor.Fail, `aws_access_key_id "AKIA-not-a-key"`, "check for stray spaces or quotes"},
		{"lower case", "[alice]\naws_access_key_id = AKIAiosfodnn7example\naws_secret_access_key = " + secret + "\n",
			doctor.Fail, "is not shaped like an access key", ""},
		{"short secret", "[alice]\naws_access_key_id = " + keyID + "\naws_secret_access_key = short\n",
			doctor.Fail, "aws_secret_access_key in [alice]", "awsenv rotate alice"},
		{"long-term key with a token", healthyCredentials + "aws_session_token = tok\n",
			doctor.Fail, "pairs the long-term key " + keyID + " with an aws_session_token", "Remove the aws_session_token line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.write(w.files.Credentials, tc.credentials, 0o600)
			rep := w.run("alice")
			c := want(t, rep, "key", tc.status, tc.detail, tc.fix)
			if tc.name == "short secret" && c.Detail != "aws_secret_access_key in [alice] in "+w.files.Credentials+" is 5 characters long, not 40" {
				t.Errorf("short secret: %q", c.Detail)
			}
		})
	}
}

// [default] holding session credentials: a warning, and a failure when it
// is the profile in use and has an MFA device (GetSessionToken refuses).
func TestDoctorDefaultProfile(t *testing.T) {
	t.Parallel()
	const sessionDefault = "[default]\naws_access_key_id = ASIAIOSFODNN7EXAMPLE\naws_secret_access_key = " + secret + "\naws_session_token = tok\n"
	for _, tc := range []struct {
		name, config, credentials, profile string
		status                             string
	}{
		{"no default", healthyConfig, healthyCredentials, "alice", doctor.Pass},
		{"default with a long-term key", healthyConfig, healthyCredentials + "[default]\naws_access_key_id = " + keyID + "\naws_secret_access_key = " + secret + "\n", "alice", doctor.Pass},
		{"session default beside the profile", healthyConfig, healthyCredentials + sessionDefault, "alice", doctor.Warn},
		{"session default in use with MFA", "[default]\nmfa_serial = " + serial + "\n", sessionDefault, "default", doctor.Fail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.write(w.files.Config, tc.config, 0o600)
			w.write(w.files.Credentials, tc.credentials, 0o600)
			rep := w.run(tc.profile)
			if tc.status == doctor.Pass {
				want(t, rep, "default-profile", doctor.Pass, "[default] holds no session credentials", "")
				return
			}
			want(t, rep, "default-profile", tc.status, "Cannot call GetSessionToken with session credentials", "[default-long-term]")
		})
	}
}

// The clock check, from the offset the STS client measured.
func TestDoctorClock(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		skew        time.Duration
		ok          bool
		callErr     error
		status      string
		detail, fix string
	}{
		{"in step", 300 * time.Millisecond, true, nil, doctor.Pass, "in step with AWS's", ""},
		{"seconds off", 3 * time.Second, true, nil, doctor.Pass, "within 3s of AWS's", ""},
		{"just under the warning", doctor.SkewWarn - time.Second, true, nil, doctor.Pass, "within 59s", ""},
		{"at the warning", doctor.SkewWarn, true, nil, doctor.Warn, "your clock is 1m0s behind AWS's", "timedatectl"},
		{"behind", 90 * time.Second, true, nil, doctor.Warn, "your clock is 1m30s behind AWS's", "timedatectl set-ntp true"},
		{"ahead", -90 * time.Second, true, nil, doctor.Warn, "1m30s ahead of AWS's", "timedatectl"},
		{"far off", 10 * time.Minute, true, nil, doctor.Fail, "about 10 minutes behind AWS's; AWS refuses signatures 15 minutes off", "timedatectl"},
		{"at the limit", -doctor.SkewFail, true, nil, doctor.Fail, "ahead of AWS's", "timedatectl"},
		{"far off and refused", 20 * time.Minute, true, apiError("SignatureDoesNotMatch", "Signature expired"), doctor.Fail, "about 20 minutes", ""},
		{"no answer", 0, false, transportError(), doctor.Skip, "STS could not be reached to compare clocks", "AWS_ENDPOINT_URL"},
		{"no Date header", 0, false, nil, doctor.Skip, "no Date header", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.skew, w.skewOK = tc.skew, tc.ok
			if tc.callErr != nil {
				w.sts.errs[keyID] = tc.callErr
			}
			rep := w.run("alice")
			want(t, rep, "clock", tc.status, tc.detail, tc.fix)
		})
	}
}

// The identity check: the long-term key signs GetCallerIdentity, and a
// refusal is explained by the catalogue; the later checks that need the
// key then skip.
func TestDoctorIdentity(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		err         error
		status      string
		detail, fix string
	}{
		{"works", nil, doctor.Pass, keyID + " is " + userARN, ""},
		{"unknown key", apiError("InvalidClientTokenId", "The security token included in the request is invalid."),
			doctor.Fail, "explained: GetCallerIdentity: InvalidClientTokenId", "fix for alice"},
		{"wrong secret", apiError("SignatureDoesNotMatch", "The request signature we calculated does not match"),
			doctor.Fail, "explained: GetCallerIdentity: SignatureDoesNotMatch", "fix for alice"},
		{"no network", transportError(), doctor.Fail, "explained: GetCallerIdentity: dial tcp", "fix for alice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			if tc.err != nil {
				w.sts.errs[keyID] = tc.err
			}
			rep := w.run("alice")
			want(t, rep, "identity", tc.status, tc.detail, tc.fix)
			if tc.err == nil {
				if !slices.Equal(w.iam.users, []string{"alice", "alice"}) {
					t.Errorf("IAM was asked about %v, want the user named by the ARN", w.iam.users)
				}
				return
			}
			want(t, rep, "key-active", doctor.Skip, "needs a working long-term key", "")
			want(t, rep, "mfa-device", doctor.Skip, "needs a working long-term key", "")
			if len(w.iam.users) != 0 {
				t.Errorf("IAM was called with a key that does not work: %v", w.iam.users)
			}
		})
	}
}

// A profile with no long-term key (session credentials in the file) does
// not call STS with them.
func TestDoctorIdentitySessionProfile(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.write(w.files.Config, "[profile alice]\nregion = eu-west-1\n", 0o600)
	w.write(w.files.Credentials, "[alice]\naws_access_key_id = ASIAIOSFODNN7EXAMPLE\naws_secret_access_key = "+secret+"\naws_session_token = tok\n", 0o600)
	rep := w.run("alice")
	want(t, rep, "clock", doctor.Skip, "needs a long-term key", "")
	want(t, rep, "identity", doctor.Skip, "the profile holds no long-term key", "")
	want(t, rep, "key-active", doctor.Skip, "needs a working long-term key", "")
	want(t, rep, "mfa-device", doctor.Pass, "no mfa_serial", "")
	if len(w.sts.callers) != 0 {
		t.Errorf("STS was called with %v", w.sts.callers)
	}
}

// The key-active check: IAM's view of the key.
func TestDoctorKeyActive(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		keys        []fakeKey
		err         error
		status      string
		detail, fix string
	}{
		{"active", []fakeKey{{ID: keyID, Active: true, Created: now0.AddDate(0, 0, -10)}}, nil,
			doctor.Pass, keyID + " is active (1 of 2 keys)", ""},
		{"active, age unknown", []fakeKey{{ID: oldKey, Active: false}, {ID: keyID, Active: true}}, nil,
			doctor.Pass, keyID + " is active (2 of 2 keys)", ""},
		{"just under the age limit", []fakeKey{{ID: keyID, Active: true, Created: now0.Add(-doctor.KeyMaxAge)}}, nil,
			doctor.Pass, "is active", ""},
		{"old", []fakeKey{{ID: keyID, Active: true, Created: now0.Add(-doctor.KeyMaxAge - 24*time.Hour)}}, nil,
			doctor.Warn, keyID + " is active but 91 days old", "Rotate it: awsenv rotate alice"},
		{"inactive", []fakeKey{{ID: keyID, Active: false, Created: now0.AddDate(0, 0, -10)}}, nil,
			doctor.Fail, keyID + " is Inactive in IAM", "aws iam update-access-key --user-name alice --access-key-id " + keyID + " --status Active"},
		{"not the user's", []fakeKey{{ID: oldKey, Active: true}}, nil,
			doctor.Fail, "IAM does not list " + keyID + " among the keys of alice", "Check that the profile holds this user's key."},
		{"not allowed", nil, apiError("AccessDenied", "User alice is not authorized to perform iam:ListAccessKeys"),
			doctor.Skip, "user alice may not call iam:ListAccessKeys", "`awsenv keys alice` tries again with an MFA session."},
		{"other error", nil, apiError("Throttling", "Rate exceeded"),
			doctor.Fail, "explained: GetCallerIdentity: Throttling", "fix for alice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.iam.keys, w.iam.keysErr = tc.keys, tc.err
			rep := w.run("alice")
			want(t, rep, "key-active", tc.status, tc.detail, tc.fix)
		})
	}
}
