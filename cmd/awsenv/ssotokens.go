package main

import (
	"context"
	"path/filepath"

	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/ssocache"
)

// ssoTokenCache is where this run keeps IAM Identity Center sign-ins:
// the AWS CLI's cache (~/.aws/sso/cache, shared with the CLI, the
// default), or with awsenv_sso_token_storage = keyring the secret store,
// through the helper, with the lock files in awsenv's own state
// directory.
func ssoTokenCache(d *Deps, global *profiles.Global) (*ssocache.Cache, error) {
	storage, err := global.SSOTokenStorage(d.Getenv)
	if err != nil {
		return nil, err
	}
	if storage == profiles.SSOTokenAWSCLI {
		return &ssocache.Cache{Dir: ssocache.Dir(d.Home)}, nil
	}
	return &ssocache.Cache{Dir: filepath.Join(d.StateHome, "awsenv", "sso"), Items: storeItems(d, global)}, nil
}

// storeItems is the secret store's items through the helper, with the
// run's store choice.
func storeItems(d *Deps, global *profiles.Global) ssocache.Items {
	return ssoItems{ctx: context.Background(), k: newKeyring(d, global)}
}
