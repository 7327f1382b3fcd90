package credflow

// The session cache around every way of making credentials: when a session is fresh enough, the lock, and the one check of what was made.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/sessions"
)

// renewal says when a cached session is made anew.
type renewal struct {
	force  bool          // whatever is cached (--refresh)
	margin time.Duration // when it has less than this left
	least  time.Duration // if renewing fails, keep one with this much left (0: never)
}

// within drops a wish for more time left than a new session of duration d
// would have: renewing could not meet it, only repeat the call.
func (rn renewal) within(d time.Duration) renewal {
	if rn.least > 0 && d <= rn.margin {
		rn.margin, rn.least = rn.least, 0
	}
	return rn
}

func renewWith(s profiles.Settings, force bool) renewal {
	return renewal{force: force, margin: s.RefreshMargin}
}

// renewalFor is the renewal of the requested profile under opt.
func renewalFor(s profiles.Settings, opt Options) renewal {
	rn := renewWith(s, opt.Refresh)
	if opt.MinLeft > rn.margin {
		rn.least, rn.margin = rn.margin, opt.MinLeft
	}
	return rn
}

// brokenSession reports AWS refusing temporary credentials themselves: a
// damaged or revoked token, or one that expired early. A cached session
// that gets this answer is dropped and made anew.
func brokenSession(err error) bool {
	var api *awsapi.APIError
	return errors.As(err, &api) && (api.Code == "InvalidToken" || api.Code == "InvalidClientTokenId" || api.Code == "ExpiredToken")
}

// dropped removes a cached session AWS refused (when key is set; a role's
// is simply replaced by the refresh that follows) and says so.
func (f *Flow) dropped(err error, profile string, key sessions.Key) {
	var api *awsapi.APIError
	errors.As(err, &api)
	f.Notef("AWS refused the cached session of %s (%s); dropping it and making a new one.", profile, api.Code)
	if key.Profile != "" {
		if derr := f.Store.Delete(key); derr != nil {
			f.Debugf("could not remove the refused session: %v", derr)
		}
	}
}

// cached returns the fresh session under key, or makes one. The check is
// repeated under the lock: whoever waited on it finds the session the
// holder just made and makes no call of its own.
func (f *Flow) cached(ctx context.Context, key sessions.Key, rn renewal,
	make func() (*sessions.Session, error)) (*sessions.Session, bool, error) {
	start := f.Now()
	if !rn.force {
		s, err := f.Store.Load(key)
		if err != nil {
			return nil, false, err
		}
		if s != nil && s.Fresh(start, rn.margin) {
			f.Debugf("using the cached %s of %s, %s left", key.Kind, key.Profile, s.Expiration().Sub(start).Round(time.Second))
			return s, true, nil
		}
	}
	if f.Blocking != nil {
		f.Blocking()
	}
	lctx, cancel := context.WithTimeout(ctx, lockWait)
	defer cancel()
	unlock, err := f.Store.Lock(lctx, key, func() {
		f.Notef("another awsenv is getting credentials for %s; waiting for it.", key.Profile)
	})
	if err != nil {
		return nil, false, err
	}
	defer unlock()
	old, err := f.Store.Load(key)
	if err != nil {
		return nil, false, err
	}
	// With --refresh, only a session made after this call began will do.
	if old != nil && old.Fresh(f.Now(), rn.margin) && (!rn.force || old.Created.After(start)) {
		f.Debugf("using the %s of %s that another awsenv just made", key.Kind, key.Profile)
		return old, true, nil
	}
	// Sealing needs the data key: a secret store that cannot give it
	// stops the command here, before a code is spent or AWS is called.
	if err := f.Store.Ready(ctx); err != nil {
		return nil, false, err
	}
	s, err := make()
	f.noteSkew()
	if err == nil {
		err = f.checkMade(key, s)
	}
	if err != nil {
		if rn.least > 0 && !rn.force && old != nil && old.Fresh(f.Now(), rn.least) {
			f.Notef("could not renew the %s of %s (%v); handing out the cached one, which has %s left.",
				key.Kind, key.Profile, err, old.Expiration().Sub(f.Now()).Round(time.Minute))
			return old, true, nil
		}
		return nil, false, err
	}
	s.Created = f.Now()
	if s.Ephemeral {
		return s, false, nil
	}
	if err := f.Store.Save(key, s); err != nil {
		// The credentials work; only the reuse is lost.
		f.Notef("could not cache the session: %v", err)
	}
	return s, false, nil
}

// checkMade is the funnel every new session passes, whatever made it (an
// STS or IAM Identity Center answer, or a source's temporary credentials
// used as they are): profiles.Credentials.Validate, and an expiry for the
// ones cached (AWS always gives one). Nothing refused is cached or handed
// out.
func (f *Flow) checkMade(key sessions.Key, s *sessions.Session) error {
	err := s.Credentials.Validate(f.Now())
	if err == nil && !s.Ephemeral && s.Credentials.Expiration.IsZero() {
		err = errors.New("they have no expiry")
	}
	if err != nil {
		return &CredentialsError{Profile: key.Profile, Kind: key.Kind, Err: err}
	}
	return nil
}

// CredentialsError is a new session whose credentials awsenv refused
// (profiles.Credentials.Validate): what answered gave something that is
// not AWS credentials. It never quotes the secret or the token.
type CredentialsError struct {
	Profile string
	Kind    string // the session's kind (sessions.Key.Kind)
	Err     error
}

func (e *CredentialsError) Error() string {
	call := map[string]string{sessions.KindMFA: "GetSessionToken with MFA", sessions.KindSession: "GetSessionToken",
		sessions.KindRole: "AssumeRole", KindSSO: "IAM Identity Center's GetRoleCredentials",
		KindLogin: "the sign-in service's CreateOAuth2Token", KindWebIdentity: "AssumeRoleWithWebIdentity"}[e.Kind]
	if call == "" {
		call = "a " + e.Kind
	}
	return fmt.Sprintf("profile %s: the credentials AWS gave (%s) are unusable: %v. Nothing was cached or exported; "+
		"check that the endpoint answering is AWS's (endpoint_url, AWS_ENDPOINT_URL, a proxy) and try again.", e.Profile, call, e.Err)
}

func (e *CredentialsError) Unwrap() error { return e.Err }
