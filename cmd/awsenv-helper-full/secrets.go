package main

// The secret store, for awsenv's keys requests and the credential flow:
// each store opened once a run (so the file backend's passphrase is asked
// once), and its errors made the protocol's typed error.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/awsenv/awsenv/internal/helper"
	"github.com/awsenv/awsenv/internal/secretstore"
)

// secrets serves helper.SecretFunc.
type secrets struct {
	getenv     func(string) string
	home       string
	passphrase string // AWSENV_KEYRING_PASSPHRASE, read and unset at start
	openTTY    func() (*os.File, error)

	mu     sync.Mutex
	stores map[helper.StoreChoice]secretstore.Store
}

// newSecrets takes the passphrase out of the environment at once: no
// program the helper runs (plugins, credential_process) inherits it.
func newSecrets() *secrets {
	s := &secrets{getenv: os.Getenv, passphrase: os.Getenv(secretstore.PassphraseEnv),
		openTTY: func() (*os.File, error) { return os.OpenFile("/dev/tty", os.O_RDWR, 0) }}
	os.Unsetenv(secretstore.PassphraseEnv)
	s.home, _ = os.UserHomeDir()
	return s
}

func (s *secrets) serve(ctx context.Context, op string, in helper.SecretInput) (helper.SecretResult, error) {
	if in.Store.Service == helper.AWSVault && (op == helper.SecretOpSet || op == helper.SecretOpRemove) {
		return helper.SecretResult{}, &helper.SecretError{Kind: helper.SecretFailed,
			Message: "awsenv only reads aws-vault's keyring; it never writes to it. Use aws-vault to change it."}
	}
	st, err := s.open(in.Store)
	if err != nil {
		return helper.SecretResult{}, wireError(err)
	}
	res := helper.SecretResult{Backend: st.Backend()}
	switch op {
	case helper.SecretOpGet:
		var data []byte
		data, err = st.Get(in.Key)
		if err == nil && in.Store.Service == helper.AWSVault {
			// aws-vault's credentials JSON, handed on as awsenv's.
			var k secretstore.LongTermKey
			if k, err = secretstore.ParseAWSVault(data); err != nil {
				err = &secretstore.Error{Kind: secretstore.KindFailed, Backend: st.Backend(), Op: "read aws-vault's item " + in.Key, Err: err,
					Fix: "Only aws-vault's long-term keys can be imported; check the item with `aws-vault list`"}
			}
			data = k.Marshal()
		}
		res.Data = data
	case helper.SecretOpSet:
		err = st.Set(in.Key, in.Data.Reveal(), in.Label)
	case helper.SecretOpRemove:
		err = st.Remove(in.Key)
	case helper.SecretOpList:
		res.Keys, err = st.Keys()
		if in.Store.Service == helper.AWSVault {
			// Only profiles' keys, not aws-vault's sessions and tokens.
			keys := res.Keys[:0]
			for _, k := range res.Keys {
				if secretstore.AWSVaultProfile(k) {
					keys = append(keys, k)
				}
			}
			res.Keys = keys
		}
	default:
		err = fmt.Errorf("unknown secret operation %q", op)
	}
	if err != nil {
		if k := secretstore.KindOf(err); k == secretstore.KindWrongPassphrase || k == secretstore.KindNoPassphrase {
			// Asked again on the next request.
			s.forget(in.Store)
		}
		return helper.SecretResult{}, wireError(err)
	}
	return res, nil
}

// open returns the store ch names, opened on first use.
func (s *secrets) open(ch helper.StoreChoice) (secretstore.Store, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.stores[ch]; ok {
		return st, nil
	}
	var cfg secretstore.Config
	if ch.Service == helper.AWSVault {
		cfg = secretstore.AWSVaultConfig(s.getenv, s.home, s.ask("aws-vault's file keyring", false))
		if ch.Backend != "" {
			cfg.Backend = ch.Backend
		}
	} else {
		cfg = secretstore.Config{Backend: ch.Backend, Fallback: ch.Fallback, FileDir: ch.FileDir, PassDir: ch.PassDir, PassPrefix: ch.PassPrefix,
			Getenv: s.getenv, Passphrase: s.ask("awsenv's keyring "+ch.FileDir, false)}
		if s.passphrase == "" {
			cfg.Confirm = s.ask("the same passphrase again, to confirm the new keyring", true)
		}
	}
	st, err := secretstore.Open(cfg)
	if err != nil {
		return nil, err
	}
	if s.stores == nil {
		s.stores = map[helper.StoreChoice]secretstore.Store{}
	}
	s.stores[ch] = st
	return st, nil
}

func (s *secrets) forget(ch helper.StoreChoice) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.stores, ch)
}

// ask gives the file backend's passphrase: AWSENV_KEYRING_PASSPHRASE, or
// typed on the terminal without echo. Never from a file.
func (s *secrets) ask(what string, again bool) func() (string, error) {
	return func() (string, error) {
		if s.passphrase != "" && !again {
			return s.passphrase, nil
		}
		tty, err := s.openTTY()
		if err != nil {
			return "", &secretstore.Error{Kind: secretstore.KindNoPassphrase, Backend: secretstore.File, Op: "unlock", Err: err,
				Fix: "Run the command in a terminal, or set " + secretstore.PassphraseEnv}
		}
		defer tty.Close()
		prompt := "Passphrase of " + what
		if again {
			prompt = "Type " + what
		}
		return secretstore.AskPassphrase(tty, prompt)
	}
}

// wireError is err as the protocol carries it.
func wireError(err error) error {
	var e *secretstore.Error
	if !errors.As(err, &e) {
		return &helper.SecretError{Kind: helper.SecretFailed, Message: err.Error()}
	}
	return &helper.SecretError{Kind: string(e.Kind), Backend: e.Backend, Message: e.Error()}
}
