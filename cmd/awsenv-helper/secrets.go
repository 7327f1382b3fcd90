package main

import "github.com/awsenv/awsenv/internal/helper"

// sessionKey is the helper's answer to SessionKey requests.
//
// SEAM for the lead: once internal/secretstore (issue 17 part A, the
// 99designs/keyring store chosen with AWSENV_KEYRING_BACKEND /
// awsenv_keyring_backend) is merged, this becomes
// helper.SessionKeyFrom(<the store, adapted to helper.SecretItems>), and
// secrets_linux.go / secrets_other.go go. Until then the item is kept in
// the kernel's user keyring on Linux, and other systems have no store.
func sessionKey() helper.SessionKeyFunc {
	items := interimItems()
	if items == nil {
		return nil
	}
	return helper.SessionKeyFrom(items)
}
