package doctor

import (
	"fmt"

	"github.com/awsenv/awsenv/profiles"
)

// The `aws login` check: the login session the profile's credentials
// come from, renewed through the sign-in service if it is about to end.

// loginOf is the login_session profile the credentials come from (the
// profile itself, or the source of a role on top of one); nil otherwise.
func (r *run) loginOf() *profiles.Profile {
	for x := r.res; x != nil; x = x.Source {
		if x.Kind == profiles.KindLogin {
			return x.Profile
		}
	}
	return nil
}

// loginSession checks that the session gives working credentials.
func (r *run) loginSession(p *profiles.Profile) {
	for _, check := range []string{"key", "identity", "key-active", "mfa-device"} {
		r.add(check, Skip, fmt.Sprintf("the credentials of %s come from the `aws login` session of %s", r.Profile, p.Name), "")
	}
	again := fmt.Sprintf("Sign in again: aws login --profile %s", p.Name)
	if r.Login == nil {
		r.add("login-session", Skip, "this awsenv cannot read `aws login` sessions", "")
		return
	}
	creds, err := r.Login(r.ctx, p)
	if err != nil {
		what, fix := err.Error(), ""
		if r.Explain != nil {
			what, fix = r.Explain(err, p)
		}
		r.add("login-session", Fail, what, firstOf(fix, again))
		return
	}
	r.add("login-session", Pass, fmt.Sprintf("`aws login` session %s (account %s), %s left", p.LoginSession, creds.AccountID,
		hoursMinutes(creds.Expiration.Sub(r.Now()))), "")
}
