package profiles_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/profiles"
)

// AWS's documented example keys; never real credentials.
const (
	exampleKeyID   = "AKIAIOSFODNN7EXAMPLE"
	exampleSecret  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	exampleKeyID2  = "AKIAI44QH8DHBEXAMPLE"
	exampleSecret2 = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
	exampleToken   = "AQoDYXdzEJr//EXAMPLETOKEN"
)

// writeFile writes content to dir/name with mode 0600 and returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// testFiles returns config and credentials paths in a fresh temporary
// directory, writing each file only when its content is not "-".
func testFiles(t *testing.T, config, credentials string) profiles.Files {
	t.Helper()
	dir := t.TempDir()
	f := profiles.Files{
		Config:      filepath.Join(dir, "config"),
		Credentials: filepath.Join(dir, "credentials"),
	}
	if config != "-" {
		writeFile(t, dir, "config", config)
	}
	if credentials != "-" {
		writeFile(t, dir, "credentials", credentials)
	}
	return f
}

// load writes the two files and loads them, failing the test on error.
func load(t *testing.T, config, credentials string) *profiles.Config {
	t.Helper()
	c, err := profiles.Load(testFiles(t, config, credentials))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

// lines joins lines with "\n" and a final newline, for readable INI text.
func lines(l ...string) string { return strings.Join(l, "\n") + "\n" }

func mustContain(t *testing.T, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%q\ndoes not contain %q", s, sub)
		}
	}
}
