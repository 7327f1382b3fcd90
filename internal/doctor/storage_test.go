package doctor_test

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/doctor"
	"github.com/awsenv/awsenv/profiles/sessions"
	"github.com/awsenv/awsenv/profiles/ssocache"
)

// Where the cached sessions live (issue 17, item 6): sealed under the data
// key, with the data key's store and cache named; in plain text when
// encryption is off, or when an earlier version's session is still there.
func TestDoctorSessionStorage(t *testing.T) {
	t.Parallel()
	t.Run("sealed, the data key cached", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		w.saveSession("alice", sessions.KindMFA, keyID, sessionKey, w.now.Add(time.Hour))
		want(t, w.run("alice"), "session-storage", doctor.Pass,
			"cached sessions of alice are sealed (AES-256-GCM) under the data key awsenv:session-key in awsenv's keyring (keyctl), cached in the kernel keyring for the login session", "")
	})
	t.Run("encryption off", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		w.store.Keys = nil
		w.saveSession("alice", sessions.KindMFA, keyID, sessionKey, w.now.Add(time.Hour))
		want(t, w.run("alice"), "session-storage", doctor.Warn, "session encryption is off: the sessions awsenv caches for alice (secret key and token) are plain-text files in "+w.store.Dir,
			"remove awsenv_session_encryption = off")
	})
	t.Run("an earlier version's session", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		w.sts.arns[sessionKey] = sessionARN
		sealed := w.store
		w.store = &sessions.Store{Dir: sealed.Dir} // as an earlier version wrote it
		path := w.saveSession("alice", sessions.KindMFA, keyID, sessionKey, w.now.Add(time.Hour))
		w.store = sealed
		rep := w.run("alice")
		c := want(t, rep, "session-storage", doctor.Warn, "1 cached session(s) of alice written by an earlier version are in plain text ("+path+")", "awsenv use alice")
		if !strings.Contains(c.Detail, "new ones are sealed") || !strings.Contains(c.Fix, "awsenv sessions clear alice") {
			t.Errorf("session-storage: %+v", c)
		}
	})
	t.Run("another profile's plain session is not this one's", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		w.sts.arns[sessionKey] = sessionARN
		sealed := w.store
		w.store = &sessions.Store{Dir: sealed.Dir}
		w.saveSession("bob", sessions.KindMFA, keyID, sessionKey, w.now.Add(time.Hour))
		w.store = sealed
		want(t, w.run("alice"), "session-storage", doctor.Pass, "sealed", "")
	})
}

// memItems is a secret store's items in memory.
type memItems map[string][]byte

func (m memItems) Get(name string) ([]byte, error) {
	if d, ok := m[name]; ok {
		return d, nil
	}
	return nil, fmt.Errorf("no item %s: %w", name, fs.ErrNotExist)
}
func (m memItems) Set(name string, data []byte) error { m[name] = data; return nil }
func (m memItems) Remove(name string) error           { delete(m, name); return nil }

// Where the Identity Center token lives: the AWS CLI's cache file, or
// awsenv's keyring (awsenv_sso_token_storage = keyring), where the token
// check then looks for it.
func TestDoctorSSOTokenStorage(t *testing.T) {
	t.Parallel()
	tok := &ssocache.Token{StartURL: startURL, Region: "eu-west-1", AccessToken: accessToken, ExpiresAt: now0.Add(2 * time.Hour)}
	t.Run("the AWS CLI's cache", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		w.write(w.files.Config, ssoConfig, 0o600)
		rep := w.run("dev")
		want(t, rep, "sso-token-storage", doctor.Pass, "the Identity Center token of "+startURL+" is in the AWS CLI's cache, "+
			(&ssocache.Cache{Dir: w.ssoCache}).Path("corp")+", a plain-text 0600 file shared with the AWS CLI", "")
	})
	t.Run("awsenv's keyring", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		w.write(w.files.Config, ssoConfig, 0o600)
		items := memItems{}
		w.ssoTokens = &ssocache.Cache{Dir: filepath.Join(w.dir, "state", "sso"), Items: items}
		rep := w.run("dev")
		want(t, rep, "sso-token-storage", doctor.Pass, "the Identity Center token of "+startURL+" is in awsenv's keyring (keyctl) (awsenv_sso_token_storage = keyring), not shared with the AWS CLI", "")
		want(t, rep, "sso-token", doctor.Fail, "no token in awsenv's keyring (keyctl)", "awsenv login")
		// Signed in: the token is read from the keyring, none from the
		// CLI's cache.
		if err := w.ssoTokens.Save(context.Background(), "corp", tok); err != nil {
			t.Fatal(err)
		}
		rep = w.run("dev")
		want(t, rep, "sso-token", doctor.Pass, "signed in to "+startURL, "")
		want(t, rep, "sso-access", doctor.Pass, "gives credentials", "")
	})
}
