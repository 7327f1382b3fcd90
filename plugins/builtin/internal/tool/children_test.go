//go:build linux

package tool

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/awsenv/awsenv/plugins/childproc/childproctest"
)

// ykman and op run through childproc: a hostile program's stderr reaches
// the person made safe and capped, and what it leaves running is gone.
func TestHostileToolThroughChildproc(t *testing.T) {
	for _, p := range []string{"sh", "setsid", "sleep"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skip("no " + p)
		}
	}
	pidFile := filepath.Join(t.TempDir(), "pid")
	r, _ := runner(childproctest.Script(t, childproctest.LeaveBehindSh(pidFile)+"; echo 123456"))
	var term bytes.Buffer
	r.Stderr = &term
	if code, err := r.Run(context.Background(), request()); err != nil || code != "123456" {
		t.Fatalf("Run = %q, %v", code, err)
	}
	childproctest.Check(t, term.String())
	childproctest.Gone(t, childproctest.LeftPid(t, pidFile), "the setsid sleep the tool left")
}
