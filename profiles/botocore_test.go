package profiles

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"

	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/profiles/awsini"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

// botocoreProfiles is what botocore makes of a config and a credentials
// file: load_config's profile map, updated with the credentials file's
// sections as botocore.session.Session.full_config does.
const botocoreProfiles = `
import json, sys
from botocore.configloader import load_config, raw_config_parse
out = []
for cfg, creds in zip(sys.argv[1::2], sys.argv[2::2]):
    profiles = load_config(cfg)["profiles"]
    for name, values in raw_config_parse(creds).items():
        profiles.setdefault(name, {}).update(values)
    out.append(profiles)
print(json.dumps(out))
`

// TestProfilesAgainstBotocore: for generated config and credentials files,
// the keys of every profile with a name awsenv accepts are what botocore
// reads ([default] and [profile default], [profile "a"], [profiles a],
// [DEFAULT], credentials over config, nested values).
func TestProfilesAgainstBotocore(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(5, 6))
	var args []string
	for i := 0; i < 200; i++ {
		cfg, creds := filepath.Join(dir, fmt.Sprintf("config%d", i)), filepath.Join(dir, fmt.Sprintf("creds%d", i))
		os.WriteFile(cfg, []byte(genSections(rng, []string{"default", "profile default", "profile a", "profile  a", `profile "a"`,
			"profiles b", "profile 'b'", "profilex", "profile a b", "sso-session s", "services v", "a", "DEFAULT", "profile c\\ d", "profile \"unclosed"})), 0o600)
		os.WriteFile(creds, []byte(genSections(rng, []string{"a", "b", "default", "DEFAULT", " a ", "profile a"})), 0o600)
		args = append(args, cfg, creds)
	}
	out := testproc.Botocore(t, append([]string{"-c", botocoreProfiles}, args...)...)
	var want []map[string]map[string]any
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	compared := 0
	for i := range want {
		c, err := Load(Files{Config: args[2*i], Credentials: args[2*i+1]})
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		got := map[string]map[string]any{}
		for name, src := range c.index {
			if ValidateName(name) != nil {
				continue
			}
			m := map[string]any{}
			for k, v := range keyValues(c.sectionKeys(src)) {
				if nested, ok := awsini.Nested(v); ok {
					m[k] = nested
				} else {
					m[k] = v
				}
			}
			got[name] = m
		}
		for name := range want[i] {
			if ValidateName(name) != nil {
				delete(want[i], name)
			}
		}
		// JSON gives nested maps as map[string]any.
		gotJSON, _ := json.Marshal(got)
		var gotAny map[string]map[string]any
		json.Unmarshal(gotJSON, &gotAny)
		if !reflect.DeepEqual(gotAny, want[i]) {
			cfg, _ := os.ReadFile(args[2*i])
			creds, _ := os.ReadFile(args[2*i+1])
			t.Errorf("file pair %d:\n got %v\nwant %v\nconfig %q\ncredentials %q", i, gotAny, want[i], cfg, creds)
		}
		compared += len(want[i])
	}
	t.Logf("%d profiles compared", compared)
}

// genSections writes some of the named sections, each once, with distinct
// keys: a file botocore accepts.
func genSections(rng *rand.Rand, names []string) string {
	var b strings.Builder
	for _, i := range rng.Perm(len(names))[:rng.IntN(len(names))] {
		b.WriteString("[" + names[i] + "]\n")
		for _, k := range rng.Perm(6)[:rng.IntN(6)] {
			key := []string{"region", "aws_access_key_id", "aws_secret_access_key", "role_arn", "source_profile", "s3"}[k]
			if key == "s3" {
				b.WriteString("s3 =\n  max_concurrent_requests = 20\n  addressing_style = path\n")
				continue
			}
			fmt.Fprintf(&b, "%s = %s%d\n", key, names[i], rng.IntN(3))
		}
	}
	return b.String()
}
