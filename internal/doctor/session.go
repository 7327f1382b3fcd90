package doctor

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles/sessions"
)

// The session check: the cached sessions of the profile.

// session checks the cached sessions of the profile and drops the ones
// that cannot work: refused by AWS, or made with a key no longer in the file.
func (r *run) session() {
	entries, err := r.Store.List()
	if err != nil {
		r.add("session", Fail, err.Error(), "")
		return
	}
	now := r.Now()
	// Only keys from the file can be replaced in it: a credential source's
	// or credential_process's key is no sign of an old session.
	source, _ := r.base.CredentialPlugin()
	keyInFile := source == "" && !r.base.HasCredentialProcess()
	var live *sessions.Entry
	var dropped []string
	for i := range entries {
		e := &entries[i]
		if e.Profile != r.Profile && e.Profile != r.base.Name {
			continue
		}
		if keyInFile && e.BaseKeyID != "" && e.BaseKeyID != r.base.AccessKeyID {
			if os.Remove(e.Path) == nil {
				dropped = append(dropped, fmt.Sprintf("a %s made with the old key %s", e.Kind, e.BaseKeyID))
			}
			continue
		}
		if e.Profile == r.Profile && e.Expiration().After(now) && (live == nil || e.Expiration().After(live.Expiration())) {
			live = e
		}
	}
	note := ""
	if len(dropped) > 0 {
		note = "; removed " + strings.Join(dropped, ", ")
	}
	if live == nil {
		r.add("session", Pass, "no fresh session cached; the next `awsenv use "+r.Profile+"` makes one"+note, "")
		return
	}
	// A sealed session is opened only now: listing needed no data key.
	full, err := r.Store.Reveal(*live)
	if err != nil {
		r.add("session", Fail, err.Error(), "")
		return
	}
	if full == nil {
		r.add("session", Pass, "no fresh session cached that opens; the next `awsenv use "+r.Profile+"` makes one"+note, "")
		return
	}
	_, err = r.STS.GetCallerIdentity(r.ctx, r.target(), full.Credentials)
	if err != nil && !isAccessDenied(err) {
		var api *awsapi.APIError
		if errors.As(err, &api) {
			_ = os.Remove(live.Path)
			r.add("session", Warn, fmt.Sprintf("AWS refused the cached %s (%s: %s); removed it%s", live.Kind, api.Code, api.Message, note),
				fmt.Sprintf("Run `awsenv use %s` for a new one.", r.Profile))
			return
		}
		r.add("session", Skip, "could not reach STS to check the cached session"+note, "")
		return
	}
	r.add("session", Pass, fmt.Sprintf("cached %s works, %s left%s", live.Kind, hoursMinutes(live.Expiration().Sub(now)), note), "")
}
