package main

import (
	"os"
	"path/filepath"
	"strings"
)

// xdgDirs are $XDG_CONFIG_HOME, $XDG_STATE_HOME and $XDG_DATA_HOME as
// github.com/adrg/xdg resolves them on Linux (its paths_unix.go and
// pathutil.EnvPath: ~ and $HOME expanded, a relative value ignored, HOME
// else /). The front does not link adrg/xdg on Linux: its package init
// reads user-dirs.dirs and builds every XDG list, which each cached `use`
// paid for three paths. TestXDGDirsMatchAdrgXDG keeps them equal.
func xdgDirs() (config, state, data string) {
	home := os.Getenv("HOME")
	if home == "" {
		home = "/"
	}
	expand := func(dir string) string {
		if dir == "" {
			return ""
		}
		if dir[0] == '~' {
			return filepath.Join(home, dir[1:])
		}
		if strings.HasPrefix(dir, "$HOME") {
			return filepath.Join(home, dir[5:])
		}
		return dir
	}
	env := func(name string, fallback ...string) string {
		for _, dir := range []string{expand(os.Getenv(name)), expand(filepath.Join(fallback...))} {
			if dir != "" && filepath.IsAbs(dir) {
				return dir
			}
		}
		return ""
	}
	return env("XDG_CONFIG_HOME", home, ".config"),
		env("XDG_STATE_HOME", home, ".local", "state"),
		env("XDG_DATA_HOME", home, ".local", "share")
}
