//go:build linux

package main

// The rotate journal at rest (issue 17): its secrets sealed under the
// sessions' data key, the key ids and the step readable. A rotation killed
// right after each save of its journal leaves no secret in plain text, and
// the next `awsenv rotate` finishes it; a plain journal of an earlier
// version is sealed at once and finished; a journal whose data key is lost
// stops with what is where and how to recover. (Linux: the kills use the
// test build's pause points, keyring_e2e_test.go.)

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/sessionkey"
)

func (w *world) journalPath() string {
	return filepath.Join(w.dir, "state", "awsenv", "rotate", "alice.journal")
}

// rotateWorld is a world whose alice keeps her key in the credentials file
// (stored false) or in awsenv's file keyring (stored true). allowed is
// where her key may be in plain text.
func rotateWorld(t *testing.T, stored bool) (w *world, allowed []string) {
	w = newWorld(t)
	if !stored {
		return w, []string{filepath.Join(w.home, ".aws")}
	}
	w.extra = append(w.extra, "AWSENV_KEYRING_BACKEND=file", "AWSENV_KEYRING_PASSPHRASE="+keyringPassphrase)
	t.Cleanup(func() { sessionkey.Kernel{}.Forget(sessionkey.Name("file", w.sessionDir())) })
	if r := w.run("keys", "import", "alice"); r.code != 0 {
		t.Fatalf("keys import: %s", r)
	}
	return w, nil
}

// A rotation killed right after each save of its journal: the journal
// names the keys and the step but holds no secret; no secret of the new
// key (nor, for a stored key, of the old one) is in plain text under HOME,
// the XDG directories or /tmp; the next rotate finishes.
func TestRotateJournalSealedKilledAtEachStep(t *testing.T) {
	t.Parallel()
	for _, stored := range []bool{false, true} {
		for _, step := range []string{"creating", "created", "written", "verified", "deactivated"} {
			name := map[bool]string{false: "file/", true: "keyring/"}[stored] + step
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				w, allowed := rotateWorld(t, stored)
				w.killedAt("journal-"+step, "rotate", "alice", "--yes")
				journal, err := os.ReadFile(w.journalPath())
				if err != nil {
					t.Fatalf("no journal after a kill at %s: %v", step, err)
				}
				made := w.fake.MadeSecrets()
				if step != "creating" && len(made) != 1 {
					t.Fatalf("CreateAccessKey made %d keys", len(made))
				}
				if !strings.Contains(string(journal), `"step":"`+step+`"`) || !strings.Contains(string(journal), userKeyID) ||
					!strings.Contains(string(journal), `"sealed":`) || strings.Contains(string(journal), userSecret) {
					t.Fatalf("the journal at %s:\n%s", step, journal)
				}
				for _, k := range w.alice().Keys() {
					if k.ID != userKeyID && !strings.Contains(string(journal), k.ID) {
						t.Fatalf("the journal does not name the new key %s:\n%s", k.ID, journal)
					}
				}
				// The new key's secret is random: searched for in all of
				// /tmp. The old one is every world's: searched for in this
				// world's directories.
				if hits := plainCopies(made, allowed, w.dir, os.TempDir()); len(hits) > 0 {
					t.Fatalf("after a kill at %s the new secret is in plain text in %v", step, hits)
				}
				if stored {
					if hits := plainCopies([]string{userSecret}, nil, w.dir); len(hits) > 0 {
						t.Fatalf("after a kill at %s the old secret is in plain text in %v", step, hits)
					}
				}
				r := w.run("rotate", "alice", "--yes")
				if r.code != 0 || !strings.Contains(r.stderr, "interrupted at step") {
					t.Fatalf("the rotate after a kill at %s: %s", step, r)
				}
				if stored {
					id, _, _ := w.storedKey("alice")
					if keys := w.alice().Keys(); len(keys) != 1 || keys[0].ID != id || id == userKeyID || !w.fake.KeyWorks(id) {
						t.Fatalf("want only the new key, in the keyring: %s, IAM %+v", id, keys)
					}
				} else {
					w.onlyNewKey()
				}
				if hits := plainCopies(w.fake.MadeSecrets(), allowed, w.dir); len(hits) > 0 {
					t.Fatalf("after the rotation a new secret is in plain text in %v", hits)
				}
			})
		}
	}
}

// A plain-text journal written by an earlier version is read, sealed at
// once (before anything else is done), and its rotation finished.
func TestRotateLegacyJournalSealedAndFinished(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	newID, newSecret := randomKey(t)
	w.alice().AddKey(newID, newSecret) // CreateAccessKey answered; the kill came next
	legacy := map[string]any{
		"version": 1, "profile": "alice", "user": "alice", "user_arn": w.alice().ARN(), "step": "created",
		"started": time.Now().Add(-time.Minute).UTC(),
		"old":     map[string]string{"id": userKeyID, "secret": userSecret},
		"new":     map[string]string{"id": newID, "secret": newSecret},
		"known":   []string{userKeyID},
	}
	data, err := json.Marshal(legacy)
	must(t, err)
	must(t, os.MkdirAll(filepath.Dir(w.journalPath()), 0o700))
	must(t, os.WriteFile(w.journalPath(), data, 0o600))

	w.killedAt("journal-created", "rotate", "alice", "--yes") // the first save: the legacy journal sealed
	if hits := plainCopies([]string{newSecret}, []string{filepath.Join(w.home, ".aws")}, w.dir); len(hits) > 0 {
		t.Fatalf("the legacy journal was not sealed at once: %v", hits)
	}
	if sealed, _ := os.ReadFile(w.journalPath()); !strings.Contains(string(sealed), newID) || !strings.Contains(string(sealed), `"sealed":`) {
		t.Fatalf("the journal after the first save:\n%s", sealed)
	}
	r := w.run("rotate", "alice", "--yes")
	if r.code != 0 || !strings.Contains(r.stderr, "interrupted at step") {
		t.Fatalf("rotate with a legacy journal: %s", r)
	}
	if id := w.onlyNewKey(); id != newID {
		t.Fatalf("the file holds %s, not the journal's new key %s", id, newID)
	}
}

// The data key lost (its item gone from the keyring) while a journal waits:
// rotate stops, changes nothing, and says which key is where and how to
// recover; following the message, the next rotate starts afresh and works.
func TestRotateJournalDataKeyLost(t *testing.T) {
	t.Parallel()
	w, _ := rotateWorld(t, true)
	w.killedAt("journal-created", "rotate", "alice", "--yes")
	var newID string
	for _, k := range w.alice().Keys() {
		if k.ID != userKeyID {
			newID = k.ID
		}
	}
	items, _ := filepath.Glob(filepath.Join(w.dir, "data", "awsenv", "keyring", "*session-key*"))
	if newID == "" || len(items) != 1 {
		t.Fatalf("new key %q, data key items %v", newID, items)
	}
	must(t, os.Remove(items[0]))
	sessionkey.Kernel{}.Forget(sessionkey.Name("file", w.sessionDir()))

	r := w.run("rotate", "alice", "--yes")
	for _, want := range []string{"cannot be opened", "holds the old key " + userKeyID + ", which still works",
		"The new key " + newID + " is in IAM", "aws iam delete-access-key --user-name alice --access-key-id " + newID, "rm " + w.journalPath()} {
		if r.code == 0 || !strings.Contains(r.stderr, want) {
			t.Fatalf("rotate with the data key lost: want %q\n%s", want, r)
		}
	}
	if id, _, _ := w.storedKey("alice"); id != userKeyID || !w.fake.KeyWorks(userKeyID) || len(w.alice().Keys()) != 2 {
		t.Fatalf("rotate changed something: keyring %s, IAM %+v", id, w.alice().Keys())
	}
	// As the message says: delete the new key, remove the journal, rotate.
	w.fake.DeleteKey(newID)
	must(t, os.Remove(w.journalPath()))
	if r := w.run("rotate", "alice", "--yes"); r.code != 0 {
		t.Fatalf("rotate after the recovery: %s", r)
	}
	if id, _, _ := w.storedKey("alice"); id == userKeyID || len(w.alice().Keys()) != 1 || !w.fake.KeyWorks(id) {
		t.Fatalf("after the recovery: keyring %s, IAM %+v", id, w.alice().Keys())
	}
}
