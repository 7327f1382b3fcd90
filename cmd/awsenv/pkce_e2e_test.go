//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
	"github.com/awsenv/awsenv/profiles/ssocache"
)

// chromiumProfile is a user-data-dir for one Chromium run, outside the
// test's own directory: Chromium's helper processes outlive the page it
// dumps (awsenv leaves the browser open, as a person's stays open) and
// still write there while the test ends. The clean-up ends them first.
func chromiumProfile(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "awsenv-chromium-")
	must(t, err)
	t.Cleanup(func() {
		// "--": the pattern itself starts with a dash.
		_ = exec.Command("pkill", "-KILL", "-f", "--", "--user-data-dir="+dir).Run()
		for i := 0; i < 50; i++ {
			if os.RemoveAll(dir) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("could not remove %s", dir)
	})
	return dir
}

// needChromium skips a test without chromium, except in CI (CI=true).
func needChromium(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is needed for the browser sign-in tests (apt-get install chromium)")
		}
		t.Skip("chromium is needed for the browser sign-in tests (apt-get install chromium)")
	}
	return path
}

// browserScript writes an executable $BROWSER script with body ($1 is the
// address) and returns its path.
func browserScript(t *testing.T, dir, body string) string {
	t.Helper()
	p := filepath.Join(dir, "browser.sh")
	must(t, os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o700))
	return p
}

// botocoreSSOToken reads the token of sso-session corp as botocore's
// SSO token provider does (SSOTokenLoader, over ~/.aws/sso/cache).
const botocoreSSOToken = `
import json, os, sys
home, start_url = sys.argv[1], sys.argv[2]
for k in [k for k in os.environ if k.startswith("AWS_")]:
    del os.environ[k]
os.environ.update(HOME=home, AWS_CONFIG_FILE=os.path.join(home, ".aws", "config"), AWS_SHARED_CREDENTIALS_FILE=os.devnull)
import botocore.session
from botocore.utils import SSOTokenLoader, JSONFileCache
from botocore.tokens import SSOTokenProvider
tok = SSOTokenLoader(cache=JSONFileCache(os.path.join(home, ".aws", "sso", "cache")))(start_url, session_name="corp")
frozen = SSOTokenProvider(botocore.session.Session(profile="dev")).load_token().get_frozen_token()
print(json.dumps({"accessToken": tok["accessToken"], "expiresAt": tok["expiresAt"], "refreshToken": tok.get("refreshToken", ""),
                  "clientId": tok.get("clientId", ""), "region": tok.get("region", ""), "provider": frozen.token}))
`

// TestPKCELoginWithChromium: `awsenv login` opens the authorization page in
// a real browser (headless Chromium as $BROWSER), which follows the
// stand-in's redirect to awsenv's listener; the token lands in the AWS
// CLI's cache, where botocore's SSOTokenLoader reads it, and the browser
// sign-in's client registration is kept apart from the device flow's.
func TestPKCELoginWithChromium(t *testing.T) {
	t.Parallel()
	chromium := needChromium(t)
	w, u := ssoWorld(t)
	w.fake.SetAuthorizeUser(u)
	profileDir := chromiumProfile(t)
	dom := filepath.Join(w.dir, "dom.html")
	w.extra = append(w.extra, "BROWSER="+browserScript(t, w.dir, fmt.Sprintf(
		`exec %s --headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync --user-data-dir=%s --dump-dom "$1" > %s 2>/dev/null`,
		chromium, profileDir, dom)))
	r := w.run("login", "dev")
	if r.code != 0 {
		t.Fatalf("login: exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "/authorize?") || !strings.Contains(r.stderr, "signed in") {
		t.Errorf("login did not say what it did:\n%s", r.stderr)
	}
	var err error
	auths := w.fake.Authorizations()
	if len(auths) != 1 || auths[0].Result != "code" || auths[0].CodeChallengeMethod != "S256" ||
		!strings.HasPrefix(auths[0].RedirectURI, "http://127.0.0.1:") || !strings.HasSuffix(auths[0].RedirectURI, "/oauth/callback") {
		t.Fatalf("authorizations: %+v", auths)
	}
	if len(w.fake.DeviceAuthorizations()) != 0 {
		t.Error("a device authorization was started beside the browser sign-in")
	}
	// Chromium writes the page when it has loaded it, after awsenv has
	// the code.
	var page []byte
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if page, err = os.ReadFile(dom); err == nil && strings.Contains(string(page), "</html>") {
			break
		}
	}
	if err != nil || !strings.Contains(string(page), "Signed in") {
		t.Errorf("the browser was shown %q (%v), want the sign-in page", page, err)
	}
	tok := w.tokenFile("corp")
	if tok == nil || tok["accessToken"] == "" || tok["refreshToken"] == "" || tok["clientId"] == "" || tok["startUrl"] != ssoURL {
		t.Fatalf("token file: %v", tok)
	}
	// The registration files: the browser sign-in's under its own key.
	var reg *ssocache.Registration
	scopes := []string{"sso:account:access"}
	pk := ssocache.RegistrationKeyFor(ssoURL, "eu-west-1", "corp", scopes, []string{"authorization_code", "refresh_token"})
	reg, err = w.tokenCache().LoadRegistration(pk)
	if err != nil || reg == nil || reg.ClientID != tok["clientId"] {
		t.Fatalf("the browser sign-in's registration %s.json: %+v %v", pk, reg, err)
	}
	if dev, _ := w.tokenCache().LoadRegistration(ssocache.RegistrationKey(ssoURL, "eu-west-1", "corp", scopes)); dev != nil {
		t.Errorf("a device-flow registration was written: %+v", dev)
	}

	// botocore's SSO token provider reads what awsenv wrote.
	var got map[string]string
	must(t, json.Unmarshal(testproc.Botocore(t, "-c", botocoreSSOToken, w.home, ssoURL), &got))
	if got["accessToken"] != tok["accessToken"] || got["refreshToken"] != tok["refreshToken"] || got["clientId"] != tok["clientId"] ||
		got["expiresAt"] != tok["expiresAt"] || got["region"] != "eu-west-1" || got["provider"] != tok["accessToken"] {
		t.Errorf("botocore read %v, want the token awsenv wrote %v", got, tok)
	}

	// The role credentials come from the token, with no browser.
	if r := w.run("exec", "dev", "--", "sh", "-c", `test -n "$AWS_SESSION_TOKEN"`); r.code != 0 {
		t.Errorf("exec dev after the browser sign-in: exit %d\n%s", r.code, r.stderr)
	}
	// The device flow still works after it, with its own registration.
	b := w.start("login", "dev", "--use-device-code", "--force")
	must(t, w.fake.ApproveDevice(b.userCode(t), u))
	if r := b.wait(t); r.code != 0 {
		t.Fatalf("device login after the browser sign-in: exit %d\n%s", r.code, r.stderr)
	}
	if w.tokenFile("corp")["clientId"] == reg.ClientID {
		t.Error("the device flow reused the browser sign-in's client")
	}
}

// TestPKCERefusals: a redirect with a wrong state and a denial end the
// sign-in with exit 4, saying so, and write no token (a plain HTTP client
// plays the browser).
func TestPKCERefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, script, want string
		deny               bool
	}{
		{"wrong state", `loc=$(curl -s -o /dev/null -w '%{redirect_url}' "$1"); curl -s "$(printf '%s' "$loc" | sed 's/state=[^&]*/state=forged/')" > /dev/null`,
			"did not ask for", false},
		{"missing state", `loc=$(curl -s -o /dev/null -w '%{redirect_url}' "$1"); curl -s "$(printf '%s' "$loc" | sed 's/&state=[^&]*//; s/?state=[^&]*&/?/')" > /dev/null`,
			"did not ask for", false},
		{"denied", `curl -sL "$1" > /dev/null`, "denied in the browser", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w, u := ssoWorld(t)
			if tc.deny {
				w.fake.DenyAuthorizations()
			} else {
				w.fake.SetAuthorizeUser(u)
			}
			w.extra = append(w.extra, "BROWSER="+browserScript(t, w.dir, tc.script))
			r := w.run("login", "dev")
			if r.code != 4 || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "nothing was saved") {
				t.Fatalf("login: exit %d, want 4 saying %q\n%s", r.code, tc.want, r.stderr)
			}
			if tok := w.tokenFile("corp"); tok != nil {
				t.Fatalf("a token was written: %v", tok)
			}
			wantSafeText(t, r.stderr)
		})
	}
}
