package doctor

import (
	"fmt"
	"strings"
	"time"

	"github.com/awsenv/awsenv/plugins/termsafe"
)

// The shell checks: the shell function, and the variables in the environment.

func (r *run) shellHook() {
	if sh := termsafe.Line(r.Getenv("AWSENV_SHELL_HOOK"), termsafe.MaxValue); sh != "" {
		r.add("shell-hook", Pass, "the awsenv shell function is loaded ("+sh+")", "")
		return
	}
	shell := r.Getenv("SHELL")
	shell = shell[strings.LastIndex(shell, "/")+1:]
	fix := "Add the hook to your shell's startup file (./install.sh does it): "
	switch shell {
	case "fish":
		fix += "awsenv init fish | source   # in ~/.config/fish/config.fish"
	case "zsh":
		fix += `eval "$(awsenv init zsh)"   # in ~/.zshrc`
	default:
		fix += `eval "$(awsenv init bash)"   # in ~/.bashrc`
	}
	r.add("shell-hook", Warn, "awsenv was not run through its shell function, so `awsenv use` cannot change this shell without eval", fix)
}

// environment looks for variables that shadow or contradict awsenv's.
func (r *run) environment() {
	// Values from the environment are shown made safe and capped.
	key, token := termsafe.Line(r.Getenv("AWS_ACCESS_KEY_ID"), termsafe.MaxValue), r.Getenv("AWS_SESSION_TOKEN")
	active := termsafe.Line(r.Getenv("AWSENV_PROFILE"), termsafe.MaxValue)
	var fails, warns, fixes []string
	if at, ok := r.Retired[key]; ok && key != "" {
		fails = append(fails, fmt.Sprintf("AWS_ACCESS_KEY_ID is %s, the old key awsenv rotated away on %s", key, at.UTC().Format("2006-01-02 15:04 MST")))
		fixes = append(fixes, fmt.Sprintf("Run `awsenv use %s` or `awsenv unset` in this shell and in every shell opened before the rotation.", firstOf(active, r.Profile)))
	}
	if temporaryKey.MatchString(key) && token == "" {
		fails = append(fails, fmt.Sprintf("AWS_ACCESS_KEY_ID is a temporary key (%s) but AWS_SESSION_TOKEN is not set", key))
		fixes = append(fixes, "Run `awsenv use PROFILE` again, which sets all three.")
	}
	if longTermKey.MatchString(key) && r.base != nil && key != r.base.AccessKeyID && r.Retired[key].IsZero() && active == r.Profile {
		warns = append(warns, fmt.Sprintf("AWS_ACCESS_KEY_ID is %s, not the key %s of %s", key, r.base.AccessKeyID, r.Profile))
		fixes = append(fixes, fmt.Sprintf("Run `awsenv use %s`.", r.Profile))
	}
	if p := termsafe.Line(r.Getenv("AWS_PROFILE"), termsafe.MaxValue); p != "" && key != "" {
		warns = append(warns, fmt.Sprintf("AWS_PROFILE=%s is set next to exported keys: prompts show %s, and some tools use the profile instead of the keys", p, p))
		fixes = append(fixes, "Unset it (unset AWS_PROFILE); `awsenv use` does that for you.")
	}
	if exp := r.Getenv("AWSENV_EXPIRES_AT"); exp != "" && active != "" {
		var sec int64
		if _, err := fmt.Sscan(exp, &sec); err == nil && time.Unix(sec, 0).Before(r.Now()) {
			warns = append(warns, fmt.Sprintf("the credentials of %s in this shell expired at %s", active, time.Unix(sec, 0).UTC().Format(time.RFC3339)))
			fixes = append(fixes, fmt.Sprintf("Run `awsenv use %s`.", active))
		}
	}
	switch {
	case len(fails) > 0:
		r.add("environment", Fail, strings.Join(append(fails, warns...), "; "), strings.Join(fixes, " "))
	case len(warns) > 0:
		r.add("environment", Warn, strings.Join(warns, "; "), strings.Join(fixes, " "))
	case key != "":
		r.add("environment", Pass, fmt.Sprintf("AWS_ACCESS_KEY_ID %s from awsenv profile %s", key, firstOf(active, "(none)")), "")
	default:
		r.add("environment", Pass, "no AWS credentials in the environment", "")
	}
}
