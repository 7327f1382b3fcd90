package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/awsenv/awsenv/internal/accesskeys"
	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/credflow"
	"github.com/awsenv/awsenv/internal/diagnose"
	"github.com/awsenv/awsenv/plugins/termsafe"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/sessions"
)

func newRotateCommand(d *Deps) *cli.Command {
	return &cli.Command{
		Name:      "rotate",
		Usage:     "replace the access key of PROFILE with a new one, safely: the old key goes only once the new one works",
		ArgsUsage: "[PROFILE]",
		Flags: append(credentialFlags(),
			&cli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "do not ask for confirmation"},
			&cli.BoolFlag{Name: "delete-inactive", Usage: "if the user already has a second, inactive key, delete it first"},
			&cli.BoolFlag{Name: "keep-old", Usage: "leave the old key inactive instead of deleting it"},
			&cli.DurationFlag{Name: "wait", Value: 30 * time.Second, Usage: "how long to wait for the new key to work (IAM takes a few seconds to spread a new key)"},
		),
		Action: func(c *cli.Context) error {
			d.interruptible() // a rotation waits on people, locks and IAM
			w, err := keyWorkFor(c, d)
			if err != nil {
				return err
			}
			name := w.name
			p := w.user.Profile
			if !c.Bool("yes") {
				where := p.KeyFile() + " (keeping a backup)"
				if p.Stored != nil {
					where = p.KeyPlace()
				}
				if err := confirm(d, fmt.Sprintf("Rotate the access key %s of profile %s? awsenv makes a new key, writes it into %s, and deletes the old key once the new one works.",
					p.AccessKeyID, p.Name, where)); err != nil {
					return err
				}
			}
			// A file awsenv cannot edit is found before a key is made.
			if p.Stored == nil {
				if err := profiles.CheckReplaceKey(p.KeyFile(), p.KeyFileKind(), p.Name, p.AccessKeyID); err != nil {
					return err
				}
			}
			rot, err := newRotation(c, d, w)
			if err != nil {
				return err
			}
			unlock, err := rot.lock(c)
			if err != nil {
				return err
			}
			defer unlock()
			// Ctrl-C mid-way would leave IAM and the file half done (the
			// journal would mend it on the next run): finish instead, which
			// takes seconds, and say so.
			ctx := context.WithoutCancel(c.Context)
			done := make(chan struct{})
			defer close(done)
			go func() {
				select {
				case <-c.Context.Done():
					rot.Notef("interrupted: finishing the rotation first, so the file and IAM agree (a few seconds, at most %s).", rot.VerifyFor)
				case <-done:
				}
			}()
			res, err := rot.Run(ctx)
			if err != nil {
				var two *accesskeys.TwoKeysError
				if errors.As(err, &two) {
					return w.twoKeys(two)
				}
				if accesskeys.IsCode(err, "LimitExceeded") {
					// Someone made a key between our look and CreateAccessKey.
					if keys, lerr := w.caller.List(c.Context, res.User, p.AccessKeyID); lerr == nil {
						return w.twoKeys(&accesskeys.TwoKeysError{Profile: p.Name, User: res.User, File: p.KeyFile(), Keys: keys})
					}
				}
				return w.explain(err)
			}
			verb := "deleted"
			if !res.OldDeleted {
				verb = "left inactive"
			}
			fmt.Fprintf(d.Stdout, "Rotated profile %s (user %s): %s is now in %s; the old key %s was %s.\n",
				p.Name, termsafe.Line(res.User, termsafe.MaxValue), termsafe.Line(res.New, termsafe.MaxValue), p.KeyPlace(), termsafe.Line(res.Old, termsafe.MaxValue), verb)
			if res.Backup != "" {
				fmt.Fprintf(d.Stdout, "Backup of the file as it was: %s\n", res.Backup)
			}
			if res.Cleared > 0 {
				fmt.Fprintf(d.Stdout, "Cleared %d cached session(s) made with the old key.\n", res.Cleared)
			}
			if env := d.Getenv("AWS_ACCESS_KEY_ID"); env == res.Old {
				fmt.Fprintf(d.Stdout, "This shell still exports the old key in AWS_ACCESS_KEY_ID: run `awsenv use %s` (or `awsenv unset`) here and in other open shells.\n", name)
			} else if env != "" && strings.HasPrefix(env, "ASIA") && rot.oldSessions[env] {
				fmt.Fprintf(d.Stdout, "This shell uses a session made with the old key: run `awsenv use %s` for one made with the new key.\n", name)
			}
			return nil
		},
	}
}

// rotation wires accesskeys.Rotation to the real files.
type rotation struct {
	*accesskeys.Rotation
	store       *sessions.Store // rotate journals and retired keys
	oldSessions map[string]bool // session key ids made with the old key
}

func newRotation(c *cli.Context, d *Deps, w *keyWork) (*rotation, error) {
	rs, err := rotateStore(d)
	if err != nil {
		return nil, err
	}
	// The journal's secrets are sealed under the sessions' data key.
	rs.Keys = w.flow.Store.Keys
	p := w.user.Profile
	r := &rotation{store: rs, oldSessions: map[string]bool{}}
	kr := w.flow.Keyring.(*keyring)
	r.Rotation = &accesskeys.Rotation{
		Caller:  w.caller,
		Profile: p.Name,
		File:    p.KeyPlace(),
		Journal: recordJournal{s: rs, ctx: context.WithoutCancel(c.Context), saved: func(step string) { pausePoint(d, "journal-"+step) }},
		// A key kept in the keyring is read from it and written back to it
		// (read back and compared, the index updated): no file, no backup.
		ReadKey: func() (accesskeys.KeyPair, error) {
			cfg, err := profiles.Load(awsFiles(d))
			if err != nil {
				return accesskeys.KeyPair{}, err
			}
			now, err := cfg.Get(p.Name)
			if err != nil {
				return accesskeys.KeyPair{}, err
			}
			if now.Stored != nil {
				creds, err := kr.LongTermKey(context.WithoutCancel(c.Context), now)
				return accesskeys.KeyPair{ID: creds.AccessKeyID, Secret: creds.SecretAccessKey}, err
			}
			return accesskeys.KeyPair{ID: now.AccessKeyID, Secret: now.SecretAccessKey}, nil
		},
		WriteKey: func(k accesskeys.KeyPair) (string, error) {
			if p.Stored != nil {
				_, err := kr.store(context.WithoutCancel(c.Context), d, p.Name, profiles.Credentials{AccessKeyID: k.ID, SecretAccessKey: k.Secret})
				return "", err
			}
			return writeProfileKey(p, k, d.Now)
		},
		ClearSessions: func(keyID string) (int, error) {
			if entries, err := w.flow.Store.List(); err == nil {
				for _, e := range entries {
					if e.BaseKeyID == keyID {
						r.oldSessions[e.Credentials.AccessKeyID] = true
					}
				}
			}
			return w.flow.Store.ClearBuiltOn(keyID)
		},
		Retire: func(keyID string, at time.Time) error {
			return retireKey(rs, keyID, p.Name, at)
		},
		DeleteInactive: c.Bool("delete-inactive"),
		KeepOld:        c.Bool("keep-old"),
		VerifyFor:      c.Duration("wait"),
		Now:            d.Now,
		Sleep:          w.flow.Sleep,
		Notef:          w.flow.Notef,
	}
	return r, nil
}

// lock keeps two rotations of one profile from running at once.
func (r *rotation) lock(c *cli.Context) (func(), error) {
	return r.store.Lock(c.Context, sessions.Key{Profile: r.Profile, Kind: "rotate"}, func() {
		r.Notef("another awsenv is rotating the key of %s; waiting for it.", r.Profile)
	})
}

// recordJournal keeps rotate journals as records of a private store: the
// secrets sealed under the sessions' data key, the key ids and the step
// readable (sessions.SaveSealed).
type recordJournal struct {
	s     *sessions.Store
	ctx   context.Context
	saved func(step string) // after each save: the test build's pause point
}

func (j recordJournal) name(profile string) string { return profile + ".journal" }

func (j recordJournal) Load(profile string) (*accesskeys.Journal, error) {
	var jr accesskeys.Journal
	var sec accesskeys.JournalSecrets
	form, err := j.s.LoadSealed(j.ctx, j.name(profile), &jr, &sec)
	var ue *sessions.UnopenedError
	if errors.As(err, &ue) {
		return nil, &accesskeys.UnreadableJournalError{Journal: &jr, Path: ue.Path, Lost: errors.Is(err, sessions.ErrNotOpen), Err: unopenedCause(ue)}
	}
	if err != nil || form == sessions.RecordAbsent {
		return nil, err
	}
	if form == sessions.RecordLegacy {
		// A plain-text journal of an earlier version: sealed at once, then
		// finished as any other.
		if err := j.Save(&jr); err != nil {
			return nil, err
		}
		return &jr, nil
	}
	jr.Join(sec)
	return &jr, nil
}

// unopenedCause is why a journal's secrets did not open, in words that fit
// a rotation: the store's own error, without the advice to turn session
// encryption off (which would not open the journal).
func unopenedCause(ue *sessions.UnopenedError) error {
	var ke *sessions.KeyError
	if errors.As(ue.Err, &ke) {
		return &journalKeyError{ke}
	}
	return ue.Err
}

// journalKeyError is a *sessions.KeyError (exit code 8) told for a journal.
type journalKeyError struct{ ke *sessions.KeyError }

func (e *journalKeyError) Error() string {
	return fmt.Sprintf("could not get the data key (%s) from the secret store: %v", sessions.DataKeyName, e.ke.Err)
}
func (e *journalKeyError) Unwrap() error { return e.ke }

func (j recordJournal) Save(jr *accesskeys.Journal) error {
	readable, sec := jr.Split()
	if err := j.s.SaveSealed(j.ctx, j.name(jr.Profile), &readable, &sec); err != nil {
		return err
	}
	if j.saved != nil {
		j.saved(jr.Step)
	}
	return nil
}
func (j recordJournal) Remove(profile string) error { return j.s.RemoveRecord(j.name(profile)) }
func (j recordJournal) Path(profile string) string  { return j.s.RecordPath(j.name(profile)) }

// retiredKey is a key awsenv rotated away: a tool still using it is stale.
type retiredKey struct {
	Profile string    `json:"profile"`
	At      time.Time `json:"at"`
}

const retiredRecord = "retired-keys"

func retireKey(s *sessions.Store, keyID, profile string, at time.Time) error {
	all := loadRetired(s)
	all[keyID] = retiredKey{Profile: profile, At: at}
	return s.SaveRecord(retiredRecord, all)
}

func loadRetired(s *sessions.Store) map[string]retiredKey {
	all := map[string]retiredKey{}
	if s != nil {
		_, _ = s.LoadRecord(retiredRecord, &all)
	}
	return all
}

// confirm asks a yes/no question on the terminal. Without a terminal it
// refuses, so a script never rotates keys by accident.
func confirm(d *Deps, question string) error {
	yes, err := askYesNo(d, question)
	switch {
	case err != nil:
		return usageErrorf("awsenv asks before changing your keys, and there is no terminal to ask on. Pass --yes to go ahead without asking.")
	case !yes:
		return errors.New("not rotated: you did not confirm. Nothing was changed.")
	}
	return nil
}

// twoKeys explains the two-key stop as AWS's LimitExceeded would be,
// listing both keys with their age and last use.
func (w *keyWork) twoKeys(e *accesskeys.TwoKeysError) error {
	limit := &awsapi.APIError{Operation: "CreateAccessKey", Code: "LimitExceeded", Message: "Cannot exceed quota for AccessKeysPerUser: 2"}
	facts := w.flow.Facts(w.user.Profile)
	facts.UserName = e.User
	for _, k := range e.Keys {
		facts.Keys = append(facts.Keys, diagnose.KeyFacts{AccessKey: k.AccessKey, LastUsed: k.LastUsed})
	}
	return &credflow.CallError{Profile: w.user.Profile.Name, Err: e, Explanation: diagnose.Explain(limit, facts)}
}

// writeProfileKey puts a key into the file that holds the profile's keys,
// in place, keeping a backup.
func writeProfileKey(p *profiles.Profile, k accesskeys.KeyPair, now func() time.Time) (string, error) {
	return profiles.ReplaceKey(p.KeyFile(), p.KeyFileKind(), p.Name, k.ID, k.Secret, profiles.ReplaceOptions{Now: now})
}
