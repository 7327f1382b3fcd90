//go:build unix

package main

// Messages that must point the right way (issue 16, rows 10 and 14): what
// the person reads names the real cause and a fix that is safe to follow.

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

// Row 10: a variable pointing at a device or at the shell's pipe gets the
// fix "point VARIABLE back at a regular file", never `rm /dev/...`; a FIFO
// in the user's own ~/.aws is still theirs to remove.
func TestNotRegularFilesFixPointsBack(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	fifo := filepath.Join(w.home, ".aws", "credentials.fifo")
	must(t, syscall.Mkfifo(fifo, 0o600))
	for _, tc := range []struct {
		name, env, stdin string
		cmd              []string
		want, wantNot    string
	}{
		{"device as credentials", "AWS_SHARED_CREDENTIALS_FILE=/dev/zero", "", []string{"use", "alice"},
			"point AWS_SHARED_CREDENTIALS_FILE back at a regular file", "rm "},
		{"device in doctor", "AWS_SHARED_CREDENTIALS_FILE=/dev/zero", "", []string{"doctor", "alice"},
			"point AWS_SHARED_CREDENTIALS_FILE back at a regular file", "rm "},
		{"the shell's pipe as config", "AWS_CONFIG_FILE=/dev/stdin", "[profile alice]\n", []string{"use", "alice"},
			"point AWS_CONFIG_FILE back at a regular file", "rm "},
		{"a FIFO of the user's", "AWS_SHARED_CREDENTIALS_FILE=" + fifo, "", []string{"use", "alice"},
			"Remove it (rm " + fifo + "), then put the file you meant there", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := w.command(tc.cmd, tc.env)
			if tc.stdin != "" {
				cmd.Stdin = strings.NewReader(tc.stdin)
			}
			r := runCmd(t, cmd)
			out := r.stdout + r.stderr
			if r.code == 0 || !strings.Contains(out, tc.want) || (tc.wantNot != "" && strings.Contains(out, tc.wantNot)) {
				t.Fatalf("want a refusal with %q and without %q; got %s", tc.want, tc.wantNot, r)
			}
			if strings.Contains(out, "chmod 600 /dev") {
				t.Errorf("a fix changes a device's mode: %s", r)
			}
		})
	}
}

// command is awsenv with args, without a terminal, for a test that sets
// more (its stdin) before runCmd.
func (w *world) command(args []string, env ...string) *exec.Cmd {
	cmd := testproc.Command(filepath.Join(binDir, "awsenv"), args...)
	cmd.Env = w.env(env...)
	cmd.Dir = w.dir
	setNoTTY(cmd)
	return cmd
}

// Row 11: every duration key is refused alike by the real binary, before
// any call: exit 3, naming the key, the file, the line and the range. Until
// now awsenv_hook_timeout = 0.5s was taken and the credential_process
// timeout refused it.
func TestDurationSettingsRefusedAlikeE2E(t *testing.T) {
	t.Parallel()
	type key struct{ name, rng string }
	keys := []key{
		{"awsenv_hook_timeout", "between 1s and 10m"},
		{"awsenv_mfa_timeout", "between 1s and 10m"},
		{"awsenv_credential_process_timeout", "between 1s and 10m"},
		{"awsenv_session_duration", "between 1s and 8760h"},
		{"awsenv_refresh_margin", "between 0 and 8760h"},
	}
	for _, k := range keys {
		for _, v := range []string{"0.5s", "11m", "soon", "-1s", "9000h"} {
			if k.rng == "between 1s and 8760h" && v == "11m" || k.rng == "between 0 and 8760h" && (v == "0.5s" || v == "11m") {
				continue // in range for these keys
			}
			t.Run(k.name+"="+v, func(t *testing.T) {
				t.Parallel()
				w := newWorld(t)
				profile := "alice"
				if k.name == "awsenv_credential_process_timeout" {
					w.appendConfig("[profile proc]\ncredential_process = /bin/false\n" + k.name + " = " + v + "\n")
					profile = "proc"
				} else {
					w.addToConfig(t, "alice", k.name+" = "+v+"\n")
				}
				r := w.run("use", profile, "--no-input")
				cfg := filepath.Join(w.home, ".aws", "config")
				text, err := os.ReadFile(cfg)
				must(t, err)
				line := 1 + strings.Count(string(text[:strings.Index(string(text), k.name)]), "\n")
				want := fmt.Sprintf("%s in %s [%s], line %d: ", k.name, cfg, profile, line)
				if r.code != 3 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, k.rng) || w.fake.Calls("GetSessionToken") != 0 {
					t.Fatalf("want exit 3 before any call, with %q and %q; got %s", want, k.rng, r)
				}
			})
		}
	}
}

// Row 14: an inline comment kept in a region (as the AWS CLI keeps it) is
// refused before any call, naming the key, the profile or sso-session,
// the file and line, and the comment to move; in AWS_REGION it names the
// variable. Until now the call failed with "Check your network
// connection" or the comment was exported in AWS_REGION.
func TestRegionWithInlineCommentE2E(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, config, creds string
		env                 []string
		profile             string
		want                []string
	}{
		{name: "region", config: "[profile alice]\nregion = us-east-1 # prod\nmfa_serial = " + serial + "\n",
			profile: "alice", want: []string{`region "us-east-1 # prod" in [profile alice] in CONFIG, line 2 is not a region name`,
				`keeps an inline comment (" # prod")`, "Move the comment to a line of its own", "region = us-east-1."}},
		{name: "region of the source", config: "[profile alice]\nregion = eu-west-1;prod\nmfa_serial = " + serial + "\n[profile prod]\nrole_arn = " + roleARN + "\nsource_profile = alice\n",
			profile: "prod", want: []string{`region "eu-west-1;prod" in [profile alice] in CONFIG, line 2`, `(";prod")`}},
		{name: "sso_region", config: "[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Admin\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1 # main\n",
			profile: "sso", want: []string{`sso_region "eu-west-1 # main" in [sso-session corp] in CONFIG, line 7 is not a region name`, `(" # main")`}},
		{name: "AWS_REGION", config: "[profile bare]\nmfa_serial = " + serial + "\n", creds: "[bare]\naws_access_key_id = " + userKeyID + "\naws_secret_access_key = " + userSecret + "\n",
			env: []string{"AWS_REGION=us-east-1 # prod"}, profile: "bare",
			want: []string{`AWS_REGION "us-east-1 # prod" in the environment is not a region name`, "export AWS_REGION=us-east-1"}},
		{name: "AWS_DEFAULT_REGION", config: "[profile bare]\nmfa_serial = " + serial + "\n", creds: "[bare]\naws_access_key_id = " + userKeyID + "\naws_secret_access_key = " + userSecret + "\n",
			env: []string{"AWS_DEFAULT_REGION=eu west 1"}, profile: "bare",
			want: []string{`AWS_DEFAULT_REGION "eu west 1" in the environment is not a region name`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.writeConfig(tc.config)
			if tc.creds != "" {
				w.writeCredentials(tc.creds)
			}
			r := w.runEnv(tc.env, "use", tc.profile, "--no-input", "--mfa-code", "123456")
			cfg := filepath.Join(w.home, ".aws", "config")
			for _, want := range tc.want {
				want = strings.ReplaceAll(want, "CONFIG", cfg)
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q", want)
				}
			}
			if r.code != 3 || strings.Contains(r.stderr, "network") || r.stdout != "" ||
				w.fake.Calls("GetSessionToken")+w.fake.Calls("AssumeRole")+w.fake.Calls("GetRoleCredentials") != 0 {
				t.Errorf("want exit 3 before any call; got %s", r)
			}
		})
	}
}

// Row 14: a web identity profile whose token file cannot be read says
// so, naming the key and the file, not "role_arn without source_profile"
// or "no credentials". (`aws login` profiles: loginsession_e2e_test.go.)
func TestUnsupportedSourcesSaySoE2E(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.appendConfig(`[profile ci]
role_arn = arn:aws:iam::123456789012:role/ci
web_identity_token_file = /var/run/secrets/token
`)
	for _, cmd := range [][]string{{"use", "ci", "--no-input"}, {"exec", "ci", "--", "true"}} {
		r := w.run(cmd...)
		for _, want := range []string{"cannot read the token in web_identity_token_file", "/var/run/secrets/token"} {
			if r.code == 0 || !strings.Contains(r.stderr, want) {
				t.Errorf("%v: stderr lacks %q: %s", cmd, want, r)
			}
		}
	}
}

// Row 14: AWSENV_FEDERATION_ENDPOINT is taken in AWS's documented form
// (.../federation) as well as the host alone, with or without a trailing
// slash; an endpoint without a federation page is named as such (HTTP
// 404), not as credentials the console refuses.
func TestFederationEndpointFormsE2E(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, form := range []string{"", "/", "/federation", "/federation/"} {
		r := w.runEnv([]string{"AWSENV_FEDERATION_ENDPOINT=" + w.fake.URL() + form}, "console", "alice", "--print")
		if r.code != 0 {
			t.Fatalf("endpoint %q: %s", form, r)
		}
		link := strings.TrimSpace(r.stdout)
		if !strings.HasPrefix(link, w.fake.URL()+"/federation?") {
			t.Errorf("endpoint %q: the sign-in URL is %.60s...", form, link)
		}
		if _, err := w.fake.CheckConsoleURL(link); err != nil {
			t.Errorf("endpoint %q: the double refused the URL: %v", form, err)
		}
	}
	missing := httptest.NewServer(http.NotFoundHandler())
	defer missing.Close()
	r := w.runEnv([]string{"AWSENV_FEDERATION_ENDPOINT=" + missing.URL + "/signin"}, "console", "alice", "--print")
	if r.code == 0 || r.stdout != "" || !strings.Contains(r.stderr, missing.URL+"/signin/federation is no federation endpoint (HTTP 404)") ||
		!strings.Contains(r.stderr, "Point AWSENV_FEDERATION_ENDPOINT at the sign-in endpoint") || strings.Contains(r.stderr, "not ones the console takes") {
		t.Fatalf("an endpoint without a federation page: %s", r)
	}
}

// Row 14: --no-input forbids asking a person, not making a code: an
// mfa_process (a command that prints the code) and --mfa-code run under
// it; the prompt and ykman (a key to touch) still refuse, with exit 4 and
// without starting the tool.
func TestNoInputRunsMFAProcessE2E(t *testing.T) {
	t.Parallel()
	oathtool := requireTool(t, "oathtool")
	t.Run("mfa_process", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		w.setProvider(t, "mfa_process = "+oathtool+" --totp -b "+mfaSecret+"\n")
		r := w.run("use", "prod", "--no-input")
		if r.code != 0 || !strings.Contains(r.stdout, "AWS_SESSION_TOKEN") || w.fake.Calls("GetSessionToken") != 1 {
			t.Fatalf("use prod --no-input with mfa_process: %s", r)
		}
	})
	t.Run("--mfa-code", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		if r := w.run("use", "alice", "--no-input", "--mfa-code", w.code()); r.code != 0 {
			t.Fatalf("use alice --no-input --mfa-code: %s", r)
		}
	})
	t.Run("prompt", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		if r := w.run("use", "alice", "--no-input"); r.code != exitMFA || !strings.Contains(r.stderr, "needs a new MFA code") {
			t.Fatalf("use alice --no-input with the prompt: %s", r)
		}
	})
	t.Run("ykman", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		ran := filepath.Join(w.dir, "ykman-ran")
		w.setProvider(t, "awsenv_mfa_provider = ykman\nawsenv_mfa_account = aws:alice\n")
		w.fakeTool(t, "ykman", "oath|accounts|code|--single|aws:alice|", "touch "+ran+"\n"+oathtool+" --totp -b "+mfaSecret)
		r := w.run("use", "alice", "--no-input")
		if r.code != exitMFA || w.fake.Calls("GetSessionToken") != 0 {
			t.Fatalf("use alice --no-input with ykman: %s", r)
		}
		if _, err := os.Stat(ran); err == nil {
			t.Fatal("ykman ran under --no-input")
		}
	})
}

// Row 14: every command whose PROFILE is optional picks the current one
// the same way: AWSENV_PROFILE, then AWS_DEFAULT_PROFILE (which doctor,
// login, console and keys ignored), then AWS_PROFILE, botocore's order
// (issue 19), then default.
func TestCurrentProfileAlikeE2E(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, cmd := range []string{"doctor", "login", "logout", "console", "keys", "rotate"} {
		for _, tc := range []struct {
			env  []string
			want string
		}{
			{[]string{"AWS_DEFAULT_PROFILE=ghost1"}, "ghost1"},
			{[]string{"AWS_PROFILE=ghost2"}, "ghost2"},
			{[]string{"AWS_DEFAULT_PROFILE=ghost1", "AWS_PROFILE=ghost2"}, "ghost1"},
			{[]string{"AWS_DEFAULT_PROFILE=ghost1", "AWS_PROFILE=ghost2", "AWSENV_PROFILE=ghost3"}, "ghost3"},
		} {
			r := w.runEnv(tc.env, cmd)
			if !strings.Contains(r.stdout+r.stderr, "profile "+tc.want) && !strings.Contains(r.stdout+r.stderr, `profile "`+tc.want+`"`) {
				t.Errorf("%s with %v: want profile %s; got %s", cmd, tc.env, tc.want, r)
			}
		}
	}
}

// The one place: no command reads the AWS variables that name the current
// profile but currentProfiles (flow.go). AWSENV_PROFILE alone, the session
// awsenv exported, is read where that session is the question (unset,
// the prompt).
func TestCurrentProfileOnePlace(t *testing.T) {
	files, err := filepath.Glob("*.go")
	must(t, err)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "flow.go" {
			continue
		}
		data, err := os.ReadFile(f)
		must(t, err)
		for _, v := range []string{`Getenv("AWS_PROFILE")`, `Getenv("AWS_DEFAULT_PROFILE")`} {
			if strings.Contains(string(data), v) {
				t.Errorf("%s reads %s itself: take currentProfile or currentProfiles", f, v)
			}
		}
	}
}
