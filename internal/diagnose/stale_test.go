package diagnose

import (
	"strings"
	"testing"
	"time"
)

func TestStale(t *testing.T) {
	retired := now.Add(-3 * 24 * time.Hour)
	cases := []struct {
		name  string
		facts func(*Facts)
		ids   []string
		want  []string
		not   []string
	}{
		{name: "nothing exported", facts: func(f *Facts) {}, ids: nil},
		{name: "the profile's own key", facts: func(f *Facts) { f.EnvKeyID = keyID }, ids: nil},
		{name: "a fresh session", facts: func(f *Facts) {
			f.EnvKeyID, f.EnvToken, f.EnvExpires = sessKeyID, true, now.Add(time.Hour)
		}, ids: nil},
		{name: "rotated key", facts: func(f *Facts) {
			f.EnvKeyID, f.Retired = oldKeyID, map[string]time.Time{oldKeyID: retired}
		}, ids: []string{IDStaleKey},
			want: []string{"the old key " + oldKeyID + " that awsenv rotated away on 2026-11-20 (3 days ago)", `eval "$(awsenv use alice)"`, `eval "$(awsenv unset)"`},
			not:  []string{"on purpose"}},
		{name: "a key other than the file's", facts: func(f *Facts) { f.EnvKeyID = oldKeyID },
			ids:  []string{IDStaleKey},
			want: []string{oldKeyID + ", not the key profile alice holds now (" + keyID + ")", "on purpose"}},
		{name: "the file holds a session, nothing to compare", facts: func(f *Facts) {
			f.EnvKeyID, f.FileKeyID, f.FileToken = oldKeyID, sessKeyID, true
		}, ids: nil},
		{name: "session key without token", facts: func(f *Facts) { f.EnvKeyID = sessKeyID },
			ids: []string{IDSessionTokenMissing}, want: []string{"AWS_SESSION_TOKEN is not set"}},
		{name: "token next to a long-term key", facts: func(f *Facts) { f.EnvKeyID, f.EnvToken = keyID, true },
			ids: []string{IDStraySessionToken}, want: []string{"`unset AWS_SESSION_TOKEN AWS_SECURITY_TOKEN`"}},
		{name: "expired session", facts: func(f *Facts) {
			f.EnvKeyID, f.EnvToken, f.EnvExpires = sessKeyID, true, now.Add(-time.Minute)
		}, ids: []string{IDEnvironmentExpired}, want: []string{"expired at 2026-11-23 11:59 UTC"}},
		{name: "AWS_PROFILE next to keys", facts: func(f *Facts) {
			f.EnvKeyID, f.EnvToken, f.EnvProfile = sessKeyID, true, "prod"
		}, ids: []string{IDProfileShadowed}, want: []string{"AWS_PROFILE=prod is set", `eval "$(awsenv use prod)"`, "`unset AWS_PROFILE`"}},
		{name: "AWS_PROFILE alone", facts: func(f *Facts) { f.EnvProfile = "prod" }, ids: nil},
		{name: "several at once", facts: func(f *Facts) {
			f.EnvKeyID, f.EnvToken, f.EnvProfile = oldKeyID, true, "prod"
			f.Retired = map[string]time.Time{oldKeyID: retired}
		}, ids: []string{IDStaleKey, IDStraySessionToken, IDProfileShadowed}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := alice()
			f.KeyID = ""
			tc.facts(&f)
			got := Stale(f)
			var ids []string
			var all strings.Builder
			for _, x := range got {
				ids = append(ids, x.ID)
				all.WriteString(x.What + "\n" + x.Cause + "\n" + x.Fix + "\n")
				checkShape(t, x)
			}
			if strings.Join(ids, ",") != strings.Join(tc.ids, ",") {
				t.Fatalf("ids = %v, want %v\n%s", ids, tc.ids, all.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(all.String(), w) {
					t.Errorf("missing %q in\n%s", w, all.String())
				}
			}
			for _, n := range tc.not {
				if strings.Contains(all.String(), n) {
					t.Errorf("should not contain %q:\n%s", n, all.String())
				}
			}
		})
	}
}
