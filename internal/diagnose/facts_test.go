package diagnose

import (
	"testing"
	"time"

	"github.com/awsenv/awsenv/profiles"
)

func TestFromProfile(t *testing.T) {
	files := profiles.Files{Config: cfgFile, Credentials: credFile}
	user := &profiles.Profile{Name: "alice", AccessKeyID: keyID, SecretAccessKey: profiles.Secret(secret),
		MFASerial: serial, ConfigFile: cfgFile, CredentialsFile: credFile}
	role := &profiles.Profile{Name: "prod", RoleARN: "arn:aws:iam::123456789012:role/admin", SourceProfile: "alice", ConfigFile: cfgFile}
	r := &profiles.Resolved{Profile: role, Kind: profiles.KindRole, Source: &profiles.Resolved{Profile: user, Kind: profiles.KindUser}}
	f := FromProfile(r, files)
	want := Facts{Profile: "prod", KeyFile: credFile, ConfigFile: cfgFile, FileKeyID: keyID, Serial: serial,
		RoleARN: "arn:aws:iam::123456789012:role/admin", Account: "123456789012"}
	if f.Profile != want.Profile || f.KeyFile != want.KeyFile || f.ConfigFile != want.ConfigFile || f.FileKeyID != want.FileKeyID ||
		f.FileToken || f.Serial != want.Serial || f.RoleARN != want.RoleARN || f.Account != want.Account {
		t.Errorf("got  %+v\nwant %+v", f, want)
	}

	// A profile only in the credentials file, holding a session: the
	// config file is where its settings would go.
	sess := &profiles.Profile{Name: "default", AccessKeyID: sessKeyID, SecretAccessKey: "s", SessionToken: "t", CredentialsFile: credFile}
	f = FromProfile(&profiles.Resolved{Profile: sess, Kind: profiles.KindSession}, files)
	if f.ConfigFile != cfgFile || f.KeyFile != credFile || !f.FileToken || f.FileKeyID != sessKeyID || f.Account != "" {
		t.Errorf("session profile: %+v", f)
	}
}

func TestAddEnv(t *testing.T) {
	env := map[string]string{
		"AWS_ACCESS_KEY_ID": sessKeyID, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SECURITY_TOKEN": "t",
		"AWS_PROFILE": "prod", "AWSENV_EXPIRES_AT": "1795435200",
	}
	var f Facts
	f.AddEnv(func(k string) string { return env[k] })
	if f.EnvKeyID != sessKeyID || !f.EnvToken || f.EnvProfile != "prod" || !f.EnvExpires.Equal(time.Unix(1795435200, 0)) {
		t.Errorf("got %+v", f)
	}
	env = map[string]string{"AWSENV_EXPIRES_AT": "soon"}
	f.AddEnv(func(k string) string { return env[k] })
	if f.EnvKeyID != "" || f.EnvToken || f.EnvProfile != "" || !f.EnvExpires.IsZero() {
		t.Errorf("empty environment: %+v", f)
	}
}

func TestSignatureTimes(t *testing.T) {
	for msg, want := range map[string]time.Duration{
		"Signature expired: 20260101T000000Z is now earlier than 20260101T001500Z (20260101T002000Z - 5 min.)":          20 * time.Minute,
		"Signature not yet current: 20260101T002000Z is still later than 20260101T001500Z (20260101T000000Z + 15 min.)": -20 * time.Minute,
	} {
		if got, ok := signatureTimes(msg); !ok || got != want {
			t.Errorf("signatureTimes(%q) = %v %v, want %v", msg, got, ok, want)
		}
	}
	for _, msg := range []string{"Signature expired", "Signature expired: soon (later)", "Signature expired: 20260101T000000Z is now", msgSigMismatch} {
		if _, ok := signatureTimes(msg); ok {
			t.Errorf("signatureTimes(%q) found times", msg)
		}
	}
}

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		7*time.Minute + 12*time.Second + 400*time.Millisecond: "7m12s",
		-45 * time.Second:           "45s",
		2*time.Hour + 3*time.Minute: "2h03m00s",
		72 * time.Hour:              "3 days",
	} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
