package main

import (
	"errors"
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
	items, err := storeItems(d)
	if err != nil {
		return nil, err
	}
	return &ssocache.Cache{Dir: filepath.Join(d.StateHome, "awsenv", "sso"), Items: items}, nil
}

// storeItems is the secret store's items through the helper.
//
// SEAM for the lead: issue 17 part A gives helper.Client SecretGet,
// SecretSet and SecretRemove; this becomes a three-method adapter
// (ssocache.Items) over d.Helper() with the run's store choice, mapping
// helper.IsSecretNotFound to fs.ErrNotExist. This branch has no such
// requests, so keyring storage is refused with exit 8.
var storeItems = func(d *Deps) (ssocache.Items, error) {
	return nil, &storeError{errors.New("awsenv_sso_token_storage = keyring needs the secret store's item requests, which this build lacks. " +
		"Remove awsenv_sso_token_storage (or set it to aws-cli) to keep the sign-in in ~/.aws/sso/cache.")}
}

// storeError is the secret store failing or missing: exit 8, as a
// sessions.KeyError.
type storeError struct{ error }

func (e *storeError) Unwrap() error { return e.error }
