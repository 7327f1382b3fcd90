package helper

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// An item's bytes never print, in any verb, and cross the pipe intact.
func TestSecretBytesRedacted(t *testing.T) {
	t.Parallel()
	s := SecretBytes(`{"SecretAccessKey":"hunter2hunter2"}`)
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		if out := fmt.Sprintf(f, s); strings.Contains(out, "hunter2") || strings.Contains(out, "68756e74") {
			t.Errorf("%s prints the secret: %s", f, out)
		}
	}
	if out := fmt.Sprintf("%+v", SecretResult{Data: s}); strings.Contains(out, "hunter2") {
		t.Errorf("a result prints the secret: %s", out)
	}
	b, err := json.Marshal(SecretInput{Data: s})
	if err != nil {
		t.Fatal(err)
	}
	var back SecretInput
	if err := json.Unmarshal(b, &back); err != nil || !bytes.Equal(back.Data.Reveal(), s) {
		t.Fatalf("round trip: %v", err)
	}
}

// Serve hands secret-store requests to the Secrets function and carries
// its typed error back; the client returns it as *SecretError.
func TestServeSecrets(t *testing.T) {
	t.Parallel()
	var ops []string
	h := Handlers{Secrets: func(_ context.Context, op string, in SecretInput) (SecretResult, error) {
		ops = append(ops, op+" "+in.Key)
		if in.Key == "profile:missing" {
			return SecretResult{}, &SecretError{Kind: SecretNotFound, Backend: "file", Message: "no such item"}
		}
		return SecretResult{Data: SecretBytes("data"), Backend: "file", Keys: []string{"profile:a"}}, nil
	}}
	var in bytes.Buffer
	for _, r := range []Request{{SecretGet: &SecretInput{Key: "profile:a"}}, {SecretSet: &SecretInput{Key: "profile:a", Data: SecretBytes("x")}},
		{SecretRemove: &SecretInput{Key: "profile:a"}}, {SecretList: &SecretInput{}}, {SecretGet: &SecretInput{Key: "profile:missing"}}} {
		b, _ := json.Marshal(r)
		in.Write(append(b, '\n'))
	}
	var out bytes.Buffer
	if err := Serve(context.Background(), &in, &out, h); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ops, ","); got != "get profile:a,set profile:a,remove profile:a,list ,get profile:missing" {
		t.Fatalf("ops: %s", got)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var last Response
	if err := json.Unmarshal([]byte(lines[4]), &last); err != nil || last.SecretError == nil || !last.SecretError.NotFound() {
		t.Fatalf("the not-found answer: %s", lines[4])
	}
	// Without a Secrets function: a clear refusal.
	in.Reset()
	b, _ := json.Marshal(Request{SecretGet: &SecretInput{Key: "k"}})
	in.Write(append(b, '\n'))
	out.Reset()
	if err := Serve(context.Background(), &in, &out, Handlers{}); err != nil || !strings.Contains(out.String(), "no secret store") {
		t.Fatalf("no Secrets handler: %v %s", err, out.String())
	}
}

// Without a session bus to find, the helper is given the "no bus"
// address, so the keyring library's godbus never runs dbus-launch (which
// leaves a daemon behind); with one, the environment is left alone.
func TestBusEnv(t *testing.T) {
	t.Parallel()
	run := t.TempDir()
	env := busEnv([]string{"PATH=/bin", "XDG_RUNTIME_DIR=" + run})
	if env[len(env)-1] != "DBUS_SESSION_BUS_ADDRESS="+NoBusAddress {
		t.Errorf("no bus: %v", env)
	}
	with := []string{"DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(run, "x")}
	if got := busEnv(with); len(got) != 1 {
		t.Errorf("a bus address: %v", got)
	}
}
