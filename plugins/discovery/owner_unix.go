//go:build unix

package discovery

import (
	"io/fs"
	"syscall"
)

// permsMeaningful: owners and mode bits decide who can write a file.
const permsMeaningful = true

// ownerOf returns the user id that owns the file.
func ownerOf(fi fs.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
