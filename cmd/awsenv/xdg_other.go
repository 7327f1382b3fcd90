//go:build !linux

package main

import "github.com/adrg/xdg"

// xdgDirs are the XDG base directories awsenv uses (on macOS and Windows,
// adrg/xdg's platform defaults).
func xdgDirs() (config, state, data string) {
	return xdg.ConfigHome, xdg.StateHome, xdg.DataHome
}
