//go:build !linux

package secretstore

// keyctlPerm: the kernel keyring is Linux's; elsewhere Open refuses keyctl.
var keyctlPerm uint32
