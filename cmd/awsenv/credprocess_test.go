package main

import (
	"encoding/json"
	"testing"
)

// credential-process writes its JSON by hand; it must be byte for byte
// what json.Marshal writes.
func TestProcessOutputAsJSON(t *testing.T) {
	for _, o := range []processOutput{
		{Version: 1, AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "wJalr/K7MDENG+bPxRfi", SessionToken: "FQoG//+=", Expiration: "2030-01-01T00:00:00Z"},
		{Version: 1, AccessKeyID: "AKIA", SecretAccessKey: "s"},
		{Version: 1, AccessKeyID: "", SecretAccessKey: ""},
		{Version: 1, AccessKeyID: "\"\\/\b\f\n\r\t\x00\x1f\x7f<>&", SecretAccessKey: "\u2028\u2029é😀\xff\xfe", SessionToken: "a\xe2\x80"},
	} {
		checkProcessOutput(t, o)
	}
}

func FuzzProcessOutputAsJSON(f *testing.F) {
	f.Add("ASIA", "secret", "token", "2030-01-01T00:00:00Z")
	f.Add("<&>", "\u2028\xff", "", "")
	f.Fuzz(func(t *testing.T, id, secret, token, exp string) {
		checkProcessOutput(t, processOutput{Version: 1, AccessKeyID: id, SecretAccessKey: secret, SessionToken: token, Expiration: exp})
	})
}

func checkProcessOutput(t *testing.T, o processOutput) {
	t.Helper()
	want, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	if got := o.appendJSON(nil); string(got) != string(want) {
		t.Errorf("%#v:\nwrote      %s\njson wrote %s", o, got, want)
	}
}
