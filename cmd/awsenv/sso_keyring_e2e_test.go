//go:build unix

package main

// awsenv_sso_token_storage = keyring end to end (issue 17, item 4): the
// Identity Center sign-in kept in awsenv's keyring (here the encrypted
// file backend), never in the AWS CLI's cache nor in any plain file.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/internal/sessionkey"
)

func TestSSOTokenInKeyring(t *testing.T) {
	t.Parallel()
	w, u := ssoWorld(t)
	w.extra = append(w.extra, "AWSENV_SSO_TOKEN_STORAGE=keyring",
		"AWSENV_KEYRING_BACKEND=file", "AWSENV_KEYRING_PASSPHRASE=sso keyring passphrase")
	t.Cleanup(w.forgetFileSessionKey)
	b := w.start("login", "dev", "--no-browser")
	must(t, w.fake.ApproveDevice(b.userCode(t), u))
	if r := b.wait(t); r.code != 0 || !strings.Contains(r.stderr, "signed in") {
		t.Fatalf("login: %s", r)
	}
	use := w.run("use", "dev", "--shell", "bash", "--no-input")
	if use.code != 0 || !strings.Contains(use.stdout, "AWS_SESSION_TOKEN") || w.fake.Calls("GetRoleCredentials") != 1 {
		t.Fatalf("use after login: %s", use)
	}
	if n := w.fake.Calls("StartDeviceAuthorization"); n != 1 {
		t.Fatalf("StartDeviceAuthorization %d times: the sign-in was not found again", n)
	}
	// Nothing in the AWS CLI's cache.
	if cached, _ := os.ReadDir(filepath.Join(w.home, ".aws", "sso", "cache")); len(cached) > 0 {
		t.Fatalf("the AWS CLI's cache holds %v", cached)
	}
	// awsenv's own sso directory holds lock files only.
	ssoDir := filepath.Join(w.dir, "state", "awsenv", "sso")
	_ = filepath.WalkDir(ssoDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".lock") {
			t.Errorf("awsenv's sso directory holds %s, not a lock file", p)
		}
		return nil
	})
	// The keyring holds the sign-in; its tokens are in no plain file.
	tokenItem := filepath.Join(w.dir, "data", "awsenv", "keyring", "awsenv:sso:"+filepath.Base(w.tokenCache().Path("corp")))
	if _, err := os.Stat(tokenItem); err != nil {
		t.Fatalf("the sign-in is not in the keyring (items: %v): %v", w.ssoItems(), err)
	}
	tokens := w.fake.SSOTokensIssued()
	if len(tokens) < 2 {
		t.Fatalf("the double issued %d tokens, want an access and a refresh token", len(tokens))
	}
	if hits := plainCopies(tokens, nil, w.dir, os.TempDir()); len(hits) > 0 {
		t.Fatalf("an Identity Center token is in plain text in %v", hits)
	}
	for _, s := range []string{use.stdout, use.stderr} {
		for _, tok := range tokens {
			if strings.Contains(s, tok) {
				t.Fatal("awsenv printed an Identity Center token")
			}
		}
	}

	// doctor says where each secret lives, and finds the sign-in where it is.
	doc := w.run("doctor", "dev")
	for _, want := range []string{"the Identity Center token of " + ssoURL + " is in awsenv's keyring (file)",
		"signed in to " + ssoURL, "cached sessions of dev are sealed (AES-256-GCM) under the data key awsenv:session-key in awsenv's keyring (file)"} {
		if !strings.Contains(doc.stdout, want) {
			t.Fatalf("doctor dev lacks %q:\n%s", want, doc)
		}
	}

	r := w.run("logout", "dev")
	if r.code != 0 || !strings.Contains(r.stderr, "signed out") {
		t.Fatalf("logout: %s", r)
	}
	// The token's item goes; the client registration stays, as it does
	// in the AWS CLI's cache after `aws sso logout`: it grants nothing.
	if _, err := os.Stat(tokenItem); !os.IsNotExist(err) {
		t.Fatalf("logout left the token in the keyring (%v): items %v", err, w.ssoItems())
	}
	if left := w.ssoItems(); len(left) != 1 {
		t.Fatalf("items left in the keyring: %v, want the client registration only", left)
	}
	if r := w.run("use", "dev", "--shell", "bash", "--no-input", "--refresh"); r.code != 4 {
		t.Fatalf("use after logout: %s", r)
	}
}

// forgetFileSessionKey drops the data key a world on the file keyring
// cached in the kernel keyring.
func (w *world) forgetFileSessionKey() {
	sessionkey.Kernel{}.Forget(sessionkey.Name("file", w.sessionDir()))
}

// ssoItems lists the file keyring's Identity Center items.
func (w *world) ssoItems() []string {
	items, _ := filepath.Glob(filepath.Join(w.dir, "data", "awsenv", "keyring", "*sso*"))
	return items
}
