package awsini

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

// sections is a File as plain maps: each section's Map, by name.
func sections(f *File) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, s := range f.Sections() {
		out[s.Name()] = s.Map()
	}
	return out
}

func parse(t *testing.T, text string) *File {
	t.Helper()
	f, err := Parse(text)
	if err != nil {
		t.Fatalf("Parse: %v\n%q", err, text)
	}
	return f
}

type kv = map[string]string

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		text string
		want map[string]map[string]string
	}{
		{"empty", "", map[string]map[string]string{}},
		{"only comments and blanks", "# a\n; b\n\n   \n\t# c\n", map[string]map[string]string{}},
		{"basic", "[default]\nregion = us-east-1\n", map[string]map[string]string{"default": {"region": "us-east-1"}}},
		{"no final newline", "[a]\nk=v", map[string]map[string]string{"a": {"k": "v"}}},
		{"colon delimiter, first delimiter wins", "[a]\nk: v=w\nl = x:y\nurl = http://h:1\n",
			map[string]map[string]string{"a": {"k": "v=w", "l": "x:y", "url": "http://h:1"}}},
		{"no inline comments", "[a]\nk = v # c\ncmd = x ; y\nhash = a#b\n",
			map[string]map[string]string{"a": {"k": "v # c", "cmd": "x ; y", "hash": "a#b"}}},
		{"quotes kept", "[a]\nregion = \"us-west-2\"\ns = 'x'\n",
			map[string]map[string]string{"a": {"region": `"us-west-2"`, "s": "'x'"}}},
		{"mixed-case keys lower-cased, values kept", "[a]\naWs_AcCeSs_kEy_ID = accessKey\n",
			map[string]map[string]string{"a": {"aws_access_key_id": "accessKey"}}},
		{"names keep case and spaces", "[Profile  X ]\nk = v\n[ y ]\n", map[string]map[string]string{"Profile  X ": {"k": "v"}, " y ": {}}},
		{"header: up to the last ], text after it ignored", "[a]]\n[b] # note\n[c] d ]\n",
			map[string]map[string]string{"a]": {}, "b": {}, "c] d ": {}}},
		{"nested value and keys after it", "[a]\ns3 =\n  max_concurrent_requests = 20\n  region = us-west-2\nregion = eu-west-1\n",
			map[string]map[string]string{"a": {"s3": "\nmax_concurrent_requests = 20\nregion = us-west-2", "region": "eu-west-1"}}},
		{"continuation: deeper than its key, blank lines kept inside, dropped at the end",
			"[a]\n  k = one\n    two\n\n    three\n\n\n  l = x\n",
			map[string]map[string]string{"a": {"k": "one\ntwo\n\nthree", "l": "x"}}},
		{"comments inside a value are skipped", "[a]\nk = one\n  # not part\n  two\n",
			map[string]map[string]string{"a": {"k": "one\ntwo"}}},
		{"indented keys at the same depth", "[a]\n    k = 1\n    l = 2\n  m = 3\n",
			map[string]map[string]string{"a": {"k": "1", "l": "2", "m": "3"}}},
		{"a deeper line right after a header is a key", "[a]\n      k = 1\n", map[string]map[string]string{"a": {"k": "1"}}},
		{"an indented header inside a value is value", "[a]\nk = 1\n  [b]\n", map[string]map[string]string{"a": {"k": "1\n[b]"}}},
		{"indented header", "\t[a]\n\tk = v\n", map[string]map[string]string{"a": {"k": "v"}}},
		{"empty value", "[a]\nk =\nl:\n", map[string]map[string]string{"a": {"k": "", "l": ""}}},
		{"CRLF and lone CR", "[a]\r\nk = v\r\rl = w\r", map[string]map[string]string{"a": {"k": "v", "l": "w"}}},
		{"byte order mark", "\ufeff[a]\nk = v\n", map[string]map[string]string{"a": {"k": "v"}}},
		{"python whitespace: form feed, \\x1c, NBSP, ideographic space", "[a]\n\fk\x1c=\u00a0v\u3000\n",
			map[string]map[string]string{"a": {"k": "v"}}},
		{"duplicate section merged, later key wins", "[a]\nk = 1\nl = 1\n[b]\n[a]\nk = 2\n",
			map[string]map[string]string{"a": {"k": "2", "l": "1"}, "b": {}}},
		{"duplicate key, later wins", "[a]\nk = 1\nK = 2\n", map[string]map[string]string{"a": {"k": "2"}}},
		{"DEFAULT applies to every section unless set", "[DEFAULT]\nk = d\nm = d\n[a]\nk = a\n[b]\n",
			map[string]map[string]string{"a": {"k": "a", "m": "d"}, "b": {"k": "d", "m": "d"}}},
		{"key starting with [", "[a]\n[k = v\n", map[string]map[string]string{"a": {"[k": "v"}}},
		{"key with inner spaces", "[a]\nmy key = v\n", map[string]map[string]string{"a": {"my key": "v"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sections(parse(t, tt.text)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	tests := []struct {
		name, text string
		line       int
		problem    string
	}{
		{"key before any section", "# c\n\nk = v\n[a]\n", 3, "before the first [section]"},
		{"text before any section", "this is not an ini file\n", 1, "before the first [section]"},
		{"unclosed header", "[profile x\nregion = r\n", 1, "without its closing ']'"},
		{"empty header", "[]\n", 1, "without its closing ']'"},
		{"line without a delimiter", "[a]\nk = v\naws_secret_access_key " + secret + "\n", 3, "neither a [section] header"},
		{"unclosed header after a section", "[a]\n[b\n", 2, "without its closing ']'"},
		{"empty key name", "[a]\n= " + secret + "\n", 2, "empty key name before its '='"},
		{"empty key name, colon", "[a]\n  : x\n", 2, "empty key name before its ':'"},
		{"binary", "\x00\x01\x02\xff\n", 1, "before the first [section]"},
		{"lone CR splits a line", "[a]\nk = v\rgarbage\n", 3, "neither"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.text)
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Parse = %v, want *Error", err)
			}
			if pe.Line != tt.line || !strings.Contains(pe.Problem, tt.problem) {
				t.Errorf("error %q, want line %d and %q", err, tt.line, tt.problem)
			}
			if !strings.HasPrefix(err.Error(), fmt.Sprintf("line %d ", tt.line)) {
				t.Errorf("error %q does not start with the line number", err)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "garbage") {
				t.Errorf("error quotes the line: %q", err)
			}
		})
	}
}

func TestKeysAndOffsets(t *testing.T) {
	text := "[a]\nk = v1\n[b]\nx = 1\n[a]\nK = v2\nm =\n  n = 1\n  o = 2\n"
	f := parse(t, text)
	a, ok := f.Section("a")
	if !ok {
		t.Fatal("no section a")
	}
	if got := a.Headers(); !reflect.DeepEqual(got, []int{1, 5}) {
		t.Errorf("Headers = %v", got)
	}
	raw := a.RawKeys()
	want := []Key{
		{Name: "k", Written: "k", Value: "v1", Line: 2, Offset: strings.Index(text, "v1")},
		{Name: "k", Written: "K", Value: "v2", Line: 6, Offset: strings.Index(text, "v2")},
		{Name: "m", Written: "m", Value: "\nn = 1\no = 2", Line: 7, Offset: -1},
	}
	if !reflect.DeepEqual(raw, want) {
		t.Errorf("RawKeys\n got %+v\nwant %+v", raw, want)
	}
	if got, want := a.Blocks(), []Block{{Line: 1, Keys: want[:1]}, {Line: 5, Keys: want[1:]}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Blocks\n got %+v\nwant %+v", got, want)
	}
	if k, ok := a.Get("k"); !ok || k.Value != "v2" {
		t.Errorf("Get(k) = %+v, %v", k, ok)
	}
	if _, ok := a.Get("x"); ok {
		t.Error("Get(x) found b's key")
	}
	if m, ok := Nested(raw[2].Value); !ok || !reflect.DeepEqual(m, kv{"n": "1", "o": "2"}) {
		t.Errorf("Nested = %v, %v", m, ok)
	}
	if _, ok := Nested("v1"); ok {
		t.Error("Nested(v1) is ok")
	}
	if a.Line() != 1 || a.Name() != "a" {
		t.Errorf("Line %d Name %q", a.Line(), a.Name())
	}
	if n := f.NumSections(); n != 2 || f.SectionAt(1).Name() != "b" {
		t.Errorf("NumSections %d, SectionAt(1) %q", n, f.SectionAt(1).Name())
	}
}

// TestSDKTestdata: aws-sdk-go-v2's shared config test files, where the
// cases the Go SDK and botocore read differently are decided botocore's
// way (quotes kept), and the SDK's way where botocore refuses the file
// (duplicate sections merged).
func TestSDKTestdata(t *testing.T) {
	cfg := readTestdata(t, "sdk_shared_config")
	f := parse(t, cfg)
	got := sections(f)
	checks := []struct {
		section, key, want string
	}{
		{"default", "region", "default_region"},                                        // after a nested s3 block
		{"default", "s3", "\nunsupported_key=123\nother_unsupported=abc"},              // nested block, raw
		{"profile with_mixed_case_keys", "aws_access_key_id", "accessKey"},             // aWs_AcCeSs_kEy_ID
		{"profile short_profile_name_first", "region", "short_profile_name_first_alt"}, // repeated section: later wins
		{"profile UseFIPSEndpointEnabled", "region", `"us-west-2"`},                    // quotes kept, as botocore
		{"profile assume_role_w_creds_ext_dur", "duration_seconds", "1800"},            // key=value without spaces
		{"profile DoNotNormalize", "region", "us-west-2"},                              // repeated: merged
		{"profile DoNotNormalize", "aws_access_key_id", "DoNotNormalize_config_akid"},
		{"profile donotnormalize", "region", "us-west-1"}, // names keep their case
		{"services service_endpoint_url_services", "ec2", "\nendpoint_url = http://127.0.0.1:81"},
		{"sso-session sso-session-success-dev", "sso_registration_scopes", "sso:account:access"},
		{"profile auth_scheme_preference", "auth_scheme_preference", "sigv4a  ,  sigv4"}, // no final newline
	}
	for _, c := range checks {
		if v, ok := got[c.section][c.key]; !ok || v != c.want {
			t.Errorf("[%s] %s = %q (%v), want %q", c.section, c.key, v, ok, c.want)
		}
	}
	if got := sections(parse(t, readTestdata(t, "sdk_shared_credentials")))["DONOTNORMALIZE"]; !reflect.DeepEqual(got,
		kv{"aws_access_key_id": "DONOTNORMALIZE_credentials_akid", "aws_secret_access_key": "DONOTNORMALIZE_credentials_secret", "region": "eu-west-3"}) {
		t.Errorf("[DONOTNORMALIZE] = %v", got)
	}
	for _, name := range []string{"sdk_shared_config", "sdk_shared_credentials"} {
		compareWithBotocore(t, []string{filepath.Join("testdata", name)})
	}
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// botocoreResult is one file as testdata/botocore_raw.py prints it.
type botocoreResult struct {
	Sections map[string]map[string]string `json:"sections"`
	Error    string                       `json:"error"`
	Line     int                          `json:"line"`
	Merged   map[string]map[string]string `json:"merged"`
}

// runBotocore reads files with the installed botocore. It skips the test
// when python3 cannot import botocore, unless CI=true.
func runBotocore(t *testing.T, paths []string) []botocoreResult {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("testdata", "botocore_raw.py"))
	if err != nil {
		t.Fatal(err)
	}
	out := testproc.Botocore(t, append([]string{script}, paths...)...)
	var res []botocoreResult
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(paths) {
		t.Fatalf("botocore_raw.py: %v\n%s", err, out)
	}
	return res
}

// compareWithBotocore parses each file and checks that awsini reads what
// botocore reads: the same sections and values, or an error on the same
// line. Where botocore refuses a repeated section or key, awsini must read
// what configparser reads with strict=False.
func compareWithBotocore(t *testing.T, paths []string) {
	t.Helper()
	res := runBotocore(t, paths)
	counts := map[string]int{}
	defer func() { t.Logf("botocore's results: %v", counts) }()
	for i, path := range paths {
		counts[res[i].Error]++
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Parse(string(data))
		want := res[i]
		switch {
		case want.Error == "duplicate":
			if err != nil {
				t.Errorf("%s: Parse: %v; botocore refuses only a repeat, merged: %q\n%q", path, err, want.Merged, data)
			} else if got := sections(f); !reflect.DeepEqual(got, want.Merged) {
				t.Errorf("%s: repeats merged differently\n got %q\nwant %q\n%q", path, got, want.Merged, data)
			}
		case want.Error != "":
			var pe *Error
			if !errors.As(err, &pe) || pe.Line != want.Line {
				t.Errorf("%s: Parse = %v; botocore: %s error on line %d\n%q", path, err, want.Error, want.Line, data)
			}
		case err != nil:
			t.Errorf("%s: Parse: %v; botocore reads %q\n%q", path, err, want.Sections, data)
		default:
			if got := sections(f); !reflect.DeepEqual(got, want.Sections) {
				t.Errorf("%s:\n got %q\nwant %q\n%q", path, got, want.Sections, data)
			}
		}
	}
}

// TestAgainstBotocore reads generated files with awsini and with botocore.
func TestAgainstBotocore(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	var paths []string
	for i := 0; i < 400; i++ {
		p := filepath.Join(dir, fmt.Sprintf("f%03d", i))
		if err := os.WriteFile(p, []byte(genFile(rng)), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	compareWithBotocore(t, paths)
}

// genFile makes a file from pieces that exercise the dialect: headers,
// keys, comments, indentation, blank lines, line ends, odd whitespace,
// repeats, [DEFAULT], and now and then a line botocore refuses.
func genFile(rng *rand.Rand) string {
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	var b strings.Builder
	if rng.IntN(20) == 0 {
		b.WriteString(pick("k = v", "garbage", "[unclosed") + "\n")
	}
	nl := func() string { return pick("\n", "\n", "\n", "\r\n", "\r") }
	ws := func() string { return pick("", "", " ", "  ", "\t", " \t", "\f", "\u00a0", "\u3000", "\x1c") }
	sections := []string{"default", "DEFAULT", "profile a", "profile  b", `profile "c d"`, "a", "x y", " s ", "profile a"}
	keys := []string{"region", "Region", "aws_access_key_id", "s3", "k", "mfa_process", "KEY x", "[k"}
	values := []string{"", "v", "us-east-1", "a # b", "x ; y", `"q"`, "a=b", "c:d", "#x", ";y", "[z]", "v\u00a0"}
	for s := rng.IntN(5); s >= 0; s-- {
		b.WriteString(ws() + "[" + pick(sections...) + "]" + pick("", "", " # c", "x") + nl())
		for k := rng.IntN(5); k >= 0; k-- {
			indent := pick("", "", "", " ", "  ", "\t")
			switch rng.IntN(12) {
			case 0:
				b.WriteString(ws() + pick("#", ";") + " comment" + nl())
			case 1:
				b.WriteString(ws() + nl())
			case 2: // a continued or nested value
				b.WriteString(indent + pick(keys...) + " =" + ws() + pick("", "first") + nl())
				for c := rng.IntN(4); c >= 0; c-- {
					switch rng.IntN(4) {
					case 0:
						b.WriteString(nl())
					case 1:
						b.WriteString(indent + "  # inner comment" + nl())
					default:
						b.WriteString(indent + pick("  ", "\t", "   ") + pick("n = 1", "v", "[s]", "x: y") + ws() + nl())
					}
				}
			case 3:
				if rng.IntN(10) == 0 {
					b.WriteString(pick("= x", "novalue", "  : y") + nl())
					continue
				}
				fallthrough
			default:
				b.WriteString(indent + pick(keys...) + ws() + pick("=", ":", " = ", " : ") + ws() + pick(values...) + ws() + nl())
			}
		}
	}
	return b.String()
}
