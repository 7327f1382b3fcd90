package doctor

import (
	"fmt"
	"strings"

	"github.com/awsenv/awsenv/internal/switchhooks"
)

// The plugin checks: a credential source, and the hook plugins with the
// hooks' built-ins.

// Services a plugin must serve, by what it is used for.
const (
	serviceHooks       = "awsenv.hooks.v1"
	serviceCredentials = "awsenv.credentials.v1"
)

// credentialSource starts the plugin that holds the base profile's keys.
func (r *run) credentialSource(name string) {
	for _, check := range []string{"key", "identity", "key-active", "mfa-device"} {
		r.add(check, Skip, fmt.Sprintf("the keys of %s come from the credential source %s", r.base.Name, name), "")
	}
	if !r.trusted1("credential-source", r.Global.CredentialSourceChoice(r.base)) {
		return
	}
	r.plugin("credential-source", name, serviceCredentials, "awsenv_credential_source")
}

// hooks starts each hook plugin of the profile and checks its built-ins.
func (r *run) hooks() {
	hs, err := r.Global.HookSettings(r.res)
	if err != nil {
		r.add("hooks", Fail, err.Error(), "")
		return
	}
	if hs.None() {
		r.add("hooks", Skip, "the profile runs no hooks", "")
		return
	}
	for _, v := range hs.Env {
		if err := switchhooks.CheckName(v.Name); err != nil {
			r.add("hooks", Fail, fmt.Sprintf("awsenv_env_%s (%s): %v", v.Name, v.Where, err),
				"Remove the key, or export another name.")
			return
		}
	}
	if !r.trusted1("hooks", hs.Choices()...) {
		return
	}
	var parts []string
	for _, h := range hs.Hooks {
		if !r.plugin("hooks", h.Name, serviceHooks, "awsenv_hooks") {
			return
		}
		parts = append(parts, h.Name)
	}
	if len(hs.Env) > 0 {
		parts = append(parts, fmt.Sprintf("%d awsenv_env_* variable(s)", len(hs.Env)))
	}
	if hs.Confirm {
		parts = append(parts, "awsenv_confirm")
	}
	r.add("hooks", Pass, "runs "+strings.Join(parts, ", "), "")
}

// plugin starts the named plugin and reports under check when it cannot
// be used for service; it reports nothing and returns true when it can,
// except for a credential source, whose check it passes itself.
func (r *run) plugin(check, name, service, setting string) bool {
	if r.Plugin == nil {
		r.add(check, Skip, "plugins cannot be started from here", "")
		return false
	}
	detail, problem := r.Plugin(r.ctx, name, service)
	if problem != "" {
		r.add(check, Fail, fmt.Sprintf("plugin %s: %s", name, problem),
			firstOf(detail, fmt.Sprintf("Install awsenv-plugin-%s (see `awsenv plugins list`), or take it out of %s.", name, setting)))
		return false
	}
	if service == serviceCredentials {
		r.add(check, Pass, fmt.Sprintf("plugin %s serves %s (%s)", name, service, detail), "")
	}
	return true
}
