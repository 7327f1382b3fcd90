package sessionkey

import (
	"os"
	"os/exec"
	"testing"
)

// testBinary runs this test binary again for the one test named.
func testBinary(t *testing.T, test string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.v")
	cmd.Env = append(os.Environ(), env...)
	return cmd
}
