//go:build unix

package safefile

import (
	"io/fs"
	"syscall"
)

// ownersKnown: Unix files have an owner and mode bits that say who may
// change them.
const ownersKnown = true

// ownerOf is the uid that owns the file.
func ownerOf(fi fs.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
