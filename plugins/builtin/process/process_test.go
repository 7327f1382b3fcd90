//go:build linux

package process

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/childproc/childproctest"
)

// mfa_process runs through childproc: a hostile command's stderr reaches
// the person made safe and capped, and what it leaves running is gone.
func TestHostileProcessThroughChildproc(t *testing.T) {
	for _, p := range []string{"sh", "setsid", "sleep"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skip("no " + p)
		}
	}
	pidFile := filepath.Join(t.TempDir(), "pid")
	var term bytes.Buffer
	p := &Provider{Command: childproctest.HostileSh() + "; " + childproctest.LeaveBehindSh(pidFile) + "; echo 123456", Stderr: &term}
	code, err := p.Code(context.Background(), plugins.Request{Profile: "prod"})
	if err != nil || code != "123456" {
		t.Fatalf("Code = %q, %v", code, err)
	}
	childproctest.Check(t, term.String())
	childproctest.Gone(t, childproctest.LeftPid(t, pidFile), "the setsid sleep mfa_process left")
}

// Its stdout is capped: a flood is no code, and no memory is filled.
func TestStdoutCapped(t *testing.T) {
	p := &Provider{Command: "yes 123456 | head -c 10000000"}
	_, err := p.Code(context.Background(), plugins.Request{Profile: "prod"})
	if err == nil || !strings.Contains(err.Error(), "did not print a 6-digit code") {
		t.Fatalf("Code = %v", err)
	}
}
