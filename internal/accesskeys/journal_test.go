package accesskeys

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
)

// Split leaves no secret in the readable part, and Join puts both back.
func TestJournalSplitJoin(t *testing.T) {
	j := &Journal{Profile: "prod", User: "alice", Step: stepCreated, Old: KeyPair{ID: "AKIAOLD", Secret: "oldsecret"},
		New: &KeyPair{ID: "AKIANEW", Secret: "newsecret"}, Known: []string{"AKIAOLD"}}
	readable, sec := j.Split()
	data, err := json.Marshal(&readable)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "secret") || !strings.Contains(string(data), "AKIANEW") || !strings.Contains(string(data), `"step":"created"`) {
		t.Fatalf("the readable part: %s", data)
	}
	if j.New.Secret != "newsecret" || j.Old.Secret != "oldsecret" {
		t.Fatal("Split changed the journal it split")
	}
	readable.Join(sec)
	if readable.Old != j.Old || *readable.New != *j.New {
		t.Fatalf("Join: %+v", readable)
	}
	// A journal from before CreateAccessKey answered has no new key.
	j.New = nil
	readable, sec = j.Split()
	readable.Join(sec)
	if readable.New != nil || readable.Old.Secret != "oldsecret" || sec.New != "" {
		t.Fatalf("no new key: %+v %+v", readable, sec)
	}
}

// lostJournal is a journal store whose journal's secrets do not open.
type lostJournal struct {
	memJournal
	j    Journal
	lost bool
}

func (l lostJournal) Load(string) (*Journal, error) {
	j := l.j
	return nil, &UnreadableJournalError{Journal: &j, Path: "/state/awsenv/rotate/prod.journal", Lost: l.lost, Err: errors.New("sealed under another key")}
}

// A journal whose secrets cannot be opened stops the rotation with what is
// where and how to recover by hand, from its readable fields and the key
// the file holds now; it changes nothing in IAM.
func TestRotateUnreadableJournal(t *testing.T) {
	started := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	old, nk := KeyPair{ID: "AKIAOLD0000000000001"}, &KeyPair{ID: "AKIANEW0000000000002"}
	cases := []struct {
		name    string
		step    string
		newKey  *KeyPair
		file    string
		lost    bool
		want    []string
		wantNot []string
	}{
		{"store unavailable", stepWritten, nk, old.ID, false,
			[]string{"is intact", "run `awsenv rotate prod` to finish", "holds the key AKIAOLD0000000000001"}, []string{"delete-access-key"}},
		{"lost before the new key", stepCreating, nil, old.ID, true,
			[]string{"holds the old key AKIAOLD0000000000001, which still works", "aws iam list-access-keys --user-name alice", "rm /state/awsenv/rotate/prod.journal"}, nil},
		{"lost, the old key in the file", stepCreated, nk, old.ID, true,
			[]string{"which still works", "The new key AKIANEW0000000000002 is in IAM, unused", "aws iam delete-access-key --user-name alice --access-key-id AKIANEW0000000000002", "rm /state/awsenv/rotate/prod.journal"}, nil},
		{"lost, the old key inactive", stepDeactivated, nk, old.ID, true,
			[]string{"reactivate it first", "--status Active", "--access-key-id AKIANEW0000000000002"}, nil},
		{"lost, the new key in the file", stepVerified, nk, nk.ID, true,
			[]string{"already holds the new key AKIANEW0000000000002", "--access-key-id AKIAOLD0000000000001", "rm /state/awsenv/rotate/prod.journal"}, []string{"awsenv rotate prod` again"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newTestWorld()
			w.file = KeyPair{ID: c.file, Secret: "whatever"}
			r := w.rotation()
			r.Journal = lostJournal{memJournal: w.journal, lost: c.lost,
				j: Journal{Profile: "prod", User: "alice", Step: c.step, Started: started, Old: old, New: c.newKey}}
			_, err := r.Run(context.Background())
			var uj *UnreadableJournalError
			if !errors.As(err, &uj) {
				t.Fatalf("Run: %v", err)
			}
			msg := err.Error()
			for _, s := range append(c.want, "interrupted at step \""+c.step+"\"", "/home/alice/.aws/credentials") {
				if !strings.Contains(msg, s) {
					t.Errorf("the message lacks %q:\n%s", s, msg)
				}
			}
			for _, s := range c.wantNot {
				if strings.Contains(msg, s) {
					t.Errorf("the message has %q:\n%s", s, msg)
				}
			}
			if k := w.aws.keys[old.ID]; len(w.aws.keys) != 1 || k == nil || k.status != awsapi.StatusActive {
				t.Fatalf("IAM changed: %+v", w.aws.keys)
			}
		})
	}
}
