package sdk

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsenv/awsenv/internal/credflow"
	"github.com/awsenv/awsenv/profiles"
)

// Whatever the AWS files hold, the path to an AWS call never panics:
// awsenv reads them (or refuses them with an error), and the helper builds
// its SDK configuration from what awsenv read, for every profile, with the
// files still in place where the SDK would look. No call is made: a fuzzed
// endpoint_url could name any host.
func FuzzHelperPath(f *testing.F) {
	for _, seed := range [][2]string{
		{"[profile unrelated]\nregion = \"\n[profile work]\nregion = eu-west-1\n", ""},
		{"[default]\nregion = '\n", "[default]\naws_access_key_id = '\naws_secret_access_key = \"\n"},
		{"[profile a]\nendpoint_url = \"\nservices = s\nca_bundle = '\n[services s]\nsts =\n  endpoint_url = '\n", "[a]\naws_session_token = \"'\n"},
		{"[profile a]\nrole_arn = \"\nsource_profile = a\n", "[a]\naws_access_key_id=\n"},
		{"[ profile x ]\n\"=\"\n[profile y]\n  = \n", "[\"]\n'='\n"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, config, credentials string) {
		dir := t.TempDir()
		sdkFiles(t, dir)
		files := profiles.Files{Config: filepath.Join(dir, "config"), Credentials: filepath.Join(dir, "credentials")}
		if err := os.WriteFile(files.Config, []byte(config), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(files.Credentials, []byte(credentials), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := profiles.Load(files)
		if err != nil {
			return // refused with a message naming the line
		}
		names := cfg.Names()
		if len(names) > 4 {
			names = names[:4]
		}
		for _, name := range append(names, "ghost") {
			p, err := cfg.Get(name)
			if err != nil {
				continue
			}
			target := credflow.Target(cfg, p, p.Region)
			for _, service := range []string{"STS", "IAM"} {
				c, err := (World{}).Load(context.Background(), service, target, creds)
				if err != nil {
					continue // e.g. a ca_bundle that cannot be read: an error, not a panic
				}
				_ = sts.NewFromConfig(c)
				_ = iam.NewFromConfig(c)
			}
		}
	})
}
