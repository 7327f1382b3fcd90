package credflow

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
)

const tagsConfig = testConfig + `
[profile tagged]
role_arn = arn:aws:iam::123456789012:role/plain
source_profile = nomfa
session_tags = team = core , env=prod
transitive_session_tags = team
source_identity = alice

[profile tagged2]
role_arn = arn:aws:iam::123456789012:role/plain
source_profile = nomfa
session_tags = team=edge,env=prod
transitive_session_tags = team
source_identity = alice

[profile badtags]
role_arn = arn:aws:iam::123456789012:role/plain
source_profile = nomfa
session_tags = team
`

// aws-vault's session_tags, transitive_session_tags and source_identity go
// with AssumeRole, as aws-vault writes them.
func TestRoleSessionTagsSent(t *testing.T) {
	r := newRigWith(t, tagsConfig, testCredentials)
	r.get(t, "tagged", Options{})
	if len(r.sts.ar) != 1 {
		t.Fatalf("AssumeRole calls = %d", len(r.sts.ar))
	}
	in := r.sts.ar[0]
	if !reflect.DeepEqual(in.Tags, map[string]string{"team": "core", "env": "prod"}) ||
		!reflect.DeepEqual(in.TransitiveTagKeys, []string{"team"}) || in.SourceIdentity != "alice" {
		t.Errorf("AssumeRole sent tags %v, transitive %v, source identity %q", in.Tags, in.TransitiveTagKeys, in.SourceIdentity)
	}
	// A role without them sends none.
	r.get(t, "plain-role", Options{})
	if in := r.sts.ar[1]; in.Tags != nil || in.TransitiveTagKeys != nil || in.SourceIdentity != "" {
		t.Errorf("plain-role sent %v %v %q", in.Tags, in.TransitiveTagKeys, in.SourceIdentity)
	}
}

// The tags are part of the role session's cache key: other tags make
// another session; a role without tags keeps the key it had.
func TestRoleSessionTagsInKey(t *testing.T) {
	r := newRigWith(t, tagsConfig, testCredentials)
	tagged, _ := r.flow.Config.Resolve("tagged")
	tagged2, _ := r.flow.Config.Resolve("tagged2")
	plain, _ := r.flow.Config.Resolve("plain-role")
	k1, _ := r.flow.roleKey(tagged, 0)
	k2, _ := r.flow.roleKey(tagged2, 0)
	kp, _ := r.flow.roleKey(plain, 0)
	if reflect.DeepEqual(k1.Parts, k2.Parts) {
		t.Errorf("other session tags, same key parts %v", k1.Parts)
	}
	if len(kp.Parts) != 7 || len(k1.Parts) != 8 || !strings.Contains(k1.Parts[7], `"team"="core"`) {
		t.Errorf("key parts: plain %q, tagged %q", kp.Parts, k1.Parts)
	}
}

// Keys written wrong are refused before any call, naming the key.
func TestClientKeysRefusedByName(t *testing.T) {
	cfg := tagsConfig + `
[profile badfips]
role_arn = arn:aws:iam::123456789012:role/plain
source_profile = badretry
[profile badretry]
aws_access_key_id = AKIAI44QH8DHBEXAMPLE
aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY
retry_mode = sometimes
[profile badsts]
sts_regional_endpoints = global
aws_access_key_id = AKIAI44QH8DHBEXAMPLE
aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY
[profile badmax]
max_attempts = 0
aws_access_key_id = AKIAI44QH8DHBEXAMPLE
aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY
[profile badtrans]
role_arn = arn:aws:iam::123456789012:role/plain
source_profile = nomfa
session_tags = a=1
transitive_session_tags = b
`
	r := newRigWith(t, cfg, testCredentials)
	for name, key := range map[string]string{"badtags": "session_tags", "badfips": "retry_mode", "badsts": "sts_regional_endpoints",
		"badmax": "max_attempts", "badtrans": "transitive_session_tags"} {
		_, err := r.flow.Get(context.Background(), name, Options{})
		var pe *profiles.ProfileError
		if !errors.As(err, &pe) || !strings.Contains(pe.Problem, key) {
			t.Errorf("%s: %v; want an error naming %s", name, err, key)
		}
	}
	if len(r.sts.ar)+len(r.sts.gst) != 0 {
		t.Errorf("calls made: %d AssumeRole, %d GetSessionToken", len(r.sts.ar), len(r.sts.gst))
	}
}

// The profile's client settings reach the helper in the Target.
func TestTargetCarriesClientSettings(t *testing.T) {
	r := newRigWith(t, testConfig+`
[profile tuned]
use_fips_endpoint = TRUE
use_dualstack_endpoint = false
max_attempts = 7
retry_mode = Adaptive
sts_regional_endpoints = legacy
aws_access_key_id = AKIAI44QH8DHBEXAMPLE
aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY
`, testCredentials)
	p, err := r.flow.Config.Get("tuned")
	if err != nil {
		t.Fatal(err)
	}
	tg := Target(r.flow.Config, p, "eu-west-1")
	e := tg.Endpoints
	if e.FIPS == nil || !*e.FIPS || e.DualStack == nil || *e.DualStack || e.STSRegional != "legacy" ||
		tg.Retries.MaxAttempts != 7 || tg.Retries.Mode != "adaptive" {
		t.Errorf("Target = %+v", tg)
	}
	p2, _ := r.flow.Config.Get("alice")
	if tg := Target(r.flow.Config, p2, ""); tg.Endpoints.FIPS != nil || tg.Endpoints.DualStack != nil || tg.Retries != (awsapi.Retries{}) {
		t.Errorf("alice's Target = %+v", tg)
	}
}

// The account exported as AWS_ACCOUNT_ID: the source's, the identity's,
// the role's, the profile's aws_account_id; none when none is known.
func TestResultAccountID(t *testing.T) {
	role := &profiles.Resolved{Kind: profiles.KindRole, Profile: &profiles.Profile{RoleARN: "arn:aws:iam::222233334444:role/r"}}
	keys := &profiles.Resolved{Kind: profiles.KindUser, Profile: &profiles.Profile{Client: profiles.ClientKeys{AccountID: "111122223333"}}}
	bare := &profiles.Resolved{Kind: profiles.KindUser, Profile: &profiles.Profile{}}
	for _, tc := range []struct {
		res  Result
		want string
	}{
		{Result{Credentials: profiles.Credentials{AccountID: "555566667777"}, Resolved: role}, "555566667777"},
		{Result{Credentials: profiles.Credentials{ARN: "arn:aws:sts::999988887777:assumed-role/r/s"}, Resolved: role}, "999988887777"},
		{Result{Resolved: role}, "222233334444"},
		{Result{Resolved: keys}, "111122223333"},
		{Result{Resolved: bare}, ""},
		{Result{}, ""},
	} {
		if got := tc.res.AccountID(); got != tc.want {
			t.Errorf("AccountID of %+v = %q; want %q", tc.res, got, tc.want)
		}
	}
}
