package main

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/awsenv/awsenv/internal/helper"
	"github.com/awsenv/awsenv/internal/sessionkey"
	"github.com/awsenv/awsenv/profiles/sessions"
)

// Items of awsenv's own in the secret store other than long-term keys: the
// data key of sealed sessions and, with awsenv_sso_token_storage =
// keyring, the Identity Center sign-in. Every one goes through the
// helper's Secret* requests with the run's store choice, as the keys do.

// DataKey is the data key of sealed sessions (sessionkey.Chain's Fetch):
// the item sessions.DataKeyName, made of random bytes on first need. It
// is kept in the chosen keyring; where none is chosen and the system has
// none by default (Linux without a D-Bus session: servers, CI, WSL) in
// the kernel keyring, which forgets it at reboot. That costs no more than
// sessions made again with one MFA code, where refusing would stop every
// `use` of such a machine until a keyring is set up.
func (k *keyring) DataKey(ctx context.Context) ([]byte, error) {
	ch := k.choice
	ch.Fallback = "keyctl"
	return sessionkey.GetOrMake(ctx,
		func(ctx context.Context) ([]byte, error) { return k.item(ctx, ch, sessions.DataKeyName) },
		func(ctx context.Context, key []byte) error {
			return k.setItem(ctx, ch, sessions.DataKeyName, key, "awsenv: the key that seals cached sessions")
		},
		helper.IsSecretNotFound)
}

func (k *keyring) item(ctx context.Context, ch helper.StoreChoice, name string) ([]byte, error) {
	res, err := k.client.SecretGet(ctx, helper.SecretInput{Store: ch, Key: name})
	if err != nil {
		return nil, err
	}
	return res.Data.Reveal(), nil
}

func (k *keyring) setItem(ctx context.Context, ch helper.StoreChoice, name string, data []byte, label string) error {
	_, err := k.client.SecretSet(ctx, helper.SecretInput{Store: ch, Key: name, Data: data, Label: label})
	return err
}

// ssoItems is ssocache.Items over the secret store: the sign-in's token
// and registration as items, a missing one as fs.ErrNotExist.
type ssoItems struct {
	ctx context.Context
	k   *keyring
}

func (s ssoItems) Get(name string) ([]byte, error) {
	b, err := s.k.item(s.ctx, s.k.choice, name)
	if helper.IsSecretNotFound(err) {
		return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
	}
	return b, err
}

func (s ssoItems) Set(name string, data []byte) error {
	return s.k.setItem(s.ctx, s.k.choice, name, data, "awsenv: IAM Identity Center sign-in "+name)
}

func (s ssoItems) Remove(name string) error {
	_, err := s.k.client.SecretRemove(s.ctx, helper.SecretInput{Store: s.k.choice, Key: name})
	if helper.IsSecretNotFound(err) {
		return nil
	}
	return err
}
