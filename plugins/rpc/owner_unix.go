//go:build unix

package rpc

import (
	"io/fs"
	"syscall"
)

// fileOwner is the uid owning fi's file; ok is false where it is unknown.
func fileOwner(fi fs.FileInfo) (uid int, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
