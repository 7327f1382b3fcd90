package profiles_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/profiles"
)

func TestSettings(t *testing.T) {
	defaults := profiles.Settings{
		MFAProvider:     "prompt",
		MFAOptions:      map[string]string{},
		SessionDuration: profiles.DefaultSessionDuration,
		RefreshMargin:   profiles.DefaultRefreshMargin,
	}
	if defaults.SessionDuration != 12*time.Hour || defaults.RefreshMargin != 5*time.Minute {
		t.Fatalf("defaults changed: %v %v", defaults.SessionDuration, defaults.RefreshMargin)
	}
	with := func(f func(s *profiles.Settings)) profiles.Settings {
		s := defaults
		s.MFAOptions = map[string]string{}
		f(&s)
		return s
	}

	tests := []struct {
		name    string
		global  string // "-" for no file
		profile string // lines of [profile x] in the config file
		want    profiles.Settings
	}{
		{name: "defaults", global: "-", profile: "", want: defaults},
		{name: "empty global file", global: "", profile: "", want: defaults},
		{name: "mfa_process selects the process provider", global: "-",
			profile: lines("mfa_process = /usr/bin/otp --account x"),
			want: with(func(s *profiles.Settings) {
				s.MFAProvider = "process"
				s.MFAProcess = "/usr/bin/otp --account x"
			})},
		{name: "global with the awsenv_ prefix",
			global: lines("[default]", "awsenv_mfa_provider = yubikey", "awsenv_session_duration = 8h",
				"awsenv_refresh_margin = 600", "awsenv_mfa_account = alice"),
			want: with(func(s *profiles.Settings) {
				s.MFAProvider = "yubikey"
				s.SessionDuration = 8 * time.Hour
				s.RefreshMargin = 10 * time.Minute
				s.MFAOptions["account"] = "alice"
			})},
		{name: "global without the prefix, mixed case",
			global: lines("[default]", "MFA_Provider = yubikey", "session_duration = 90m", "refresh_margin = 1m",
				"mfa_slot = 2"),
			want: with(func(s *profiles.Settings) {
				s.MFAProvider = "yubikey"
				s.SessionDuration = 90 * time.Minute
				s.RefreshMargin = time.Minute
				s.MFAOptions["slot"] = "2"
			})},
		{name: "only the global [default] section counts",
			global: lines("[top]", "mfa_provider = top", "[other]", "mfa_provider = other", "session_duration = nonsense"),
			want:   defaults},
		{name: "profile overrides global",
			global: lines("[default]", "mfa_provider = yubikey", "session_duration = 8h", "mfa_account = global",
				"mfa_slot = 1"),
			profile: lines("awsenv_mfa_provider = op", "awsenv_session_duration = 3600", "awsenv_mfa_account = mine"),
			want: with(func(s *profiles.Settings) {
				s.MFAProvider = "op"
				s.SessionDuration = time.Hour
				s.MFAOptions["account"] = "mine"
				s.MFAOptions["slot"] = "1"
			})},
		{name: "empty mfa_provider keeps the default", global: "-",
			profile: lines("awsenv_mfa_provider ="),
			want:    defaults},
		{name: "awsenv_mfa_provider beats the profile's mfa_process", global: "-",
			profile: lines("mfa_process = /usr/bin/otp", "awsenv_mfa_provider = yubikey"),
			want: with(func(s *profiles.Settings) {
				s.MFAProvider = "yubikey"
				s.MFAProcess = "/usr/bin/otp"
			})},
		{name: "unknown awsenv_ keys are ignored", global: "-",
			profile: lines("awsenv_colour = blue"),
			want:    defaults},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, c := loadSettingsFiles(t, tt.global, tt.profile)
			got, err := g.Settings(get(t, c, "x"))
			if err != nil {
				t.Fatalf("Settings: %v", err)
			}
			got.CommandFiles = nil // TestSettingsCommandFiles
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Settings\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestSettingsProfileMFAProcessOverGlobalProvider: the profile's own
// mfa_process is more specific than awsenv's global default provider.
func TestSettingsProfileMFAProcessOverGlobalProvider(t *testing.T) {
	g, c := loadSettingsFiles(t, lines("[default]", "mfa_provider = yubikey"), lines("mfa_process = /usr/bin/otp"))
	s, err := g.Settings(get(t, c, "x"))
	if err != nil {
		t.Fatal(err)
	}
	if s.MFAProvider != "process" {
		t.Errorf("MFAProvider = %q, want process (the profile sets mfa_process)", s.MFAProvider)
	}
}

func TestSettingsErrors(t *testing.T) {
	tests := []struct {
		name    string
		global  string
		profile string
		key     string
		inGlob  bool // the error names the global file, else the config file and [x]
		value   string
	}{
		{"global session_duration", lines("[default]", "session_duration = forever"), "", "awsenv_session_duration", true, "forever"},
		{"global refresh_margin", lines("[default]", "awsenv_refresh_margin = -5m"), "", "awsenv_refresh_margin", true, "-5m"},
		{"profile session_duration", "-", lines("awsenv_session_duration = 12 hours"), "awsenv_session_duration", false, "12 hours"},
		{"profile refresh_margin", "-", lines("awsenv_refresh_margin = -1"), "awsenv_refresh_margin", false, "-1"},
		{"empty duration", "-", lines("awsenv_session_duration ="), "awsenv_session_duration", false, `""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, c := loadSettingsFiles(t, tt.global, tt.profile)
			_, err := g.Settings(get(t, c, "x"))
			var se *profiles.SettingError
			if !errors.As(err, &se) {
				t.Fatalf("Settings = %T %v, want *SettingError", err, err)
			}
			if se.Key != tt.key {
				t.Errorf("Key = %q, want %q", se.Key, tt.key)
			}
			where := g.Path + " [default]"
			if !tt.inGlob {
				where = c.Files.Config + " [x]"
			}
			if se.Where != where {
				t.Errorf("Where = %q, want %q", se.Where, where)
			}
			if se.Unwrap() == nil {
				t.Error("SettingError does not wrap the cause")
			}
			mustContain(t, err.Error(), tt.key, where, tt.value)
		})
	}
}

func TestLoadGlobalErrors(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "config", "[default]\nnot a key value line\n")
	_, err := profiles.LoadGlobal(path)
	var fe *profiles.FileError
	if !errors.As(err, &fe) || fe.Path != path {
		t.Fatalf("LoadGlobal = %T %v, want *FileError for %s", err, err, path)
	}
	if g, err := profiles.LoadGlobal(filepath.Join(dir, "missing")); err != nil || g == nil {
		t.Fatalf("LoadGlobal(missing) = %v, %v; want empty, nil", g, err)
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{"3600", time.Hour, ""},
		{"0", 0, ""},
		{"+60", time.Minute, ""},
		{"12h", 12 * time.Hour, ""},
		{"90m", 90 * time.Minute, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"1.5h", 90 * time.Minute, ""},
		{"45s", 45 * time.Second, ""},
		{"0s", 0, ""},
		{"-1", 0, "negative"},
		{"-5m", 0, "not a duration"},
		{"", 0, "not a duration"},
		{"12 hours", 0, "not a duration"},
		{"1d", 0, "not a duration"},
		{"3600s ", 0, "not a duration"},
		{"abc", 0, "not a duration"},
		{"99999999999999999999", 0, "not a duration"}, // too large for int and for a duration
	}
	for _, tt := range tests {
		got, err := profiles.ParseDuration(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseDuration(%q) = %v, %v; want error with %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// TestParseDurationOverflow: whole seconds are multiplied into a Duration
// without a range check, so a large number wraps around.
func TestParseDurationOverflow(t *testing.T) {
	for _, in := range []string{"9223372037", "18446744074", "100000000000"} {
		d, err := profiles.ParseDuration(in)
		if err == nil {
			t.Errorf("ParseDuration(%q) = %v, nil; want an out-of-range error", in, d)
		}
	}
}

// loadSettingsFiles writes awsenv's global config (unless global is "-")
// and a config file with [profile x] holding profileLines.
func loadSettingsFiles(t *testing.T, global, profileLines string) (*profiles.Global, *profiles.Config) {
	t.Helper()
	c := load(t, "[profile x]\n"+profileLines, "-")
	path := filepath.Join(t.TempDir(), "awsenv-config")
	if global != "-" {
		writeFile(t, filepath.Dir(path), filepath.Base(path), global)
	}
	g, err := profiles.LoadGlobal(path)
	if err != nil {
		t.Fatalf("LoadGlobal: %v", err)
	}
	if g.Path != path {
		t.Errorf("Global.Path = %q, want %q", g.Path, path)
	}
	return g, c
}

func TestPluginPinAndMFATimeout(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "config", "[default]\nawsenv_mfa_timeout = 30s\n\n[plugin vault]\nsha256 = ABCDEF0123\n")
	g, err := profiles.LoadGlobal(path)
	if err != nil {
		t.Fatal(err)
	}
	if pin := g.PluginPin("vault"); pin != "abcdef0123" {
		t.Fatalf("PluginPin(vault) = %q", pin)
	}
	if pin := g.PluginPin("other"); pin != "" {
		t.Fatalf("PluginPin(other) = %q, want none", pin)
	}
	s, err := g.Settings(&profiles.Profile{Name: "p", Awsenv: map[string]string{}})
	if err != nil || s.MFATimeout != 30*time.Second {
		t.Fatalf("MFATimeout = %v, %v", s.MFATimeout, err)
	}
	if _, ok := s.MFAOptions["timeout"]; ok {
		t.Fatal("mfa_timeout leaked into the provider's options")
	}
	bad := writeFile(t, dir, "bad", "[default]\nmfa_timeout = soon\n")
	g, _ = profiles.LoadGlobal(bad)
	if _, err := g.Settings(&profiles.Profile{Name: "p"}); err == nil || !strings.Contains(err.Error(), "awsenv_mfa_timeout") {
		t.Fatalf("bad timeout: %v", err)
	}
}

// CommandFiles are the files that chose the command a provider runs, and
// the trust gate refuses one that others could write, with the fix.
func TestSettingsCommandFiles(t *testing.T) {
	for _, tt := range []struct {
		name, global, profile string
		want                  func(cfg, global string) []string
	}{
		{"prompt runs nothing", "-", "", func(string, string) []string { return nil }},
		{"ykman is built in", "[default]\nmfa_provider = ykman\n", "", func(string, string) []string { return nil }},
		{"mfa_process", "-", "mfa_process = otp", func(c, _ string) []string { return []string{c} }},
		{"a plugin named in the profile, and the pins", "-", "awsenv_mfa_provider = oath",
			func(c, g string) []string { return []string{c, g} }},
		{"a plugin named globally", "[default]\nmfa_provider = oath\n", "", func(_, g string) []string { return []string{g} }},
		{"the global provider is process, the command the profile's", "[default]\nmfa_provider = process\n", "mfa_process = otp",
			func(c, g string) []string { return []string{c} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g, c := loadSettingsFiles(t, tt.global, tt.profile)
			got, err := g.Settings(get(t, c, "x"))
			if err != nil {
				t.Fatal(err)
			}
			if want := tt.want(c.Files.Config, g.Path); !reflect.DeepEqual(got.CommandFiles, want) {
				t.Errorf("CommandFiles = %q, want %q", got.CommandFiles, want)
			}
		})
	}
	g, c := loadSettingsFiles(t, "-", "mfa_process = otp")
	s, err := g.Settings(get(t, c, "x"))
	if err != nil {
		t.Fatal(err)
	}
	if err := (profiles.Gate{UID: os.Getuid()}).Check(s.MFAChoice()); err != nil {
		t.Fatalf("private file: %v", err)
	}
	if err := os.Chmod(c.Files.Config, 0o666); err != nil {
		t.Fatal(err)
	}
	err = (profiles.Gate{UID: os.Getuid()}).Check(s.MFAChoice())
	var ce *profiles.ChoiceFileError
	if !errors.As(err, &ce) || ce.Path != c.Files.Config ||
		!strings.Contains(err.Error(), "chmod go-w "+c.Files.Config) || !strings.Contains(err.Error(), "mode 0666") {
		t.Errorf("0666 file: %v", err)
	}
}
