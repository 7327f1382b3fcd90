package profiles

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecretSettings(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte("[default]\nawsenv_session_encryption = off\nsso_token_storage = keyring\nkeyring_backend = file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	g, err := LoadGlobal(path)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	if on, err := g.SessionEncryption(getenv); on || err != nil {
		t.Errorf("the file's off: %v, %v", on, err)
	}
	if s, err := g.SSOTokenStorage(getenv); s != SSOTokenKeyring || err != nil {
		t.Errorf("the file's keyring: %v, %v", s, err)
	}
	if b := g.KeyringBackendChoice(getenv); b != "file" {
		t.Errorf("backend %q", b)
	}
	// The environment wins.
	env["AWSENV_SESSION_ENCRYPTION"], env["AWSENV_SSO_TOKEN_STORAGE"], env["AWSENV_KEYRING_BACKEND"] = "ON", "aws-cli", "keyctl"
	if on, err := g.SessionEncryption(getenv); !on || err != nil {
		t.Errorf("the environment's on: %v, %v", on, err)
	}
	if s, _ := g.SSOTokenStorage(getenv); s != SSOTokenAWSCLI {
		t.Errorf("the environment's aws-cli: %v", s)
	}
	if b := g.KeyringBackendChoice(getenv); b != "keyctl" {
		t.Errorf("backend %q", b)
	}
	// Defaults: encryption on, the CLI's cache.
	empty := &Global{Path: "none"}
	if on, err := empty.SessionEncryption(nil); !on || err != nil {
		t.Errorf("default encryption: %v, %v", on, err)
	}
	if s, err := empty.SSOTokenStorage(nil); s != SSOTokenAWSCLI || err != nil {
		t.Errorf("default storage: %v, %v", s, err)
	}
	// A value awsenv does not know is an error naming the key and the fix.
	env["AWSENV_SESSION_ENCRYPTION"], env["AWSENV_SSO_TOKEN_STORAGE"] = "maybe", "vault"
	var se *SettingError
	if _, err := g.SessionEncryption(getenv); !errors.As(err, &se) || !strings.Contains(err.Error(), "AWSENV_SESSION_ENCRYPTION") ||
		!strings.Contains(err.Error(), "off") {
		t.Errorf("a bad encryption value: %v", err)
	}
	if _, err := g.SSOTokenStorage(getenv); !errors.As(err, &se) || !strings.Contains(err.Error(), "keyring") {
		t.Errorf("a bad storage value: %v", err)
	}
}
