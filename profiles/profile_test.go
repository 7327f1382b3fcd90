package profiles_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/profiles"
)

func TestValidateName(t *testing.T) {
	good := []string{
		"prod", "my-prof_1", "a.b", "user+x@corp", "default", "A", "0",
		strings.Repeat("a", 128),
		// The charset allows these; they are safe to print into shell code
		// and, prefixed, into a session file name (no '/'), so they pass.
		"..", ".",
	}
	for _, name := range good {
		if err := profiles.ValidateName(name); err != nil {
			t.Errorf("ValidateName(%q) = %v, want nil", name, err)
		}
	}

	bad := []struct {
		name   string
		why    string
		quoted string // how the error message must show the name
	}{
		{"", "empty", `""`},
		{"-rf", "starts with '-'", `"-rf"`},
		{strings.Repeat("a", 129), "longer than 128", `"` + strings.Repeat("a", 129) + `"`},
		{strings.Repeat("é", 65), "longer than 128", ""}, // 130 bytes
		{"$(touch x)", "_ - + @", `"$(touch x)"`},
		{"`id`", "_ - + @", "\"`id`\""},
		{"a b", "_ - + @", `"a b"`},
		{"a;b", "_ - + @", `"a;b"`},
		{"a'b", "_ - + @", `"a'b"`},
		{`a"b`, "_ - + @", `"a\"b"`},
		{"a\nb", "_ - + @", `"a\nb"`},
		{"a\n", "_ - + @", `"a\n"`},
		{"a\x00b", "_ - + @", `"a\x00b"`},
		{"a\x1b[31mred", "_ - + @", `"a\x1b[31mred"`},
		{"a\tb", "_ - + @", `"a\tb"`},
		{"prød", "_ - + @", `"pr\u00f8d"`},
		{"a\u202eb", "_ - + @", `"a\u202eb"`}, // right-to-left override
		{"../x", "_ - + @", `"../x"`},
		{"a/b", "_ - + @", `"a/b"`},
		{`a\b`, "_ - + @", `"a\\b"`},
		{"a*", "_ - + @", `"a*"`},
		{"~root", "_ - + @", `"~root"`},
		{"a|b", "_ - + @", `"a|b"`},
		{"a&b", "_ - + @", `"a&b"`},
		{"a>b", "_ - + @", `"a>b"`},
		{"a=b", "_ - + @", `"a=b"`},
		{"{a,b}", "_ - + @", `"{a,b}"`},
		{"a#b", "_ - + @", `"a#b"`},
		{"a%b", "_ - + @", `"a%b"`},
		{"profile x", "_ - + @", `"profile x"`},
	}
	for _, tt := range bad {
		err := profiles.ValidateName(tt.name)
		if err == nil {
			t.Errorf("ValidateName(%q) = nil, want an error", tt.name)
			continue
		}
		var ne *profiles.NameError
		if !errors.As(err, &ne) || ne.Name != tt.name {
			t.Errorf("ValidateName(%q) = %T %v, want *NameError for the name", tt.name, err, err)
			continue
		}
		msg := err.Error()
		if !strings.Contains(ne.Why, tt.why) {
			t.Errorf("ValidateName(%q).Why = %q, want it to mention %q", tt.name, ne.Why, tt.why)
		}
		if tt.quoted != "" && !strings.Contains(msg, "invalid profile name "+tt.quoted+":") {
			t.Errorf("ValidateName(%q) message %q does not quote the name as %s", tt.name, msg, tt.quoted)
		}
		for _, r := range msg {
			if r < 0x20 || r == 0x7f || r > 0x7e {
				t.Errorf("ValidateName(%q) message has raw character %U: %q", tt.name, r, msg)
				break
			}
		}
	}
}

func TestGet(t *testing.T) {
	c := load(t, lines("[profile dev]", "region = eu-west-1"), lines("[bad name]", "aws_access_key_id = "+exampleKeyID))

	if p, err := c.Get("dev"); err != nil || p.Name != "dev" {
		t.Errorf("Get(dev) = %v, %v", p, err)
	}

	_, err := c.Get("nope")
	var pe *profiles.ProfileError
	if !errors.As(err, &pe) {
		t.Fatalf("Get(nope) = %T %v, want *ProfileError", err, err)
	}
	if pe.Profile != "nope" {
		t.Errorf("ProfileError.Profile = %q", pe.Profile)
	}
	mustContain(t, err.Error(), `profile "nope"`, "no such profile", c.Files.Config, c.Files.Credentials)

	// A section with a name awsenv refuses is listed but cannot be used.
	if names := c.Names(); len(names) != 2 || names[0] != "bad name" {
		t.Errorf("Names() = %q", names)
	}
	_, err = c.Get("bad name")
	var ne *profiles.NameError
	if !errors.As(err, &ne) {
		t.Errorf("Get(bad name) = %T %v, want *NameError", err, err)
	}
}

func TestProfileWhere(t *testing.T) {
	tests := []struct {
		cfg, creds, where, keyFile string
	}{
		{"c", "", "c", "c"},
		{"", "k", "k", "k"},
		{"c", "k", "c and k", "k"},
		{"", "", "", ""},
	}
	for _, tt := range tests {
		p := &profiles.Profile{ConfigFile: tt.cfg, CredentialsFile: tt.creds}
		if p.Where() != tt.where || p.KeyFile() != tt.keyFile {
			t.Errorf("%+v: Where %q KeyFile %q, want %q %q", tt, p.Where(), p.KeyFile(), tt.where, tt.keyFile)
		}
	}
}
