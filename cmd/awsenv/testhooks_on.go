//go:build awsenv_testhooks

package main

import (
	"fmt"
	"time"
)

// pausePoint, in the test build only: with AWSENV_TEST_PAUSE=STEP awsenv
// says "paused at STEP" on stderr and waits to be killed.
func pausePoint(d *Deps, step string) {
	if d.Getenv("AWSENV_TEST_PAUSE") != step {
		return
	}
	fmt.Fprintf(d.Stderr, "paused at %s\n", step)
	time.Sleep(time.Hour)
}
