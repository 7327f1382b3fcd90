package main

// Messages that must point the right way (issue 16, rows 10 and 14): what
// the person reads names the real cause and a fix that is safe to follow.

import (
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

// Row 10: a variable pointing at a device or at the shell's pipe gets the
// fix "point VARIABLE back at a regular file", never `rm /dev/...`; a FIFO
// in the user's own ~/.aws is still theirs to remove.
func TestNotRegularFilesFixPointsBack(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	fifo := filepath.Join(w.home, ".aws", "credentials.fifo")
	must(t, syscall.Mkfifo(fifo, 0o600))
	for _, tc := range []struct {
		name, env, stdin string
		cmd              []string
		want, wantNot    string
	}{
		{"device as credentials", "AWS_SHARED_CREDENTIALS_FILE=/dev/zero", "", []string{"use", "alice"},
			"point AWS_SHARED_CREDENTIALS_FILE back at a regular file", "rm "},
		{"device in doctor", "AWS_SHARED_CREDENTIALS_FILE=/dev/zero", "", []string{"doctor", "alice"},
			"point AWS_SHARED_CREDENTIALS_FILE back at a regular file", "rm "},
		{"the shell's pipe as config", "AWS_CONFIG_FILE=/dev/stdin", "[profile alice]\n", []string{"use", "alice"},
			"point AWS_CONFIG_FILE back at a regular file", "rm "},
		{"a FIFO of the user's", "AWS_SHARED_CREDENTIALS_FILE=" + fifo, "", []string{"use", "alice"},
			"Remove it (rm " + fifo + "), then put the file you meant there", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := w.command(tc.cmd, tc.env)
			if tc.stdin != "" {
				cmd.Stdin = strings.NewReader(tc.stdin)
			}
			r := runCmd(t, cmd)
			out := r.stdout + r.stderr
			if r.code == 0 || !strings.Contains(out, tc.want) || (tc.wantNot != "" && strings.Contains(out, tc.wantNot)) {
				t.Fatalf("want a refusal with %q and without %q; got %s", tc.want, tc.wantNot, r)
			}
			if strings.Contains(out, "chmod 600 /dev") {
				t.Errorf("a fix changes a device's mode: %s", r)
			}
		})
	}
}

// command is awsenv with args, without a terminal, for a test that sets
// more (its stdin) before runCmd.
func (w *world) command(args []string, env ...string) *exec.Cmd {
	cmd := testproc.Command(filepath.Join(binDir, "awsenv"), args...)
	cmd.Env = w.env(env...)
	cmd.Dir = w.dir
	setNoTTY(cmd)
	return cmd
}
