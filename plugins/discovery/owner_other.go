//go:build !unix

package discovery

// permsMeaningful: elsewhere (Windows) the Unix mode bits are made up and
// ACLs decide; the trust check (safefile.Trusted) refuses every plugin there.
const permsMeaningful = false
