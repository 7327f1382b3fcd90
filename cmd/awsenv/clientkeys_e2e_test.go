//go:build unix

package main

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/internal/testsupport/fakeaws"
)

// aws-vault's session_tags, transitive_session_tags and source_identity go
// with AssumeRole; `use` exports AWS_ACCOUNT_ID (the assumed role's
// account, or a key profile's aws_account_id) and unset removes it.
func TestSessionTagsAndAccountIDE2E(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tagged := "arn:aws:iam::123456789012:role/tagged"
	w.fake.AddRole(tagged, fakeaws.RoleOptions{})
	w.writeCredentials(fmt.Sprintf("[alice]\naws_access_key_id = %s\naws_secret_access_key = %s\n[nomfa]\naws_access_key_id = %s\naws_secret_access_key = %s\n",
		userKeyID, userSecret, userKeyID, userSecret))
	w.writeConfig(fmt.Sprintf(`[profile alice]
region = eu-west-1
mfa_serial = %s

[profile nomfa]
region = eu-west-1
aws_account_id = 111122223333

[profile tagged]
role_arn = %s
source_profile = nomfa
session_tags = team=core, env=prod
transitive_session_tags = team
source_identity = alice
`, serial, tagged))
	r := w.shell("bash", `set -eu
eval "$(awsenv use tagged)"; echo "role=$AWS_ACCOUNT_ID"
eval "$(awsenv use nomfa)"; echo "keys=$AWS_ACCOUNT_ID"
eval "$(awsenv unset)"; echo "unset=${AWS_ACCOUNT_ID-none}"
`)
	if r.code != 0 {
		t.Fatalf("use: %s", r)
	}
	vals := parseKV(r.stdout)
	if vals["role"] != "123456789012" || vals["keys"] != "111122223333" || vals["unset"] != "none" {
		t.Errorf("AWS_ACCOUNT_ID: %v", vals)
	}
	got := w.fake.AssumeRoleRequests()
	if len(got) != 1 || !reflect.DeepEqual(got[0].Tags, map[string]string{"team": "core", "env": "prod"}) ||
		!reflect.DeepEqual(got[0].TransitiveTagKeys, []string{"team"}) || got[0].SourceIdentity != "alice" {
		t.Errorf("AssumeRole sent %+v", got)
	}
	// A profile whose session_tags are not KEY=VALUE is refused, naming the key.
	w.writeConfig("[profile nomfa]\nregion = eu-west-1\n[profile bad]\nrole_arn = " + tagged + "\nsource_profile = nomfa\nsession_tags = team\n")
	if r := w.run("use", "bad"); r.code == 0 || !strings.Contains(r.stderr, "session_tags") {
		t.Errorf("use bad: %s", r)
	}
}
