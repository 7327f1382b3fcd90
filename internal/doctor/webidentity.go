package doctor

import (
	"fmt"

	"github.com/awsenv/awsenv/internal/credflow"
	"github.com/awsenv/awsenv/profiles"
)

// The web identity and credential_source checks: the token file a web
// identity role reads (its calls are checked by the session check), and
// where a credential_source takes its credentials.

// otherSourceOf is the link of the profile's chain whose credentials come
// from a web identity token or a credential_source; nil otherwise.
func (r *run) otherSourceOf() *profiles.Resolved {
	for x := r.res; x != nil; x = x.Source {
		if x.Kind == profiles.KindWebIdentity || x.Kind == profiles.KindCredentialSource {
			return x
		}
	}
	return nil
}

// otherSource checks a web identity's token file (readable, not empty,
// within the cap), or names the credential_source.
func (r *run) otherSource(x *profiles.Resolved) {
	from := fmt.Sprintf("credential_source = %s of %s", x.Profile.CredentialSource, x.Profile.Name)
	if x.Kind == profiles.KindWebIdentity {
		from = fmt.Sprintf("the web identity role of %s", x.Profile.Name)
	}
	for _, check := range []string{"key", "identity", "key-active", "mfa-device"} {
		r.add(check, Skip, fmt.Sprintf("the credentials of %s come from %s", r.Profile, from), "")
	}
	if x.Kind != profiles.KindWebIdentity {
		r.add("credential-source", Pass, fmt.Sprintf("%s: asked when a session is made (see the session check)", from), "")
		return
	}
	if err := credflow.CheckTokenFile(x.Profile.Name, x.WebIdentity); err != nil {
		what, fix := err.Error(), ""
		if r.Explain != nil {
			what, fix = r.Explain(err, x.Profile)
		}
		r.add("web-identity-token", Fail, what, fix)
		return
	}
	r.add("web-identity-token", Pass, fmt.Sprintf("%s is readable (role %s)", x.WebIdentity.TokenFile, x.WebIdentity.RoleARN), "")
}
