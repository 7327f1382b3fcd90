package credflow

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/profiles"
)

// --no-input refuses a provider that may need a person and lets one that
// needs none run (mfa_process, a code given with --mfa-code), telling it
// that no terminal is there to use.
func TestNoInputLetsUnattendedProvidersRun(t *testing.T) {
	for _, tc := range []struct {
		provider string
		static   bool
		runs     bool
	}{
		{"process", false, true},
		{"prompt", true, true}, // --mfa-code replaces the provider
		{"prompt", false, false},
		{"ykman", false, false},
		{"op", false, false},
		{"vault", false, false}, // a third-party plugin declares nothing
	} {
		r := newRig(t)
		r.flow.NoInput = true
		r.flow.Terminal = func() bool { return true }
		var asked profiles.Settings
		r.flow.Provider = func(s profiles.Settings) (plugins.Provider, error) {
			asked = s
			if tc.static {
				return plugins.NewStatic("000001")
			}
			return r.mfa, nil
		}
		r.flow.Global = mustGlobal(t, "[default]\nmfa_provider = "+tc.provider+"\n")
		_, err := r.flow.Get(context.Background(), "alice", Options{})
		switch {
		case tc.runs && err != nil:
			t.Errorf("%s (static %v): %v", tc.provider, tc.static, err)
		case !tc.runs && !errors.Is(err, ErrNeedsCode):
			t.Errorf("%s: %v, want ErrNeedsCode", tc.provider, err)
		case !tc.runs && len(r.mfa.reqs) != 0:
			t.Errorf("%s was asked for a code under --no-input", tc.provider)
		case tc.runs && !tc.static && (len(r.mfa.reqs) != 1 || r.mfa.reqs[0].Terminal):
			t.Errorf("%s: requests %+v, want one without a terminal", tc.provider, r.mfa.reqs)
		}
		if asked.MFAProvider != tc.provider {
			t.Errorf("settings gave provider %q, want %q", asked.MFAProvider, tc.provider)
		}
	}
}

func mustGlobal(t *testing.T, text string) *profiles.Global {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	g, err := profiles.LoadGlobal(path)
	if err != nil {
		t.Fatal(err)
	}
	return g
}
