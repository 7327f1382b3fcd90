// Package rss measures the peak resident memory of a program run with GNU
// time, which forks it from a small process: a child of a large Go process
// (a test binary, the benchmark itself) would carry that process's
// high-water mark in its rusage.
package rss

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// Peak is the largest peak RSS, in KB, of a few runs of argv in env; reset,
// if set, runs before each. ok is false without /usr/bin/time or when a run
// fails.
func Peak(env []string, reset func(), argv ...string) (kb int64, ok bool) {
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		return 0, false
	}
	for range 3 {
		if reset != nil {
			reset()
		}
		cmd := exec.Command("/usr/bin/time", append([]string{"-f", "%M"}, argv...)...)
		cmd.Env = env
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return 0, false
		}
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		n, err := strconv.ParseInt(lines[len(lines)-1], 10, 64)
		if err != nil {
			return 0, false
		}
		kb = max(kb, n)
	}
	return kb, true
}
