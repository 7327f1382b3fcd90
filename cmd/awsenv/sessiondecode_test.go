package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/sessions"
)

// A cached `use` reads session files with sessions' own decoder, not
// encoding/json (a tenth of its run was encoding/json's reflection). What
// the store writes, sealed (the envelope and the session inside) or plain
// (encryption off, version 1), it must read back as encoding/json reads
// what json.Marshal wrote; sessions' FuzzFastDecode covers any bytes.
func TestSessionFilesReadAsEncodingJSONReadsThem(t *testing.T) {
	dir := t.TempDir()
	dir = filepath.Join(dir, "sessions")
	store, err := sessions.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := sessions.Open(filepath.Join(filepath.Dir(dir), "sealed"))
	if err != nil {
		t.Fatal(err)
	}
	sealed.Keys = fixedKey{}
	for i, s := range oddStrings {
		key, sess := oddSession(i, s)
		// Sealed: the envelope and the session inside are read by the
		// same decoder; what comes back is what encoding/json makes of
		// what json.Marshal wrote.
		if err := sealed.Save(key, sess); err != nil {
			t.Fatal(err)
		}
		data, err := json.Marshal(sess) // as Save left it: with its profile, kind and version
		if err != nil {
			t.Fatal(err)
		}
		var want sessions.Session
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatal(err)
		}
		got, err := sealed.Load(key)
		if err != nil || got == nil {
			t.Fatalf("%q: load sealed: %v, %v", s, got, err)
		}
		want.Key = got.Key
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("%q, sealed:\nstore read %#v\njson read  %#v", s, *got, want)
		}
	}
	for i, s := range oddStrings {
		key, sess := oddSession(i, s)
		if err := store.Save(key, sess); err != nil {
			t.Fatal(err)
		}
		got, err := store.Load(key)
		if err != nil || got == nil {
			t.Fatalf("%q: load: %v, %v", s, got, err)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		var want *sessions.Session
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var w sessions.Session
			if err := json.Unmarshal(data, &w); err != nil {
				t.Fatal(err)
			}
			if w.RoleARN == s {
				want = &w
			}
		}
		if want == nil {
			t.Fatalf("%q: no file holds the session", s)
		}
		want.Key = got.Key
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\nstore read %#v\njson read  %#v", s, got, want)
		}
	}
}

// oddStrings are values json.Marshal escapes, or writes as they are.
var oddStrings = []string{"", "plain", `quote " and \ backslash`, "<html> & co", "tab\tnew\nline\x01", "\u2028 é 😀"}

// oddSession is a valid session holding s wherever a session holds text
// of its own.
func oddSession(i int, s string) (sessions.Key, *sessions.Session) {
	now := time.Now().Truncate(time.Second)
	key := sessions.Key{Profile: "prod", Kind: "role", Parts: []string{"arn:aws:iam::123456789012:role/r" + string(rune('a'+i))}}
	return key, &sessions.Session{
		Credentials: profiles.Credentials{AccessKeyID: "ASIAEXAMPLEEXAMPLE01", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCY",
			SessionToken: "FQoGZXIvYXdzEXAMPLE//+=", Expiration: now.Add(time.Hour).In(time.FixedZone("", 3600)),
			ARN: "arn:aws:sts::123456789012:assumed-role/r/alice", AccountID: "123456789012"},
		Created: now, MFASerial: "arn:aws:iam::123456789012:mfa/" + s, RoleARN: s, Source: "alice",
		Hooks: []sessions.HookAnswer{{Hook: "h", Request: s, Set: []sessions.HookVar{{Name: "A", Value: s}},
			Messages: []string{s, s}, NoPreUse: i%2 == 0, Ask: i%3 == 0}, {Hook: "empty"}},
	}
}

// fixedKey is a data key for the test's sealed store.
type fixedKey struct{}

func (fixedKey) DataKey(context.Context) ([]byte, error) {
	return make([]byte, sessions.DataKeySize), nil
}
