package profiles_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/profiles"
)

// Every duration key is read by the one parser: each key crossed with
// each kind of bad value is refused the same way, from the profile and
// from awsenv's [default], with the key, the file and section, the line,
// the key's range and the fix. 0.5s is refused wherever the least is 1s.
func TestDurationSettingsRefusedAlike(t *testing.T) {
	// read reaches each key the way the commands do.
	cred := lines("[x]", "aws_access_key_id = "+exampleKeyID, "aws_secret_access_key = "+exampleSecret)
	read := func(key string, c *profiles.Config, g *profiles.Global) error {
		p := get(t, c, "x")
		switch key {
		case "awsenv_hook_timeout":
			r, err := c.Resolve("x")
			if err != nil {
				t.Fatal(err)
			}
			_, err = g.HookSettings(r)
			return err
		case "awsenv_credential_process_timeout":
			_, err := g.CredentialProcessTimeout(p)
			return err
		}
		_, err := g.Settings(p)
		return err
	}
	if len(profiles.DurationSettings) != 5 {
		t.Fatalf("%d duration settings: add the new one to this test", len(profiles.DurationSettings))
	}
	for _, s := range profiles.DurationSettings {
		bad := []string{"soon", "", "-1s", "12 hours", "9000h", "1e9h", (s.Max + time.Second).String()}
		if s.Min > 0 {
			bad = append(bad, "0", (s.Min - 500*time.Millisecond).String())
		}
		if s.Min == time.Second {
			bad = append(bad, "0.5s", "999ms")
		}
		for _, v := range bad {
			for _, global := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s=%q/global=%v", s.Key, v, global), func(t *testing.T) {
					dir := t.TempDir()
					profile := lines("[profile x]", "region = eu-west-1", "# a comment", s.Key+" = "+v)
					gtext := ""
					if global {
						profile = lines("[profile x]", "region = eu-west-1")
						gtext = lines("[default]", "# a comment", "", strings.TrimPrefix(s.Key, "awsenv_")+" = "+v)
					}
					c := load(t, profile, cred)
					g, err := profiles.LoadGlobal(writeFile(t, dir, "awsenv.conf", gtext))
					if err != nil {
						t.Fatal(err)
					}
					err = read(s.Key, c, g)
					var se *profiles.SettingError
					if !errors.As(err, &se) {
						t.Fatalf("%T %v, want a *SettingError", err, err)
					}
					where, line := c.Files.Config+" [x]", 4
					if global {
						where, line = g.Path+" [default]", 4
					}
					if se.Key != s.Key || se.Where != where || se.Line != line || se.Fix != s.Fix() {
						t.Errorf("SettingError %+v, want key %s at %s line %d", se, s.Key, where, line)
					}
					rng := regexp.MustCompile(`between \S+ and \S+,`).FindString(err.Error())
					mustContain(t, err.Error(), s.Key, where+", line 4", rng, s.Key+" = "+s.Example)
					if rng == "" {
						t.Errorf("no range in %q", err)
					}
				})
			}
		}
		// The range's ends are taken.
		for _, d := range []time.Duration{s.Min, s.Max, s.Default} {
			got, err := s.Parse(d.String(), "f [x]", 1)
			if err != nil || got != d {
				t.Errorf("%s: %s gave %s, %v", s.Key, d, got, err)
			}
		}
	}
}

// The ranges the README documents.
func TestDurationSettingsRanges(t *testing.T) {
	for _, tc := range []struct {
		s        profiles.DurationSetting
		min, max string
	}{
		{profiles.HookTimeout, "1s", "10m"},
		{profiles.CredentialProcessTimeout, "1s", "10m"},
		{profiles.MFATimeout, "1s", "10m"},
		{profiles.SessionDuration, "1s", "8760h"},
		{profiles.RefreshMargin, "0", "8760h"},
	} {
		if want := "between " + tc.min + " and " + tc.max + ","; !strings.Contains(tc.s.Fix(), want) {
			t.Errorf("%s: fix %q, want %q", tc.s.Key, tc.s.Fix(), want)
		}
	}
}

// No duration is parsed outside the one parser: ParseDuration is called
// only by DurationSetting.Parse and by the command line's --duration and
// --timeout (and a test's knob), and time.ParseDuration only by
// ParseDuration (durations.go).
func TestDurationsOneParser(t *testing.T) {
	root := filepath.Join("..")
	allowed := map[string]bool{
		filepath.Join("..", "profiles", "durations.go"):         true,
		filepath.Join("..", "cmd", "awsenv", "flow.go"):         true, // --duration, a usage error
		filepath.Join("..", "cmd", "awsenv", "runtimeout.go"):   true, // --timeout, a usage error
		filepath.Join("..", "cmd", "awsenv", "devicelimits.go"): true, // a test's knob, through ParseDuration
	}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testsupport" || d.Name() == "bench" || d.Name() == "examples" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(data), "ParseDuration(") && !allowed[path] {
			t.Errorf("%s parses a duration itself: read duration settings with profiles.DurationSetting.Parse", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
