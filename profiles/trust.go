package profiles

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/awsenv/awsenv/profiles/safefile"
)

// The trust gate: one rule for every key that lets a file choose code,
// credentials or exported variables. Such a key is used only when every
// file that chose it, or fed it, could have been written by no one but the
// user or root (safefile.Trusted). The keys it covers:
//
//   - mfa_process, credential_process: commands awsenv runs;
//   - awsenv_mfa_provider (unless a built-in: prompt, ykman, op),
//     awsenv_credential_source, awsenv_hooks: plugins awsenv runs, with
//     awsenv's own config, which holds their pins;
//   - awsenv_mfa_<option> (for a plugin provider),
//     awsenv_credential_source_<option>, awsenv_hook_NAME_<option>: what
//     such a plugin is handed;
//   - awsenv_env_NAME: variables awsenv exports.
//
// The check is made when a choice is about to be acted on (Gate.Check),
// so a file others can write that names none of them keeps working, and
// `awsenv doctor` asks the same gate (Gate.File and Gate.Check).

// Choice is something the files chose that awsenv is about to act on: a
// command or plugin to run, variables to export.
type Choice struct {
	Verb  string   // "run", "export"
	What  string   // "the mfa_process command", "awsenv_env_COLOR of profile dev"
	Files []string // every file that chose it or fed it; none: nothing to check
}

// Gate decides whether files may choose what awsenv runs, hands out or
// exports: only files that UID (or root) alone could have written. The
// zero Gate trusts only root's files.
type Gate struct {
	UID int
}

// Check returns nil when every file of every choice is trusted, else a
// *ChoiceFileError naming the first choice and file refused, with the fix.
func (g Gate) Check(choices ...Choice) error {
	for _, c := range choices {
		for _, f := range c.Files {
			err := safefile.Trusted(f, g.UID)
			var u *safefile.UntrustedError
			switch {
			case errors.As(err, &u):
				return &ChoiceFileError{Path: f, Verb: c.Verb, What: c.What, Err: u}
			case errors.Is(err, safefile.ErrTrustUnknown):
				return &FileError{Path: f, Err: fmt.Errorf("refusing to %s %s named in it: %w", c.Verb, c.What, err),
					Fix: "Take the key out of the file: on this system awsenv uses only keys that choose no command, plugin or variable."}
			case err != nil:
				return &FileError{Path: f, Err: err, Fix: "Check that the file and its directories are readable by you."}
			}
		}
	}
	return nil
}

// File checks one whole file, as doctor does before any profile: chosen
// lists what in it chooses code or variables by itself (FileChoices), and
// err is a *ChoiceFileError when others could change a file that chooses
// something, a *safefile.UntrustedError when they could change one that
// chooses nothing (awsenv keeps using it), else nil or the file's error.
func (g Gate) File(path string, global bool) (chosen []string, err error) {
	chosen, err = FileChoices(path, global)
	if err != nil {
		return nil, err
	}
	if len(chosen) == 0 {
		return nil, safefile.Trusted(path, g.UID)
	}
	return chosen, g.Check(Choice{Verb: "run", What: strings.Join(chosen, ", "), Files: []string{path}})
}

// ChoiceFileError is a choice awsenv refused because a file that made it
// could have been written by someone else.
type ChoiceFileError struct {
	Path string
	Verb string // "run", "export"
	What string // "the mfa_process command", ...
	Err  *safefile.UntrustedError
}

func (e *ChoiceFileError) Error() string {
	risk := "run any command as you"
	if e.Verb == "export" {
		risk = "set any variable in your shell"
	}
	return fmt.Sprintf("refusing to %s %s named in %s: %v. Anyone who can change the file can make awsenv %s. %s",
		e.Verb, e.What, e.Path, e.Err, risk, e.Err.Fix())
}

func (e *ChoiceFileError) Unwrap() error { return e.Err }

// builtinProvider: the MFA providers whose command awsenv chooses, not the
// file (prompt needs none).
func builtinProvider(v string) bool { return v == "" || v == "prompt" || v == "ykman" || v == "op" }

// choosingKey reports whether an awsenv key (name without awsenv_, as
// Profile.Awsenv and the global config hold it) or an AWS key (mfa_process,
// credential_process; aws == true) chooses code or variables by itself,
// whatever else is set. Options (awsenv_mfa_*, awsenv_hook_*,
// awsenv_credential_source_*) choose only with the plugin they go to, and
// are gated with it.
func choosingKey(name, value string, aws bool) bool {
	if aws {
		return name == "mfa_process" || name == "credential_process"
	}
	switch {
	case name == "mfa_provider":
		return !builtinProvider(strings.TrimSpace(value))
	case name == "hooks":
		return strings.TrimSpace(value) != ""
	case name == "credential_source":
		return strings.TrimSpace(value) != ""
	case strings.HasPrefix(name, "env_") && len(name) > len("env_"):
		return true
	}
	return false
}

// gatedOption reports an awsenv key (without awsenv_) that feeds a plugin:
// it is gated with the plugin it goes to.
func gatedOption(name string) bool {
	switch {
	case name == "mfa_timeout", name == "hook_timeout":
		return false
	case strings.HasPrefix(name, "mfa_"), strings.HasPrefix(name, "hook_"), strings.HasPrefix(name, "credential_source_"):
		return true
	}
	return false
}

// keyFrom is the file key (its name in an AWS file, lower case) of p was
// read from; for a key not recorded (a Profile not made by Load), its
// config file, else its credentials file, so the gate still checks one.
// keyAt names where p's key (awsenv_* or a command) is written, for
// messages: "FILE [profile NAME]"-like "FILE [NAME]", and its line.
func (p *Profile) keyAt(key string) (where string, line int) {
	return p.keyFrom(key) + " [" + p.Name + "]", p.keyLine[key]
}

func (p *Profile) keyFrom(key string) string {
	if f := p.CommandFrom[key]; f != "" {
		return f
	}
	if p.ConfigFile != "" {
		return p.ConfigFile
	}
	return p.CredentialsFile
}

// files adds the files given to a list once each, in order.
func files(list []string, add ...string) []string {
	for _, f := range add {
		if f != "" && !slices.Contains(list, f) {
			list = append(list, f)
		}
	}
	return list
}

// MFAChoice is the MFA provider of s as a choice: nothing to check for the
// built-ins (prompt, ykman, op).
func (s Settings) MFAChoice() Choice {
	what := "the MFA provider plugin " + s.MFAProvider
	if s.MFAProvider == "process" {
		what = "the mfa_process command"
	}
	return Choice{Verb: "run", What: what, Files: s.CommandFiles}
}

// CredentialProcessChoice is p's credential_process as a choice.
func (p *Profile) CredentialProcessChoice() Choice {
	return Choice{Verb: "run", What: "the credential_process of profile " + p.Name, Files: p.CredentialProcessFiles()}
}

// CredentialSourceChoice is p's awsenv_credential_source as a choice: the
// file naming it, those holding its options, and awsenv's own config
// (which holds the plugin pins).
func (g *Global) CredentialSourceChoice(p *Profile) Choice {
	name, opts := p.CredentialPlugin()
	if name == "" {
		return Choice{}
	}
	fs := files(nil, p.keyFrom("awsenv_credential_source"))
	for _, k := range sortedKeys(opts) {
		fs = files(fs, p.keyFrom("awsenv_credential_source_"+k))
	}
	if g != nil {
		fs = files(fs, g.Path)
	}
	return Choice{Verb: "run", What: fmt.Sprintf("the credential source plugin %s of profile %s", name, p.Name), Files: fs}
}

// PluginChoice is the hook plugins as one choice: the file naming the
// list, those holding their options, and awsenv's config (the pins).
// Nothing to check when there are none.
func (h HookSettings) PluginChoice() Choice {
	names := make([]string, len(h.Hooks))
	for i, k := range h.Hooks {
		names[i] = k.Name
	}
	return Choice{Verb: "run", What: "the hook plugins " + strings.Join(names, ", "), Files: h.CommandFiles}
}

// EnvChoices are the awsenv_env_* variables, one choice each.
func (h HookSettings) EnvChoices() []Choice {
	cs := make([]Choice, 0, len(h.Env))
	for _, e := range h.Env {
		cs = append(cs, Choice{Verb: "export", What: "awsenv_env_" + e.Name, Files: files(nil, e.File)})
	}
	return cs
}

// Choices are every choice of the hook settings: the plugins and the
// variables.
func (h HookSettings) Choices() []Choice {
	return append([]Choice{h.PluginChoice()}, h.EnvChoices()...)
}
