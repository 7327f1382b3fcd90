package main

import (
	"testing"

	"github.com/adrg/xdg"
)

// The front resolves its XDG directories itself on Linux (xdg_linux.go);
// they must be what adrg/xdg, which the helper and other platforms use,
// resolves.
func TestXDGDirsMatchAdrgXDG(t *testing.T) {
	for _, c := range []struct{ home, config, state, data string }{
		{"/home/alice", "", "", ""},
		{"/home/alice", "/x/config", "/x/state", "/x/data"},
		{"/home/alice", "~/c", "$HOME/s", "~"},
		{"/home/alice", "relative", "./s", "$HOMEX/d"},
		{"", "", "", ""},
		{"", "~/c", "/s", "rel"},
		{"relative-home", "", "/s", "~/d"},
		{"~odd", "", "", ""},
		{"/home/alice/", "/x//config/", "", ""},
	} {
		t.Setenv("HOME", c.home)
		t.Setenv("XDG_CONFIG_HOME", c.config)
		t.Setenv("XDG_STATE_HOME", c.state)
		t.Setenv("XDG_DATA_HOME", c.data)
		xdg.Reload()
		config, state, data := xdgDirs()
		if config != xdg.ConfigHome || state != xdg.StateHome || data != xdg.DataHome {
			t.Errorf("HOME=%q XDG=%q,%q,%q: got %q, %q, %q; adrg/xdg has %q, %q, %q", c.home, c.config, c.state, c.data,
				config, state, data, xdg.ConfigHome, xdg.StateHome, xdg.DataHome)
		}
	}
}
