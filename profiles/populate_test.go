package profiles_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/profiles"
)

func gen(names ...string) []profiles.Generated {
	var out []profiles.Generated
	for _, n := range names {
		out = append(out, profiles.Generated{Name: n, Keys: [][2]string{{"sso_session", "corp"}, {"sso_role_name", strings.SplitN(n, ".", 2)[1]}}})
	}
	return out
}

func populate(t *testing.T, path string, g []profiles.Generated, prune bool) *profiles.Populate {
	t.Helper()
	p, err := profiles.PlanPopulate(path, g, "sso-session corp", prune)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Write(profiles.PopulateWriteOptions{Now: time.Now}); err != nil {
		t.Fatal(err)
	}
	return p
}

const own = "# my config\n[default]\nregion = eu-west-1\n\n[profile mine]   \n; keep me\nregion=us-east-1\n\n[sso-session corp]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n"

// The person's sections, comments and spacing survive every step byte for
// byte; a re-run changes nothing; prune removes only what access is gone.
func TestPopulateKeepsOwnSections(t *testing.T) {
	for _, tc := range []struct{ name, text string }{
		{"lf", own}, {"crlf", strings.ReplaceAll(own, "\n", "\r\n")}, {"no final newline", strings.TrimSuffix(own, "\n")}, {"empty", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config")
			if err := os.WriteFile(path, []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			p := populate(t, path, gen("a.Admin", "a.Read", "b.Admin"), false)
			if len(p.Added) != 3 {
				t.Fatalf("added %v", p.Added)
			}
			first, _ := os.ReadFile(path)
			if !strings.HasPrefix(string(first), strings.TrimSuffix(tc.text, "\n")) {
				t.Fatalf("own text changed:\n%q", first)
			}
			// Again: nothing changes, no backup.
			p = populate(t, path, gen("a.Admin", "a.Read", "b.Admin"), false)
			if p.Changed() || len(p.Unchanged) != 3 {
				t.Fatalf("re-run changed the file: %+v\n%s", p, p.Diff())
			}
			// Access gone: kept without prune, removed with it.
			p = populate(t, path, gen("a.Admin", "b.Admin"), false)
			if p.Changed() || len(p.Stale) != 1 {
				t.Fatalf("without prune: %+v", p)
			}
			p = populate(t, path, gen("a.Admin", "b.Admin"), true)
			if len(p.Removed) != 1 || p.Removed[0] != "a.Read" {
				t.Fatalf("prune removed %v", p.Removed)
			}
			p = populate(t, path, nil, true)
			got, _ := os.ReadFile(path)
			if strings.TrimRight(string(got), "\r\n") != strings.TrimRight(tc.text, "\r\n") {
				t.Fatalf("after pruning everything the file is\n%q\nwant\n%q", got, tc.text)
			}
			if cfg, err := profiles.Load(profiles.Files{Config: path}); err != nil || cfg == nil {
				t.Fatal(err)
			}
		})
	}
}

// A section of the person's own with a generated name is never touched;
// a generated section the person edited is rewritten in place, where it is.
func TestPopulateOwnNameAndInPlaceUpdate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	os.WriteFile(path, []byte(own+"\n[profile a.Admin]\nregion = x\n"), 0o600)
	p := populate(t, path, gen("a.Admin", "b.Admin"), true)
	if len(p.Taken) != 1 || p.Taken[0] != "a.Admin" || len(p.Added) != 1 {
		t.Fatalf("%+v", p)
	}
	data, _ := os.ReadFile(path)
	edited := strings.Replace(string(data), "sso_role_name = Admin\n", "sso_role_name = Admin\nregion = mine\n", 1)
	edited += "\n# tail comment\n[profile z]\nregion = z\n"
	os.WriteFile(path, []byte(edited), 0o600)
	p = populate(t, path, gen("a.Admin", "b.Admin"), true)
	if len(p.Updated) != 1 {
		t.Fatalf("%+v", p)
	}
	data, _ = os.ReadFile(path)
	if !strings.HasSuffix(string(data), "\n# tail comment\n[profile z]\nregion = z\n") || strings.Contains(string(data), "region = mine") {
		t.Fatalf("in-place update:\n%s", data)
	}
	if d := p.Diff(); !strings.Contains(d, "-region = mine") || !strings.HasPrefix(d, "--- ") {
		t.Fatalf("diff:\n%s", d)
	}
}
