package profiles_test

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/profiles"
)

const (
	userSerial  = "arn:aws:iam::123456789012:mfa/alice"
	role3Serial = "arn:aws:iam::123456789012:mfa/role3"
)

var resolveConfig = lines(
	"[profile user]",
	"region = eu-west-1",
	"mfa_serial = "+userSerial,
	"",
	"[profile role1]",
	"role_arn = arn:aws:iam::123456789012:role/one",
	"source_profile = user",
	"",
	"[profile role2]",
	"role_arn = arn:aws:iam::123456789012:role/two",
	"source_profile = role1",
	"region = us-west-2",
	"",
	"[profile role3]",
	"role_arn = arn:aws:iam::123456789012:role/three",
	"source_profile = role2",
	"mfa_serial = "+role3Serial,
	"",
	"[profile fromsession]",
	"role_arn = arn:aws:iam::123456789012:role/fromsession",
	"source_profile = sess",
	"",
	"[profile self]",
	"role_arn = arn:aws:iam::123456789012:role/self",
	"source_profile = self",
	"",
	"[profile selfnokeys]",
	"role_arn = arn:aws:iam::123456789012:role/self",
	"source_profile = selfnokeys",
	"",
	"[profile loopa]",
	"role_arn = arn:aws:iam::123456789012:role/a",
	"source_profile = loopb",
	"",
	"[profile loopb]",
	"role_arn = arn:aws:iam::123456789012:role/b",
	"source_profile = loopa",
	"",
	"[profile intoloop]",
	"role_arn = arn:aws:iam::123456789012:role/into",
	"source_profile = loopa",
	"",
	"[profile orphan]",
	"role_arn = arn:aws:iam::123456789012:role/orphan",
	"source_profile = ghost",
	"",
	"[profile badsource]",
	"role_arn = arn:aws:iam::123456789012:role/x",
	"source_profile = $(id)",
	"",
	"[profile nosource]",
	"role_arn = arn:aws:iam::123456789012:role/nosource",
	"",
	"[profile ec2]",
	"role_arn = arn:aws:iam::123456789012:role/ec2",
	"credential_source = Ec2InstanceMetadata",
	"",
	"[profile sso]",
	"sso_start_url = https://example.awsapps.com/start",
	"sso_account_id = 123456789012",
	"sso_role_name = Admin",
	"",
	"[profile ssosession]",
	"sso_session = corp",
	"",
	"[profile proc]",
	"credential_process = /usr/local/bin/get-creds",
	"",
	"[profile empty]",
	"region = eu-west-1",
	"",
	"[profile baddur]",
	"role_arn = arn:aws:iam::123456789012:role/x",
	"source_profile = user",
	"duration_seconds = 1h",
	"",
	"[profile zerodur]",
	"role_arn = arn:aws:iam::123456789012:role/x",
	"source_profile = user",
	"duration_seconds = 0",
	"",
	"[profile gooddur]",
	"role_arn = arn:aws:iam::123456789012:role/x",
	"source_profile = user",
	"duration_seconds = 3600",
	"",
	"[profile badsrcdur]",
	"role_arn = arn:aws:iam::123456789012:role/x",
	"source_profile = baddur",
)

var resolveCredentials = lines(
	"[user]",
	"aws_access_key_id = "+exampleKeyID,
	"aws_secret_access_key = "+exampleSecret,
	"",
	"[sess]",
	"aws_access_key_id = ASIAIOSFODNN7EXAMPLE",
	"aws_secret_access_key = "+exampleSecret,
	"aws_session_token = "+exampleToken,
	"",
	"[self]",
	"aws_access_key_id = "+exampleKeyID2,
	"aws_secret_access_key = "+exampleSecret2,
	"",
	"[keyonly]",
	"aws_access_key_id = "+exampleKeyID,
	"",
	"[secretonly]",
	"aws_secret_access_key = "+exampleSecret,
	"",
	"[tokenonly]",
	"aws_session_token = "+exampleToken,
)

func TestResolve(t *testing.T) {
	c := load(t, resolveConfig, resolveCredentials)
	cfg, creds := c.Files.Config, c.Files.Credentials

	tests := []struct {
		name string
		// success
		kinds  []profiles.Kind // along the chain, top first
		chain  []string        // profile names along the chain
		region string
		serial string
		// failure
		errProfile string   // ProfileError.Profile; "" when no error expected
		errWant    []string // substrings of the message
	}{
		{name: "user", kinds: []profiles.Kind{profiles.KindUser}, chain: []string{"user"},
			region: "eu-west-1", serial: userSerial},
		{name: "sess", kinds: []profiles.Kind{profiles.KindSession}, chain: []string{"sess"}},
		{name: "role1", kinds: []profiles.Kind{profiles.KindRole, profiles.KindUser}, chain: []string{"role1", "user"},
			region: "eu-west-1", serial: userSerial},
		{name: "role2", kinds: []profiles.Kind{profiles.KindRole, profiles.KindRole, profiles.KindUser},
			chain: []string{"role2", "role1", "user"}, region: "us-west-2", serial: userSerial},
		{name: "role3", kinds: []profiles.Kind{profiles.KindRole, profiles.KindRole, profiles.KindRole, profiles.KindUser},
			chain: []string{"role3", "role2", "role1", "user"}, region: "us-west-2", serial: role3Serial},
		{name: "fromsession", kinds: []profiles.Kind{profiles.KindRole, profiles.KindSession}, chain: []string{"fromsession", "sess"}},
		{name: "self", kinds: []profiles.Kind{profiles.KindRole, profiles.KindUser}, chain: []string{"self", "self"}},
		{name: "gooddur", kinds: []profiles.Kind{profiles.KindRole, profiles.KindUser}, chain: []string{"gooddur", "user"},
			region: "eu-west-1", serial: userSerial},

		{name: "selfnokeys", errProfile: "selfnokeys", errWant: []string{"source_profile loop: selfnokeys -> selfnokeys", cfg}},
		{name: "loopa", errProfile: "loopa", errWant: []string{"source_profile loop: loopa -> loopb -> loopa", cfg}},
		{name: "loopb", errProfile: "loopb", errWant: []string{"source_profile loop: loopb -> loopa -> loopb", cfg}},
		{name: "intoloop", errProfile: "intoloop", errWant: []string{"source_profile loop: loopa -> loopb -> loopa", cfg}},
		{name: "orphan", errProfile: "orphan", errWant: []string{`profile "orphan"`, `source_profile "ghost" does not exist`, cfg}},
		{name: "badsource", errProfile: "badsource", errWant: []string{`source_profile "$(id)" does not exist`, cfg}},
		{name: "nosource", errProfile: "nosource", errWant: []string{"role_arn without source_profile", cfg}},
		{name: "ec2", errProfile: "ec2", errWant: []string{"credential_source = Ec2InstanceMetadata is not supported", cfg}},
		{name: "sso", errProfile: "sso", errWant: []string{"(SSO) profiles are not supported", cfg}},
		{name: "ssosession", errProfile: "ssosession", errWant: []string{"(SSO) profiles are not supported", cfg}},
		{name: "proc", errProfile: "proc", errWant: []string{"credential_process", cfg}},
		{name: "empty", errProfile: "empty", errWant: []string{"no credentials", creds, cfg}},
		{name: "keyonly", errProfile: "keyonly", errWant: []string{"aws_access_key_id without aws_secret_access_key", creds}},
		{name: "secretonly", errProfile: "secretonly", errWant: []string{"aws_secret_access_key without aws_access_key_id", creds}},
		{name: "tokenonly", errProfile: "tokenonly", errWant: []string{"no credentials", creds}},
		{name: "baddur", errProfile: "baddur", errWant: []string{"duration_seconds is not a positive whole number", cfg}},
		{name: "zerodur", errProfile: "zerodur", errWant: []string{"duration_seconds"}},
		{name: "badsrcdur", errProfile: "baddur", errWant: []string{"duration_seconds is not a positive whole number"}},
		{name: "missing", errProfile: "missing", errWant: []string{"no such profile", cfg, creds}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := c.Resolve(tt.name)
			if tt.errProfile != "" {
				if err == nil {
					t.Fatalf("Resolve succeeded: %+v", r)
				}
				var pe *profiles.ProfileError
				if !errors.As(err, &pe) {
					t.Fatalf("error %T %v, want *ProfileError", err, err)
				}
				if pe.Profile != tt.errProfile {
					t.Errorf("ProfileError.Profile = %q, want %q", pe.Profile, tt.errProfile)
				}
				mustContain(t, err.Error(), tt.errWant...)
				if strings.Contains(err.Error(), exampleSecret) || strings.Contains(err.Error(), exampleSecret2) {
					t.Errorf("error shows a secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			var kinds []profiles.Kind
			var chain []string
			for x := r; x != nil; x = x.Source {
				kinds = append(kinds, x.Kind)
				chain = append(chain, x.Profile.Name)
				if (x.Kind == profiles.KindRole) != (x.Source != nil) {
					t.Errorf("%s: Kind %s with Source %v", x.Profile.Name, x.Kind, x.Source)
				}
			}
			if !reflect.DeepEqual(kinds, tt.kinds) || !reflect.DeepEqual(chain, tt.chain) {
				t.Errorf("chain %q kinds %q, want %q %q", chain, kinds, tt.chain, tt.kinds)
			}
			base := r.Base()
			if base.Source != nil || base.Profile.Name != tt.chain[len(tt.chain)-1] || base.Profile.AccessKeyID == "" {
				t.Errorf("Base() = %s (%s), want the profile with keys", base.Profile.Name, base.Kind)
			}
			if got := r.Region(); got != tt.region {
				t.Errorf("Region() = %q, want %q", got, tt.region)
			}
			if got := r.MFASerial(); got != tt.serial {
				t.Errorf("MFASerial() = %q, want %q", got, tt.serial)
			}
		})
	}
}

func TestResolveInvalidName(t *testing.T) {
	c := load(t, "", "")
	_, err := c.Resolve("$(reboot)")
	var ne *profiles.NameError
	if !errors.As(err, &ne) {
		t.Fatalf("Resolve = %T %v, want *NameError", err, err)
	}
}

// TestResolveLongChain checks that a long chain neither loops nor loses
// links, and that the self-referencing base is handled under it.
func TestResolveLongChain(t *testing.T) {
	var cfg []string
	const n = 40
	for i := 0; i < n; i++ {
		cfg = append(cfg, "[profile p"+strconv.Itoa(i)+"]", "role_arn = arn:aws:iam::123456789012:role/r"+strconv.Itoa(i),
			"source_profile = p"+strconv.Itoa(i+1))
	}
	cfg = append(cfg, "[profile p"+strconv.Itoa(n)+"]", "role_arn = arn:aws:iam::123456789012:role/base",
		"source_profile = p"+strconv.Itoa(n), "aws_access_key_id = "+exampleKeyID, "aws_secret_access_key = "+exampleSecret,
		"region = ap-south-1")
	c := load(t, lines(cfg...), "-")
	r, err := c.Resolve("p0")
	if err != nil {
		t.Fatal(err)
	}
	depth := 0
	for x := r; x.Source != nil; x = x.Source {
		depth++
	}
	// n+1 role profiles (p0..pn), then pn again as the key holder.
	if depth != n+1 || r.Base().Kind != profiles.KindUser || r.Region() != "ap-south-1" {
		t.Errorf("depth %d base %s region %q", depth, r.Base().Kind, r.Region())
	}
}
