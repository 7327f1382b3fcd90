//go:build !linux

package sessionkey

import "errors"

// Kernel is the kernel keyring cache, which only Linux has: elsewhere the
// front asks the helper for the data key at each run that opens or seals a
// session (see README "Sessions at rest" for the cost measured).
type Kernel struct{}

// KernelAvailable reports whether this OS has the kernel keyring cache.
const KernelAvailable = false

func (Kernel) Get(string) ([]byte, bool) { return nil, false }

func (Kernel) Put(string, []byte) error {
	return errors.New("no kernel keyring on this OS")
}

// Forget does nothing: nothing is cached.
func (Kernel) Forget(string) {}
