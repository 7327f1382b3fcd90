package testproc

import (
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

var (
	toolsMu sync.Mutex
	tools   = map[string]string{}
)

// Tool finds an external program and resolves a pyenv shim to the real
// script (`pyenv which`): the shim looks for pyenv's root under HOME, which
// tests replace, it costs tens of milliseconds a run, and as a bash script it
// would put a process between the test and the program. Without the program
// the test skips, except in CI (CI=true), where that is a broken setup.
func Tool(tb testing.TB, name string) string {
	tb.Helper()
	toolsMu.Lock()
	defer toolsMu.Unlock()
	if p, ok := tools[name]; ok {
		return p
	}
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%s is not installed; .ci/run must install it", name)
		}
		tb.Skipf("%s is not installed; install it to run this test", name)
	}
	if strings.Contains(p, "shims") {
		if out, err := exec.Command("pyenv", "which", name).Output(); err == nil {
			p = strings.TrimSpace(string(out))
		}
	}
	tools[name] = p
	return p
}
