//go:build !unix

package safefile

import "io/fs"

// ownersKnown: elsewhere (Windows) who may change a file is a matter of
// ACLs that Trusted does not read yet, so it trusts no file.
const ownersKnown = false

func ownerOf(fs.FileInfo) (int, bool) { return 0, false }
