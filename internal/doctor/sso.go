package doctor

import (
	"errors"
	"fmt"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/credflow"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/ssocache"
)

// The IAM Identity Center checks: the cached sign-in and the role it gives.

// ssoOf is the Identity Center settings the profile's credentials come
// from (its own, or its source's for a role on top of one); nil otherwise.
func (r *run) ssoOf() *profiles.SSO {
	for x := r.res; x != nil; x = x.Source {
		if x.SSO != nil {
			return x.SSO
		}
	}
	return nil
}

// ssoToken checks the cached sign-in the profile's credentials need.
func (r *run) ssoToken(sso *profiles.SSO) {
	for _, check := range []string{"key", "identity", "key-active", "mfa-device"} {
		r.add(check, Skip, "the credentials of "+r.Profile+" come from IAM Identity Center", "")
	}
	login := "Sign in: " + ssoLogin(sso, r.base.Name)
	r.ssoTokenStorage(sso)
	cache := r.ssoTokens()
	tok, err := cache.Load(sso.TokenKey())
	now := r.Now()
	switch {
	case errors.Is(err, ssocache.ErrNoToken):
		in := cache.Dir
		if cache.Items != nil {
			in = r.keyringPlace()
		}
		r.add("sso-token", Fail, fmt.Sprintf("not signed in to %s (no token in %s)", sso.StartURL, in), login)
	case err != nil:
		r.add("sso-token", Fail, err.Error(), login)
	case tok.Valid(now, 0):
		detail := fmt.Sprintf("signed in to %s, %s left", sso.StartURL, hoursMinutes(tok.ExpiresAt.Sub(now)))
		if !tok.RegistrationExpiresAt.IsZero() && tok.RegistrationExpiresAt.Before(now) {
			r.add("sso-token", Warn, detail+"; the client registration has expired, so the token cannot be renewed without a browser", login)
			return
		}
		r.add("sso-token", Pass, detail, "")
		r.ssoAccess(sso, tok)
	case tok.CanRefresh(now):
		r.add("sso-token", Pass, fmt.Sprintf("the token for %s has expired; its refresh token renews it without a browser", sso.StartURL), "")
	default:
		r.add("sso-token", Fail, fmt.Sprintf("the token for %s expired at %s and cannot be renewed", sso.StartURL, tok.ExpiresAt.UTC().Format("2006-01-02 15:04 MST")), login)
	}
}

// ssoAccess asks for the profile's role credentials with the cached token:
// a wrong sso_region, a revoked token or a role not assigned shows here,
// with the catalogue's explanation.
func (r *run) ssoAccess(sso *profiles.SSO, tok *ssocache.Token) {
	if r.SSO == nil {
		return
	}
	holder := r.base
	for x := r.res; x != nil; x = x.Source {
		if x.SSO != nil {
			holder = x.Profile
			break
		}
	}
	_, err := r.SSO.GetRoleCredentials(r.ctx, awsapi.RoleInput{Target: credflow.Target(r.cfg, holder, sso.Region),
		AccessToken: tok.AccessToken, AccountID: sso.AccountID, RoleName: sso.RoleName})
	if err != nil {
		what, fix := r.Explain(err, holder)
		r.add("sso-access", Fail, what, fix)
		return
	}
	r.add("sso-access", Pass, fmt.Sprintf("role %s in account %s gives credentials", sso.RoleName, sso.AccountID), "")
}

// ssoLogin is the sign-in command for sso, awsenv's and the CLI's.
func ssoLogin(sso *profiles.SSO, profile string) string {
	if sso.Session != "" {
		return fmt.Sprintf("`awsenv login --sso-session %s` or `aws sso login --sso-session %s`.", sso.Session, sso.Session)
	}
	return fmt.Sprintf("`awsenv login %s` or `aws sso login --profile %s`.", profile, profile)
}
