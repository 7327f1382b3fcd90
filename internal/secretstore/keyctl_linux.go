package secretstore

import "github.com/99designs/keyring"

// keyctlPerm lets the possessor and the user (not the group, not others)
// read and write awsenv's keys: a later process of the user's that does
// not possess the key (another login session) can still read it.
var keyctlPerm = keyring.GetPermissions(keyring.KEYCTL_PERM_ALL, keyring.KEYCTL_PERM_ALL, 0, 0)
