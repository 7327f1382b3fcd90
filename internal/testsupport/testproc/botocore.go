package testproc

import (
	"os"
	"strings"
	"testing"
)

// Botocore runs python3 with args in a clean environment (its own HOME,
// PATH and pyenv's version kept, UTF-8) and returns its stdout: the tests
// that compare awsenv with the AWS CLI run botocore this way. Without a
// python3 that has botocore the test skips, except in CI (CI=true).
func Botocore(tb testing.TB, args ...string) []byte {
	tb.Helper()
	cmd := Command("python3", args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "PYTHONUTF8=1", "HOME=" + tb.TempDir(), "PYENV_VERSION=" + os.Getenv("PYENV_VERSION")}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := "python3 with botocore is needed to compare with the AWS CLI: " + err.Error() + " " + stderr.String()
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	return out
}
