package main

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/awsenv/awsenv/internal/helper"
)

// userKeyring is the interim secret store (see sessionKey): "user" keys
// in the user's persistent kernel keyring (@u), which lasts while the user
// has processes, not across reboots.
type userKeyring struct{}

func interimItems() helper.SecretItems { return userKeyring{} }

// userKeyPerm: the possessor's view, read, write, search, link, setattr,
// and the user's view and read.
const userKeyPerm = 0x3f030000

func (userKeyring) Get(name string) ([]byte, error) {
	id, err := unix.KeyctlSearch(unix.KEY_SPEC_USER_KEYRING, "user", name, 0)
	if errors.Is(err, unix.ENOKEY) || errors.Is(err, unix.EKEYEXPIRED) || errors.Is(err, unix.EKEYREVOKED) {
		return nil, fmt.Errorf("%s: %w", name, helper.ErrNoItem)
	}
	if err != nil {
		return nil, fmt.Errorf("search the kernel user keyring for %s: %w. Check that keyctl works here (keyctl show @u); containers often forbid it", name, err)
	}
	buf := make([]byte, 4096)
	n, err := unix.KeyctlBuffer(unix.KEYCTL_READ, id, buf, 0)
	if err != nil || n > len(buf) {
		return nil, fmt.Errorf("read %s from the kernel user keyring: %v. Check its permissions with keyctl show @u", name, err)
	}
	return buf[:n], nil
}

func (userKeyring) Set(name string, data []byte) error {
	id, err := unix.AddKey("user", name, data, unix.KEY_SPEC_USER_KEYRING)
	if err != nil {
		return fmt.Errorf("add %s to the kernel user keyring: %w. Check that keyctl works here (keyctl show @u); containers often forbid it", name, err)
	}
	_ = unix.KeyctlSetperm(id, userKeyPerm)
	return nil
}
