package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
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
	if b, ok := readComm(dir + "/comm"); ok {
		if !yield(strings.TrimSuffix(string(b), "\n")) {
			return
		}
	}
	if exe, err := os.Readlink(dir + "/exe"); err == nil {
		yield(filepath.Base(strings.TrimSuffix(exe, " (deleted)")))
	}
}

// readComm reads a /proc comm file (16 bytes at most) with three system
// calls: os.ReadFile would also set up the network poller for it, at every
// cached run.
func readComm(path string) ([]byte, bool) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, false
	}
	defer unix.Close(fd)
	var buf [64]byte
	n, err := unix.Read(fd, buf[:])
	if err != nil || n <= 0 {
		return nil, false
	}
	return buf[:n], true
}
