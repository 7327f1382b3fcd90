package main

import (
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
// the store writes, it must read back as encoding/json reads the same
// file: plain files here (encryption off, version 1, the form the sealed
// session also has inside); sessions' FuzzFastDecode covers any bytes.
func TestSessionFilesReadAsEncodingJSONReadsThem(t *testing.T) {
	dir := t.TempDir()
	dir = filepath.Join(dir, "sessions")
	store, err := sessions.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Second)
	odd := []string{"", "plain", `quote " and \ backslash`, "<html> & co", "tab\tnew\nline\x01", "\u2028 é 😀"}
	for i, s := range odd {
		key := sessions.Key{Profile: "prod", Kind: "role", Parts: []string{"arn:aws:iam::123456789012:role/r" + string(rune('a'+i))}}
		sess := &sessions.Session{
			Credentials: profiles.Credentials{AccessKeyID: "ASIAEXAMPLEEXAMPLE01", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCY",
				SessionToken: "FQoGZXIvYXdzEXAMPLE//+=", Expiration: now.Add(time.Hour).In(time.FixedZone("", 3600)),
				ARN: "arn:aws:sts::123456789012:assumed-role/r/alice", AccountID: "123456789012"},
			Created: now, MFASerial: "arn:aws:iam::123456789012:mfa/" + s, RoleARN: s, Source: "alice",
			Hooks: []sessions.HookAnswer{{Hook: "h", Request: s, Set: []sessions.HookVar{{Name: "A", Value: s}}, Messages: []string{s, s}, NoPreUse: i%2 == 0, Ask: i%3 == 0}, {Hook: "empty"}},
		}
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
