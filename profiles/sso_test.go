package profiles_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
	"github.com/awsenv/awsenv/profiles"
)

const ssoConfig = `[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access, ,other:scope

[sso-session nourl]
sso_region = eu-west-1

[sso-session empty]

[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer
region = us-east-2

[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 444455556666
sso_role_name = ReadOnly

[profile agree]
sso_session = corp
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 111122223333
sso_role_name = Developer

[profile urlclash]
sso_session = corp
sso_start_url = https://other.awsapps.com/start
sso_account_id = 111122223333
sso_role_name = Developer

[profile regionclash]
sso_session = corp
sso_region = us-west-2
sso_account_id = 111122223333
sso_role_name = Developer

[profile ghost]
sso_session = nosuch
sso_account_id = 111122223333
sso_role_name = Developer

[profile norole]
sso_session = corp
sso_account_id = 111122223333

[profile noaccount]
sso_start_url = https://legacy.awsapps.com/start
sso_role_name = ReadOnly

[profile sessionnourl]
sso_session = nourl
sso_account_id = 111122223333
sso_role_name = Developer

[profile sessionempty]
sso_session = empty
sso_role_name = Developer

[profile loginonly]
sso_session = corp

[profile withkeys]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

[profile admin]
role_arn = arn:aws:iam::111122223333:role/admin
source_profile = dev

[profile deeper]
role_arn = arn:aws:iam::777788889999:role/deeper
source_profile = admin
region = ap-south-1

[profile onbroken]
role_arn = arn:aws:iam::111122223333:role/admin
source_profile = norole

[profile ssorolenosource]
role_arn = arn:aws:iam::111122223333:role/admin
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer
`

func TestResolveSSO(t *testing.T) {
	c := load(t, ssoConfig, "-")
	cfg := c.Files.Config
	corp := func(account, role string) *profiles.SSO {
		return &profiles.SSO{Session: "corp", StartURL: "https://corp.awsapps.com/start", Region: "eu-west-1",
			Scopes: []string{"sso:account:access", "other:scope"}, AccountID: account, RoleName: role}
	}
	good := map[string]struct {
		kinds  []profiles.Kind
		sso    *profiles.SSO
		region string
	}{
		"dev": {[]profiles.Kind{profiles.KindSSO}, corp("111122223333", "Developer"), "us-east-2"},
		"legacy": {[]profiles.Kind{profiles.KindSSO}, &profiles.SSO{StartURL: "https://legacy.awsapps.com/start", Region: "us-east-1",
			AccountID: "444455556666", RoleName: "ReadOnly"}, ""},
		"agree": {[]profiles.Kind{profiles.KindSSO}, corp("111122223333", "Developer"), ""},
		// botocore's profile providers try SSO before the file's keys.
		"withkeys": {[]profiles.Kind{profiles.KindSSO}, corp("111122223333", "Developer"), ""},
		"admin":    {[]profiles.Kind{profiles.KindRole, profiles.KindSSO}, corp("111122223333", "Developer"), "us-east-2"},
		"deeper":   {[]profiles.Kind{profiles.KindRole, profiles.KindRole, profiles.KindSSO}, corp("111122223333", "Developer"), "ap-south-1"},
	}
	for name, want := range good {
		r, err := c.Resolve(name)
		if err != nil {
			t.Errorf("Resolve(%s): %v", name, err)
			continue
		}
		var kinds []profiles.Kind
		for x := r; x != nil; x = x.Source {
			kinds = append(kinds, x.Kind)
		}
		if !reflect.DeepEqual(kinds, want.kinds) {
			t.Errorf("Resolve(%s) kinds %v, want %v", name, kinds, want.kinds)
		}
		if got := r.Base().SSO; !reflect.DeepEqual(got, want.sso) {
			t.Errorf("Resolve(%s) SSO\n got %+v\nwant %+v", name, got, want.sso)
		}
		if r.Region() != want.region {
			t.Errorf("Resolve(%s) region %q, want %q (sso_region is the portal's, not the profile's)", name, r.Region(), want.region)
		}
	}
	if got := corp("", "").TokenKey(); got != "corp" {
		t.Errorf("TokenKey of a session profile = %q", got)
	}
	if got := good["legacy"].sso.TokenKey(); got != "https://legacy.awsapps.com/start" {
		t.Errorf("TokenKey of a legacy profile = %q", got)
	}

	bad := map[string]struct {
		profile string
		want    []string
	}{
		"urlclash": {"urlclash", []string{`sso_start_url is "https://other.awsapps.com/start" here but "https://corp.awsapps.com/start" in [sso-session corp]`,
			"Remove sso_start_url from [profile urlclash]", cfg}},
		"regionclash": {"regionclash", []string{`sso_region is "us-west-2" here but "eu-west-1" in [sso-session corp]`}},
		"ghost":       {"ghost", []string{"sso_session = nosuch names no [sso-session nosuch] section", "Add [sso-session nosuch]"}},
		"norole":      {"norole", []string{"lacks sso_role_name in [profile norole]", "aws configure sso --profile norole"}},
		"noaccount":   {"noaccount", []string{"lacks sso_account_id, sso_region in [profile noaccount]"}},
		"sessionnourl": {"sessionnourl", []string{"lacks sso_start_url in [sso-session nourl]",
			"Add the missing keys to [sso-session nourl]"}},
		"sessionempty": {"sessionempty", []string{"lacks sso_account_id in [profile sessionempty] and sso_start_url, sso_region in [sso-session empty]"}},
		"loginonly":    {"loginonly", []string{"it has sso_session (IAM Identity Center) but neither sso_account_id nor sso_role_name"}},
		"onbroken":     {"norole", []string{"lacks sso_role_name in [profile norole]"}},
		"ssorolenosource": {"ssorolenosource", []string{"it has role_arn and sso_account_id, sso_role_name, sso_session (IAM Identity Center) but no source_profile",
			"Move the sso_* keys into a profile of their own"}},
	}
	for name, want := range bad {
		r, err := c.Resolve(name)
		if err == nil {
			t.Errorf("Resolve(%s) = %+v, want an error", name, r)
			continue
		}
		var pe *profiles.ProfileError
		if !errors.As(err, &pe) || pe.Profile != want.profile {
			t.Errorf("Resolve(%s) error %T %v, want a ProfileError for %s", name, err, err, want.profile)
		}
		mustContain(t, err.Error(), want.want...)
	}
}

// botocoreSSO is what botocore's SSOProvider makes of each profile: the
// resolved configuration, "none" when it does not apply, or its error.
const botocoreSSO = `
import json, sys, botocore.session
from botocore.credentials import SSOProvider
s = botocore.session.Session()
s.set_config_variable("config_file", sys.argv[1])
s.set_config_variable("credentials_file", "/dev/null")
out = {}
for name in sys.argv[2:]:
    p = SSOProvider(load_config=lambda: s.full_config, client_creator=None, profile_name=name)
    try:
        c = p._load_sso_config()
        out[name] = c if c else "none"
    except Exception as e:
        out[name] = "error: " + str(e)
print(json.dumps(out))
`

// TestSSOAgainstBotocore: a profile is an SSO profile, with the same
// start URL, region, account and role, or an error, exactly when botocore's
// SSOProvider says so. (Role profiles are botocore's AssumeRoleProvider's
// and left out.)
func TestSSOAgainstBotocore(t *testing.T) {
	c := load(t, ssoConfig, "-")
	names := []string{"dev", "legacy", "agree", "withkeys", "urlclash", "regionclash", "ghost", "norole", "noaccount",
		"sessionnourl", "sessionempty", "loginonly"}
	out := testproc.Botocore(t, append([]string{"-c", botocoreSSO, c.Files.Config}, names...)...)
	var want map[string]any
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, name := range names {
		r, err := c.Resolve(name)
		switch w := want[name].(type) {
		case string:
			if w == "none" {
				if err == nil && r.Kind == profiles.KindSSO {
					t.Errorf("%s: botocore does not use SSO, awsenv does", name)
				}
				continue
			}
			if err == nil {
				t.Errorf("%s: botocore says %s, awsenv resolved it", name, w)
			}
		case map[string]any:
			if err != nil {
				t.Errorf("%s: botocore resolves %v, awsenv: %v", name, w, err)
				continue
			}
			s := r.SSO
			got := map[string]any{"sso_start_url": s.StartURL, "sso_region": s.Region, "sso_account_id": s.AccountID, "sso_role_name": s.RoleName}
			if s.Session != "" {
				got["sso_session"] = s.Session
			}
			if !reflect.DeepEqual(got, w) {
				t.Errorf("%s: awsenv %v, botocore %v", name, got, w)
			}
		}
	}
	if !strings.Contains(string(out), "inconsistent") {
		t.Errorf("botocore did not refuse the disagreeing profiles: %s", out)
	}
}
