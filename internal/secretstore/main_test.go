//go:build linux

package secretstore

import (
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/godbus/dbus"
)

// TestMain ends the D-Bus daemon the library's initialisation started in
// this test binary, if it did: without a session bus address, godbus runs
// dbus-launch, whose daemon outlives the process (awsenv-helper is always
// given an address by awsenv, see helper.NoBusAddress; a test binary
// cannot be). The address godbus set is not in the environment the
// process started with.
func TestMain(m *testing.M) {
	code := m.Run()
	if addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); addr != "" && !startedWith("DBUS_SESSION_BUS_ADDRESS=") {
		if conn, err := dbus.SessionBus(); err == nil {
			var pid uint32
			if err := conn.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, "org.freedesktop.DBus").Store(&pid); err == nil && pid > 1 {
				_ = syscall.Kill(int(pid), syscall.SIGTERM)
			}
		}
	}
	os.Exit(code)
}

// startedWith reports whether the process's initial environment (as the
// kernel keeps it) has a variable with this prefix.
func startedWith(prefix string) bool {
	b, err := os.ReadFile("/proc/self/environ")
	if err != nil {
		return true // cannot tell: leave everything alone
	}
	for _, kv := range strings.Split(string(b), "\x00") {
		if strings.HasPrefix(kv, prefix) {
			return true
		}
	}
	return false
}
