//go:build unix

package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// hostileText is one of each thing a terminal acts on, behind a marker
// that must still reach the person, then a flood. Every text from outside
// that awsenv shows goes through termsafe (Clean or Line): these tests push
// it through each source and read what the binary printed.
func hostileText(flood int) string {
	return "MARK" +
		"\x1b]52;c;cm0gLXJmIH4=\x07" + // OSC 52: write the clipboard
		"\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\" + // OSC 8 link
		"\x1b[2J\x1b[H" + // clear the screen
		"\u009b2J" + "\u009d0;title\u009c" + // C1 CSI and OSC as UTF-8
		"\x07\x08" + // BEL, backspace
		"\u202eevil\u202c" + // bidi override
		strings.Repeat("A", flood)
}

// wantSafe: nothing in out a terminal would act on, and no flood.
func wantSafe(t *testing.T, source, out string, limit int) {
	t.Helper()
	if !strings.Contains(out, "MARK") {
		t.Errorf("%s: the text never reached the person:\n%.2000s", source, out)
	}
	if len(out) > limit {
		t.Errorf("%s: %d bytes printed, over %d: the flood got through", source, len(out), limit)
	}
	if !utf8.ValidString(out) {
		t.Errorf("%s: not UTF-8", source)
	}
	for i, r := range out {
		if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) || r == 0x202e || r == 0x202c {
			t.Errorf("%s: %U at byte %d: %q", source, r, i, out[max(0, i-40):min(len(out), i+40)])
			return
		}
	}
}

// TestHostileDeviceAuthorization: an Identity Center answer with escape
// sequences and a 1 MB URL in its user code and verification URL is shown
// safe and cut, and the login still works.
func TestHostileDeviceAuthorization(t *testing.T) {
	t.Parallel()
	w, u := ssoWorld(t)
	w.fake.SetDeviceText(hostileText(1<<20), "https://device.example/?"+hostileText(1<<20))
	b := w.start("login", "dev", "--no-browser")
	// awsenv shows the text after its first poll finds the sign-in pending.
	deadline := time.Now().Add(30 * time.Second)
	for {
		// The one awsenv polls: under load the SDK may have retried a
		// StartDeviceAuthorization whose 2 MB answer came too slowly.
		if d, ok := polledDevice(w); ok {
			must(t, w.fake.ApproveDevice(d.DeviceCode, u))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("awsenv never polled:\n%s", b.errText())
		}
		time.Sleep(50 * time.Millisecond)
	}
	r := b.wait(t)
	if r.code != 0 {
		t.Fatalf("login: exit %d\n%.3000s", r.code, r.stderr)
	}
	wantSafe(t, "device authorization", r.stderr, 8<<10)
}

// TestHostileServerMessages: an error message from STS and from the
// Identity Center portal, hostile and 1 MB long, ends on stderr safe and
// within the cap.
func TestHostileServerMessages(t *testing.T) {
	t.Parallel()
	t.Run("STS", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		// Once per attempt the SDK may make: under load a 1 MB answer can
		// be cut while it is read, and the SDK then tries again.
		for range 3 {
			w.fake.FailNext("GetSessionToken", "AccessDenied", 403, hostileText(1<<20))
		}
		r := w.run("use", "alice", "--mfa-code", w.code())
		if r.code == 0 {
			t.Fatalf("use succeeded: %s", r.stderr)
		}
		wantSafe(t, "STS error", r.stderr, 40<<10)
	})
	t.Run("GetRoleCredentials", func(t *testing.T) {
		t.Parallel()
		w, u := ssoWorld(t)
		access, refresh, id, secret := cliToken(t, w, u)
		w.writeCLIToken("corp", access, refresh, id, secret, time.Now().Add(time.Hour))
		for range 3 {
			w.fake.FailNext("GetRoleCredentials", "InvalidRequestException", 400, hostileText(1<<20))
		}
		r := w.run("use", "dev", "--no-input")
		if r.code == 0 {
			t.Fatalf("use succeeded: %s", r.stderr)
		}
		wantSafe(t, "GetRoleCredentials error", r.stderr, 40<<10)
	})
}

// TestHostileEnvironment: values from the environment that doctor and
// explain echo (the largest a variable can be, 128 KiB on Linux) come out
// safe and capped, on stdout and stderr.
func TestHostileEnvironment(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	env := []string{
		"AWS_ACCESS_KEY_ID=" + hostileText(100<<10),
		"AWS_PROFILE=" + hostileText(100<<10),
		"AWSENV_PROFILE=alice",
		"AWSENV_SHELL_HOOK=" + hostileText(100<<10),
	}
	r := w.runEnv(env, "doctor", "alice")
	wantSafe(t, "doctor", r.stdout+r.stderr, 40<<10)

	pasted := fmt.Sprintf("An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: %s", hostileText(100<<10))
	r = w.shell("bash", `printf '%s' "$PASTED" | awsenv explain`, append(env, "PASTED="+pasted)...)
	wantSafe(t, "explain", r.stdout+r.stderr, 40<<10)
}
