package accesskeys

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/shell/shellquote"
)

// Steps of a rotation, as the journal records them. Each is written before
// the action it names can leave something behind, so a rotation killed at
// any point is finished (or undone) by the next `awsenv rotate`.
const (
	stepCreating    = "creating"    // CreateAccessKey sent; its secret may be lost
	stepCreated     = "created"     // the new key and secret are in the journal
	stepWritten     = "written"     // the new key is in the credentials file
	stepVerified    = "verified"    // the new key works
	stepDeactivated = "deactivated" // the old key is inactive
)

// Journal is the state of one rotation, kept in a private file. It holds
// both secrets: it is what lets a killed rotation be finished or undone.
// Its store keeps the secrets sealed (Split, Join) and the rest readable,
// so a person can still recover by hand when the secrets cannot be opened.
type Journal struct {
	Version int       `json:"version"`
	Profile string    `json:"profile"`
	User    string    `json:"user"`
	UserARN string    `json:"user_arn"`
	Step    string    `json:"step"`
	Started time.Time `json:"started"`
	Old     KeyPair   `json:"old"`
	New     *KeyPair  `json:"new,omitempty"`
	Backup  string    `json:"backup,omitempty"`
	// Known are the user's keys before CreateAccessKey, when IAM listed
	// them: after a kill, any other key is the one that call made.
	Known []string `json:"known,omitempty"`
}

// KeyPair is an access key with its secret.
type KeyPair struct {
	ID     string          `json:"id"`
	Secret profiles.Secret `json:"secret,omitempty"`
}

// JournalSecrets are the two secrets of a journal, which its store keeps
// sealed apart from the readable fields.
type JournalSecrets struct {
	Old profiles.Secret `json:"old"`
	New profiles.Secret `json:"new,omitempty"`
}

// Split returns the journal's readable fields (key ids, user, step), with
// no secret, and its secrets.
func (j *Journal) Split() (Journal, JournalSecrets) {
	r, s := *j, JournalSecrets{Old: j.Old.Secret}
	r.Old.Secret = ""
	if j.New != nil {
		n := *j.New
		s.New, n.Secret = n.Secret, ""
		r.New = &n
	}
	return r, s
}

// Join puts back the secrets Split took out.
func (j *Journal) Join(s JournalSecrets) {
	j.Old.Secret = s.Old
	if j.New != nil {
		j.New.Secret = s.New
	}
}

// UnreadableJournalError is the journal of an interrupted rotation whose
// secrets cannot be opened. Journal holds its readable fields. Lost is
// true when they never will (sealed under a data key the secret store no
// longer has, or changed); else the store could not give the data key now.
// Run fills File and Current (the key id the profile holds now) and says
// what is where and how to recover by hand.
type UnreadableJournalError struct {
	Journal *Journal
	Path    string
	Lost    bool
	Err     error
	Profile string
	File    string
	Current string
}

func (e *UnreadableJournalError) Unwrap() error { return e.Err }

func (e *UnreadableJournalError) Error() string {
	j := e.Journal
	head := fmt.Sprintf("a rotation of profile %s was interrupted at step %q (started %s), and the secrets in its journal %s cannot be opened: %s.",
		e.Profile, j.Step, j.Started.Format(time.RFC3339), e.Path, strings.TrimRight(e.Err.Error(), ". "))
	if !e.Lost {
		return head + fmt.Sprintf(" The journal is intact: once awsenv can get its data key again, run `awsenv rotate %s` to finish the rotation. Until then %s holds the key %s.", e.Profile, e.File, e.Current)
	}
	rm := fmt.Sprintf("remove the journal (rm %s)", shellquote.Word(e.Path))
	del := func(id string) string {
		return shellquote.Command("aws", "iam", "delete-access-key", "--user-name", j.User, "--access-key-id", id)
	}
	switch {
	case j.New == nil:
		// stepCreating: CreateAccessKey may have made a key whose secret
		// was never saved.
		return head + fmt.Sprintf(" %s holds the old key %s, which still works. The rotation may have made a key in IAM whose secret was never saved: list the keys of %s (%s) and delete any key other than %s that it made (%s); then %s and run `awsenv rotate %s` again.",
			e.File, j.Old.ID, j.User, shellquote.Command("aws", "iam", "list-access-keys", "--user-name", j.User), j.Old.ID, del("KEY_ID"), rm, e.Profile)
	case e.Current == j.Old.ID:
		works := "which still works"
		if j.Step == stepDeactivated {
			works = fmt.Sprintf("which the rotation made inactive: reactivate it first (%s)", shellquote.Command("aws", "iam", "update-access-key", "--user-name", j.User, "--access-key-id", j.Old.ID, "--status", "Active"))
		}
		return head + fmt.Sprintf(" %s holds the old key %s, %s. The new key %s is in IAM, unused, and its secret is lost: delete it (%s), then %s and run `awsenv rotate %s` again.",
			e.File, j.Old.ID, works, j.New.ID, del(j.New.ID), rm, e.Profile)
	case e.Current == j.New.ID:
		return head + fmt.Sprintf(" %s already holds the new key %s; the old key %s may still be in IAM. Check that the new key works (awsenv exec %s -- aws sts get-caller-identity), delete the old key (%s), then %s.",
			e.File, j.New.ID, j.Old.ID, e.Profile, del(j.Old.ID), rm)
	}
	return head + fmt.Sprintf(" %s holds the key %s, which is neither the rotation's old key %s nor its new key %s: keep the key that works, delete the other in IAM (%s), then %s.",
		e.File, e.Current, j.Old.ID, j.New.ID, del("KEY_ID"), rm)
}

func (k KeyPair) creds() profiles.Credentials {
	return profiles.Credentials{AccessKeyID: k.ID, SecretAccessKey: k.Secret}
}

// JournalStore keeps the journal of a profile's rotation.
type JournalStore interface {
	Load(profile string) (*Journal, error) // nil, nil when there is none
	Save(j *Journal) error
	Remove(profile string) error
	Path(profile string) string
}

// Rotation is everything a rotation touches, as values.
type Rotation struct {
	Caller  *Caller
	Profile string
	File    string // the file that holds the key, for messages
	Journal JournalStore
	// ReadKey re-reads the key the profile's file holds now.
	ReadKey func() (KeyPair, error)
	// WriteKey puts a key into the profile's file in place, atomically,
	// and returns the backup it made of the file.
	WriteKey func(k KeyPair) (backup string, err error)
	// ClearSessions drops cached sessions built on a key.
	ClearSessions func(keyID string) (int, error)
	// Retire records that a key was rotated away, for later diagnosis.
	Retire func(keyID string, at time.Time) error

	DeleteInactive bool          // delete the user's other, inactive key first
	KeepOld        bool          // leave the old key inactive instead of deleting it
	VerifyFor      time.Duration // how long to wait for the new key to work (IAM is eventually consistent)

	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	Notef func(format string, args ...any)
}

// Result says what a rotation did.
type Result struct {
	User           string
	Old, New       string
	OldDeleted     bool   // false with KeepOld: the old key is inactive
	Backup         string // the copy of the credentials file from before
	Cleared        int    // cached sessions dropped
	DeletedOther   string // an inactive key deleted first (DeleteInactive)
	Resumed        bool   // an interrupted rotation was finished
	DeletedOrphans []string
}

// TwoKeysError stops a rotation when the user already has two keys, the
// most IAM allows: a new one cannot be made until one goes.
type TwoKeysError struct {
	Profile, User, File string
	Keys                []Key
}

func (e *TwoKeysError) Error() string {
	return fmt.Sprintf("user %s already has two access keys, the most IAM allows, so no new key can be made", e.User)
}

// StateError is a rotation that stopped part way, with what IAM and the
// credentials file hold now.
type StateError struct {
	Step  string
	Err   error
	State string // IAM and the file now, in a sentence
	Fix   string
}

func (e *StateError) Error() string {
	return fmt.Sprintf("rotation stopped while %s: %s. %s %s", e.Step, strings.TrimRight(e.Err.Error(), ". "), e.State, e.Fix)
}

func (e *StateError) Unwrap() error { return e.Err }

// Run rotates the profile's key, or finishes a rotation that was killed.
func (r *Rotation) Run(ctx context.Context) (*Result, error) {
	if r.VerifyFor == 0 {
		r.VerifyFor = 30 * time.Second
	}
	j, err := r.Journal.Load(r.Profile)
	var uj *UnreadableJournalError
	if errors.As(err, &uj) {
		uj.Profile, uj.File, uj.Current = r.Profile, r.File, "(unreadable)"
		if cur, kerr := r.ReadKey(); kerr == nil {
			uj.Current = cur.ID
		}
		return &Result{Resumed: true}, uj
	}
	if err != nil {
		return nil, err
	}
	res := &Result{}
	if j != nil {
		done, err := r.resume(ctx, j, res)
		if err != nil || done {
			return res, err
		}
	}
	return res, r.fresh(ctx, res)
}

// fresh is a rotation from the start.
func (r *Rotation) fresh(ctx context.Context, res *Result) error {
	c := r.Caller
	old, err := r.ReadKey()
	if err != nil {
		return err
	}
	c.Key = old.creds()
	id, user, err := c.Whoami(ctx)
	if err != nil {
		return err
	}
	res.User, res.Old = user, old.ID
	keys, err := c.List(ctx, user, old.ID)
	switch {
	case IsAccessDenied(err):
		r.Notef("IAM does not let %s list its keys (iam:ListAccessKeys); going on without checking for a second key.", id.ARN)
	case err != nil:
		return err
	default:
		if err := r.makeRoom(ctx, user, old.ID, keys, res); err != nil {
			return err
		}
	}

	j := &Journal{Version: 1, Profile: r.Profile, User: user, UserARN: id.ARN, Step: stepCreating, Started: r.Now(), Old: old}
	for _, k := range keys {
		if k.ID != res.DeletedOther {
			j.Known = append(j.Known, k.ID)
		}
	}
	if err := r.Journal.Save(j); err != nil {
		return err
	}
	var nk awsapi.NewKey
	err = c.Do(ctx, func(call awsapi.IAMCall) error {
		var err error
		nk, err = c.IAM.CreateAccessKey(ctx, call, user)
		return err
	})
	if err != nil {
		// Nothing was made: IAM said no. The journal goes with it.
		_ = r.Journal.Remove(r.Profile)
		return err
	}
	j.New = &KeyPair{ID: nk.ID, Secret: nk.Secret}
	j.Step = stepCreated
	if err := r.Journal.Save(j); err != nil {
		// Without the journal the secret lives only here; undo at once.
		return r.undo(ctx, j, "saving the rotation journal", err)
	}
	r.Notef("created access key %s for %s.", nk.ID, user)
	return r.finish(ctx, j, res)
}

// makeRoom checks that IAM has room for a new key, deleting the user's
// other key when it is inactive and DeleteInactive is set.
func (r *Rotation) makeRoom(ctx context.Context, user, oldID string, keys []Key, res *Result) error {
	found := false
	for _, k := range keys {
		found = found || k.ID == oldID
	}
	if !found {
		return fmt.Errorf("the key %s in %s is not among the keys IAM lists for %s. Check that profile %s holds this user's key.", oldID, r.File, user, r.Profile)
	}
	if len(keys) < 2 {
		return nil
	}
	var other *Key
	for i := range keys {
		if keys[i].ID != oldID {
			other = &keys[i]
		}
	}
	if other == nil || !r.DeleteInactive || other.Status != awsapi.StatusInactive {
		return &TwoKeysError{Profile: r.Profile, User: user, File: r.File, Keys: keys}
	}
	c := r.Caller
	if err := c.Do(ctx, func(call awsapi.IAMCall) error { return c.IAM.DeleteAccessKey(ctx, call, user, other.ID) }); err != nil {
		return err
	}
	r.Notef("deleted the inactive access key %s of %s.", other.ID, user)
	res.DeletedOther = other.ID
	return nil
}

// finish takes a rotation whose new key is safely in the journal to the
// end: into the file, verified, the old key retired.
func (r *Rotation) finish(ctx context.Context, j *Journal, res *Result) error {
	c := r.Caller
	res.User, res.Old, res.New = j.User, j.Old.ID, j.New.ID
	if j.Step == stepCreated {
		backup, err := r.WriteKey(*j.New)
		if err != nil {
			return r.undo(ctx, j, "writing the new key into "+r.File, err)
		}
		j.Backup, j.Step = backup, stepWritten
		if err := r.Journal.Save(j); err != nil {
			r.Notef("could not update the rotation journal: %v", err)
		}
		if backup != "" {
			r.Notef("wrote the new key into %s (backup: %s).", r.File, backup)
		} else {
			r.Notef("wrote the new key into %s.", r.File)
		}
	}
	res.Backup = j.Backup
	if j.Step == stepWritten {
		if err := r.verify(ctx, j); err != nil {
			return r.undo(ctx, j, "waiting for the new key to work", err)
		}
		j.Step = stepVerified
		if err := r.Journal.Save(j); err != nil {
			r.Notef("could not update the rotation journal: %v", err)
		}
	}
	// From here on the new key works and is in the file: IAM calls are
	// signed with it (or the MFA session), and a failure only leaves the
	// old key around, never the user without a key.
	c.Key = j.New.creds()
	if j.Step == stepVerified {
		err := r.retry(ctx, func() error {
			return c.Do(ctx, func(call awsapi.IAMCall) error {
				return c.IAM.UpdateAccessKey(ctx, call, j.User, j.Old.ID, awsapi.StatusInactive)
			})
		})
		if err != nil && !IsCode(err, "NoSuchEntity") {
			return &StateError{Step: "deactivating the old key " + j.Old.ID, Err: err,
				State: fmt.Sprintf("Your file %s holds the new key %s, which works; the old key %s is still active.", r.File, j.New.ID, j.Old.ID),
				Fix:   fmt.Sprintf("Run `awsenv rotate %s` again to finish, or deactivate it yourself: aws iam update-access-key --user-name %s --access-key-id %s --status Inactive", r.Profile, j.User, j.Old.ID)}
		}
		j.Step = stepDeactivated
		if err := r.Journal.Save(j); err != nil {
			r.Notef("could not update the rotation journal: %v", err)
		}
		r.Notef("deactivated the old key %s.", j.Old.ID)
	}
	if !r.KeepOld {
		err := r.retry(ctx, func() error {
			return c.Do(ctx, func(call awsapi.IAMCall) error { return c.IAM.DeleteAccessKey(ctx, call, j.User, j.Old.ID) })
		})
		if err != nil && !IsCode(err, "NoSuchEntity") {
			return &StateError{Step: "deleting the old key " + j.Old.ID, Err: err,
				State: fmt.Sprintf("Your file %s holds the new key %s, which works; the old key %s is inactive.", r.File, j.New.ID, j.Old.ID),
				Fix:   fmt.Sprintf("Run `awsenv rotate %s` again to finish, or delete it yourself: aws iam delete-access-key --user-name %s --access-key-id %s", r.Profile, j.User, j.Old.ID)}
		}
		res.OldDeleted = true
		r.Notef("deleted the old key %s.", j.Old.ID)
	}
	n, err := r.ClearSessions(j.Old.ID)
	if err != nil {
		r.Notef("could not clear the cached sessions made with the old key: %v", err)
	}
	res.Cleared = n
	if err := r.Retire(j.Old.ID, r.Now()); err != nil {
		r.Notef("could not record the old key as retired: %v", err)
	}
	return r.Journal.Remove(r.Profile)
}

// verify waits until the new key signs a call as the same user. IAM takes
// a few seconds to spread a new key, so refusals are retried with backoff.
func (r *Rotation) verify(ctx context.Context, j *Journal) error {
	deadline := r.Now().Add(r.VerifyFor)
	wait := time.Second
	for {
		id, err := r.Caller.STS.GetCallerIdentity(ctx, r.Caller.Target, j.New.creds())
		if err == nil {
			if id.ARN != j.UserARN {
				return fmt.Errorf("the new key %s signs as %s, not %s", j.New.ID, id.ARN, j.UserARN)
			}
			return nil
		}
		var tr *awsapi.TransportError
		if errors.As(err, &tr) || r.Now().Add(wait).After(deadline) {
			return fmt.Errorf("the new key %s did not work within %s: %w", j.New.ID, r.VerifyFor, err)
		}
		if err := r.Sleep(ctx, wait); err != nil {
			return err
		}
		wait = min(2*wait, 8*time.Second)
	}
}

// retry repeats an IAM call made with the new key while IAM still says it
// does not know the key.
func (r *Rotation) retry(ctx context.Context, call func() error) error {
	deadline := r.Now().Add(r.VerifyFor)
	wait := time.Second
	for {
		err := call()
		if !IsCode(err, "InvalidClientTokenId") || r.Now().Add(wait).After(deadline) {
			return err
		}
		if err := r.Sleep(ctx, wait); err != nil {
			return err
		}
		wait = min(2*wait, 8*time.Second)
	}
}

// undo puts things back as they were before the rotation: the old key in
// the file, the new key deleted. It is used while the old key is still
// active, so the user always keeps one working key.
func (r *Rotation) undo(ctx context.Context, j *Journal, step string, cause error) error {
	c := r.Caller
	c.Key = j.Old.creds()
	var notes []string
	fileNow := "holds the old key " + j.Old.ID + ", which still works"
	if cur, err := r.ReadKey(); err == nil && cur.ID == j.New.ID {
		if _, err := r.WriteKey(j.Old); err != nil {
			fileNow = fmt.Sprintf("holds the new key %s, which may not work yet (restoring the old key failed: %v); the backup %s holds the old one", j.New.ID, err, j.Backup)
		} else {
			notes = append(notes, "put the old key back into "+r.File)
		}
	}
	err := c.Do(ctx, func(call awsapi.IAMCall) error { return c.IAM.DeleteAccessKey(ctx, call, j.User, j.New.ID) })
	if err != nil && !IsCode(err, "NoSuchEntity") {
		// Keep the journal: the next run finishes or undoes this.
		return &StateError{Step: step, Err: cause,
			State: fmt.Sprintf("Your file %s %s. IAM has both the old key %s (active) and the new key %s (active, unused; deleting it failed: %v).", r.File, fileNow, j.Old.ID, j.New.ID, err),
			Fix:   fmt.Sprintf("Run `awsenv rotate %s` again to finish, or delete the new key: aws iam delete-access-key --user-name %s --access-key-id %s", r.Profile, j.User, j.New.ID)}
	}
	notes = append(notes, "deleted the new key "+j.New.ID)
	if rerr := r.Journal.Remove(r.Profile); rerr != nil {
		r.Notef("could not remove the rotation journal: %v", rerr)
	}
	return &StateError{Step: step, Err: cause,
		State: fmt.Sprintf("awsenv %s: IAM is as before (old key %s active) and your file %s %s.", strings.Join(notes, " and "), j.Old.ID, r.File, fileNow),
		Fix:   "Fix the cause above and run the rotation again."}
}

// resume finishes or undoes a rotation that a kill interrupted. done is
// true when nothing more is to be done in this run.
func (r *Rotation) resume(ctx context.Context, j *Journal, res *Result) (done bool, err error) {
	res.Resumed = true
	c := r.Caller
	cur, err := r.ReadKey()
	if err != nil {
		return true, err
	}
	if cur.ID != j.Old.ID && (j.New == nil || cur.ID != j.New.ID) {
		return true, fmt.Errorf("a rotation of profile %s was interrupted, and %s now holds the key %s, which is neither its old key %s nor its new one. Check the file by hand; the rotation journal %s names both keys (remove it when done)",
			r.Profile, r.File, cur.ID, j.Old.ID, r.Journal.Path(r.Profile))
	}
	r.Notef("finishing a rotation of profile %s that was interrupted at step %q (%s).", r.Profile, j.Step, j.Started.Format(time.RFC3339))
	if j.Step == stepCreating {
		// CreateAccessKey may have made a key whose secret was never saved:
		// it is in no file and can never be used, so it goes.
		c.Key = j.Old.creds()
		keys, err := c.List(ctx, j.User, cur.ID)
		if err != nil {
			return true, fmt.Errorf("list the keys of %s to clean up after the interrupted rotation: %w", j.User, err)
		}
		for _, k := range keys {
			if k.ID == j.Old.ID || slices.Contains(j.Known, k.ID) ||
				(len(j.Known) == 0 && k.Created.Before(j.Started.Add(-time.Minute))) {
				continue
			}
			if err := c.Do(ctx, func(call awsapi.IAMCall) error { return c.IAM.DeleteAccessKey(ctx, call, j.User, k.ID) }); err != nil && !IsCode(err, "NoSuchEntity") {
				return true, fmt.Errorf("delete the key %s that the interrupted rotation made but never saved: %w", k.ID, err)
			}
			r.Notef("deleted the key %s that the interrupted rotation made but never saved.", k.ID)
			res.DeletedOrphans = append(res.DeletedOrphans, k.ID)
		}
		if err := r.Journal.Remove(r.Profile); err != nil {
			return true, err
		}
		return false, nil // now rotate from the start
	}
	switch {
	case cur.ID == j.New.ID && j.Step == stepCreated:
		j.Step = stepWritten // the write landed; the kill came before the journal said so
	case cur.ID == j.Old.ID && j.Step == stepWritten:
		// An undo put the old key back and was killed before deleting the new one.
		return true, r.undo(ctx, j, "finishing an interrupted rotation", errors.New("the new key was taken back out of the file"))
	case cur.ID == j.Old.ID && j.Step != stepCreated:
		// The new key works, but the old one is back in the file (put back
		// by hand?) and may be inactive: the new key goes back in.
		backup, err := r.WriteKey(*j.New)
		if err != nil {
			return true, fmt.Errorf("put the new key %s back into %s: %w", j.New.ID, r.File, err)
		}
		j.Backup = backup
	}
	c.Key = j.Old.creds()
	return true, r.finish(ctx, j, res)
}
