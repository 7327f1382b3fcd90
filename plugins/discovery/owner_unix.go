//go:build unix

package discovery

// permsMeaningful: owners and mode bits decide who can write a file.
const permsMeaningful = true
