//go:build unix

package main

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/testsupport/fakeaws"
)

// A device flow ends whatever the service answers for expiresIn and
// interval: 0 and -1 wait the default (here cut to 3 s by the tests'
// knob), an interval of 2^31-1 s is clamped, and the last wait ends at
// the deadline. Each ends as an expired sign-in: exit 4, nothing written.
func TestSSOLoginEndsWhateverTheTiming(t *testing.T) {
	t.Parallel()
	const bound = 3 * time.Second
	for name, timing := range map[string]fakeaws.DeviceTiming{
		"expiresIn 0":     {ExpiresIn: 0, Interval: 1},
		"expiresIn -1":    {ExpiresIn: -1, Interval: 1},
		"interval 2^31-1": {ExpiresIn: 600, Interval: math.MaxInt32},
		"both 0":          {},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w, _ := ssoWorld(t)
			w.fake.SetDeviceTiming(&timing)
			w.extra = append(w.extra, deviceLimitsEnv+"="+bound.String())
			start := time.Now()
			b := w.start("login", "dev", "--no-browser")
			done := make(chan result, 1)
			go func() { done <- b.wait(t) }()
			var r result
			select {
			case r = <-done:
			case <-time.After(bound + 20*time.Second):
				b.cmd.Process.Kill()
				t.Fatalf("the sign-in did not end within %s of its %s bound:\n%s", 20*time.Second, bound, b.errText())
			}
			el := time.Since(start)
			if r.code != 4 || r.stdout != "" || !strings.Contains(r.stderr, "expired before it was approved") {
				t.Errorf("login: %s", r)
			}
			if el < bound-time.Second {
				t.Errorf("the sign-in ended after %s, before its %s bound", el, bound)
			}
			if w.tokenFile("corp") != nil {
				t.Error("an expired sign-in wrote a token")
			}
			if ds := w.fake.DeviceAuthorizations(); len(ds) != 1 || ds[0].Polls > 5 || ds[0].Polls < 2 {
				t.Errorf("device authorizations %+v: want one, polled 2 to 5 times in %s (no busy loop, a poll at the end)", ds, bound)
			}
		})
	}
}
