package profiles

import "testing"

// The fast path for [profile NAME] gives what shlex's rules give.
func TestConfigSectionPlainWord(t *testing.T) {
	for _, name := range []string{"a", "prod", "team-01.x_y+z@corp", "A1", "default", "x#y", "-x", "p.q", "a'b", `"q"`, "a b", ""} {
		section := "profile " + name
		kind, got, ok := configSection(section)
		want, wantOK := shlexSecond(section)
		if ok != wantOK || (ok && (got != want || kind != "profile")) {
			t.Errorf("configSection(%q) = %q, %q, %v; shlex gives %q, %v", section, kind, got, ok, want, wantOK)
		}
	}
}
