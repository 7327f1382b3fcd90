package profiles

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Settings are awsenv's own knobs for one profile: awsenv_* keys in the
// profile's section, over the [default] section of awsenv's config file.
type Settings struct {
	MFAProvider     string            // "prompt", "process", or a plugin name
	MFAOptions      map[string]string // awsenv_mfa_<option>, handed to the provider
	SessionDuration time.Duration     // for GetSessionToken
	RefreshMargin   time.Duration     // reuse a session until this close to expiry
	MFAProcess      string            // the profile's mfa_process, for the process provider
	MFATimeout      time.Duration     // how long a provider may take; 0: unset, its default

	// CommandFiles are the files that chose the command the provider runs:
	// the file naming mfa_process for "process"; for a third-party plugin,
	// the file naming it, those holding its awsenv_mfa_<option> keys and
	// awsenv's own config (which holds the pins). None for the built-ins
	// prompt, ykman and op. The trust gate checks them (MFAChoice).
	CommandFiles []string
}

// Defaults when nothing is configured.
const (
	DefaultSessionDuration = 12 * time.Hour
	DefaultRefreshMargin   = 5 * time.Minute
)

// Global is awsenv's own config file ($XDG_CONFIG_HOME/awsenv/config).
type Global struct {
	Path   string
	values map[string]string
	pins   map[string]string // [plugin NAME] sha256 = HEX
	// envNames: env_NAME (lower case, as in values) -> NAME as written.
	envNames map[string]string
	lines    map[string]int // the line of each key of values
}

// LoadGlobal reads awsenv's config file; a missing file is empty. Keys may
// be written with or without the awsenv_ prefix.
func LoadGlobal(path string) (*Global, error) {
	g := &Global{Path: path, values: map[string]string{}, pins: map[string]string{}}
	f, err := loadINI(path, "", MaxGlobalFileSize)
	if err != nil {
		return nil, err
	}
	for _, sec := range f.Sections() {
		name, ok := strings.CutPrefix(sec.Name(), "plugin ")
		if !ok {
			continue
		}
		k, _ := sec.Get("sha256")
		if strings.ContainsAny(k.Value, " \t#;") {
			// The file has no inline comments: "HEX # note" is not a pin.
			return nil, &FileError{Path: path, Err: fmt.Errorf("line %d: sha256 holds more than a hex digest", k.Line),
				Fix: "Write only the digest after sha256 = and put a comment on a line of its own, starting with #."}
		}
		g.pins[strings.TrimSpace(name)] = strings.ToLower(k.Value)
	}
	if def, ok := f.Section("default"); ok {
		for _, k := range def.Keys() {
			name := strings.TrimPrefix(k.Name, "awsenv_")
			g.values[name] = k.Value
			if g.lines == nil {
				g.lines = map[string]int{}
			}
			g.lines[name] = k.Line
			if strings.HasPrefix(name, "env_") && len(name) > len("env_") {
				if g.envNames == nil {
					g.envNames = map[string]string{}
				}
				g.envNames[name] = k.Written[len(k.Written)-len(name)+len("env_"):]
			}
		}
	}
	return g, nil
}

// keyAt names where key (without awsenv_) of the [default] section is
// written, and its line.
func (g *Global) keyAt(key string) (string, int) { return g.Path + " [default]", g.lines[key] }

// PluginPin is the sha256 a third-party plugin's binary must have, from a
// [plugin NAME] section with sha256 = HEX; "" when it is not pinned.
func (g *Global) PluginPin(name string) string { return g.pins[name] }

// Keyring is the secret store awsenv's config chooses in [default]:
// awsenv_keyring_backend (the library's backend name), and for pass
// awsenv_keyring_pass_dir and awsenv_keyring_pass_prefix; "" for each
// not set.
func (g *Global) Keyring() (backend, passDir, passPrefix string) {
	return g.values["keyring_backend"], g.values["keyring_pass_dir"], g.values["keyring_pass_prefix"]
}

// PluginPins are all the pins, by plugin name.
func (g *Global) PluginPins() map[string]string { return g.pins }

// Settings works out the settings for one profile.
func (g *Global) Settings(p *Profile) (Settings, error) {
	s := Settings{
		MFAProvider:     "prompt",
		MFAOptions:      map[string]string{},
		SessionDuration: DefaultSessionDuration,
		RefreshMargin:   DefaultRefreshMargin,
	}
	layers := []struct {
		values map[string]string
		at     func(key string) (string, int) // where a key (without awsenv_) is written
	}{{g.values, g.keyAt}, {p.Awsenv, func(k string) (string, int) { return p.keyAt("awsenv_" + k) }}}
	providerFrom := ""                // the file that chose s.MFAProvider
	optionFrom := map[string]string{} // the file each MFA option came from
	for i, l := range layers {
		if i == 1 && p.MFAProcess != "" {
			// The profile's own mfa_process beats a global default; only
			// its own awsenv_mfa_provider can override it.
			s.MFAProvider = "process"
			s.MFAProcess = p.MFAProcess
			providerFrom = p.CommandFrom["mfa_process"]
		}
		if l.values == nil {
			continue
		}
		keys := make([]string, 0, len(l.values))
		for k := range l.values {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := l.values[k]
			switch {
			case k == "mfa_provider":
				if v != "" {
					s.MFAProvider = v
					providerFrom = g.Path
					if i == 1 {
						providerFrom = p.CommandFrom["awsenv_mfa_provider"]
					}
				}
			case k == "mfa_timeout":
				where, line := l.at(k)
				d, err := MFATimeout.Parse(v, where, line)
				if err != nil {
					return s, err
				}
				s.MFATimeout = d
			case strings.HasPrefix(k, "mfa_"):
				s.MFAOptions[strings.TrimPrefix(k, "mfa_")] = v
				optionFrom[k] = g.Path
				if i == 1 {
					optionFrom[k] = p.keyFrom("awsenv_" + k)
				}
			case k == "session_duration":
				where, line := l.at(k)
				d, err := SessionDuration.Parse(v, where, line)
				if err != nil {
					return s, err
				}
				s.SessionDuration = d
			case k == "refresh_margin":
				where, line := l.at(k)
				d, err := RefreshMargin.Parse(v, where, line)
				if err != nil {
					return s, err
				}
				s.RefreshMargin = d
			}
		}
	}
	switch s.MFAProvider {
	case "prompt", "ykman", "op":
		// Built in: awsenv chooses the command, not the file.
	case "process":
		s.CommandFiles = files(s.CommandFiles, p.CommandFrom["mfa_process"], providerFrom)
	default:
		// A plugin: what it is handed is chosen with it.
		s.CommandFiles = files(s.CommandFiles, providerFrom)
		for _, k := range sortedKeys(optionFrom) {
			s.CommandFiles = files(s.CommandFiles, optionFrom[k])
		}
		s.CommandFiles = files(s.CommandFiles, g.Path)
	}
	return s, nil
}

// SettingError is an awsenv_* key with a value awsenv cannot use.
type SettingError struct {
	Where string // "FILE [section]"
	Line  int    // of the key in the file; 0 when unknown
	Key   string
	Err   error
	Fix   string
}

func (e *SettingError) Error() string {
	fix := e.Fix
	if fix == "" {
		fix = "Write a duration such as 12h, 90m or 3600 (seconds)."
	}
	where := e.Where
	if e.Line > 0 {
		where += fmt.Sprintf(", line %d", e.Line)
	}
	return fmt.Sprintf("%s in %s: %v. %s", e.Key, where, e.Err, fix)
}

func (e *SettingError) Unwrap() error { return e.Err }

// FileChoices lists what in the file at path chooses by itself code
// or variables awsenv (or the AWS CLI) acts on, such as "mfa_process in
// [profile alice] (line 4)": the keys of the trust gate but the options,
// which choose only with the plugin they go to (see Gate). In awsenv's
// own config (global) it lists the plugin pins too. A missing file names
// none.
func FileChoices(path string, global bool) ([]string, error) {
	limit := int64(MaxAWSFileSize)
	if global {
		limit = MaxGlobalFileSize
	}
	f, err := loadINI(path, "", limit)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, sec := range f.Sections() {
		if global {
			if name, ok := strings.CutPrefix(sec.Name(), "plugin "); ok {
				out = append(out, fmt.Sprintf("the pin of plugin %s (line %d)", strings.TrimSpace(name), sec.Line()))
				continue
			}
			if sec.Name() != "default" {
				continue
			}
			for _, k := range sec.Keys() {
				if choosingKey(strings.TrimPrefix(k.Name, "awsenv_"), k.Value, false) {
					out = append(out, fmt.Sprintf("%s = %s in [default] (line %d)", k.Written, k.Value, k.Line))
				}
			}
			continue
		}
		for _, k := range sec.Keys() {
			name, awsenv := strings.CutPrefix(k.Name, "awsenv_")
			if choosingKey(name, k.Value, !awsenv) {
				out = append(out, fmt.Sprintf("%s in [%s] (line %d)", k.Written, sec.Name(), k.Line))
			}
		}
	}
	return out, nil
}
