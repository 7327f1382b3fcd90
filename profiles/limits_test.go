package profiles_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/profiles"
)

func TestSizeLimits(t *testing.T) {
	big := func(t *testing.T, n int) string {
		t.Helper()
		p := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(p, []byte("[default]\n"+strings.Repeat("#", n-10)), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Run("config at the limit", func(t *testing.T) {
		if _, err := profiles.Load(profiles.Files{Config: big(t, profiles.MaxAWSFileSize)}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("credentials over the limit", func(t *testing.T) {
		p := big(t, profiles.MaxAWSFileSize+1)
		_, err := profiles.Load(profiles.Files{Credentials: p})
		var fe *profiles.FileError
		if !errors.As(err, &fe) || fe.Path != p || !errors.Is(err, profiles.ErrTooLarge) {
			t.Fatalf("Load = %v, want a FileError wrapping ErrTooLarge", err)
		}
		mustContain(t, err.Error(), p, "32.0 MiB (33554433 bytes), over the limit of 32 MiB", "AWS_SHARED_CREDENTIALS_FILE")
	})
	t.Run("awsenv's config over its limit", func(t *testing.T) {
		p := big(t, profiles.MaxGlobalFileSize+1)
		_, err := profiles.LoadGlobal(p)
		if !errors.Is(err, profiles.ErrTooLarge) {
			t.Fatalf("LoadGlobal = %v, want ErrTooLarge", err)
		}
		mustContain(t, err.Error(), p, "over the limit of 1 MiB")
	})
}

func TestLoadGlobalPinWithInlineComment(t *testing.T) {
	p := writeFile(t, t.TempDir(), "config", lines("[plugin x]", "sha256 = abcdef # from sha256sum"))
	_, err := profiles.LoadGlobal(p)
	if err == nil {
		t.Fatal("LoadGlobal accepted a pin with a comment after it")
	}
	mustContain(t, err.Error(), p, "line 2", "comment on a line of its own")
}

func TestLoadErrorNamesTheLine(t *testing.T) {
	files := testFiles(t, lines("[profile a]", "region = x", "", "region eu-west-1"), "-")
	_, err := profiles.Load(files)
	mustContain(t, fmt.Sprint(err), files.Config, "line 4 ", "INI format")
}

// TestResolveLongLoop: a loop of thousands of profiles is reported for each
// of them, shortened in the middle, in linear time.
func TestResolveLongLoop(t *testing.T) {
	var b strings.Builder
	const n = 3000
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "[profile p%d]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = p%d\n", i, (i+1)%n)
	}
	b.WriteString("[profile into]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = p5\n")
	c := load(t, b.String(), "-")
	for _, name := range c.Names() {
		if _, err := c.Resolve(name); err == nil || !strings.Contains(err.Error(), "source_profile loop") {
			t.Fatalf("Resolve(%s) = %v, want a loop", name, err)
		}
	}
	_, err := c.Resolve("into")
	mustContain(t, err.Error(), `profile "into"`, "source_profile loop: p5 -> p6 -> ", "(2985 more) -> ", "p3 -> p4 -> p5.")
	_, err = c.Resolve("p0")
	mustContain(t, err.Error(), "source_profile loop: p0 -> p1 -> ", "p2999 -> p0.")
}
