//go:build unix

package main

import (
	"strings"
	"testing"
)

// heavyInits are the packages whose initialisation the cached path must
// never pay: the SDK, gRPC, go-plugin and protobuf (the helpers'), the
// keyring library and D-Bus, and the picker's terminal UI.
var heavyInits = []string{
	"github.com/aws/aws-sdk-go-v2", "github.com/aws/smithy-go",
	"google.golang.org/grpc", "github.com/hashicorp/go-plugin", "google.golang.org/protobuf",
	"github.com/99designs/keyring", "github.com/godbus/dbus", "github.com/charmbracelet",
}

// initialised returns the packages GODEBUG=inittrace=1 reported in
// stderr, by every Go program of the run (a helper's stderr reaches
// awsenv's).
func initialised(stderr string) []string {
	var pkgs []string
	for _, line := range strings.Split(stderr, "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[0] == "init" && strings.HasPrefix(f[2], "@") {
			pkgs = append(pkgs, f[1])
		}
	}
	return pkgs
}

func heavy(pkgs []string) []string {
	var out []string
	for _, p := range pkgs {
		for _, h := range heavyInits {
			if p == h || strings.HasPrefix(p, h+"/") {
				out = append(out, p)
			}
		}
	}
	return out
}

// A cached `use` initialises neither the SDK nor gRPC (nor anything else
// heavy): asked of the runtime itself, run by run. The cold run before it
// shows that the helper's initialisation would be seen if it happened.
func TestCachedUseInitialisesNoSDKOrGRPC(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	trace := []string{"GODEBUG=inittrace=1"}
	cold := w.runEnv(trace, "use", "prod", "--mfa-code", w.code())
	if cold.code != 0 || len(heavy(initialised(cold.stderr))) == 0 {
		t.Fatalf("the cold run shows no helper's initialisation of the SDK; the check below would prove nothing: %s", cold)
	}
	for _, args := range [][]string{{"use", "prod"}, {"credential-process", "prod"}, {"use", "alice"}} {
		r := w.runEnv(trace, args...)
		pkgs := initialised(r.stderr)
		if r.code != 0 || len(pkgs) == 0 {
			t.Fatalf("%v with inittrace: %d packages reported: %s", args, len(pkgs), r)
		}
		if h := heavy(pkgs); len(h) > 0 {
			t.Errorf("cached %v initialised %v", args, h)
		}
	}
	r := w.runEnv(append(trace, "AWSENV_PROFILE=prod", "AWSENV_EXPIRES_AT=4102444800"), "prompt")
	if h := heavy(initialised(r.stderr)); r.code != 0 || len(h) > 0 {
		t.Errorf("prompt initialised %v: %s", h, r)
	}
}
