package profiles_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/profiles"
)

// choicesOf is every choice the commands make for profile x, through the
// same methods they call: the MFA provider (credflow via cmd), the
// credential_process and credential source (credflow), the hook plugins
// and awsenv_env_* variables (switchhooks).
func choicesOf(t *testing.T, g *profiles.Global, c *profiles.Config) []profiles.Choice {
	t.Helper()
	r, err := c.Resolve("x")
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	s, err := g.Settings(r.Profile)
	if err != nil {
		t.Fatalf("Settings: %v", err)
	}
	hs, err := g.HookSettings(r)
	if err != nil {
		t.Fatalf("HookSettings: %v", err)
	}
	cs := []profiles.Choice{s.MFAChoice(), r.Profile.CredentialProcessChoice(), g.CredentialSourceChoice(r.Profile)}
	return append(cs, hs.Choices()...)
}

// A file others can write that names each kind of key the trust gate
// covers is refused by the gate, with the chmod fix, through the choice
// the command that uses the key asks about; the same file private passes.
// Files that name none of them, or only built-ins, pass even at 0666.
func TestGateEveryKey(t *testing.T) {
	const keys = "[profile x]\naws_access_key_id = " + exampleKeyID + "\naws_secret_access_key = " + exampleSecret + "\n"
	for _, tt := range []struct {
		name          string
		config, creds string // [profile x] / [x] lines; the credentials file always holds x's keys
		global        string
		open          string // which file is 0666: config, credentials, global; "" none
		verb, what    string // of the refusal
		fileLevel     bool   // doctor's whole-file check names it too
	}{
		{name: "mfa_process", config: "mfa_process = otp", open: "config", verb: "run", what: "the mfa_process command", fileLevel: true},
		{name: "credential_process", config: "credential_process = getcreds", open: "config", verb: "run", what: "the credential_process of profile x", fileLevel: true},
		{name: "awsenv_mfa_provider plugin", config: "awsenv_mfa_provider = oath", open: "config", verb: "run", what: "the MFA provider plugin oath", fileLevel: true},
		{name: "awsenv_mfa_provider process", config: "awsenv_mfa_provider = process\nmfa_process = otp", open: "config", verb: "run", what: "the mfa_process command", fileLevel: true},
		{name: "awsenv_mfa option of a plugin", config: "awsenv_mfa_provider = oath", creds: "awsenv_mfa_secret_file = /tmp/x", open: "credentials", verb: "run", what: "the MFA provider plugin oath"},
		{name: "awsenv_credential_source", config: "awsenv_credential_source = vault", open: "config", verb: "run", what: "the credential source plugin vault of profile x", fileLevel: true},
		{name: "awsenv_credential_source option", config: "awsenv_credential_source = vault", creds: "awsenv_credential_source_path = other/account", open: "credentials", verb: "run", what: "the credential source plugin vault of profile x"},
		{name: "awsenv_hooks", config: "awsenv_hooks = kube", open: "config", verb: "run", what: "the hook plugins kube", fileLevel: true},
		{name: "awsenv_hook option", config: "awsenv_hooks = kube", creds: "awsenv_hook_kube_context = prod", open: "credentials", verb: "run", what: "the hook plugins kube"},
		{name: "awsenv_env", config: "awsenv_env_COLOR = red", open: "config", verb: "export", what: "awsenv_env_COLOR", fileLevel: true},
		{name: "awsenv_env in credentials", creds: "awsenv_env_COLOR = red", open: "credentials", verb: "export", what: "awsenv_env_COLOR", fileLevel: true},
		{name: "global mfa_provider", global: "[default]\nmfa_provider = oath\n", open: "global", verb: "run", what: "the MFA provider plugin oath", fileLevel: true},
		{name: "global mfa option", config: "awsenv_mfa_provider = oath", global: "[default]\nmfa_secret_file = /tmp/x\n", open: "global", verb: "run", what: "the MFA provider plugin oath"},
		{name: "global pins of a profile's plugin", config: "awsenv_mfa_provider = oath", global: "[plugin oath]\nsha256 = 00\n", open: "global", verb: "run", what: "the MFA provider plugin oath", fileLevel: true},
		{name: "global pins of a credential source", config: "awsenv_credential_source = vault", global: "[plugin vault]\nsha256 = 00\n", open: "global", verb: "run", what: "the credential source plugin vault of profile x", fileLevel: true},
		{name: "global hooks", global: "[default]\nhooks = kube\n", open: "global", verb: "run", what: "the hook plugins kube", fileLevel: true},
		{name: "global hook option", config: "awsenv_hooks = kube", global: "[default]\nhook_kube_context = prod\n", open: "global", verb: "run", what: "the hook plugins kube"},
		{name: "global env", global: "[default]\nenv_COLOR = red\n", open: "global", verb: "export", what: "awsenv_env_COLOR", fileLevel: true},
		// Still usable from a file others can write: nothing chosen.
		{name: "no such key", config: "region = eu-west-1\nmfa_serial = arn:aws:iam::123456789012:mfa/x", open: "config"},
		{name: "a built-in provider and its options", config: "awsenv_mfa_provider = ykman\nawsenv_mfa_account = x", open: "config"},
		{name: "durations and confirm", config: "awsenv_session_duration = 1h\nawsenv_hook_timeout = 5s\nawsenv_confirm = true\nawsenv_credential_process_timeout = 1m", open: "config"},
		{name: "options without their plugin", creds: "awsenv_hook_kube_context = prod\nawsenv_credential_source_path = x", open: "credentials"},
		{name: "global without choices", global: "[default]\nsession_duration = 1h\nmfa_provider = prompt\n", open: "global"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			f := profiles.Files{Config: filepath.Join(dir, "config"), Credentials: filepath.Join(dir, "credentials")}
			global := filepath.Join(dir, "awsenv-config")
			writeFile(t, dir, "config", "[profile x]\n"+tt.config+"\n")
			creds := "[x]\n"
			if !strings.Contains(tt.config, "credential_source =") && !strings.Contains(tt.config, "credential_process =") {
				creds = strings.Replace(keys, "[profile x]", "[x]", 1)
			}
			writeFile(t, dir, "credentials", creds+tt.creds+"\n")
			writeFile(t, dir, "awsenv-config", tt.global)
			open := map[string]string{"config": f.Config, "credentials": f.Credentials, "global": global}[tt.open]
			c, err := profiles.Load(f)
			if err != nil {
				t.Fatal(err)
			}
			g, err := profiles.LoadGlobal(global)
			if err != nil {
				t.Fatal(err)
			}
			gate := profiles.Gate{UID: os.Getuid()}
			if err := gate.Check(choicesOf(t, g, c)...); err != nil {
				t.Fatalf("private files: %v", err)
			}
			if err := os.Chmod(open, 0o666); err != nil {
				t.Fatal(err)
			}
			err = gate.Check(choicesOf(t, g, c)...)
			chosen, ferr := gate.File(open, tt.open == "global")
			if tt.verb == "" {
				if err != nil {
					t.Fatalf("nothing chosen, yet: %v", err)
				}
				if len(chosen) > 0 || ferr == nil {
					t.Errorf("doctor's file check: %q, %v; want nothing chosen and the file untrusted", chosen, ferr)
				}
				return
			}
			var ce *profiles.ChoiceFileError
			if !errors.As(err, &ce) || ce.Path != open || ce.Verb != tt.verb || ce.What != tt.what {
				t.Fatalf("want %s %s refused for %s, got %#v", tt.verb, tt.what, open, err)
			}
			mustContain(t, err.Error(), "refusing to "+tt.verb+" "+tt.what+" named in "+open, "mode 0666", "chmod go-w "+open)
			if errors.As(ferr, &ce) != tt.fileLevel || (len(chosen) > 0) != tt.fileLevel {
				t.Errorf("doctor's file check: chosen %q, %v; want refused: %v", chosen, ferr, tt.fileLevel)
			}
		})
	}
}
