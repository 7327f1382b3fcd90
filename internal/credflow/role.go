package credflow

// A role's credentials: AssumeRole on top of its source, with MFA or an MFA session, and the role's duration and session name.

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/sessions"
)

// role returns credentials for a role profile, built on its source.
func (f *Flow) role(ctx context.Context, r *profiles.Resolved, d time.Duration, settings profiles.Settings,
	rn renewal) (*sessions.Session, bool, error) {
	p, src := r.Profile, r.Source
	asked := roleDuration(p, d)
	if src.Kind != profiles.KindUser && asked > roleChainingLimit {
		f.Notef("profile %s asks for %s, but a role assumed with temporary credentials lasts at most 1h (AWS's role chaining limit); asking for 1h.", p.Name, asked)
		asked = roleChainingLimit
	}
	f.clamp("role", p.Name, asked, maxRoleDuration) // the note; roleKey clamps
	serial := r.MFASerial()
	key, d := f.roleKey(r, d)
	rn = rn.within(d)
	sessionName := f.roleSessionName(r)
	base := r.Base().Profile
	return f.cached(ctx, key, rn, func() (*sessions.Session, error) {
		in := awsapi.AssumeRoleInput{Target: f.target(r), RoleARN: p.RoleARN, RoleSessionName: sessionName,
			ExternalID: p.ExternalID, Duration: d}
		// Checked by Get (checkClientKeys).
		tags, _ := p.Tags()
		in.Tags, in.TransitiveTagKeys, in.SourceIdentity = tags.Session, tags.Transitive, tags.SourceIdentity
		var creds profiles.Credentials
		var err error
		switch {
		case src.Kind == profiles.KindUser && serial != "" && d > roleChainingLimit:
			// A session's credentials can only assume roles for an hour, so
			// a longer role is assumed straight from the keys, with a code.
			srcSettings, serr := f.mfaSettings(r, settings)
			if serr != nil {
				return nil, serr
			}
			f.Debugf("profile %s asks for %s, more than the 1h a role assumed from an MFA session may last; assuming %s directly with the long-term keys of %s and an MFA code",
				p.Name, d, p.RoleARN, src.Profile.Name)
			if in.Credentials, err = f.baseCredentials(ctx, src.Profile); err != nil {
				return nil, err
			}
			creds, err = f.withMFA(ctx, p.Name, serial, srcSettings, func(code string) (profiles.Credentials, error) {
				in.SerialNumber, in.TokenCode = serial, code
				return f.STS.AssumeRole(ctx, in)
			})
		case src.Kind == profiles.KindUser && serial != "":
			srcSettings, serr := f.mfaSettings(r, settings)
			if serr != nil {
				return nil, serr
			}
			sess, cachedSrc, serr := f.userSession(ctx, src, serial, srcSettings.SessionDuration, srcSettings, renewWith(srcSettings, false))
			if serr != nil {
				return nil, serr
			}
			in.Credentials = sess.Credentials
			f.Debugf("AssumeRole %s for %s with the MFA session of %s, for %s", p.RoleARN, p.Name, src.Profile.Name, d)
			creds, err = f.STS.AssumeRole(ctx, in)
			if cachedSrc && brokenSession(err) {
				f.dropped(err, src.Profile.Name, userKey(src.Profile, serial))
				if sess, _, serr = f.userSession(ctx, src, serial, srcSettings.SessionDuration, srcSettings, renewWith(srcSettings, true)); serr != nil {
					return nil, serr
				}
				in.Credentials = sess.Credentials
				creds, err = f.STS.AssumeRole(ctx, in)
			}
		case src.Kind == profiles.KindUser:
			if in.Credentials, err = f.baseCredentials(ctx, src.Profile); err != nil {
				return nil, err
			}
			f.Debugf("AssumeRole %s for %s with the keys of %s (no MFA), for %s", p.RoleARN, p.Name, src.Profile.Name, d)
			creds, err = f.STS.AssumeRole(ctx, in)
		case src.Kind == profiles.KindSSO:
			srcSettings, serr := f.Global.Settings(src.Profile)
			if serr != nil {
				return nil, serr
			}
			sess, cachedSrc, serr := f.ssoSession(ctx, src, p.Name, renewWith(srcSettings, false))
			if serr != nil {
				return nil, serr
			}
			in.Credentials = sess.Credentials
			f.Debugf("AssumeRole %s for %s with the IAM Identity Center credentials of %s, for %s", p.RoleARN, p.Name, src.Profile.Name, d)
			creds, err = f.STS.AssumeRole(ctx, in)
			if cachedSrc && brokenSession(err) {
				f.dropped(err, src.Profile.Name, ssoKey(src))
				if sess, _, serr = f.ssoSession(ctx, src, p.Name, renewWith(srcSettings, true)); serr != nil {
					return nil, serr
				}
				in.Credentials = sess.Credentials
				creds, err = f.STS.AssumeRole(ctx, in)
			}
		case src.Kind == profiles.KindLogin:
			if in.Credentials, _, err = f.loginCredentials(ctx, src, false); err != nil {
				return nil, err
			}
			f.Debugf("AssumeRole %s for %s with the `aws login` session of %s, for %s", p.RoleARN, p.Name, src.Profile.Name, d)
			creds, err = f.STS.AssumeRole(ctx, in)
		case src.Kind == profiles.KindCredentialSource:
			if in.Credentials, err = f.sourceCredentials(ctx, src.Profile); err != nil {
				return nil, err
			}
			f.Debugf("AssumeRole %s for %s with the credentials of credential_source = %s, for %s", p.RoleARN, p.Name, p.CredentialSource, d)
			creds, err = f.STS.AssumeRole(ctx, in)
		case src.Kind == profiles.KindWebIdentity:
			srcSettings, serr := f.Global.Settings(src.Profile)
			if serr != nil {
				return nil, serr
			}
			sess, cachedSrc, serr := f.webIdentity(ctx, src, 0, renewWith(srcSettings, false))
			if serr != nil {
				return nil, serr
			}
			in.Credentials = sess.Credentials
			f.Debugf("AssumeRole %s for %s with the web identity role of %s, for %s", p.RoleARN, p.Name, src.Profile.Name, d)
			creds, err = f.STS.AssumeRole(ctx, in)
			if cachedSrc && brokenSession(err) {
				wkey, _ := f.webIdentityKey(src, 0)
				f.dropped(err, src.Profile.Name, wkey)
				if sess, _, serr = f.webIdentity(ctx, src, 0, renewWith(srcSettings, true)); serr != nil {
					return nil, serr
				}
				in.Credentials = sess.Credentials
				creds, err = f.STS.AssumeRole(ctx, in)
			}
		case src.Kind == profiles.KindSession:
			in.Credentials = fileCredentials(src.Profile)
			f.Debugf("AssumeRole %s for %s with the session credentials of %s, for %s", p.RoleARN, p.Name, src.Profile.Name, d)
			creds, err = f.STS.AssumeRole(ctx, in)
		default: // a role assumed with another role's credentials
			srcSettings, serr := f.Global.Settings(src.Profile)
			if serr != nil {
				return nil, serr
			}
			sess, cachedSrc, serr := f.role(ctx, src, 0, srcSettings, renewWith(srcSettings, false))
			if serr != nil {
				return nil, serr
			}
			in.Credentials = sess.Credentials
			f.Debugf("AssumeRole %s for %s with the role credentials of %s, for %s", p.RoleARN, p.Name, src.Profile.Name, d)
			creds, err = f.STS.AssumeRole(ctx, in)
			if cachedSrc && brokenSession(err) {
				f.dropped(err, src.Profile.Name, sessions.Key{})
				if sess, _, serr = f.role(ctx, src, 0, srcSettings, renewWith(srcSettings, true)); serr != nil {
					return nil, serr
				}
				in.Credentials = sess.Credentials
				creds, err = f.STS.AssumeRole(ctx, in)
			}
		}
		if err != nil {
			return nil, f.explainCall(ctx, err, p, in.Credentials)
		}
		return &sessions.Session{Credentials: creds, BaseKeyID: base.AccessKeyID, MFASerial: serial,
			RoleARN: p.RoleARN, Source: src.Profile.Name}, nil
	})
}

// roleDuration is what a role profile asks for: d (--duration) if set,
// else its duration_seconds, else AWS's default hour.
func roleDuration(p *profiles.Profile, d time.Duration) time.Duration {
	if d == 0 {
		d = time.Duration(p.DurationSeconds) * time.Second
	}
	if d == 0 {
		d = defaultRoleDuration
	}
	return d
}

// roleKey names the cached session of role profile r asked for d (0: its
// own duration), and returns the duration it is made for (AWS's limits
// applied). Without side effects, for Get and Peek alike.
func (f *Flow) roleKey(r *profiles.Resolved, d time.Duration) (sessions.Key, time.Duration) {
	p, src := r.Profile, r.Source
	d = roleDuration(p, d)
	if src.Kind != profiles.KindUser && d > roleChainingLimit {
		d = roleChainingLimit
	}
	d = clampTo(d, maxRoleDuration)
	parts := []string{p.RoleARN, p.ExternalID, f.roleSessionName(r), src.Profile.Name, baseID(r.Base().Profile), r.MFASerial(), d.String()}
	// Session tags and the source identity are part of who the session
	// is: other tags make another session. Added only when set, so the
	// keys of sessions without them stay as they were.
	if tags, _ := p.Tags(); !tags.Empty() {
		parts = append(parts, tagsKey(tags))
	}
	return sessions.Key{Profile: p.Name, Kind: sessions.KindRole, Parts: parts}, d
}

// tagsKey is the session tags, transitive keys and source identity as one
// canonical string: sorted, each part quoted.
func tagsKey(t profiles.Tags) string {
	keys := make([]string, 0, len(t.Session))
	for k := range t.Session {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("tags:")
	for _, k := range keys {
		b.WriteString(strconv.Quote(k) + "=" + strconv.Quote(t.Session[k]) + ",")
	}
	b.WriteString(" transitive:")
	for _, k := range t.Transitive {
		b.WriteString(strconv.Quote(k) + ",")
	}
	b.WriteString(" source_identity:" + strconv.Quote(t.SourceIdentity))
	return b.String()
}

// roleSessionName is the role session name of role profile r: its
// role_session_name, else one named after the person.
func (f *Flow) roleSessionName(r *profiles.Resolved) string {
	if n := r.Profile.RoleSessionName; n != "" {
		return n
	}
	return defaultSessionName(r.MFASerial(), f.LocalUser)
}

// sessionNameChar is what AWS allows in a role session name ([\w+=,.@-]);
// the rest becomes '_'. A loop, not a regexp, to keep regexp's init off
// every run.
func sessionNameChar(r rune) rune {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("_+=,.@-", r):
		return r
	}
	return '_'
}

// defaultSessionName names role sessions after the person, so CloudTrail
// shows who assumed the role: the MFA device's name (arn:...:mfa/alice),
// else the local user name.
func defaultSessionName(serial, localUser string) string {
	name := awsapi.ParseARN(serial).Name()
	if name == "" {
		name = localUser
	}
	name = strings.Map(sessionNameChar, name)
	if len(name) < 2 {
		name = "awsenv-" + name
	}
	if len(name) > 64 {
		name = name[:64]
	}
	return strings.TrimSuffix(name, "-")
}
