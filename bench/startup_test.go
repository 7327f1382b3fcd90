// Package bench times the paths people run many times a day, as whole
// processes: `awsenv use` and `awsenv credential-process` on a cached
// session, next to an empty Go binary. It prints numbers and asserts none:
//
//	go test -run '^$' -bench . ./bench/
package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/bench/internal/rss"
	"github.com/awsenv/awsenv/internal/helper"
	"github.com/awsenv/awsenv/internal/testsupport/fakeaws"
	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

const (
	keyID     = "AKIAIOSFODNN7EXAMPLE"
	secret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	mfaSecret = "JBSWY3DPEHPK3PXP"
	serial    = "arn:aws:iam::123456789012:mfa/alice"
)

// setup builds the binaries as install.sh does and fills the session cache
// for profile alice (an MFA session) and prod (a role on top of it).
func setup(b *testing.B) (bin string, env []string) {
	b.Helper()
	dir := b.TempDir()
	bin = filepath.Join(dir, "bin")
	build := testproc.Command("go", "build", "-trimpath", "-tags", "urfave_cli_no_docs", "-ldflags", "-s -w", "-o", bin+"/",
		"github.com/awsenv/awsenv/cmd/awsenv", "github.com/awsenv/awsenv/cmd/awsenv-helper", "github.com/awsenv/awsenv/cmd/awsenv-helper-full", "github.com/awsenv/awsenv/bench/empty")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		b.Fatal(err)
	}
	fake := fakeaws.New()
	if _, err := fake.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(fake.Close)
	u := fake.AddUser("123456789012", "alice")
	u.AddKey(keyID, secret)
	u.AddMFADevice(serial, mfaSecret)
	fake.AddRole("arn:aws:iam::123456789012:role/admin", fakeaws.RoleOptions{RequireMFA: true})

	home := filepath.Join(dir, "home")
	os.MkdirAll(filepath.Join(home, ".aws"), 0o700)
	os.WriteFile(filepath.Join(home, ".aws", "credentials"), []byte(fmt.Sprintf(
		"[alice]\naws_access_key_id = %s\naws_secret_access_key = %s\n", keyID, secret)), 0o600)
	os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(fmt.Sprintf(
		"[profile alice]\nregion = eu-west-1\nmfa_serial = %s\n\n[profile prod]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = alice\n", serial)), 0o600)
	env = []string{"HOME=" + home, "PATH=/usr/bin:/bin", "XDG_STATE_HOME=" + filepath.Join(dir, "state"),
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"), "AWS_ENDPOINT_URL=" + fake.URL(), "USER=alice"}
	fill := testproc.Command(filepath.Join(bin, "awsenv"), "use", "prod", "--mfa-code", fakeaws.TOTPCode(mfaSecret, time.Now()))
	fill.Env = env
	if out, err := fill.CombinedOutput(); err != nil {
		b.Fatalf("fill the cache: %v\n%s", err, out)
	}
	return bin, env
}

// run times whole process runs and reports the peak resident memory.
func run(b *testing.B, env []string, path string, args ...string) {
	b.Helper()
	for b.Loop() {
		cmd := testproc.Command(path, args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", path, err, out)
		}
	}
	if kb, ok := rss.Peak(env, nil, append([]string{path}, args...)...); ok {
		b.ReportMetric(float64(kb), "peak-RSS-KB")
	}
}

func BenchmarkStartup(b *testing.B) {
	bin, env := setup(b)
	b.Run("empty-shell", func(b *testing.B) { run(b, env, "/bin/sh", "-c", "true") })
	b.Run("empty-go-binary", func(b *testing.B) { run(b, env, filepath.Join(bin, "empty")) })
	b.Run("use-cached-user", func(b *testing.B) { run(b, env, filepath.Join(bin, "awsenv"), "use", "alice") })
	b.Run("use-cached-role", func(b *testing.B) { run(b, env, filepath.Join(bin, "awsenv"), "use", "prod") })
	b.Run("use-cached-role-2000-profiles", func(b *testing.B) {
		run(b, manyProfiles(b, env, 2000), filepath.Join(bin, "awsenv"), "use", "prod")
	})
	b.Run("credential-process-cached", func(b *testing.B) {
		run(b, env, filepath.Join(bin, "awsenv"), "credential-process", "prod")
	})
	b.Run("sts-helper-start", func(b *testing.B) {
		// What a cache miss adds before the network: the SDK's start-up.
		// It reads an empty request and exits 2, so run it through a shell
		// that ignores the status; the shell's own start is in the number.
		// With the "no bus" address awsenv gives it when there is no
		// session bus (helper.NoBusAddress): the keyring library would
		// otherwise run dbus-launch as it initialises.
		noBus := append(env[:len(env):len(env)], "DBUS_SESSION_BUS_ADDRESS="+helper.NoBusAddress)
		run(b, noBus, "/bin/sh", "-c", filepath.Join(bin, "awsenv-helper")+" </dev/null 2>/dev/null; true")
	})
}

// manyProfiles copies env's HOME into a new one whose config holds n
// profiles (the two of setup and n-2 roles, about 9,000 lines for 2,000),
// sharing the session cache: a cached `use prod` then reads a big file.
func manyProfiles(b *testing.B, env []string, n int) []string {
	b.Helper()
	out := append([]string{}, env...)
	for i, kv := range out {
		home, ok := strings.CutPrefix(kv, "HOME=")
		if !ok {
			continue
		}
		big := filepath.Join(b.TempDir(), "home")
		os.MkdirAll(filepath.Join(big, ".aws"), 0o700)
		for _, name := range []string{"config", "credentials"} {
			data, err := os.ReadFile(filepath.Join(home, ".aws", name))
			if err != nil {
				b.Fatal(err)
			}
			if name == "config" {
				var extra strings.Builder
				for j := 0; j < n-2; j++ {
					fmt.Fprintf(&extra, "\n[profile p%d]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/r%d\nsource_profile = alice\n", j, j)
				}
				data = append(data, extra.String()...)
			}
			if err := os.WriteFile(filepath.Join(big, ".aws", name), data, 0o600); err != nil {
				b.Fatal(err)
			}
		}
		out[i] = "HOME=" + big
	}
	return out
}
