package credflow

// An IAM user's session: GetSessionToken with MFA on the profile's long-term keys, from a file or a credential source.

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/sessions"
)

// userSession returns the GetSessionToken session of an IAM user profile,
// with MFA when serial is set.
func (f *Flow) userSession(ctx context.Context, r *profiles.Resolved, serial string, d time.Duration,
	settings profiles.Settings, rn renewal) (*sessions.Session, bool, error) {
	p := r.Profile
	d = f.clamp("session", p.Name, d, maxSessionDuration)
	rn = rn.within(d)
	key := userKey(p, serial)
	return f.cached(ctx, key, rn, func() (*sessions.Session, error) {
		base, err := f.baseCredentials(ctx, p)
		if err != nil {
			return nil, err
		}
		if base.Temporary() {
			// Like session credentials in the file: AWS refuses
			// GetSessionToken with them, so they are used as they are.
			f.Debugf("%s of %s gave temporary credentials; using them as they are", baseSource(p), p.Name)
			return &sessions.Session{Credentials: base, Ephemeral: true}, nil
		}
		in := awsapi.GetSessionTokenInput{Target: f.target(r), Credentials: base, Duration: d}
		var creds profiles.Credentials
		if serial == "" {
			f.Debugf("GetSessionToken for %s without MFA (no mfa_serial), for %s", p.Name, d)
			creds, err = f.STS.GetSessionToken(ctx, in)
		} else {
			creds, err = f.withMFA(ctx, p.Name, serial, settings, func(code string) (profiles.Credentials, error) {
				in.SerialNumber, in.TokenCode = serial, code
				f.Debugf("GetSessionToken for %s with MFA device %s, for %s", p.Name, serial, d)
				return f.STS.GetSessionToken(ctx, in)
			})
		}
		if err != nil {
			return nil, f.explainCall(ctx, err, p, profiles.Credentials{})
		}
		// GetSessionToken names no identity: the account is the one the
		// base credentials' source named (a credential_process's AccountId).
		if creds.AccountID == "" {
			creds.AccountID = base.AccountID
		}
		return &sessions.Session{Credentials: creds, BaseKeyID: base.AccessKeyID, MFASerial: serial}, nil
	})
}

// userKey names the cached GetSessionToken session of a user profile.
func userKey(p *profiles.Profile, serial string) sessions.Key {
	kind := sessions.KindSession
	if serial != "" {
		kind = sessions.KindMFA
	}
	return sessions.Key{Profile: p.Name, Kind: kind, Parts: []string{baseID(p), serial}}
}

// baseID tells apart the long-term credentials a profile's sessions are
// made from without reading them: the key id in the file, or the
// credential source and its options (asking the source would cost the
// cached path a plugin run).
func baseID(p *profiles.Profile) string {
	name, opts := p.CredentialPlugin()
	if name == "" && p.HasCredentialProcess() {
		return "credential-process:" + p.CredentialProcess
	}
	if name == "" {
		return p.AccessKeyID
	}
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	id := "credential-source:" + name
	for _, k := range keys {
		id += "\x00" + k + "=" + opts[k]
	}
	return id
}

// baseCredentials are a profile's own credentials: the keys (and token)
// in the file, or what its credential source hands out.
func (f *Flow) baseCredentials(ctx context.Context, p *profiles.Profile) (profiles.Credentials, error) {
	name, opts := p.CredentialPlugin()
	if name == "" && p.HasCredentialProcess() {
		return f.processCredentials(ctx, p)
	}
	if name == "" {
		return f.LongTermKey(ctx, p)
	}
	if f.Sources == nil {
		return profiles.Credentials{}, &SourceError{Profile: p.Name, Source: name, Err: errors.New("credential sources cannot be reached here"),
			Fix: "Use the profile with awsenv use, exec or credential-process."}
	}
	// A plugin is about to run and hand out credentials: the files that
	// chose it must be ones only you (or root) could have written.
	if err := f.Gate.Check(f.Global.CredentialSourceChoice(p)); err != nil {
		return profiles.Credentials{}, err
	}
	if f.Blocking != nil {
		f.Blocking()
	}
	f.Debugf("asking credential source %s for the credentials of %s", name, p.Name)
	resp, err := f.Sources.GetCredentials(ctx, name, plugins.CredentialsRequest{Profile: p.Name, Options: opts})
	if err != nil {
		if ctx.Err() != nil {
			return profiles.Credentials{}, ctx.Err()
		}
		return profiles.Credentials{}, &SourceError{Profile: p.Name, Source: name, Err: err,
			Fix: fmt.Sprintf("Check the plugin awsenv-plugin-%s and its awsenv_credential_source_* options in %s (`awsenv plugins list` shows whether it is installed).", name, p.Where())}
	}
	creds := profiles.Credentials{AccessKeyID: resp.AccessKeyID, SecretAccessKey: profiles.Secret(resp.SecretAccessKey),
		SessionToken: profiles.Secret(resp.SessionToken)}
	if resp.ExpiresUnix > 0 {
		creds.Expiration = time.Unix(resp.ExpiresUnix, 0).UTC()
	}
	// The plugin host checked the answer's shape for the protocol; this is
	// the check every source's credentials pass.
	if err := creds.Validate(f.Now()); err != nil {
		return profiles.Credentials{}, &SourceError{Profile: p.Name, Source: name, Err: fmt.Errorf("its credentials: %w", err),
			Fix: fmt.Sprintf("Check what the plugin awsenv-plugin-%s reads (its awsenv_credential_source_* options in %s).", name, p.Where())}
	}
	return creds, nil
}

// SourceError is a credential source that could not give a profile's
// credentials.
type SourceError struct {
	Profile string
	Source  string
	Err     error
	Fix     string
}

func (e *SourceError) Error() string {
	return fmt.Sprintf("profile %s: credential source %s: %v. %s", e.Profile, e.Source, e.Err, e.Fix)
}

func (e *SourceError) Unwrap() error { return e.Err }

// LongTermKey is the profile's own key: the one in the file, or, when the
// key index says it is in awsenv's secret store, the store's (through the
// helper: only here, when a new session is being made, never on the
// cached path).
func (f *Flow) LongTermKey(ctx context.Context, p *profiles.Profile) (profiles.Credentials, error) {
	if p.Stored == nil {
		return fileCredentials(p), nil
	}
	if f.Keyring == nil {
		return profiles.Credentials{}, fmt.Errorf("profile %s keeps its key in awsenv's keyring, which cannot be reached here. Use the profile with awsenv use, exec or credential-process.", p.Name)
	}
	if f.Blocking != nil {
		f.Blocking()
	}
	f.Debugf("reading the key of %s from the keyring (%s)", p.Name, p.Stored.Backend)
	creds, err := f.Keyring.LongTermKey(ctx, p)
	if err != nil {
		return profiles.Credentials{}, err
	}
	if err := creds.Validate(f.Now()); err != nil || creds.Temporary() {
		if err == nil {
			err = errors.New("a session token, not a long-term key")
		}
		return profiles.Credentials{}, &profiles.ProfileError{Profile: p.Name, File: p.KeyPlace(),
			Problem: fmt.Sprintf("the key in the keyring is unusable: %v", err),
			Fix:     fmt.Sprintf("Store the key again: awsenv keys add %s", p.Name)}
	}
	if creds.AccessKeyID != p.Stored.KeyID {
		f.Notef("profile %s: the keyring holds the key %s, not %s as awsenv's key index says; using the keyring's (run `awsenv keys add %s` to set the index right).",
			p.Name, creds.AccessKeyID, p.Stored.KeyID, p.Name)
	}
	return creds, nil
}

// Keyring reads long-term keys from awsenv's secret store.
type Keyring interface {
	// LongTermKey returns the stored key of p (p.Stored is set).
	LongTermKey(ctx context.Context, p *profiles.Profile) (profiles.Credentials, error)
}

// fileCredentials are the keys (and token, if any) written in the profile.
func fileCredentials(p *profiles.Profile) profiles.Credentials {
	return profiles.Credentials{AccessKeyID: p.AccessKeyID, SecretAccessKey: p.SecretAccessKey, SessionToken: p.SessionToken}
}
