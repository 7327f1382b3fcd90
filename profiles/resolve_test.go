package profiles_test

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

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
		{name: "ec2", kinds: []profiles.Kind{profiles.KindRole, profiles.KindCredentialSource}, chain: []string{"ec2", "ec2"}},
		{name: "sso", errProfile: "sso", errWant: []string{"IAM Identity Center (SSO) profile but lacks sso_region in [profile sso]", "aws configure sso --profile sso", cfg}},
		{name: "ssosession", errProfile: "ssosession", errWant: []string{"it has sso_session (IAM Identity Center) but neither sso_account_id nor sso_role_name", "Add sso_account_id and sso_role_name to [profile ssosession]", cfg}},
		{name: "proc", kinds: []profiles.Kind{profiles.KindUser}, chain: []string{"proc"}},
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
			if base.Source != nil || base.Profile.Name != tt.chain[len(tt.chain)-1] || (base.Profile.AccessKeyID == "" && !base.Profile.HasCredentialProcess() && base.Kind != profiles.KindCredentialSource) {
				t.Errorf("Base() = %s (%s), want the profile with keys (or a credential_process, or a credential_source)", base.Profile.Name, base.Kind)
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
// links, and that a base with keys and a role of its own (a role when asked
// for itself) is used for its keys as a source, as the AWS CLI does.
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
	// n role profiles (p0..pn-1), then pn as the key holder: its own
	// role_arn is not assumed when it is a source.
	if depth != n || r.Base().Kind != profiles.KindUser || r.Region() != "ap-south-1" {
		t.Errorf("depth %d base %s region %q", depth, r.Base().Kind, r.Region())
	}
}

// chainConfig is a chain c0 -> c1 -> ... -> c(n-1) -> base of n roles.
func chainConfig(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		src := "c" + strconv.Itoa(i+1)
		if i == n-1 {
			src = "base"
		}
		b.WriteString("[profile c" + strconv.Itoa(i) + "]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = " + src + "\n")
	}
	b.WriteString("[profile base]\naws_access_key_id = " + exampleKeyID + "\naws_secret_access_key = " + exampleSecret + "\n")
	return b.String()
}

// Up to MaxChainDepth roles resolve; one more is an error naming the
// profile asked for, its depth and the limit, for every profile above it.
func TestResolveDepthLimit(t *testing.T) {
	c := load(t, chainConfig(profiles.MaxChainDepth+2), "-")
	// c2 is MaxChainDepth roles from base; c1 one more, c0 two more.
	if r, err := c.Resolve("c2"); err != nil || r.Base().Profile.Name != "base" {
		t.Fatalf("Resolve(c2) = %v, %v", r, err)
	}
	for name, depth := range map[string]int{"c1": profiles.MaxChainDepth + 1, "c0": profiles.MaxChainDepth + 2} {
		_, err := c.Resolve(name)
		var pe *profiles.ProfileError
		want := fmt.Sprintf("assumes %d roles one after the other, more than the %d awsenv follows", depth, profiles.MaxChainDepth)
		if !errors.As(err, &pe) || pe.Profile != name || !strings.Contains(err.Error(), want) {
			t.Errorf("Resolve(%s) = %v, want a ProfileError saying %q", name, err, want)
		}
	}
}

// Resolving every profile of a 20,000-deep chain, as list does, is linear:
// each profile is resolved once.
func TestResolveVeryDeepChainIsLinear(t *testing.T) {
	const n = 20000
	c := load(t, chainConfig(n), "-")
	start := time.Now()
	for i := 0; i < n; i++ {
		_, err := c.Resolve("c" + strconv.Itoa(i))
		if (err == nil) != (n-i <= profiles.MaxChainDepth) {
			t.Fatalf("Resolve(c%d) = %v", i, err)
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("resolving %d profiles took %s", n, d)
	}
}

// Errors name the SSO keys and include_profile awsenv saw.
func TestResolveNamesWhatItSaw(t *testing.T) {
	c := load(t, lines(
		"[profile ssorole]", "role_arn = arn:aws:iam::123456789012:role/r", "sso_session = corp", "sso_account_id = 1",
		"[profile inc]", "include_profile = base", "region = eu-west-1",
		"[profile incrole]", "include_profile = base", "role_arn = arn:aws:iam::123456789012:role/r",
		"[profile ssowithsource]", "role_arn = arn:aws:iam::123456789012:role/r", "sso_session = corp", "source_profile = base",
		"[profile base]", "aws_access_key_id = "+exampleKeyID, "aws_secret_access_key = "+exampleSecret), "-")
	for name, want := range map[string][]string{
		"ssorole": {`profile "ssorole"`, "it has role_arn and sso_account_id, sso_session (IAM Identity Center) but no source_profile",
			"assumes a role only with a source_profile's credentials", "set source_profile = that profile in [profile ssorole]"},
		"inc": {"no credentials", "include_profile = base, an aws-vault setting that neither the AWS CLI nor awsenv reads",
			"copy the keys this profile needs from [profile base]"},
		"incrole": {"role_arn without source_profile", "include_profile = base"},
	} {
		_, err := c.Resolve(name)
		if err == nil {
			t.Errorf("Resolve(%s) worked", name)
			continue
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Resolve(%s) = %q, lacks %q", name, err, w)
			}
		}
	}
	// role_arn, sso_* and source_profile: the AWS CLI assumes the role with
	// the source's credentials, and so does awsenv.
	if r, err := c.Resolve("ssowithsource"); err != nil || r.Kind != profiles.KindRole || r.Source.Profile.Name != "base" {
		t.Errorf("Resolve(ssowithsource) = %+v, %v", r, err)
	}
}
