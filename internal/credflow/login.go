package credflow

import (
	"context"
	"errors"
	"fmt"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/logincache"
)

// KindLogin is the kind of the credentials of an `aws login` session
// (named in CredentialsError).
const KindLogin = "login"

// loginCredentials returns the credentials of login_session profile p from
// the AWS CLI's login cache, renewed through the sign-in service when they
// have less than logincache.RefreshWindow left (botocore's rule), or when
// force is set. The renewal happens under the token's lock, and the token
// is read again once it is held: of parallel callers, the first renews
// and the others take what it wrote. cached is false when this call
// renewed them.
func (f *Flow) loginCredentials(ctx context.Context, r *profiles.Resolved, force bool) (creds profiles.Credentials, cached bool, err error) {
	p := r.Profile
	if f.LoginCache == nil || f.Signin == nil {
		return profiles.Credentials{}, false, fmt.Errorf("profile %s: this awsenv cannot read `aws login` sessions here. Reinstall awsenv with ./install.sh.", p.Name)
	}
	t, err := f.LoginCache.Load(p.Name, p.LoginSession)
	if err != nil {
		return profiles.Credentials{}, false, err
	}
	if !force && t.Fresh(f.Now()) {
		return f.checkLogin(p, t.Credentials(), true)
	}
	if f.Blocking != nil {
		f.Blocking()
	}
	lockCtx, cancel := context.WithTimeout(ctx, lockWait)
	defer cancel()
	h, err := f.LoginCache.Lock(lockCtx, p.Name, p.LoginSession)
	if err != nil {
		return profiles.Credentials{}, false, err
	}
	defer h.Unlock()
	seen := t.RefreshToken
	if t, err = h.Load(); err != nil {
		return profiles.Credentials{}, false, err
	}
	if t.Fresh(f.Now()) && (!force || t.RefreshToken != seen) {
		// Another awsenv (or the AWS CLI) renewed it while this one waited.
		return f.checkLogin(p, t.Credentials(), true)
	}
	f.Debugf("CreateOAuth2Token for %s: renewing login_session %s (expires %s)", p.Name, p.LoginSession, t.ExpiresAt.Format(logincache.TimeFormat))
	tok, err := f.Signin.CreateOAuth2Token(ctx, awsapi.SigninRefreshInput{Target: f.target(r), ClientID: t.ClientID,
		RefreshToken: t.RefreshToken, DPoPKey: t.DPoPKey})
	if err != nil {
		if ctx.Err() != nil {
			return profiles.Credentials{}, false, ctx.Err()
		}
		return profiles.Credentials{}, false, &LoginSessionError{Profile: p.Name, Session: p.LoginSession, Err: err}
	}
	// botocore's expiry: now plus expiresIn, the account as cached.
	made := tok.Credentials
	made.Expiration = f.Now().Add(tok.ExpiresIn).UTC().Truncate(1e9)
	made.AccountID = t.AccountID
	if _, _, err := f.checkLogin(p, made, false); err != nil {
		return profiles.Credentials{}, false, err
	}
	if tok.RefreshToken == "" {
		return profiles.Credentials{}, false, &CredentialsError{Profile: p.Name, Kind: KindLogin, Err: errors.New("no refresh token came with them")}
	}
	t.AccessKeyID, t.SecretAccessKey, t.SessionToken, t.ExpiresAt = made.AccessKeyID, made.SecretAccessKey, made.SessionToken, made.Expiration
	t.RefreshToken = tok.RefreshToken
	if err := h.Save(t); err != nil {
		// The old refresh token is spent: without the new one the session
		// cannot be renewed again, so this is an error, not a note.
		return profiles.Credentials{}, false, err
	}
	return made, false, nil
}

// LoginSession returns the credentials of login_session profile p, as Get
// would for it (doctor's check).
func (f *Flow) LoginSession(ctx context.Context, p *profiles.Profile) (profiles.Credentials, error) {
	creds, _, err := f.loginCredentials(ctx, &profiles.Resolved{Profile: p, Kind: profiles.KindLogin}, false)
	return creds, err
}

// checkLogin passes a login session's credentials, cached or new, through
// profiles.Credentials.Validate.
func (f *Flow) checkLogin(p *profiles.Profile, c profiles.Credentials, cached bool) (profiles.Credentials, bool, error) {
	if err := c.Validate(f.Now()); err != nil {
		if cached {
			return profiles.Credentials{}, false, fmt.Errorf("profile %s: the credentials cached for login_session %s are unusable: %w. Sign in again with `aws login --profile %s`.",
				p.Name, p.LoginSession, err, p.Name)
		}
		return profiles.Credentials{}, false, &CredentialsError{Profile: p.Name, Kind: KindLogin, Err: err}
	}
	return c, cached, nil
}

// LoginSessionError is a renewal of an `aws login` session that the
// sign-in service refused or that did not reach it.
type LoginSessionError struct {
	Profile, Session string
	Err              error
}

func (e *LoginSessionError) Error() string {
	var api *awsapi.APIError
	errors.As(e.Err, &api)
	code := ""
	if api != nil {
		code = api.Code
	}
	switch code {
	case awsapi.SigninTokenExpired:
		return fmt.Sprintf("profile %s: the `aws login` session %s has ended (%v). Sign in again with `aws login --profile %s`.", e.Profile, e.Session, e.Err, e.Profile)
	case awsapi.SigninCredentialsChanged:
		return fmt.Sprintf("profile %s: the `aws login` session %s ended because the password of its user changed (%v). Sign in again with `aws login --profile %s`.", e.Profile, e.Session, e.Err, e.Profile)
	case awsapi.SigninNoPermission:
		return fmt.Sprintf("profile %s: the sign-in service refused to renew the `aws login` session %s: its identity is not allowed signin:CreateOAuth2Token (%v). Ask your administrator to allow it (the AWS managed policy SignInLocalDevelopmentAccess grants it), then sign in again with `aws login --profile %s`.",
			e.Profile, e.Session, e.Err, e.Profile)
	}
	if api != nil {
		return fmt.Sprintf("profile %s: the sign-in service refused to renew the `aws login` session %s: %v. Sign in again with `aws login --profile %s`.", e.Profile, e.Session, e.Err, e.Profile)
	}
	return fmt.Sprintf("profile %s: could not renew the `aws login` session %s: %v. Check your network and the profile's region (the sign-in service is regional; AWS_ENDPOINT_URL_SIGNIN overrides its endpoint), then try again.",
		e.Profile, e.Session, e.Err)
}

func (e *LoginSessionError) Unwrap() error { return e.Err }
