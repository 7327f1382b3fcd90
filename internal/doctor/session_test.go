package doctor_test

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/doctor"
	"github.com/awsenv/awsenv/profiles/sessions"
)

const (
	sessionKey = "ASIASESSION000000001"
	laterKey   = "ASIASESSION000000002"
	roleKey    = "ASIAROLE000000000001"
	sessionARN = "arn:aws:iam::123456789012:user/alice"
)

// The session check: the freshest cached session of the profile is tried
// with GetCallerIdentity. Sessions are removed only when made with a key
// no longer in the file or refused by AWS, and the check says so (every
// run also asserts that, in world.run).
func TestDoctorSession(t *testing.T) {
	t.Parallel()
	type saved struct {
		profile, kind, base, key string
		exp                      time.Duration // from now
		removed                  bool          // doctor must remove it
	}
	mfa := func(base, key string, exp time.Duration, removed bool) saved {
		return saved{"alice", sessions.KindMFA, base, key, exp, removed}
	}
	for _, tc := range []struct {
		name        string
		profile     string
		saved       []saved
		stsErr      error // for the session's key
		status      string
		detail, fix string
		asked       []string // the session keys STS was asked about
	}{
		{name: "none", profile: "alice", status: doctor.Pass, detail: "no fresh session cached; the next `awsenv use alice` makes one"},
		{name: "fresh", profile: "alice", saved: []saved{mfa(keyID, sessionKey, 2*time.Hour, false)},
			status: doctor.Pass, detail: "cached mfa-session works, 2h00m left", asked: []string{sessionKey}},
		{name: "the freshest of two", profile: "alice",
			saved:  []saved{mfa(keyID, sessionKey, 42*time.Minute, false), {"alice", sessions.KindSession, keyID, laterKey, 3 * time.Hour, false}},
			status: doctor.Pass, detail: "cached session works, 3h00m left", asked: []string{laterKey}},
		{name: "expired", profile: "alice", saved: []saved{mfa(keyID, sessionKey, -time.Minute, false)},
			status: doctor.Pass, detail: "no fresh session cached"},
		{name: "built on an old key", profile: "alice", saved: []saved{mfa(oldKey, sessionKey, 2*time.Hour, true)},
			status: doctor.Pass, detail: "no fresh session cached; the next `awsenv use alice` makes one; removed a mfa-session made with the old key " + oldKey},
		{name: "an old one beside a fresh one", profile: "alice",
			saved:  []saved{mfa(oldKey, sessionKey, 2*time.Hour, true), {"alice", sessions.KindSession, keyID, laterKey, time.Hour, false}},
			status: doctor.Pass, detail: "cached session works, 1h00m left; removed a mfa-session made with the old key " + oldKey, asked: []string{laterKey}},
		// A role's sessions, and its source's, made with the old key go.
		{name: "role built on an old key", profile: "prod",
			saved: []saved{{"prod", sessions.KindRole, oldKey, roleKey, time.Hour, true}, mfa(oldKey, sessionKey, time.Hour, true),
				{"bob", sessions.KindMFA, oldKey, laterKey, time.Hour, false}},
			status: doctor.Pass, detail: "removed a mfa-session made with the old key " + oldKey + ", a role made with the old key " + oldKey},
		// The source's session is not the role's: only the role's is tried.
		{name: "role", profile: "prod",
			saved:  []saved{{"prod", sessions.KindRole, keyID, roleKey, 50 * time.Minute, false}, mfa(keyID, sessionKey, 5*time.Hour, false)},
			status: doctor.Pass, detail: "cached role works, 50m left", asked: []string{roleKey}},
		{name: "refused", profile: "alice", saved: []saved{mfa(keyID, sessionKey, 2*time.Hour, true)},
			stsErr: apiError("ExpiredToken", "The security token included in the request is expired"),
			status: doctor.Warn, detail: "AWS refused the cached mfa-session (ExpiredToken: The security token included in the request is expired); removed it",
			fix: "Run `awsenv use alice` for a new one.", asked: []string{sessionKey}},
		{name: "refused, and an old one", profile: "alice",
			saved:  []saved{mfa(keyID, sessionKey, 2*time.Hour, true), {"alice", sessions.KindSession, oldKey, laterKey, time.Hour, true}},
			stsErr: apiError("InvalidClientTokenId", "invalid"),
			status: doctor.Warn, detail: "removed it; removed a session made with the old key " + oldKey, asked: []string{sessionKey}},
		// Denied is an answer about permissions, not about the session.
		{name: "access denied", profile: "alice", saved: []saved{mfa(keyID, sessionKey, 2*time.Hour, false)},
			stsErr: apiError("AccessDenied", "explicit deny"), status: doctor.Pass, detail: "cached mfa-session works", asked: []string{sessionKey}},
		{name: "no answer", profile: "alice", saved: []saved{mfa(keyID, sessionKey, 2*time.Hour, false)},
			stsErr: transportError(), status: doctor.Skip, detail: "could not reach STS to check the cached session", asked: []string{sessionKey}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			for _, k := range []string{sessionKey, laterKey, roleKey} {
				w.sts.arns[k] = sessionARN
			}
			if tc.stsErr != nil {
				w.sts.errs[sessionKey] = tc.stsErr
			}
			paths := make([]string, len(tc.saved))
			for i, s := range tc.saved {
				paths[i] = w.saveSession(s.profile, s.kind, s.base, s.key, w.now.Add(s.exp))
			}
			rep := w.run(tc.profile)
			want(t, rep, "session", tc.status, tc.detail, tc.fix)
			for i, s := range tc.saved {
				if exists(t, paths[i]) == s.removed {
					t.Errorf("session %s of %s (%s): removed %v, want %v", s.key, s.profile, filepath.Base(paths[i]), !s.removed, s.removed)
				}
			}
			var asked []string
			for _, k := range w.sts.callers {
				if k != keyID {
					asked = append(asked, k)
				}
			}
			if !slices.Equal(asked, tc.asked) {
				t.Errorf("STS asked about sessions %v, want %v", asked, tc.asked)
			}
		})
	}
}

// The session store cannot be listed: the check fails, and nothing else.
func TestDoctorSessionStoreUnreadable(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.write(filepath.Join(w.dir, "not-a-dir"), "", 0o600)
	w.store = &sessions.Store{Dir: filepath.Join(w.dir, "not-a-dir")}
	rep := w.run("alice")
	want(t, rep, "session", doctor.Fail, "not-a-dir", "")
}

// A profile whose keys come from a credential source or credential_process
// has no key in the file: its sessions record the key the source gave, and
// that is no reason to remove them.
func TestDoctorSessionKeptForOtherSources(t *testing.T) {
	t.Parallel()
	const sourceKey = "AKIAFROMSOURCE000000"
	for _, tc := range []struct {
		name, config string
	}{
		{"credential source", "[profile ext]\nregion = eu-west-1\nawsenv_credential_source = vault\n"},
		{"credential_process", "[profile ext]\nregion = eu-west-1\ncredential_process = /usr/bin/creds\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.write(w.files.Config, tc.config, 0o600)
			w.plugin = (&pluginAnswers{answers: map[string][2]string{"vault": {"/plugins/awsenv-plugin-vault", ""}}}).plugin
			w.sts.arns[sessionKey] = sessionARN
			path := w.saveSession("ext", sessions.KindSession, sourceKey, sessionKey, w.now.Add(2*time.Hour))
			rep := w.run("ext")
			want(t, rep, "session", doctor.Pass, "cached session works, 2h00m left", "")
			if !exists(t, path) {
				t.Error("doctor removed a valid session made with the source's key")
			}
		})
	}
}
