package sessions

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/profiles"
)

// randomSession is a session with every field drawn at random, strings
// included that json.Marshal escapes (quotes, <>&, control characters,
// U+2028, invalid UTF-8, astral runes).
func randomSession(r *rand.Rand) Session {
	str := func() string {
		parts := []string{"", "prod", "a\"b", "<&>", "\\", "\n\t\x01", "\u2028", "\xff", "é", "😀", "ASIA1234", "/x/"}
		var b strings.Builder
		for range r.IntN(4) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		return b.String()
	}
	tm := func() time.Time {
		if r.IntN(4) == 0 {
			return time.Time{}
		}
		t := time.Unix(r.Int64N(4e9), r.Int64N(1e9))
		if r.IntN(2) == 0 {
			t = t.In(time.FixedZone("", (r.IntN(48)-24)*1800))
		}
		return t
	}
	s := Session{Version: r.IntN(3), Profile: str(), Kind: str(), Created: tm(), BaseKeyID: str(),
		MFASerial: str(), RoleARN: str(), Source: str()}
	s.Credentials = profiles.Credentials{AccessKeyID: str(), SecretAccessKey: profiles.Secret(str()),
		SessionToken: profiles.Secret(str()), Expiration: tm(), ARN: str(), AccountID: str()}
	for range r.IntN(3) {
		h := HookAnswer{Hook: str(), Request: str(), NoPreUse: r.IntN(2) == 0, Ask: r.IntN(2) == 0}
		for range r.IntN(3) {
			h.Set = append(h.Set, HookVar{Name: str(), Value: str()})
		}
		for range r.IntN(3) {
			h.Messages = append(h.Messages, str())
		}
		s.Hooks = append(s.Hooks, h)
	}
	return s
}

// checkAgainstJSON fails t if the fast decoder takes data and reads it
// otherwise than encoding/json does.
func checkAgainstJSON(t *testing.T, data []byte) (fileTaken, sessionTaken bool) {
	t.Helper()
	var fast, slow fileForm
	if fastDecodeFile(data, &fast) {
		fileTaken = true
		if err := json.Unmarshal(data, &slow); err != nil {
			t.Fatalf("the fast decoder took a file encoding/json refuses (%v): %q", err, data)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("file %q:\nfast %#v\njson %#v", data, fast, slow)
		}
	}
	var fs, ss Session
	if fastDecodeSession(data, &fs) {
		sessionTaken = true
		if err := json.Unmarshal(data, &ss); err != nil {
			t.Fatalf("the fast decoder took a session encoding/json refuses (%v): %q", err, data)
		}
		if !reflect.DeepEqual(fs, ss) {
			t.Fatalf("session %q:\nfast %#v\njson %#v", data, fs, ss)
		}
	}
	return fileTaken, sessionTaken
}

// What json.Marshal writes, the fast decoder takes, and reads as
// encoding/json does: sessions (the sealed plain text and version 1
// files) and envelopes.
func TestFastDecodeMatchesJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		s := randomSession(r)
		data, err := json.Marshal(&s)
		if err != nil {
			t.Fatal(err)
		}
		_, took := checkAgainstJSON(t, data)
		if !took && !strings.Contains(string(data), `\ud`) {
			t.Fatalf("%d: the fast decoder refused what json.Marshal wrote: %s", i, data)
		}
		e := envelope{Version: sealedVersion, Profile: s.Profile, Kind: s.Kind, Created: s.Created,
			Expires: s.Credentials.Expiration, BaseKeyID: s.BaseKeyID, AccessKeyID: s.Credentials.AccessKeyID,
			Sealed: []byte(s.Profile + "sealed")}
		env, err := json.Marshal(&e)
		if err != nil {
			t.Fatal(err)
		}
		if took, _ := checkAgainstJSON(t, env); !took {
			t.Fatalf("%d: the fast decoder refused an envelope json.Marshal wrote: %s", i, env)
		}
		// The file form a version 1 file has.
		if took, _ := checkAgainstJSON(t, data); !took {
			t.Fatalf("%d: the fast decoder refused a version 1 file: %s", i, data)
		}
	}
}

// Files outside the subset go to encoding/json, and what the fast decoder
// takes it reads as encoding/json does.
func TestFastDecodeEdges(t *testing.T) {
	for _, c := range []struct {
		data string
		take bool
	}{
		{`{}`, true},
		{` {"version":2 , "profile" : "p"} `, true},
		{`{"Profile":"p"}`, false},               // encoding/json matches keys in any case
		{`{"profile":"a","profile":"b"}`, false}, // the last one wins there
		{`{"profile":null}`, false},              // null leaves the field
		{`{"version":1.0}`, false},               // not an integer to encoding/json
		{`{"version":-1}`, false},                //
		{`{"version":01}`, false},                // not JSON
		{`{"extra":1}`, false},                   // unknown keys are ignored there
		{`{"profile":"\ud83d\ude00"}`, false},    // surrogates
		{`{"profile":"\u00e9\n"}`, true},         //
		{`{"profile":"pro\u0066ile"}`, true},     //
		{`{"pro\u0066ile":"x"}`, true},           // an escaped key
		{"{\"profile\":\"\xff\"}", false},        // invalid UTF-8 becomes U+FFFD there
		{`{"created":"2024-01-02T03:04:05Z"}`, true},
		{`{"created":"2024-01-02T03:04:05.123+02:00"}`, true},
		{`{"created":"2024-01-02T03:04:05+0200"}`, false},
		{`{"created":"2024-01-02T03:04:05\u005a"}`, false}, // UnmarshalJSON sees the escape
		{`{"sealed":"AAEC"}`, true},
		{`{"sealed":""}`, true},
		{`{"sealed":"A"}`, false},
		{`{"hooks":[]}`, true},
		{`{"hooks":[{"hook":"h","set":[{"name":"A","value":"b"}],"messages":["m"],"ask":true,"no_pre_use":false}]}`, true},
		{`{"hooks":[{"set":[]}, {"messages":[]}]}`, true},
		{`{"hooks":[{"ask":tru}]}`, false},
		{`{"profile":"p"} x`, false},
		{`{"profile":"p",}`, false},
		{`{"credentials":{"access_key_id":"A","secret_access_key":"s","expiration":"2030-01-01T00:00:00Z"}}`, true},
		{`{"credentials":{"access_key_id":"A","access_key_id":"B"}}`, false},
	} {
		file, sess := checkAgainstJSON(t, []byte(c.data))
		if file != c.take {
			t.Errorf("%s: fast decoder took it: %v, want %v", c.data, file, c.take)
		}
		if strings.Contains(c.data, "sealed") && sess {
			t.Errorf("%s: a session has no sealed field", c.data)
		}
	}
}

// Whatever the bytes, the fast decoder either leaves them to
// encoding/json or reads them as it does.
func FuzzFastDecode(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		s := randomSession(r)
		data, _ := json.Marshal(&s)
		f.Add(data)
	}
	f.Add([]byte(`{"version":2,"profile":"p","kind":"role","created":"2024-01-02T03:04:05Z","expires":"2024-01-02T04:04:05Z","sealed":"AAEC"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkAgainstJSON(t, data)
	})
}
