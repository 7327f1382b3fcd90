package sessions

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/gofrs/flock"
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
	l := flock.New(path)
	ok, err := l.TryLock()
	if err != nil || !ok {
		fmt.Fprintf(os.Stderr, "holdLock %s: ok=%v err=%v\n", path, ok, err)
		return 2
	}
	fmt.Println("locked")
	time.Sleep(time.Minute) // the test kills us long before
	return 0
}
