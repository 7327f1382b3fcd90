package doctor

import (
	"fmt"
	"strings"

	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/sessions"
	"github.com/awsenv/awsenv/profiles/ssocache"
)

// Where the profile's secrets live, beside the long-term key's
// (key-storage, in key.go): its cached sessions and its Identity Center
// sign-in.

// sessionStorage says where the profile's cached sessions live: sealed
// under the data key (and where that key is), or in plain text.
func (r *run) sessionStorage() {
	if !r.Store.Sealed() {
		r.add("session-storage", Warn, fmt.Sprintf("session encryption is off: the sessions awsenv caches for %s (secret key and token) are plain-text files in %s", r.Profile, r.Store.Dir),
			"Turn it back on: remove awsenv_session_encryption = off from awsenv's config and unset AWSENV_SESSION_ENCRYPTION.")
		return
	}
	where := fmt.Sprintf("sealed (AES-256-GCM) under the data key %s in %s", sessions.DataKeyName, r.keyringPlace())
	if r.DataKeyCache != "" {
		where += ", cached in " + r.DataKeyCache
	}
	entries, _ := r.Store.List()
	var plain []string
	for _, e := range entries {
		if (e.Profile == r.Profile || e.Profile == r.base.Name) && !e.Sealed {
			plain = append(plain, e.Path)
		}
	}
	if len(plain) > 0 {
		r.add("session-storage", Warn, fmt.Sprintf("%d cached session(s) of %s written by an earlier version are in plain text (%s); new ones are %s",
			len(plain), r.Profile, strings.Join(plain, ", "), where),
			fmt.Sprintf("Run `awsenv use %s`: a plain session is read once and replaced by a sealed one. Or remove them: awsenv sessions clear %s", r.Profile, r.Profile))
		return
	}
	r.add("session-storage", Pass, "cached sessions of "+r.Profile+" are "+where, "")
}

// ssoTokens is the Identity Center token cache as this run keeps it.
func (r *run) ssoTokens() *ssocache.Cache {
	if r.SSOTokens != nil {
		return r.SSOTokens
	}
	return &ssocache.Cache{Dir: r.SSOCache}
}

// ssoTokenStorage says where the sign-in of sso lives: the AWS CLI's
// cache (a plain file, shared with the CLI) or awsenv's keyring.
func (r *run) ssoTokenStorage(sso *profiles.SSO) {
	c := r.ssoTokens()
	if c.Items != nil {
		r.add("sso-token-storage", Pass, fmt.Sprintf("the Identity Center token of %s is in %s (awsenv_sso_token_storage = keyring), not shared with the AWS CLI",
			sso.StartURL, r.keyringPlace()), "")
		return
	}
	r.add("sso-token-storage", Pass, fmt.Sprintf("the Identity Center token of %s is in the AWS CLI's cache, %s, a plain-text 0600 file shared with the AWS CLI "+
		"(awsenv_sso_token_storage = keyring keeps awsenv's own in the keyring instead)", sso.StartURL, c.Path(sso.TokenKey())), "")
}

func (r *run) keyringPlace() string {
	if r.KeyringPlace != "" {
		return r.KeyringPlace
	}
	return "awsenv's keyring"
}
