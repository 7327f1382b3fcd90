package profiles_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/profiles"
)

// genConfig writes a config file of n role profiles (5 lines each) on top
// of one user, alice, and returns it with a matching credentials file.
func genConfig(n int) (config, creds string) {
	var b strings.Builder
	b.WriteString("[profile alice]\nregion = eu-west-1\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n\n")
	b.WriteString("[profile prod]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = alice\n\n")
	for i := 0; i < n-2; i++ {
		fmt.Fprintf(&b, "[profile p%d]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/r%d\nsource_profile = alice\n\n", i, i)
	}
	return b.String(), "[alice]\naws_access_key_id = " + exampleKeyID + "\naws_secret_access_key = " + exampleSecret + "\n"
}

// genSize is genConfig grown to at least size bytes.
func genSize(size int) (config, creds string) {
	var b strings.Builder
	cfg, creds := genConfig(2)
	b.WriteString(cfg)
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "[profile p%d]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/r%d\nsource_profile = alice\ns3 =\n  max_concurrent_requests = 20\n\n", i, i)
	}
	return b.String(), creds
}

func writeBenchFiles(b *testing.B, config, creds string) profiles.Files {
	b.Helper()
	dir := b.TempDir()
	f := profiles.Files{Config: filepath.Join(dir, "config"), Credentials: filepath.Join(dir, "credentials")}
	if err := os.WriteFile(f.Config, []byte(config), 0o600); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(f.Credentials, []byte(creds), 0o600); err != nil {
		b.Fatal(err)
	}
	return f
}

// BenchmarkLoad is the cached `awsenv use prod` path: load both files and
// resolve one role profile.
//
//	go test -run '^$' -bench Load -benchmem ./profiles/
func BenchmarkLoad(b *testing.B) {
	for _, tc := range []struct {
		name   string
		config func() (string, string)
	}{
		{"profiles=2", func() (string, string) { return genConfig(2) }},
		{"profiles=2000", func() (string, string) { return genConfig(2000) }},
		{"size=10MB", func() (string, string) { return genSize(10 << 20) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			cfg, creds := tc.config()
			files := writeBenchFiles(b, cfg, creds)
			b.ReportAllocs()
			for b.Loop() {
				c, err := profiles.Load(files)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.Resolve("prod"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkResolveAll is `awsenv list` on a source_profile chain: every
// profile of a fresh Config resolved, p0 -> p1 -> ... -> base.
func BenchmarkResolveAll(b *testing.B) {
	for _, depth := range []int{1000, 3000} {
		b.Run(fmt.Sprintf("depth=%d", depth), func(b *testing.B) {
			var cfg strings.Builder
			for i := 0; i < depth; i++ {
				fmt.Fprintf(&cfg, "[profile p%d]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = p%d\n", i, i+1)
			}
			fmt.Fprintf(&cfg, "[profile p%d]\nregion = eu-west-1\n", depth)
			creds := fmt.Sprintf("[p%d]\naws_access_key_id = %s\naws_secret_access_key = %s\n", depth, exampleKeyID, exampleSecret)
			files := writeBenchFiles(b, cfg.String(), creds)
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				c, err := profiles.Load(files)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				for _, name := range c.Names() {
					if _, err := c.Resolve(name); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
