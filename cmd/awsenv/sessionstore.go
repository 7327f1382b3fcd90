package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"

	"github.com/awsenv/awsenv/internal/sessionkey"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/sessions"
)

// sessionDir is where cached sessions live.
func sessionDir(d *Deps) string { return filepath.Join(d.StateHome, "awsenv", "sessions") }

// openSessions is the session store of a command that opens or seals
// sessions: sealed under the data key (sessionkey.Chain: the kernel
// keyring, else the helper and the secret store) unless encryption is
// turned off (awsenv_session_encryption = off, AWSENV_SESSION_ENCRYPTION).
// debugf says where the data key came from.
func openSessions(d *Deps, global *profiles.Global, debugf func(string, ...any)) (*sessions.Store, error) {
	store, err := sessions.Open(sessionDir(d))
	if err != nil {
		return nil, err
	}
	on, err := global.SessionEncryption(d.Getenv)
	if err != nil || !on {
		return store, err
	}
	chain := &sessionkey.Chain{
		Name:   sessionkey.Name(global.KeyringBackendChoice(d.Getenv), store.Dir),
		Fetch:  newKeyring(d, global).DataKey,
		Debugf: debugf,
	}
	// AWSENV_SESSION_KEY_CACHE=off asks the helper at every run, as on
	// systems without a kernel keyring (and for the benchmark).
	if sessionkey.KernelAvailable && !strings.EqualFold(d.Getenv("AWSENV_SESSION_KEY_CACHE"), "off") {
		chain.Cache = sessionkey.Kernel{}
	}
	store.Keys = chain
	return store, nil
}

// openStore is the session store of a command that only lists or removes
// sessions (list, sessions, sessions clear): it never needs the data key,
// and refuses to give one, so it can neither open nor write a session.
func openStore(d *Deps) (*sessions.Store, error) {
	store, err := sessions.Open(sessionDir(d))
	if err != nil {
		return nil, err
	}
	store.Keys = listOnly{}
	return store, nil
}

// listOnly is the Keys of a store opened to list: asking it for the data
// key is a bug.
type listOnly struct{}

func (listOnly) DataKey(context.Context) ([]byte, error) {
	return nil, errors.New("this command lists sessions only and cannot open them (a bug in awsenv; please report it)")
}
