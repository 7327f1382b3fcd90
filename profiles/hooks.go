package profiles

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// MaxHookTimeout is the longest awsenv_hook_timeout: awsenv-helper gives
// up on any request after 10 minutes.
const MaxHookTimeout = 10 * time.Minute

// HookSettings are what a switch to a profile runs beside making its
// credentials (`use` and `exec`, never `credential-process`):
//
//   - awsenv_hooks = NAME[, NAME...]: hook plugins, in the order listed;
//   - awsenv_hook_NAME_<option>: options handed to hook NAME;
//   - awsenv_env_NAME = VALUE: a variable to export (built in, no plugin);
//   - awsenv_confirm = true: ask y/N on the terminal first (built in);
//   - awsenv_hook_timeout = DURATION: how long one call of a hook plugin
//     may take, 1 s to 10 min (unset: the plugin host's default, 30 s;
//     see HookTimeout).
//
// Each is looked up along the profile's source chain: the profile itself,
// then its source_profile, and so on down to the profile with keys, then
// the [default] section of awsenv's own config. The nearest list of hooks
// wins whole (`awsenv_hooks =` with nothing after it means none); options,
// variables and awsenv_confirm are taken key by key, the nearest winning.
type HookSettings struct {
	Hooks   []Hook   // plugin hooks, in order
	Env     []EnvVar // awsenv_env_NAME, sorted by name
	Confirm bool
	// Timeout bounds one call of a hook plugin (awsenv_hook_timeout); 0:
	// the default.
	Timeout time.Duration
	// CommandFiles are the files that chose the hook plugins (the one
	// naming the list, those holding their awsenv_hook_NAME_<option> keys,
	// and awsenv's own config, which holds the pins): like an MFA plugin's,
	// the trust gate checks them before a plugin runs (Choices).
	CommandFiles []string
}

// Hook is one hook plugin of a profile, with its options.
type Hook struct {
	Name    string
	Options map[string]string // awsenv_hook_NAME_<option>, prefix removed
}

// EnvVar is one awsenv_env_NAME = VALUE, with where it was written.
type EnvVar struct {
	Name  string
	Value string
	Where string // "FILE [profile]", for messages
	File  string // the file, for the trust gate
}

// None reports whether a switch to the profile runs nothing beside the
// credentials.
func (h HookSettings) None() bool {
	return len(h.Hooks) == 0 && len(h.Env) == 0 && !h.Confirm
}

// hookLayer is one place hook settings are read from.
type hookLayer struct {
	where    string
	values   map[string]string
	envNames map[string]string // env_name -> NAME as written
	file     string            // the file that holds it, for CommandFiles
	// from is the file a key of it (without awsenv_) was read from; at
	// where it is written and its line, for messages.
	from func(key string) string
	at   func(key string) (string, int)
}

// HookSettings works out the hook settings of a resolved profile.
func (g *Global) HookSettings(r *Resolved) (HookSettings, error) {
	var layers []hookLayer // nearest first
	for x := r; x != nil; x = x.Source {
		p := x.Profile
		file := p.CommandFrom["awsenv_hooks"]
		if file == "" {
			file = p.ConfigFile
		}
		layers = append(layers, hookLayer{where: p.Where() + " [" + p.Name + "]", values: p.Awsenv, envNames: p.EnvNames, file: file,
			from: func(k string) string { return p.keyFrom("awsenv_" + k) },
			at:   func(k string) (string, int) { return p.keyAt("awsenv_" + k) }})
	}
	layers = append(layers, hookLayer{where: g.Path + " [default]", values: g.values, envNames: g.envNames, file: g.Path,
		from: func(string) string { return g.Path }, at: g.keyAt})

	var hs HookSettings
	// The list: the nearest layer that has one.
	listAt := -1
	for i, l := range layers {
		v, ok := l.values["hooks"]
		if !ok {
			continue
		}
		names, err := parseHookList(v)
		if err != nil {
			return hs, &SettingError{Where: l.where, Key: "awsenv_hooks", Err: err,
				Fix: "List hook plugin names separated by commas, e.g. awsenv_hooks = kubectx, tfworkspace."}
		}
		for _, n := range names {
			hs.Hooks = append(hs.Hooks, Hook{Name: n, Options: map[string]string{}})
		}
		listAt = i
		break
	}
	if len(hs.Hooks) > 0 {
		hs.CommandFiles = files(hs.CommandFiles, layers[listAt].file)
	}
	optionFrom := map[string]string{} // the file each hook option comes from
	// Longest names first, so that hook_a_b_x goes to hook "a_b" when both
	// "a" and "a_b" are listed.
	byLen := make([]int, len(hs.Hooks))
	for i := range byLen {
		byLen[i] = i
	}
	sort.SliceStable(byLen, func(a, b int) bool { return len(hs.Hooks[byLen[a]].Name) > len(hs.Hooks[byLen[b]].Name) })

	env := map[string]EnvVar{}
	// Farthest first, so that nearer layers overwrite.
	for i := len(layers) - 1; i >= 0; i-- {
		l := layers[i]
		for _, k := range sortedKeys(l.values) {
			v := l.values[k]
			switch {
			case k == "confirm":
				on, ok := ParseBool(v)
				if !ok {
					return hs, &SettingError{Where: l.where, Key: "awsenv_confirm", Err: fmt.Errorf("%q is not true or false", v),
						Fix: "Write awsenv_confirm = true or false (also yes/no, on/off, 1/0, y/n)."}
				}
				hs.Confirm = on
			case k == "hook_timeout":
				where, line := l.at(k)
				d, err := HookTimeout.Parse(v, where, line)
				if err != nil {
					return hs, err
				}
				hs.Timeout = d
			case strings.HasPrefix(k, "env_"):
				name := l.envNames[k]
				if name == "" {
					name = strings.TrimPrefix(k, "env_")
				}
				// Keyed by the lower-cased name: the files cannot tell
				// Color from COLOR apart, so a nearer one replaces either.
				env[k] = EnvVar{Name: name, Value: v, Where: l.where, File: l.from(k)}
			case strings.HasPrefix(k, "hook_"):
				rest := strings.TrimPrefix(k, "hook_")
				for _, j := range byLen {
					if opt, ok := strings.CutPrefix(rest, hs.Hooks[j].Name+"_"); ok && opt != "" {
						hs.Hooks[j].Options[opt] = v
						optionFrom[k] = l.from(k)
						break
					}
				}
			}
		}
	}
	if len(hs.Hooks) > 0 {
		// What the plugins are handed is chosen with them; then the pins.
		for _, k := range sortedKeys(optionFrom) {
			hs.CommandFiles = files(hs.CommandFiles, optionFrom[k])
		}
		hs.CommandFiles = files(hs.CommandFiles, g.Path)
	}
	for _, e := range env {
		hs.Env = append(hs.Env, e)
	}
	sort.Slice(hs.Env, func(a, b int) bool { return hs.Env[a].Name < hs.Env[b].Name })
	return hs, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// parseHookList splits "a, b,c" into names, each a valid plugin name
// (lower-case letters, digits, '-' and '_', not starting with '-' or '_'),
// each once. An empty value is an empty list.
func parseHookList(v string) ([]string, error) {
	var names []string
	seen := map[string]bool{}
	for _, part := range strings.Split(v, ",") {
		n := strings.TrimSpace(part)
		if n == "" {
			if strings.TrimSpace(v) == "" {
				continue
			}
			return nil, fmt.Errorf("%q has an empty name between commas", v)
		}
		if !ValidPluginName(n) {
			return nil, fmt.Errorf("%q is not a plugin name (lower-case letters, digits, '-' and '_')", n)
		}
		if seen[n] {
			return nil, fmt.Errorf("%s is listed twice", n)
		}
		seen[n] = true
		names = append(names, n)
	}
	return names, nil
}

// ValidPluginName is the plugin-name alphabet of plugins/discovery,
// ^[a-z0-9][a-z0-9_-]*$, without a regexp (kept off the cached path).
func ValidPluginName(n string) bool {
	if n == "" || len(n) > 64 {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case (c == '-' || c == '_') && i > 0:
		default:
			return false
		}
	}
	return true
}

// ParseBool reads the usual spellings of a boolean setting, in any letter
// case and with spaces around: 1/0, true/false, yes/no, on/off, y/n (and
// t/f). Empty is false. ok is false for anything else.
func ParseBool(v string) (on, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "t", "yes", "y", "on":
		return true, true
	case "", "0", "false", "f", "no", "n", "off":
		return false, true
	}
	return false, false
}

// CredentialPlugin is the profile's awsenv_credential_source (a plugin
// that hands out its base credentials instead of the credentials file) and
// its awsenv_credential_source_<option> keys; "" when it has none.
func (p *Profile) CredentialPlugin() (name string, options map[string]string) {
	name = strings.TrimSpace(p.Awsenv["credential_source"])
	if name == "" {
		return "", nil
	}
	options = map[string]string{}
	for k, v := range p.Awsenv {
		if opt, ok := strings.CutPrefix(k, "credential_source_"); ok && opt != "" {
			options[opt] = v
		}
	}
	return name, options
}
