//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/testsupport/fakeaws"
)

// A source_profile chain of 1,000 roles fails at once, exit 3, naming the
// profile, the depth and the limit, with no AWS call; list marks its
// profiles beyond the limit invalid with the reason, and the ones within
// it as roles.
func TestDeepChainFailsFast(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	var b strings.Builder
	fmt.Fprintf(&b, "[profile alice]\nregion = eu-west-1\nmfa_serial = %s\n", serial)
	const n = 1000
	for i := 0; i < n; i++ {
		src := fmt.Sprintf("c%d", i+1)
		if i == n-1 {
			src = "alice"
		}
		fmt.Fprintf(&b, "[profile c%d]\nrole_arn = arn:aws:iam::%s:role/r%d\nsource_profile = %s\n", i, account, i, src)
	}
	w.writeConfig(b.String())
	start := time.Now()
	r := w.runWithin(10*time.Second, nil, "use", "c0", "--mfa-code", w.code())
	if r.code != 3 || r.stdout != "" || !strings.Contains(r.stderr, `profile "c0"`) ||
		!strings.Contains(r.stderr, "assumes 1000 roles one after the other, more than the 64 awsenv follows") {
		t.Fatalf("want exit 3 naming c0, the depth and the limit:\n%s", r)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("use took %s", d)
	}
	for _, action := range []string{"AssumeRole", "GetSessionToken"} {
		if c := w.fake.Calls(action); c != 0 {
			t.Errorf("%d %s calls", c, action)
		}
	}

	r = w.runWithin(10*time.Second, nil, "list", "--json")
	if r.code != 0 {
		t.Fatalf("list: %s", r)
	}
	var rows []struct{ Name, Kind, Problem string }
	must(t, json.Unmarshal([]byte(r.stdout), &rows))
	kinds := map[string]string{}
	for _, row := range rows {
		kinds[row.Name] = row.Kind
		if row.Name == "c0" && !strings.Contains(row.Problem, "1000 roles") {
			t.Errorf("c0's problem: %q", row.Problem)
		}
	}
	// c936 is 64 roles from alice, c935 is 65.
	if kinds["c936"] != "role" || kinds["c935"] != "invalid" || kinds["c999"] != "role" || kinds["c0"] != "invalid" {
		t.Errorf("kinds: c0 %s, c935 %s, c936 %s, c999 %s", kinds["c0"], kinds["c935"], kinds["c936"], kinds["c999"])
	}
}

// A source profile with keys of its own and a role_arn is used for its
// keys, as the AWS CLI does: one AssumeRole, signed by that profile's key,
// not a chain through its role on top of another profile's MFA session.
func TestSourceWithKeysAndRoleUsesItsKeys(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const bobKey, bobSecret = "AKIAI44QH8DHBEXAMPLE", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
	bob := w.fake.AddUser(account, "bob")
	bob.AddKey(bobKey, bobSecret)
	mid := "arn:aws:iam::" + account + ":role/mid"
	top := "arn:aws:iam::" + account + ":role/top"
	w.fake.AddRole(mid, fakeaws.RoleOptions{})
	w.fake.AddRole(top, fakeaws.RoleOptions{})
	w.writeConfig(fmt.Sprintf(`[profile alice]
region = eu-west-1
mfa_serial = %s

[profile mid]
role_arn = %s
source_profile = alice
region = eu-west-1

[profile top]
role_arn = %s
source_profile = mid
`, serial, mid, top))
	w.writeCredentials(fmt.Sprintf("[alice]\naws_access_key_id = %s\naws_secret_access_key = %s\n\n[mid]\naws_access_key_id = %s\naws_secret_access_key = %s\n",
		userKeyID, userSecret, bobKey, bobSecret))
	r := w.run("use", "top", "--mfa-code", w.code())
	if r.code != 0 || !strings.Contains(r.stdout, "AWS_SESSION_TOKEN") {
		t.Fatalf("use top: %s", r)
	}
	if c := w.fake.Calls("AssumeRole"); c != 1 {
		t.Errorf("%d AssumeRole calls, want 1 (top, signed by mid's own key)", c)
	}
	if k := bob.Keys(); len(k) != 1 || k[0].LastUsed.IsZero() {
		t.Errorf("mid's key (bob's) did not sign: %+v", k)
	}
	if k := w.alice().Keys(); len(k) != 1 || !k[0].LastUsed.IsZero() {
		t.Errorf("alice's key signed something: %+v", k)
	}
	// Asked for itself, mid is still its role.
	w.fake.ResetCalls()
	if r := w.run("use", "mid", "--mfa-code", w.code()); r.code != 0 || w.fake.Calls("AssumeRole") != 1 {
		t.Fatalf("use mid: %d AssumeRole calls\n%s", w.fake.Calls("AssumeRole"), r)
	}
}
