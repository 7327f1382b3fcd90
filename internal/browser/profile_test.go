package browser

import (
	"context"
	"io"
	"slices"
	"testing"
)

// A browser profile is passed only to the browsers that take one, each in
// its own syntax.
func TestProfileArgs(t *testing.T) {
	for cmd, want := range map[string][]string{
		"google-chrome":                {"--profile-directory=Work"},
		"/usr/bin/chromium-browser":    {"--profile-directory=Work"},
		"/opt/Google/Chrome/chrome":    {"--profile-directory=Work"},
		"firefox":                      {"-P", "Work"},
		"/usr/lib/firefox/firefox-bin": {"-P", "Work"},
		"xdg-open":                     nil,
		"open":                         nil,
		"w3m":                          nil,
	} {
		if got := profileArgs(cmd, "Work"); !slices.Equal(got, want) {
			t.Errorf("profileArgs(%q) = %q, want %q", cmd, got, want)
		}
	}
}

// Open with options keeps Open's rules: only https (or local http) addresses, and
// no browser profile a browser would read as an option.
func TestOpenOptionsRefused(t *testing.T) {
	getenv := func(k string) string { return map[string]string{"BROWSER": "/bin/true"}[k] }
	for _, c := range []struct{ addr, profile string }{
		{"http://example.com/", "Work"},
		{"https://example.com/", "--remote-debugging-port=9222"},
		{"https://example.com/", "a\x1bb"},
	} {
		if err := Open(context.Background(), getenv, io.Discard, c.addr, Options{Profile: c.profile}); err == nil {
			t.Errorf("Open(%q, profile %q) opened it", c.addr, c.profile)
		}
	}
}
