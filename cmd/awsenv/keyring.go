package main

// awsenv's secret store as the front sees it: where the key index and
// the file keyring live, which backend is chosen, and the helper requests
// that read and write long-term keys. The store's library is linked into
// awsenv-helper only (internal/secretstore); this binary never talks to
// D-Bus or a keyring itself.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/awsenv/awsenv/internal/helper"
	"github.com/awsenv/awsenv/profiles"
)

// Item names shared with internal/secretstore (which this binary does not
// link): "profile:NAME" holds a long-term key as
// {"AccessKeyID":"...","SecretAccessKey":"..."}.
const profileItemPrefix = "profile:"

// storedKeyJSON is an item "profile:NAME".
type storedKeyJSON struct {
	AccessKeyID     string `json:"AccessKeyID"`
	SecretAccessKey string `json:"SecretAccessKey"`
}

// dataHome is $XDG_DATA_HOME as the run sees it.
func dataHome(d *Deps) string {
	if d.DataHome != "" {
		return d.DataHome
	}
	if v := d.Getenv("XDG_DATA_HOME"); v != "" {
		return v
	}
	return filepath.Join(d.Home, ".local", "share")
}

// keyIndexPath is awsenv's key index (profiles/keyindex.go).
func keyIndexPath(d *Deps) string { return filepath.Join(dataHome(d), "awsenv", "keys.json") }

// awsFiles are the AWS files, with awsenv's key index.
func awsFiles(d *Deps) profiles.Files {
	f := profiles.DefaultFiles(d.Getenv, d.Home)
	f.KeyIndex = keyIndexPath(d)
	return f
}

// storeChoice is the secret store this run writes to: the backend from
// AWSENV_KEYRING_BACKEND, else awsenv_keyring_backend in awsenv's config,
// else the system's default (chosen by the helper).
func storeChoice(d *Deps, global *profiles.Global) helper.StoreChoice {
	backend, passDir, passPrefix := "", "", ""
	if global != nil {
		backend, passDir, passPrefix = global.Keyring()
	}
	if v := d.Getenv("AWSENV_KEYRING_BACKEND"); v != "" {
		backend = v
	}
	return helper.StoreChoice{Backend: backend, FileDir: filepath.Join(dataHome(d), "awsenv", "keyring"),
		PassDir: passDir, PassPrefix: passPrefix}
}

// keyring reaches the secret store through the helper.
type keyring struct {
	client *helper.Client
	choice helper.StoreChoice
}

func newKeyring(d *Deps, global *profiles.Global) *keyring {
	return &keyring{client: d.Helper(), choice: storeChoice(d, global)}
}

// at is the store holding backend's items (the key index records which
// backend took each key: it is read from there whatever is chosen now).
func (k *keyring) at(backend string) helper.StoreChoice {
	ch := k.choice
	if backend != "" {
		ch.Backend = backend
	}
	return ch
}

// LongTermKey reads a profile's stored key (credflow.Keyring).
func (k *keyring) LongTermKey(ctx context.Context, p *profiles.Profile) (profiles.Credentials, error) {
	backend := ""
	if p.Stored != nil {
		backend = p.Stored.Backend
	}
	creds, _, err := k.get(ctx, k.at(backend), p.Name)
	if helper.IsSecretNotFound(err) {
		return creds, &profiles.ProfileError{Profile: p.Name, File: p.KeyPlace(),
			Problem: "awsenv's key index says its key is in the keyring, but the keyring has no item " + profileItemPrefix + p.Name,
			Fix:     fmt.Sprintf("Store the key again (awsenv keys add %s), or check AWSENV_KEYRING_BACKEND and awsenv_keyring_backend: the key was stored with the %s backend.", p.Name, backend)}
	}
	return creds, err
}

// get reads profile's item from the store ch (aws-vault names its items
// after the profile alone).
func (k *keyring) get(ctx context.Context, ch helper.StoreChoice, profile string) (profiles.Credentials, string, error) {
	item := profileItemPrefix + profile
	if ch.Service == helper.AWSVault {
		item = profile
	}
	res, err := k.client.SecretGet(ctx, helper.SecretInput{Store: ch, Key: item})
	if err != nil {
		return profiles.Credentials{}, "", err
	}
	var j storedKeyJSON
	if err := json.Unmarshal(res.Data.Reveal(), &j); err != nil || j.AccessKeyID == "" || j.SecretAccessKey == "" {
		return profiles.Credentials{}, res.Backend, &profiles.ProfileError{Profile: profile, File: "awsenv's keyring (" + res.Backend + ")",
			Problem: "its item " + profileItemPrefix + profile + " is not awsenv's key JSON",
			Fix:     fmt.Sprintf("Store the key again: awsenv keys add %s", profile)}
	}
	return profiles.Credentials{AccessKeyID: j.AccessKeyID, SecretAccessKey: profiles.Secret(j.SecretAccessKey)}, res.Backend, nil
}

// store puts profile's key into the store, reads it back and compares,
// then records it in the key index. When it returns nil the key is in the
// store for certain; pause marks the steps for the kill tests.
func (k *keyring) store(ctx context.Context, d *Deps, profile string, creds profiles.Credentials) (string, error) {
	data, err := json.Marshal(storedKeyJSON{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey.Reveal()})
	if err != nil {
		return "", err
	}
	res, err := k.client.SecretSet(ctx, helper.SecretInput{Store: k.choice, Key: profileItemPrefix + profile, Data: data,
		Label: "awsenv: access key " + creds.AccessKeyID + " of profile " + profile})
	if err != nil {
		return "", err
	}
	pausePoint(d, "stored")
	back, err := k.client.SecretGet(ctx, helper.SecretInput{Store: k.at(res.Backend), Key: profileItemPrefix + profile})
	if err != nil {
		return "", fmt.Errorf("read the key of %s back from the keyring: %w", profile, err)
	}
	if !bytes.Equal(back.Data.Reveal(), data) {
		return "", errors.New("the keyring gave back another value than awsenv wrote for " + profile + "; nothing else was changed. Check the keyring and run the command again.")
	}
	pausePoint(d, "verified")
	if err := profiles.UpdateKeyIndex(keyIndexPath(d), profile, &profiles.StoredKey{KeyID: creds.AccessKeyID, Backend: res.Backend, Stored: d.Now().UTC()}); err != nil {
		return "", err
	}
	pausePoint(d, "indexed")
	return res.Backend, nil
}
