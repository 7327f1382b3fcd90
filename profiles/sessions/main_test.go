//go:build unix

package sessions

import (
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"
)

// holdLockEnv makes the test binary, run as a child process, take the
// flock named by the variable, print "locked", and sleep until killed.
const holdLockEnv = "AWSENV_SESSIONS_TEST_HOLD_LOCK"

func TestMain(m *testing.M) {
	if path := os.Getenv(holdLockEnv); path != "" {
		os.Exit(holdLock(path))
	}
	os.Exit(m.Run())
}

func holdLock(path string) int {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err == nil {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "holdLock %s: %v\n", path, err)
		return 2
	}
	fmt.Println("locked")
	time.Sleep(time.Minute) // the test kills us long before
	return 0
}
