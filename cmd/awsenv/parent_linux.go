package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// parentNames returns the names the parent process goes by: its
// /proc/PID/comm (the base name of the path it was started by, such as sh
// for a /bin/sh that is dash) and the base name of its executable (dash,
// busybox). Either may be missing; nothing is returned for init, which is
// what a process whose parent has gone reports.
func parentNames() []string {
	ppid := os.Getppid()
	if ppid <= 1 {
		return nil
	}
	dir := "/proc/" + strconv.Itoa(ppid)
	var names []string
	if b, err := os.ReadFile(dir + "/comm"); err == nil {
		names = append(names, strings.TrimSuffix(string(b), "\n"))
	}
	if exe, err := os.Readlink(dir + "/exe"); err == nil {
		names = append(names, filepath.Base(strings.TrimSuffix(exe, " (deleted)")))
	}
	return names
}
