package doctor

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/credflow"

	"github.com/awsenv/awsenv/profiles"
)

// The checks of the profile and its long-term key: how the profile
// resolves, the key's shape, [default], the clock, the caller's identity,
// and IAM's view of the key.

func (r *run) profile() bool {
	res, err := r.cfg.Resolve(r.Profile)
	if err != nil {
		r.add("profile", Fail, err.Error(), "Run `awsenv list` to see your profiles.")
		return false
	}
	r.res, r.base = res, res.Base().Profile
	chain := []string{}
	for x := res; x != nil; x = x.Source {
		chain = append(chain, x.Profile.Name)
	}
	detail := fmt.Sprintf("%s is a %s profile", r.Profile, res.Kind)
	if len(chain) > 1 {
		detail += ": " + strings.Join(chain, " -> ")
	}
	r.add("profile", Pass, detail, "")
	return true
}

// Key ids are 20 upper-case letters and digits: AKIA for an IAM user's
// long-term key, ASIA for temporary credentials. (No regexp: its package
// init would cost every `awsenv use`.)
type keyShape string

var (
	longTermKey  keyShape = "AKIA"
	temporaryKey keyShape = "ASIA"
)

func (k keyShape) MatchString(id string) bool {
	if len(id) != 20 || !strings.HasPrefix(id, string(k)) {
		return false
	}
	for _, c := range id[4:] {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func (r *run) key() {
	p := r.base
	id := p.AccessKeyID
	where := fmt.Sprintf("[%s] in %s", p.Name, p.KeyFile())
	if p.Stored != nil {
		// Where the secret lives: awsenv's keyring, read through the helper.
		if _, err := r.longTermKey(); err != nil {
			r.add("key", Fail, fmt.Sprintf("the key %s of %s is in %s, which could not be read: %v", id, p.Name, p.KeyPlace(), err),
				fmt.Sprintf("Fix what is said above, or store the key again: awsenv keys add %s", p.Name))
			return
		}
		r.add("key", Pass, fmt.Sprintf("%s keeps the long-term key %s in %s, not in a file", p.Name, id, p.KeyPlace()), "")
		return
	}
	switch {
	case id == "":
		r.add("key", Fail, "no aws_access_key_id in "+where, "Add the profile's aws_access_key_id and aws_secret_access_key.")
	case temporaryKey.MatchString(id):
		r.add("key", Warn, fmt.Sprintf("%s holds session credentials (%s with aws_session_token); they expire and cannot make MFA sessions", where, id),
			fmt.Sprintf("Keep the user's long-term key (AKIA...) in %s and run `awsenv use %s`.", where, r.Profile))
	case !longTermKey.MatchString(id):
		r.add("key", Fail, fmt.Sprintf("aws_access_key_id %q in %s is not shaped like an access key (AKIA + 16 letters and digits)", id, where),
			"Copy the key again from where it was created; check for stray spaces or quotes.")
	case len(p.SecretAccessKey.Reveal()) != 40:
		r.add("key", Fail, fmt.Sprintf("aws_secret_access_key in %s is %d characters long, not 40", where, len(p.SecretAccessKey.Reveal())),
			"Copy the secret again; if it is lost, make a new key with `awsenv rotate "+p.Name+"` or the IAM console.")
	case p.SessionToken != "":
		r.add("key", Fail, fmt.Sprintf("%s pairs the long-term key %s with an aws_session_token", where, id),
			"Remove the aws_session_token line: a long-term key signs without one.")
	default:
		r.add("key", Pass, fmt.Sprintf("%s holds the long-term key %s", where, id), "")
		r.add("key-storage", Warn, fmt.Sprintf("the secret of %s is in plain text in %s, where every program you run can read it", id, p.KeyFile()),
			fmt.Sprintf("Move it into the OS keyring: awsenv keys import %s", p.Name))
	}
}

// longTermKey is the profile's long-term key, read once.
func (r *run) longTermKey() (profiles.Credentials, error) {
	if r.LongTermKey == nil || r.base.Stored == nil {
		return profiles.Credentials{AccessKeyID: r.base.AccessKeyID, SecretAccessKey: r.base.SecretAccessKey}, nil
	}
	if r.stored == nil && r.storedErr == nil {
		c, err := r.LongTermKey(r.ctx, r.base)
		r.stored, r.storedErr = &c, err
	}
	if r.storedErr != nil {
		return profiles.Credentials{}, r.storedErr
	}
	return *r.stored, nil
}

func (r *run) defaultProfile() {
	d, err := r.cfg.Get("default")
	if err != nil || d == nil || d.SessionToken == "" {
		r.add("default-profile", Pass, "[default] holds no session credentials", "")
		return
	}
	status := Warn
	if r.base.Name == "default" && r.res.MFASerial() != "" {
		status = Fail // what the seed's users hit: GetSessionToken with session credentials
	}
	r.add("default-profile", status,
		fmt.Sprintf("[default] in %s holds session credentials (aws_session_token); AWS refuses GetSessionToken with them (\"Cannot call GetSessionToken with session credentials\")", d.KeyFile()),
		"Move the long-term key (AKIA...) and mfa_serial into a profile of its own, e.g. [default-long-term], remove the session lines from [default], and let `awsenv use` make the sessions.")
}

func (r *run) identity() {
	if r.res.Base().Kind != profiles.KindUser {
		r.add("clock", Skip, "needs a long-term key to call STS with", "")
		r.add("identity", Skip, "the profile holds no long-term key", "")
		return
	}
	id, err := r.STS.GetCallerIdentity(r.ctx, r.target(), r.longTerm())
	r.clock(err)
	if err != nil {
		what, fix := r.Explain(err, r.base)
		r.add("identity", Fail, what, fix)
		return
	}
	r.keyOK = true
	r.user = awsapi.ParseARN(id.ARN).UserName()
	r.add("identity", Pass, fmt.Sprintf("%s is %s", r.base.AccessKeyID, id.ARN), "")
}

func (r *run) longTerm() profiles.Credentials {
	c, _ := r.longTermKey() // a failure was reported by key()
	return c
}

func (r *run) clock(callErr error) {
	d, ok := r.Skew()
	if !ok {
		var tr *awsapi.TransportError
		if errors.As(callErr, &tr) {
			r.add("clock", Skip, "STS could not be reached to compare clocks", "Check your network and AWS_ENDPOINT_URL* settings.")
		} else {
			r.add("clock", Skip, "STS's answer carried no Date header", "")
		}
		return
	}
	abs := d
	if abs < 0 {
		abs = -abs
	}
	fix := "Sync your clock: sudo timedatectl set-ntp true (or sudo ntpdate pool.ntp.org)."
	switch {
	case abs >= SkewFail:
		r.add("clock", Fail, fmt.Sprintf("your clock is %s; AWS refuses signatures 15 minutes off", credflow.DescribeSkew(d)), fix)
	case abs >= SkewWarn:
		r.add("clock", Warn, fmt.Sprintf("your clock is %s", credflow.DescribeSkew(d)), fix)
	case abs < time.Second:
		r.add("clock", Pass, "in step with AWS's", "")
	default:
		r.add("clock", Pass, fmt.Sprintf("within %s of AWS's", abs.Round(time.Second)), "")
	}
}

func (r *run) iamCall() awsapi.IAMCall {
	return awsapi.IAMCall{Target: r.target(), Credentials: r.longTerm()}
}

func (r *run) keyActive() {
	if !r.keyOK {
		r.add("key-active", Skip, "needs a working long-term key", "")
		return
	}
	keys, err := r.IAM.ListAccessKeys(r.ctx, r.iamCall(), r.user)
	if isAccessDenied(err) {
		r.add("key-active", Skip, fmt.Sprintf("user %s may not call iam:ListAccessKeys without MFA or at all", r.user),
			fmt.Sprintf("`awsenv keys %s` tries again with an MFA session.", r.base.Name))
		return
	}
	if err != nil {
		what, fix := r.Explain(err, r.base)
		r.add("key-active", Fail, what, fix)
		return
	}
	i := slices.IndexFunc(keys, func(k awsapi.AccessKey) bool { return k.ID == r.base.AccessKeyID })
	switch {
	case i < 0:
		r.add("key-active", Fail, fmt.Sprintf("IAM does not list %s among the keys of %s", r.base.AccessKeyID, r.user), "Check that the profile holds this user's key.")
	case keys[i].Status != awsapi.StatusActive:
		r.add("key-active", Fail, fmt.Sprintf("%s is %s in IAM", keys[i].ID, keys[i].Status),
			fmt.Sprintf("Activate it (aws iam update-access-key --user-name %s --access-key-id %s --status Active) or put an active key in %s.", r.user, keys[i].ID, r.base.KeyFile()))
	case !keys[i].Created.IsZero() && r.Now().Sub(keys[i].Created) > KeyMaxAge:
		r.add("key-active", Warn, fmt.Sprintf("%s is active but %d days old", keys[i].ID, int(r.Now().Sub(keys[i].Created).Hours()/24)),
			fmt.Sprintf("Rotate it: awsenv rotate %s", r.base.Name))
	default:
		r.add("key-active", Pass, fmt.Sprintf("%s is active (%d of 2 keys)", keys[i].ID, len(keys)), "")
	}
}
