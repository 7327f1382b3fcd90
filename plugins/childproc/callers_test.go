package childproc_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every program awsenv and awsenv-helper start goes through this package:
// no other code of theirs starts a process itself, and each kind of child
// names the entry point it uses.
func TestEveryChildGoesThroughChildproc(t *testing.T) {
	root := filepath.Join("..", "..")
	starts := regexp.MustCompile(`exec\.Command(Context)?\(|\.Start\(\)|os\.StartProcess\(|syscall\.ForkExec\(|\.Run\(\)|\.Output\(\)|\.CombinedOutput\(\)`)
	// Not awsenv's own code: test support, benchmarks, and the example
	// plugins, written as an outsider would.
	skip := []string{"plugins/childproc/", "internal/testsupport/", "bench/", "plugins/examples/"}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		for _, s := range skip {
			if strings.HasPrefix(rel, s) {
				return nil
			}
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(data), "\n") {
			if starts.MatchString(line) && !strings.HasPrefix(strings.TrimSpace(line), "//") {
				t.Errorf("%s:%d starts a process itself: use childproc.Run or childproc.Launch\n\t%s", rel, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for file, call := range map[string]string{
		"internal/credproc/credproc.go":         "childproc.Run(",    // credential_process, in awsenv
		"plugins/builtin/process/process.go":    "childproc.Run(",    // mfa_process
		"plugins/builtin/internal/tool/tool.go": "childproc.Run(",    // ykman, op
		"internal/browser/browser.go":           "childproc.Run(",    // the browser opener
		"internal/helper/client.go":             "childproc.Launch(", // awsenv-helper
		"cmd/awsenv/execserver.go":              "childproc.Start(",  // the command of exec --server
		"plugins/rpc/runner.go":                 "childproc.Launch(", // plugins, through go-plugin's RunnerFunc
		"plugins/rpc/stderr.go":                 "childproc.NewStderr(",
		"cmd/awsenv/login.go":                   "browser.Open(",
		"cmd/awsenv/console.go":                 "browser.Open(",
	} {
		data, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), call) {
			t.Errorf("%s does not call %s", file, call)
		}
	}
}
