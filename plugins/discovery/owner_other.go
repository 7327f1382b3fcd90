//go:build !unix

package discovery

import "io/fs"

// permsMeaningful: elsewhere (Windows) the Unix mode bits are made up and
// ACLs decide; CheckSafe then only checks that the plugin is a regular file.
const permsMeaningful = false

func ownerOf(fs.FileInfo) (int, bool) { return 0, false }
