//go:build unix

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/testsupport/fakeaws"
)

// TestHostileVerificationURLNotOpened: an Identity Center stand-in that
// answers StartDeviceAuthorization with a verification URL that is an
// option, a local file or a script never gets it to $BROWSER; the person
// still sees it (made safe) and the sign-in still works. A plain https URL
// is opened, as one argument, so the test can tell the two apart.
func TestHostileVerificationURLNotOpened(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url    string
		opened bool
	}{
		{"https://device.example/?user_code=ABCD-EFGH", true},
		{"--renderer-cmd-prefix=touch /tmp/awsenv-pwned", false},
		{"-x", false},
		{"file:///etc/passwd", false},
		{"javascript:alert(document.cookie)", false},
		{"http://evil.example/device", false},
		{"https://device.example/\x1b]52;c;cm0gLXJmIH4=\x07", false},
	} {
		t.Run(tc.url, func(t *testing.T) {
			t.Parallel()
			w, u := ssoWorld(t)
			got := filepath.Join(w.dir, "opened")
			browser := filepath.Join(w.dir, "browser")
			must(t, os.WriteFile(browser, []byte(fmt.Sprintf("#!/bin/sh\nfor a; do printf '%%s\\n' \"$a\"; done > %s\n", got)), 0o700))
			w.extra = append(w.extra, "BROWSER="+browser)
			w.fake.SetDeviceText("ABCD-EFGH", tc.url)
			b := w.start("login", "dev", "--use-device-code")
			deadline := time.Now().Add(30 * time.Second)
			for {
				d, polled := polledDevice(w)
				_, err := os.Stat(got)
				// The browser is opened beside the first poll: for the URL it
				// may open, wait for it before approving.
				if polled && (!tc.opened || err == nil) {
					must(t, w.fake.ApproveDevice(d.DeviceCode, u))
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("awsenv never polled or never opened the browser:\n%s", b.errText())
				}
				time.Sleep(50 * time.Millisecond)
			}
			r := b.wait(t)
			if r.code != 0 {
				t.Fatalf("login: exit %d\n%s", r.code, r.stderr)
			}
			time.Sleep(300 * time.Millisecond) // a browser started late would have written by now
			opened, err := os.ReadFile(got)
			switch {
			case tc.opened && (err != nil || string(opened) != tc.url+"\n"):
				t.Fatalf("the browser got %q (%v), want the URL as one argument", opened, err)
			case !tc.opened && err == nil:
				t.Fatalf("the browser was started with %q", opened)
			}
			if !strings.Contains(r.stderr, "ABCD-EFGH") {
				t.Fatalf("the user code is not shown:\n%s", r.stderr)
			}
			wantSafeText(t, r.stderr)
		})
	}
}

// polledDevice is the newest device authorization awsenv has polled.
func polledDevice(w *world) (fakeaws.DeviceAuthorization, bool) {
	ds := w.fake.DeviceAuthorizations()
	for i := len(ds) - 1; i >= 0; i-- {
		if ds[i].Polls >= 1 {
			return ds[i], true
		}
	}
	return fakeaws.DeviceAuthorization{}, false
}

// wantSafeText: nothing in out a terminal would act on.
func wantSafeText(t *testing.T, out string) {
	t.Helper()
	for i, r := range out {
		if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) {
			t.Fatalf("%U at byte %d: %q", r, i, out[max(0, i-40):min(len(out), i+40)])
		}
	}
}
