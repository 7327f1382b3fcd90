package sessionkey

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Kernel caches the data key in the login session's kernel keyring (a
// "user" key in @s), readable only by processes that possess the keyring:
// this login session's, not another login's of the same user, not other
// users'. It expires Lifetime after its last use, and with the session
// keyring at logout. Where a process has no session keyring of its own
// (a container, cron without pam_keyinit), the kernel gives it the user's
// default one (@us), shared by that user's processes without one.
type Kernel struct{}

// KernelAvailable reports whether this OS has the kernel keyring cache.
const KernelAvailable = true

// keyPerm is the possessor's view, read, write, search, link and setattr
// (KEY_POS_ALL in keyutils.h), and nothing for anyone else, not even the
// name.
const keyPerm = 0x3f000000

func (Kernel) Get(name string) ([]byte, bool) {
	id, err := unix.KeyctlSearch(unix.KEY_SPEC_SESSION_KEYRING, "user", name, 0)
	if err != nil {
		return nil, false
	}
	buf := make([]byte, 64)
	n, err := unix.KeyctlBuffer(unix.KEYCTL_READ, id, buf, 0)
	if err != nil || n > len(buf) {
		return nil, false
	}
	// Used: its idle time starts again.
	_, _ = unix.KeyctlInt(unix.KEYCTL_SET_TIMEOUT, id, int(Lifetime.Seconds()), 0, 0)
	return buf[:n], true
}

func (Kernel) Put(name string, key []byte) error {
	// The session keyring by its id: add_key to KEY_SPEC_SESSION_KEYRING
	// by a process that has none would make it a new one, gone with the
	// process; looked up without create, it is the user's default (@us).
	ring, err := unix.KeyctlGetKeyringID(unix.KEY_SPEC_SESSION_KEYRING, false)
	if err != nil {
		return fmt.Errorf("find the session keyring: %w", err)
	}
	id, err := unix.AddKey("user", name, key, ring)
	if err != nil {
		return fmt.Errorf("add_key: %w", err)
	}
	if err := unix.KeyctlSetperm(id, keyPerm); err != nil {
		_, _ = unix.KeyctlInt(unix.KEYCTL_INVALIDATE, id, 0, 0, 0)
		return fmt.Errorf("keyctl setperm: %w", err)
	}
	if _, err := unix.KeyctlInt(unix.KEYCTL_SET_TIMEOUT, id, int(Lifetime.Seconds()), 0, 0); err != nil {
		_, _ = unix.KeyctlInt(unix.KEYCTL_INVALIDATE, id, 0, 0, 0)
		return fmt.Errorf("keyctl set_timeout: %w", err)
	}
	return nil
}

// Forget removes the key cached under name, if any.
func (Kernel) Forget(name string) {
	if id, err := unix.KeyctlSearch(unix.KEY_SPEC_SESSION_KEYRING, "user", name, 0); err == nil {
		_, _ = unix.KeyctlInt(unix.KEYCTL_INVALIDATE, id, 0, 0, 0)
	}
}
