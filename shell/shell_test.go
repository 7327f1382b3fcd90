package shell

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNames(t *testing.T) {
	want := []string{"bash", "fish", "powershell", "sh", "zsh"}
	if got := Names(); !slices.Equal(got, want) {
		t.Fatalf("Names() = %q, want %q", got, want)
	}
	for _, n := range want {
		sh, err := Lookup(n)
		if err != nil || sh.Name() != n {
			t.Errorf("Lookup(%q) = %v, %v; want the %s shell", n, sh, err, n)
		}
	}
}

func TestLookup(t *testing.T) {
	cases := []struct{ in, want string }{
		{"sh", "sh"},
		{"bash", "bash"},
		{"zsh", "zsh"},
		{"fish", "fish"},
		{"powershell", "powershell"},
		{"pwsh", "powershell"},
		{"PowerShell", "powershell"},
		{"BASH", "bash"},
		{"dash", "sh"},
		{"ash", "sh"},
		{"ksh", "sh"},
		{"mksh", "sh"},
	}
	for _, c := range cases {
		sh, err := Lookup(c.in)
		if err != nil {
			t.Errorf("Lookup(%q): %v", c.in, err)
			continue
		}
		if sh.Name() != c.want {
			t.Errorf("Lookup(%q).Name() = %q, want %q", c.in, sh.Name(), c.want)
		}
	}
	for _, bad := range []string{"", "csh", "tcsh", "cmd", "nu", "/bin/bash", " bash", "bash\n", strings.Repeat("x", 1000)} {
		sh, err := Lookup(bad)
		if err == nil {
			t.Errorf("Lookup(%q) = %v, want error", bad, sh.Name())
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "bash, fish, powershell, sh, zsh") {
			t.Errorf("Lookup(%q) error %q does not list the valid names", bad, msg)
		}
		if len(msg) > 200 {
			t.Errorf("Lookup(%q) error is %d bytes long", truncate(bad), len(msg))
		}
	}
}

func TestDetect(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "sh"},
		{"/bin/sh", "sh"},
		{"/bin/bash", "bash"},
		{"/usr/local/bin/bash", "bash"},
		{"/usr/bin/zsh", "zsh"},
		{"/bin/zsh", "zsh"},
		{"/opt/homebrew/bin/fish", "fish"},
		{"/usr/bin/fish", "fish"},
		{"/usr/bin/pwsh", "powershell"},
		{"/usr/local/microsoft/powershell/7/pwsh", "powershell"},
		{`C:\Program Files\PowerShell\7\pwsh.exe`, "powershell"},
		{`C:\Program Files\Git\usr\bin\bash.exe`, "bash"},
		{"bash", "bash"},
		{"zsh", "zsh"},
		{"-zsh", "zsh"},
		{"/bin/dash", "sh"},
		{"/bin/ksh", "sh"},
		{"/bin/tcsh", "sh"},
		{"/bin/csh", "sh"},
		{"/usr/bin/nu", "sh"},
		{"/usr/bin/xonsh", "sh"},
		{"/", "sh"},
		{"/usr/bin/", "sh"},
		{"/usr/bin/zsh/", "sh"},
		{"garbage;rm -rf /", "sh"},
	}
	for _, c := range cases {
		sh := Detect(c.in)
		if sh == nil {
			t.Errorf("Detect(%q) = nil", c.in)
			continue
		}
		if sh.Name() != c.want {
			t.Errorf("Detect(%q) = %q, want %q", c.in, sh.Name(), c.want)
		}
	}
}

// goldenChanges covers every kind of statement, in an unsorted order.
var goldenChanges = []Change{
	{Name: "AWS_SECRET_ACCESS_KEY", Value: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
	{Name: "AWS_SESSION_TOKEN", Unset: true},
	{Name: "AWS_PROFILE", Value: "it's prod"},
	{Name: "AWS_ACCESS_KEY_ID", Value: "AKIAIOSFODNN7EXAMPLE"},
	{Name: "AWS_CA_BUNDLE", Unset: true, Value: "ignored"},
	{Name: "AWSENV_NOTE", Value: "a\\b\nżółw $(x) ‘q’"},
	{Name: "AWS_REGION", Value: ""},
}

func TestRenderGolden(t *testing.T) {
	golden := map[string]string{
		"sh": `unset -v AWS_CA_BUNDLE
unset -v AWS_SESSION_TOKEN
export AWSENV_NOTE='a\b
żółw $(x) ‘q’'
export AWS_ACCESS_KEY_ID='AKIAIOSFODNN7EXAMPLE'
export AWS_PROFILE='it'\''s prod'
export AWS_REGION=''
export AWS_SECRET_ACCESS_KEY='wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
`,
		"fish": `set -e -g AWS_CA_BUNDLE; set -e -U AWS_CA_BUNDLE; or true;
set -e -g AWS_SESSION_TOKEN; set -e -U AWS_SESSION_TOKEN; or true;
set -gx AWSENV_NOTE 'a\\b'\x0A'żółw $(x) ‘q’';
set -gx AWS_ACCESS_KEY_ID 'AKIAIOSFODNN7EXAMPLE';
set -gx AWS_PROFILE 'it\'s prod';
set -gx AWS_REGION '';
set -gx AWS_SECRET_ACCESS_KEY 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
`,
		"powershell": `$Env:AWS_CA_BUNDLE = $null;
$Env:AWS_SESSION_TOKEN = $null;
$Env:AWSENV_NOTE = ('a\b' + [char]0x000A + [char]0x017C + [char]0x00F3 + [char]0x0142 + 'w $(x) ' + [char]0x2018 + 'q' + [char]0x2019);
$Env:AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
$Env:AWS_PROFILE = 'it''s prod';
$Env:AWS_REGION = '';
$Env:AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
`,
	}
	golden["bash"] = golden["sh"]
	golden["zsh"] = golden["sh"]

	for _, name := range Names() {
		sh, _ := Lookup(name)
		got, err := Render(sh, goldenChanges)
		if err != nil {
			t.Fatalf("%s: Render: %v", name, err)
		}
		if got != golden[name] {
			t.Errorf("%s: Render output:\n%s\nwant:\n%s", name, got, golden[name])
		}
		// Reordering the input must not change the output.
		rev := slices.Clone(goldenChanges)
		slices.Reverse(rev)
		if again, _ := Render(sh, rev); again != got {
			t.Errorf("%s: output depends on input order:\n%s", name, again)
		}
	}
}

func TestRenderEmpty(t *testing.T) {
	for _, name := range Names() {
		sh, _ := Lookup(name)
		for _, changes := range [][]Change{nil, {}} {
			if got, err := Render(sh, changes); got != "" || err != nil {
				t.Errorf("%s: Render(%v) = %q, %v; want empty", name, changes, got, err)
			}
		}
	}
	if _, err := Render(nil, nil); err == nil {
		t.Error("Render(nil shell) succeeded")
	}
}

func TestRenderOneStatementPerChange(t *testing.T) {
	for _, name := range Names() {
		sh, _ := Lookup(name)
		for _, v := range hostile {
			c := []Change{{Name: "V", Value: v.value}}
			if name == "powershell" && !utf8.ValidString(v.value) {
				continue
			}
			got, err := Render(sh, c)
			if err != nil {
				t.Errorf("%s/%s: %v", name, v.name, err)
				continue
			}
			if want := sh.Export("V", v.value); got != want {
				t.Errorf("%s/%s: Render differs from Export", name, v.name)
			}
			if !strings.HasSuffix(got, "\n") {
				t.Errorf("%s/%s: statement does not end in a newline", name, v.name)
			}
			// fish and PowerShell output keeps one statement per line (see
			// the encoders for why) and is valid UTF-8 (fish) or printable
			// ASCII (PowerShell).
			if name == "fish" || name == "powershell" {
				if strings.Count(got, "\n") != 1 || strings.ContainsRune(got, '\r') {
					t.Errorf("%s/%s: statement spans lines: %q", name, v.name, truncate(got))
				}
				if !utf8.ValidString(got) {
					t.Errorf("%s/%s: output is not valid UTF-8", name, v.name)
				}
			}
			if name == "powershell" {
				for i := 0; i < len(got)-1; i++ {
					if got[i] < 0x20 || got[i] > 0x7e {
						t.Errorf("%s/%s: byte %#x at %d is not printable ASCII", name, v.name, got[i], i)
						break
					}
				}
			}
		}
	}
}

func TestUnsetStatements(t *testing.T) {
	want := map[string]string{
		"sh":         "unset -v AWS_PROFILE\n",
		"bash":       "unset -v AWS_PROFILE\n",
		"zsh":        "unset -v AWS_PROFILE\n",
		"fish":       "set -e -g AWS_PROFILE; set -e -U AWS_PROFILE; or true;\n",
		"powershell": "$Env:AWS_PROFILE = $null;\n",
	}
	for _, name := range Names() {
		sh, _ := Lookup(name)
		if got := sh.Unset("AWS_PROFILE"); got != want[name] {
			t.Errorf("%s: Unset = %q, want %q", name, got, want[name])
		}
	}
}

const secret = "hunter2-SECRET-do-not-print"

func TestRenderErrors(t *testing.T) {
	cases := []struct {
		name    string
		shells  []string // nil: all
		changes []Change
		mention string // the error must contain this
	}{
		{"empty name", nil, []Change{{Name: "", Value: secret}}, `""`},
		{"leading digit", nil, []Change{{Name: "1AWS", Value: secret}}, `"1AWS"`},
		{"dash", nil, []Change{{Name: "AWS-PROFILE", Value: secret}}, `"AWS-PROFILE"`},
		{"space", nil, []Change{{Name: "AWS PROFILE", Value: secret}}, `"AWS PROFILE"`},
		{"injection", nil, []Change{{Name: "X=1;touch PWNED;Y", Value: secret}}, `"X=1;touch PWNED;Y"`},
		{"newline", nil, []Change{{Name: "X\nY", Value: secret}}, `"X\nY"`},
		{"dollar", nil, []Change{{Name: "$X", Value: secret}}, `"$X"`},
		{"non-ascii", nil, []Change{{Name: "ŻÓŁW", Value: secret}}, `"ŻÓŁW"`},
		{"env colon", nil, []Change{{Name: "Env:X", Value: secret}}, `"Env:X"`},
		{"invalid unset name", nil, []Change{{Name: "A B", Unset: true}}, `"A B"`},
		{"nul", nil, []Change{{Name: "AWS_OK", Value: "x"}, {Name: "AWS_SECRET", Value: secret + "\x00" + secret}}, "AWS_SECRET"},
		{"nul only", nil, []Change{{Name: "AWS_SECRET", Value: "\x00"}}, "AWS_SECRET"},
		{"duplicate", nil, []Change{{Name: "AWS_A", Value: secret}, {Name: "AWS_A", Value: secret + "2"}}, "AWS_A"},
		{"duplicate unset", nil, []Change{{Name: "AWS_A", Unset: true}, {Name: "AWS_A", Value: secret}}, "AWS_A"},
		{"invalid utf-8", []string{"powershell"}, []Change{{Name: "AWS_OK", Value: "ok"}, {Name: "AWS_SECRET", Value: secret + "\xff"}}, "AWS_SECRET"},
	}
	for _, c := range cases {
		shells := c.shells
		if shells == nil {
			shells = Names()
		}
		for _, name := range shells {
			sh, _ := Lookup(name)
			out, err := Render(sh, c.changes)
			if err == nil {
				t.Errorf("%s/%s: Render succeeded:\n%s", name, c.name, out)
				continue
			}
			if out != "" {
				t.Errorf("%s/%s: Render returned output with the error", name, c.name)
			}
			msg := err.Error()
			if !strings.Contains(msg, c.mention) {
				t.Errorf("%s/%s: error %q does not mention %s", name, c.name, msg, c.mention)
			}
			if strings.Contains(msg, "hunter2") {
				t.Errorf("%s/%s: error %q contains the value", name, c.name, msg)
			}
		}
	}
}

// Invalid UTF-8 is refused only where it cannot be represented.
func TestRenderInvalidUTF8(t *testing.T) {
	for _, name := range []string{"sh", "bash", "zsh", "fish"} {
		sh, _ := Lookup(name)
		if _, err := Render(sh, []Change{{Name: "X", Value: "\xff\xfe"}}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestValidName(t *testing.T) {
	for _, ok := range []string{"A", "_", "a", "_1", "AWS_PROFILE", "aws_profile", "A1_b2"} {
		if !validName(ok) {
			t.Errorf("validName(%q) = false", ok)
		}
	}
	for _, bad := range []string{"", "1", "1A", "A-B", "A.B", "A B", "A=B", "A\x00", "É", "A\n", "$A", "A'"} {
		if validName(bad) {
			t.Errorf("validName(%q) = true", bad)
		}
	}
}

func TestPowerShellQuote(t *testing.T) {
	p := powershell{}
	cases := []struct{ in, want string }{
		{"", "''"},
		{"abc", "'abc'"},
		{"it's", "'it''s'"},
		{"''", "''''''"},
		{"$Env:X `n", "'$Env:X `n'"},
		{"\u2018", "('' + [char]0x2018)"},
		{"a\u2019b", "('a' + [char]0x2019 + 'b')"},
		{"\n", "('' + [char]0x000A)"},
		{"🐢", "('' + [char]0xD83D + [char]0xDC22)"},
	}
	for _, c := range cases {
		if got := p.Quote(c.in); got != c.want {
			t.Errorf("Quote(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestFishQuote(t *testing.T) {
	f := fish{}
	cases := []struct{ in, want string }{
		{"", "''"},
		{"abc", "'abc'"},
		{"it's", `'it\'s'`},
		{`a\`, `'a\\'`},
		{"(x) $y {a,b} ~ *", "'(x) $y {a,b} ~ *'"},
		{"\n", `\x0A`},
		{"a\nb", `'a'\x0A'b'`},
		{"\xff", `\XFF`},
		{"\xc5ż", `\XC5'ż'`},
	}
	for _, c := range cases {
		if got := f.Quote(c.in); got != c.want {
			t.Errorf("Quote(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestPOSIXQuote(t *testing.T) {
	p := posix{name: "sh"}
	cases := []struct{ in, want string }{
		{"", "''"},
		{"abc", "'abc'"},
		{"it's", `'it'\''s'`},
		{"'", `''\'''`},
		{`a\`, `'a\'`},
		{"a\nb", "'a\nb'"},
		{"\xff", "'\xff'"},
	}
	for _, c := range cases {
		if got := p.Quote(c.in); got != c.want {
			t.Errorf("Quote(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestFromProcess(t *testing.T) {
	for name, want := range map[string]string{
		"bash": "bash", "zsh": "zsh", "fish": "fish", "/usr/bin/fish": "fish", "-bash": "bash",
		"dash": "sh", "sh": "sh", "ksh": "sh", "mksh": "sh", "busybox": "sh", "/bin/busybox": "sh", "ash": "sh",
		"pwsh": "powershell", "pwsh.exe": "powershell", `C:\Program Files\PowerShell\7\pwsh.exe`: "powershell",
		"Bash": "bash",
	} {
		sh, ok := FromProcess(name)
		if !ok || sh.Name() != want {
			t.Errorf("FromProcess(%q) = %v, %v; want %s", name, sh, ok, want)
		}
	}
	for _, name := range []string{"", "python3", "env", "sudo", "awsenv.test", "tmux: server", "bashful", "script"} {
		if sh, ok := FromProcess(name); ok {
			t.Errorf("FromProcess(%q) = %s, want not a shell", name, sh.Name())
		}
	}
}
