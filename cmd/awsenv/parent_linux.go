package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// parentNames yields the names the parent process goes by: its
// /proc/PID/comm (the base name of the path it was started by, such as sh
// for a /bin/sh that is dash), then the base name of its executable (dash,
// busybox), read only if the caller asks past the first. Either may be
// missing; nothing is yielded for init, which is what a process whose
// parent has gone reports.
func parentNames(yield func(string) bool) {
	ppid := os.Getppid()
	if ppid <= 1 {
		return
	}
	dir := "/proc/" + strconv.Itoa(ppid)
	if b, err := os.ReadFile(dir + "/comm"); err == nil {
		if !yield(strings.TrimSuffix(string(b), "\n")) {
			return
		}
	}
	if exe, err := os.Readlink(dir + "/exe"); err == nil {
		yield(filepath.Base(strings.TrimSuffix(exe, " (deleted)")))
	}
}
