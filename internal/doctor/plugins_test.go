package doctor_test

import (
	"context"
	"io/fs"
	"slices"
	"testing"

	"github.com/awsenv/awsenv/internal/doctor"
)

// pluginAnswers is an injected Plugin that answers by plugin name and
// records what it was asked ("name service").
type pluginAnswers struct {
	answers map[string][2]string // name -> detail, problem
	asked   []string
}

func (p *pluginAnswers) plugin(_ context.Context, name, service string) (string, string) {
	p.asked = append(p.asked, name+" "+service)
	a, ok := p.answers[name]
	if !ok {
		return "", "no such plugin is installed"
	}
	return a[0], a[1]
}

// The credential-source check: the plugin that holds the base profile's
// keys is started and must serve credentials; the key checks skip.
func TestDoctorCredentialSource(t *testing.T) {
	t.Parallel()
	const config = "[profile cs]\nregion = eu-west-1\nawsenv_credential_source = vault\n" +
		"[profile csrole]\nrole_arn = " + roleARN + "\nsource_profile = cs\n"
	for _, tc := range []struct {
		name        string
		profile     string
		answers     map[string][2]string // nil: Plugin not injected
		status      string
		detail, fix string
	}{
		{"serves credentials", "cs", map[string][2]string{"vault": {"/plugins/awsenv-plugin-vault", ""}},
			doctor.Pass, "plugin vault serves awsenv.credentials.v1 (/plugins/awsenv-plugin-vault)", ""},
		{"role on top", "csrole", map[string][2]string{"vault": {"/plugins/awsenv-plugin-vault", ""}},
			doctor.Pass, "plugin vault serves awsenv.credentials.v1", ""},
		{"not installed", "cs", map[string][2]string{},
			doctor.Fail, "plugin vault: no such plugin is installed", "Install awsenv-plugin-vault (see `awsenv plugins list`), or take it out of awsenv_credential_source."},
		{"wrong service", "cs", map[string][2]string{"vault": {"Install a release that serves it.", "it does not serve awsenv.credentials.v1"}},
			doctor.Fail, "plugin vault: it does not serve awsenv.credentials.v1", "Install a release that serves it."},
		{"cannot start plugins", "cs", nil, doctor.Skip, "plugins cannot be started from here", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.write(w.files.Config, config, 0o600)
			var p *pluginAnswers
			if tc.answers != nil {
				p = &pluginAnswers{answers: tc.answers}
				w.plugin = p.plugin
			}
			rep := w.run(tc.profile)
			want(t, rep, "credential-source", tc.status, tc.detail, tc.fix)
			for _, skipped := range []string{"key", "identity", "key-active", "mfa-device"} {
				want(t, rep, skipped, doctor.Skip, "the keys of cs come from the credential source vault", "")
			}
			if p != nil && !slices.Equal(p.asked, []string{"vault awsenv.credentials.v1"}) {
				t.Errorf("plugins asked: %v", p.asked)
			}
			if len(w.sts.callers) != 0 || len(w.iam.users) != 0 {
				t.Errorf("AWS called for a credential source: STS %v, IAM %v", w.sts.callers, w.iam.users)
			}
		})
	}
}

// The hooks check: each hook plugin must serve hooks, awsenv_env_* names
// must be exportable, and the files choosing hook plugins must be trusted.
func TestDoctorHooks(t *testing.T) {
	t.Parallel()
	ok := map[string][2]string{"kube": {"/plugins/awsenv-plugin-kube", ""}, "tf": {"/plugins/awsenv-plugin-tf", ""},
		"oath": {"Install a release of awsenv-plugin-oath that serves awsenv.hooks.v1.", "it does not serve awsenv.hooks.v1 (it serves awsenv.mfa.v1)"}}
	for _, tc := range []struct {
		name        string
		keys        string      // added to [profile alice]
		global      string      // awsenv's config
		mode        fs.FileMode // of the AWS config, 0600 unless set
		noPlugins   bool
		status      string
		detail, fix string
		asked       []string
	}{
		{name: "none", status: doctor.Skip, detail: "the profile runs no hooks"},
		{name: "plugins and built-ins", keys: "awsenv_hooks = kube, tf\nawsenv_env_KUBE_CONTEXT = prod\nawsenv_confirm = true\n",
			status: doctor.Pass, detail: "runs kube, tf, 1 awsenv_env_* variable(s), awsenv_confirm",
			asked: []string{"kube awsenv.hooks.v1", "tf awsenv.hooks.v1"}},
		{name: "from awsenv's config", global: "[default]\nhooks = kube\n",
			status: doctor.Pass, detail: "runs kube", asked: []string{"kube awsenv.hooks.v1"}},
		{name: "not installed", keys: "awsenv_hooks = kube, nosuch\n", status: doctor.Fail,
			detail: "plugin nosuch: no such plugin is installed", fix: "take it out of awsenv_hooks",
			asked: []string{"kube awsenv.hooks.v1", "nosuch awsenv.hooks.v1"}},
		{name: "not a hook plugin", keys: "awsenv_hooks = oath\n", status: doctor.Fail,
			detail: "plugin oath: it does not serve awsenv.hooks.v1 (it serves awsenv.mfa.v1)", fix: "Install a release of awsenv-plugin-oath",
			asked: []string{"oath awsenv.hooks.v1"}},
		{name: "forbidden variable", keys: "awsenv_env_LD_PRELOAD = /tmp/x.so\n", status: doctor.Fail,
			detail: "awsenv_env_LD_PRELOAD (", fix: "Remove the key, or export another name."},
		{name: "bad setting", keys: "awsenv_confirm = perhaps\n", status: doctor.Fail, detail: "awsenv_confirm"},
		{name: "chosen by a file others can write", keys: "awsenv_hooks = kube\n", mode: 0o666, status: doctor.Fail,
			detail: "refusing to run the hook plugins kube named in "},
		{name: "cannot start plugins", keys: "awsenv_hooks = kube\n", noPlugins: true, status: doctor.Skip,
			detail: "plugins cannot be started from here"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			mode := tc.mode
			if mode == 0 {
				mode = 0o600
			}
			w.write(w.files.Config, "[profile alice]\nregion = eu-west-1\n"+tc.keys, mode)
			if tc.global != "" {
				w.write(w.global, tc.global, 0o600)
			}
			p := &pluginAnswers{answers: ok}
			if !tc.noPlugins {
				w.plugin = p.plugin
			}
			rep := w.run("alice")
			want(t, rep, "hooks", tc.status, tc.detail, tc.fix)
			if !slices.Equal(p.asked, tc.asked) {
				t.Errorf("plugins asked: %v, want %v", p.asked, tc.asked)
			}
			if tc.status == doctor.Fail && rep.OK {
				t.Error("doctor says ok")
			}
		})
	}
}
