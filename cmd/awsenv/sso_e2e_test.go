//go:build unix

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/awsenv/awsenv/internal/testsupport/fakeaws"
	"github.com/awsenv/awsenv/internal/testsupport/testproc"
	"github.com/awsenv/awsenv/profiles/ssocache"
)

const (
	ssoURL     = "https://corp.awsapps.com/start"
	ssoAccount = "111122223333"
	ssoRole    = "arn:aws:iam::111122223333:role/deploy"
)

// ssoWorld is a world with an Identity Center user assigned Developer in
// ssoAccount, and profiles: dev (sso-session corp), legacy (sso_start_url
// in the profile) and deploy (a role on top of dev).
func ssoWorld(t *testing.T) (*world, *fakeaws.SSOUser) {
	t.Helper()
	w := newWorld(t)
	u := w.fake.AddSSOUser("carol")
	u.Assign(ssoAccount, "Developer")
	w.fake.AddRole(ssoRole, fakeaws.RoleOptions{})
	w.writeConfig(fmt.Sprintf(`[sso-session corp]
sso_start_url = %s
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile dev]
sso_session = corp
sso_account_id = %s
sso_role_name = Developer
region = eu-central-1

[profile legacy]
sso_start_url = %s
sso_region = eu-west-1
sso_account_id = %s
sso_role_name = Developer

[profile deploy]
role_arn = %s
source_profile = dev
`, ssoURL, ssoAccount, ssoURL, ssoAccount, ssoRole))
	return w, u
}

func (w *world) tokenCache() *ssocache.Cache {
	return &ssocache.Cache{Dir: ssocache.Dir(w.home)}
}

// tokenFile reads the token file of key as JSON, nil when there is none.
func (w *world) tokenFile(key string) map[string]string {
	w.t.Helper()
	data, err := os.ReadFile(w.tokenCache().Path(key))
	if os.IsNotExist(err) {
		return nil
	}
	must(w.t, err)
	var m map[string]string
	must(w.t, json.Unmarshal(data, &m))
	return m
}

// background is awsenv running without a terminal, its stderr read as it
// comes.
type background struct {
	cmd    *exec.Cmd
	stdout strings.Builder
	lines  chan string
	stderr strings.Builder
	mu     sync.Mutex
	done   chan struct{}
}

func (w *world) start(args ...string) *background {
	w.t.Helper()
	b := &background{cmd: testproc.Command(filepath.Join(binDir, "awsenv"), args...), lines: make(chan string, 100), done: make(chan struct{})}
	b.cmd.Env = w.env()
	b.cmd.Dir = w.dir
	setNoTTY(b.cmd)
	b.cmd.Stdout = &b.stdout
	r, err := b.cmd.StderrPipe()
	must(w.t, err)
	must(w.t, testproc.Start(b.cmd))
	go func() {
		defer close(b.lines)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			b.mu.Lock()
			b.stderr.WriteString(sc.Text() + "\n")
			b.mu.Unlock()
			b.lines <- sc.Text()
		}
		io.Copy(io.Discard, r)
	}()
	w.t.Cleanup(func() { b.cmd.Process.Kill(); b.cmd.Wait() })
	return b
}

var userCodeRE = regexp.MustCompile(`^\s+([B-Z]{4}-[B-Z]{4})$`)

// userCode waits for the user code awsenv shows on stderr.
func (b *background) userCode(t *testing.T) string {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case line, ok := <-b.lines:
			if !ok {
				t.Fatalf("awsenv ended without showing a user code:\n%s", b.errText())
			}
			if m := userCodeRE.FindStringSubmatch(line); m != nil {
				return m[1]
			}
		case <-timeout:
			t.Fatalf("no user code on stderr after 60 s:\n%s", b.errText())
		}
	}
}

func (b *background) errText() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stderr.String()
}

// wait waits for awsenv to end and returns its result.
func (b *background) wait(t *testing.T) result {
	t.Helper()
	for range b.lines {
	}
	err := b.cmd.Wait()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{stdout: b.stdout.String(), stderr: b.errText(), code: code}
}

// The device flow: awsenv shows the code and polls while the person
// (the test) approves it; pending answers are waited out at the interval
// the service gave, the token is saved in the AWS CLI's format, and `use`
// then needs no sign-in.
func TestSSOLoginWithDeviceApproval(t *testing.T) {
	t.Parallel()
	w, u := ssoWorld(t)
	b := w.start("login", "dev", "--no-browser")
	code := b.userCode(t)
	// Let it poll a few times unapproved.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if ds := w.fake.DeviceAuthorizations(); len(ds) == 1 && ds[0].Polls >= 3 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	must(t, w.fake.ApproveDevice(code, u))
	r := b.wait(t)
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("login: %s", r)
	}
	ds := w.fake.DeviceAuthorizations()
	if len(ds) != 1 || !ds[0].Redeemed || ds[0].Polls < 4 {
		t.Fatalf("device authorizations %+v: want one, polled while pending, redeemed", ds)
	}
	if ds[0].Interval != time.Second {
		t.Errorf("the double's interval grew to %s: awsenv polled faster than the interval it was given", ds[0].Interval)
	}
	if !strings.Contains(r.stderr, "http") || !strings.Contains(r.stderr, code) || !strings.Contains(r.stderr, "signed in") {
		t.Errorf("stderr lacks the URL, the code or the result:\n%s", r.stderr)
	}
	tok := w.tokenFile("corp")
	for _, k := range []string{"startUrl", "region", "accessToken", "expiresAt", "clientId", "clientSecret", "registrationExpiresAt", "refreshToken"} {
		if tok[k] == "" {
			t.Errorf("token file lacks %s: has %v", k, keys(tok))
		}
	}
	if tok["startUrl"] != ssoURL || tok["region"] != "eu-west-1" || !strings.HasSuffix(tok["expiresAt"], "Z") {
		t.Errorf("token file: startUrl %q region %q expiresAt %q", tok["startUrl"], tok["region"], tok["expiresAt"])
	}
	if fi, err := os.Stat(w.tokenCache().Path("corp")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode: %v %v", fi.Mode(), err)
	}
	if strings.Contains(r.stderr, tok["accessToken"]) || strings.Contains(r.stderr, tok["refreshToken"]) || strings.Contains(r.stderr, tok["clientSecret"]) {
		t.Error("a secret reached stderr")
	}

	u1 := w.run("use", "dev", "--shell", "bash", "--no-input")
	if u1.code != 0 || !strings.Contains(u1.stdout, "AWS_SESSION_TOKEN") {
		t.Fatalf("use after login: %s", u1)
	}
	u2 := w.run("use", "dev", "--shell", "bash", "--no-input")
	if u2.code != 0 {
		t.Fatalf("second use: %s", u2)
	}
	if n := w.fake.Calls("GetRoleCredentials"); n != 1 {
		t.Errorf("GetRoleCredentials %d times, want 1 (the second use is cached)", n)
	}
	if n := w.fake.Calls("StartDeviceAuthorization"); n != 1 {
		t.Errorf("StartDeviceAuthorization %d times, want 1", n)
	}
	// A second login reuses the fresh token: no browser.
	if r := w.run("login", "dev", "--no-browser"); r.code != 0 || w.fake.Calls("StartDeviceAuthorization") != 1 {
		t.Errorf("login with a fresh token: %s, StartDeviceAuthorization %d", r, w.fake.Calls("StartDeviceAuthorization"))
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// slow_down adds 5 s to the interval (RFC 8628), and the login still
// succeeds.
func TestSSOLoginSlowDown(t *testing.T) {
	t.Parallel()
	w, u := ssoWorld(t)
	w.fake.FailNext("CreateToken", "SlowDownException", 400, "Client is polling too quickly")
	start := time.Now()
	b := w.start("login", "--sso-session", "corp", "--no-browser")
	code := b.userCode(t)
	must(t, w.fake.ApproveDevice(code, u))
	r := b.wait(t)
	if r.code != 0 {
		t.Fatalf("login: %s", r)
	}
	if el := time.Since(start); el < 5*time.Second {
		t.Errorf("the login took %s after a slow_down; awsenv must wait at least 6 s before the next poll", el)
	}
	if ds := w.fake.DeviceAuthorizations(); len(ds) != 1 || ds[0].Polls > 3 {
		t.Errorf("device authorizations %+v: want one, polled at most 3 times", ds)
	}
	if w.tokenFile("corp") == nil {
		t.Error("no token saved")
	}
}

// A sign-in nobody approves expires: exit 4, a clear message, nothing
// written; a denied one likewise.
func TestSSOLoginExpiresOrIsDenied(t *testing.T) {
	t.Parallel()
	w, _ := ssoWorld(t)
	w.fake.SetSSOLifetimes(fakeaws.SSOLifetimes{DeviceCode: 3 * time.Second})
	r := w.run("login", "dev", "--no-browser")
	if r.code != 4 || r.stdout != "" || !strings.Contains(r.stderr, "expired before it was approved") ||
		!strings.Contains(r.stderr, "awsenv login dev") {
		t.Errorf("expired login: %s", r)
	}
	if w.tokenFile("corp") != nil {
		t.Error("an expired login wrote a token")
	}

	w.fake.SetSSOLifetimes(fakeaws.SSOLifetimes{DeviceCode: 10 * time.Minute})
	b := w.start("login", "dev", "--no-browser")
	must(t, w.fake.DenyDevice(b.userCode(t)))
	r = b.wait(t)
	if r.code != 4 || r.stdout != "" || !strings.Contains(r.stderr, "denied") {
		t.Errorf("denied login: %s", r)
	}
	if w.tokenFile("corp") != nil {
		t.Error("a denied login wrote a token")
	}
}

// Ctrl-C while awsenv waits for the approval: exit 130, nothing written.
func TestSSOLoginInterrupted(t *testing.T) {
	t.Parallel()
	w, _ := ssoWorld(t)
	b := w.start("login", "dev", "--no-browser")
	b.userCode(t)
	must(t, b.cmd.Process.Signal(os.Interrupt))
	r := b.wait(t)
	if r.code != 130 || r.stdout != "" || !strings.Contains(r.stderr, "interrupted") {
		t.Errorf("interrupted login: %s", r)
	}
	if w.tokenFile("corp") != nil {
		t.Error("an interrupted login wrote a token")
	}
}

// No access to the account or role: exit 5, naming the role and account.
func TestSSONoAccess(t *testing.T) {
	t.Parallel()
	w, u := ssoWorld(t)
	access, refresh, id, secret := cliToken(t, w, u)
	w.writeCLIToken("corp", access, refresh, id, secret, time.Now().Add(time.Hour))
	u.Unassign(ssoAccount, "Developer")
	r := w.run("use", "dev", "--no-input")
	if r.code != 5 || r.stdout != "" || !strings.Contains(r.stderr, "no access to role Developer in account 111122223333") {
		t.Errorf("use without the assignment: %s", r)
	}
}

// cliToken signs carol in through the SDK, as `aws sso login` would, and
// returns the access and refresh tokens and the registration.
func cliToken(t *testing.T, w *world, u *fakeaws.SSOUser) (access, refresh, clientID, clientSecret string) {
	t.Helper()
	w.fake.SetAutoApprove(u)
	defer w.fake.SetAutoApprove(nil)
	ctx := context.Background()
	c := ssooidc.New(ssooidc.Options{Region: "eu-west-1", BaseEndpoint: aws.String(w.fake.URL())})
	reg, err := c.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("botocore-client-corp"),
		ClientType: aws.String("public"), Scopes: []string{"sso:account:access"}})
	must(t, err)
	dev, err := c.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		StartUrl: aws.String(ssoURL)})
	must(t, err)
	tok, err := c.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: dev.DeviceCode})
	must(t, err)
	return aws.ToString(tok.AccessToken), aws.ToString(tok.RefreshToken), aws.ToString(reg.ClientId), aws.ToString(reg.ClientSecret)
}

// writeCLIToken writes a token file as the AWS CLI v2 writes it.
func (w *world) writeCLIToken(key, access, refresh, clientID, clientSecret string, expires time.Time) {
	w.t.Helper()
	must(w.t, os.MkdirAll(ssocache.Dir(w.home), 0o755))
	body := fmt.Sprintf(`{"startUrl": %q, "region": "eu-west-1", "accessToken": %q, "expiresAt": %q, "clientId": %q, "clientSecret": %q, "registrationExpiresAt": %q, "refreshToken": %q}`,
		ssoURL, access, expires.UTC().Format("2006-01-02T15:04:05Z"), clientID, clientSecret,
		time.Now().Add(90*24*time.Hour).UTC().Format("2006-01-02T15:04:05Z"), refresh)
	must(w.t, os.WriteFile(w.tokenCache().Path(key), []byte(body), 0o600))
}

// After `aws sso login`, awsenv needs no sign-in of its own; and when the
// access token expires, the refresh token renews it without a browser.
func TestSSOUsesTheCLIsTokenAndRefreshesIt(t *testing.T) {
	t.Parallel()
	w, u := ssoWorld(t)
	access, refresh, id, secret := cliToken(t, w, u)
	w.writeCLIToken("corp", access, refresh, id, secret, time.Now().Add(time.Hour))
	starts := w.fake.Calls("StartDeviceAuthorization")
	r := w.run("use", "dev", "--shell", "bash", "--no-input")
	if r.code != 0 || !strings.Contains(r.stdout, "AWS_ACCESS_KEY_ID") {
		t.Fatalf("use with the CLI's token: %s", r)
	}
	if w.fake.Calls("StartDeviceAuthorization") != starts || w.fake.Calls("GetRoleCredentials") != 1 {
		t.Errorf("StartDeviceAuthorization %d (was %d), GetRoleCredentials %d", w.fake.Calls("StartDeviceAuthorization"), starts, w.fake.Calls("GetRoleCredentials"))
	}

	// The access token expires, in the double and in the cache; the
	// refresh token is kept.
	must(t, w.fake.ExpireSSOToken(access))
	w.writeCLIToken("corp", access, refresh, id, secret, time.Now().Add(-time.Minute))
	r = w.run("use", "legacy", "--shell", "bash", "--no-input") // legacy's token is another file: no token
	if r.code != 4 || r.stdout != "" || !strings.Contains(r.stderr, "awsenv login legacy") || !strings.Contains(r.stderr, "aws sso login --profile legacy") {
		t.Errorf("legacy without a token: %s", r)
	}
	r = w.run("use", "dev", "--shell", "bash", "--no-input", "--refresh")
	if r.code != 0 {
		t.Fatalf("use with an expired token and its refresh token: %s", r)
	}
	if w.fake.Calls("StartDeviceAuthorization") != starts {
		t.Error("the refresh started a browser sign-in")
	}
	tok := w.tokenFile("corp")
	if tok["accessToken"] == access || tok["refreshToken"] == refresh || tok["clientId"] != id {
		t.Errorf("the token file was not renewed in place (same tokens, or another client)")
	}
	exp, err := time.Parse(time.RFC3339, tok["expiresAt"])
	if err != nil || exp.Before(time.Now().Add(30*time.Minute)) {
		t.Errorf("renewed expiresAt %q", tok["expiresAt"])
	}
}

// 16 parallel `use` on a fresh SSO profile, each on a terminal: one takes
// the token's lock and signs in, the others wait on it and use its
// token; one GetRoleCredentials serves them all. With --no-input they all
// exit 4 at once.
func TestSSOParallelUseOneLogin(t *testing.T) {
	t.Parallel()
	w, u := ssoWorld(t)
	start := time.Now()
	var wg sync.WaitGroup
	results := make([]result, 16)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = w.run("use", "dev", "--shell", "bash", "--no-input")
		}()
	}
	wg.Wait()
	for _, r := range results {
		if r.code != 4 || r.stdout != "" || !strings.Contains(r.stderr, "--no-input forbids signing in") || !strings.Contains(r.stderr, "awsenv login dev") {
			t.Fatalf("use --no-input without a token: %s", r)
		}
	}
	if el := time.Since(start); el > 20*time.Second {
		t.Errorf("16 refusals took %s", el)
	}
	if n := w.fake.Calls("StartDeviceAuthorization") + w.fake.Calls("RegisterClient"); n != 0 {
		t.Errorf("--no-input made %d Identity Center calls", n)
	}

	w.fake.SetAutoApprove(u)
	terms := make([]*onTerminal, 16)
	for i := range terms {
		terms[i] = w.startOnTerminal("use", "dev", "--shell", "bash")
	}
	for i, o := range terms {
		err := o.cmd.Wait()
		if err != nil || !strings.Contains(o.stdout.String(), "AWS_SESSION_TOKEN") {
			t.Errorf("use %d: %v\nstdout:\n%s\nstderr:\n%s", i, err, o.stdout, o.stderr)
		}
	}
	if n := w.fake.Calls("StartDeviceAuthorization"); n != 1 {
		t.Errorf("StartDeviceAuthorization %d times, want 1", n)
	}
	redeemed := 0
	for _, d := range w.fake.DeviceAuthorizations() {
		if d.Redeemed {
			redeemed++
		}
	}
	if redeemed != 1 {
		t.Errorf("%d device codes redeemed, want 1", redeemed)
	}
	if n := w.fake.Calls("GetRoleCredentials"); n != 1 {
		t.Errorf("GetRoleCredentials %d times, want 1", n)
	}
}

// A role on top of an SSO profile: AssumeRole with the SSO role
// credentials, capped at an hour (role chaining), cached like any role.
func TestSSORoleOnTop(t *testing.T) {
	t.Parallel()
	w, u := ssoWorld(t)
	access, refresh, id, secret := cliToken(t, w, u)
	w.writeCLIToken("corp", access, refresh, id, secret, time.Now().Add(time.Hour))
	r := w.run("exec", "deploy", "--no-input", "--", "sh", "-c", `echo "$AWS_ACCESS_KEY_ID $AWSENV_PROFILE"`)
	if r.code != 0 || !strings.Contains(r.stdout, "ASIA") || !strings.Contains(r.stdout, "deploy") {
		t.Fatalf("exec deploy: %s", r)
	}
	if w.fake.Calls("AssumeRole") != 1 || w.fake.Calls("GetRoleCredentials") != 1 {
		t.Errorf("AssumeRole %d, GetRoleCredentials %d; want 1 each", w.fake.Calls("AssumeRole"), w.fake.Calls("GetRoleCredentials"))
	}
	r = w.run("credential-process", "deploy", "--no-input")
	if r.code != 0 || !strings.Contains(r.stdout, `"Version": 1`) && !strings.Contains(r.stdout, `"Version":1`) {
		t.Fatalf("credential-process deploy: %s", r)
	}
	if w.fake.Calls("AssumeRole") != 1 {
		t.Errorf("the cached role was not reused: AssumeRole %d", w.fake.Calls("AssumeRole"))
	}
	l := w.run("list")
	if l.code != 0 || !regexp.MustCompile(`(?m)^dev\s+sso\s+eu-central-1\s+sso corp 111122223333/Developer\s+\d+m$`).MatchString(l.stdout) {
		t.Errorf("list: %s", l)
	}
}

// logout ends the session at Identity Center, removes the token and the
// cached role credentials; the next use needs a sign-in.
func TestSSOLogout(t *testing.T) {
	t.Parallel()
	w, u := ssoWorld(t)
	access, refresh, id, secret := cliToken(t, w, u)
	w.writeCLIToken("corp", access, refresh, id, secret, time.Now().Add(time.Hour))
	if r := w.run("use", "dev", "--shell", "bash", "--no-input"); r.code != 0 {
		t.Fatalf("use: %s", r)
	}
	r := w.run("logout", "dev")
	if r.code != 0 || r.stdout != "" || !strings.Contains(r.stderr, "signed out") {
		t.Fatalf("logout: %s", r)
	}
	if w.fake.Calls("Logout") != 1 || w.fake.SSOTokenWorks(access) {
		t.Errorf("Logout %d, token still works %v", w.fake.Calls("Logout"), w.fake.SSOTokenWorks(access))
	}
	if w.tokenFile("corp") != nil {
		t.Error("the token file is still there")
	}
	if r := w.run("use", "dev", "--shell", "bash", "--no-input"); r.code != 4 {
		t.Errorf("use after logout: %s", r)
	}
}

// A token awsenv login writes is what the real botocore's
// SSOTokenProvider hands out for the profile.
func TestSSOBotocoreReadsAwsenvLogin(t *testing.T) {
	t.Parallel()
	w, u := ssoWorld(t)
	w.fake.SetAutoApprove(u)
	if r := w.run("login", "dev", "--no-browser"); r.code != 0 {
		t.Fatalf("login: %s", r)
	}
	tok := w.tokenFile("corp")
	out := testproc.Botocore(t, "-c", `
import os, sys, json
home, config = sys.argv[1], sys.argv[2]
for k in [k for k in os.environ if k.startswith("AWS_")]:
    del os.environ[k]
os.environ.update(HOME=home, AWS_CONFIG_FILE=config, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
import botocore.session
from botocore.tokens import SSOTokenProvider
frozen = SSOTokenProvider(botocore.session.Session(profile="dev")).load_token().get_frozen_token()
print(json.dumps({"same": frozen.token == json.load(open(sys.argv[3]))["accessToken"], "expiration": frozen.expiration.isoformat()}))
`, w.home, filepath.Join(w.home, ".aws", "config"), w.tokenCache().Path("corp"))
	var got struct {
		Same       bool
		Expiration string
	}
	must(t, json.Unmarshal(out, &got))
	want, _ := time.Parse(time.RFC3339, tok["expiresAt"])
	if !got.Same || !strings.HasPrefix(got.Expiration, want.UTC().Format("2006-01-02T15:04:05")) {
		t.Errorf("botocore's SSOTokenProvider: %+v, want awsenv's token expiring %s", got, tok["expiresAt"])
	}
}

// `console --print` on an SSO profile, and on a role on top of one, signs
// in with the Identity Center role credentials.
func TestSSOConsole(t *testing.T) {
	t.Parallel()
	w, u := ssoWorld(t)
	w.extra = append(w.extra, "AWSENV_FEDERATION_ENDPOINT="+w.fake.URL())
	access, refresh, id, secret := cliToken(t, w, u)
	w.writeCLIToken("corp", access, refresh, id, secret, time.Now().Add(time.Hour))
	for _, profile := range []string{"dev", "deploy"} {
		r := w.run("console", profile, "--print", "--no-input")
		if r.code != 0 {
			t.Fatalf("console %s: %s", profile, r)
		}
		in, err := w.fake.CheckConsoleURL(strings.TrimSpace(r.stdout))
		if err != nil {
			t.Fatalf("console %s: the double refused the URL: %v", profile, err)
		}
		if !strings.Contains(in.ARN, ":assumed-role/") {
			t.Fatalf("console %s signed in as %+v", profile, in)
		}
	}
}

// doctor asks Identity Center for the profile's role: it works, then the
// role is taken away and the check explains ForbiddenException.
func TestSSODoctorAccess(t *testing.T) {
	t.Parallel()
	w, u := ssoWorld(t)
	access, refresh, id, secret := cliToken(t, w, u)
	w.writeCLIToken("corp", access, refresh, id, secret, time.Now().Add(time.Hour))
	status := func() (string, string) {
		rep, _ := w.doctor([]string{"AWSENV_SHELL_HOOK=bash"}, "dev")
		for _, c := range rep.Checks {
			if c.Name == "sso-access" {
				return c.Status, c.Detail + " " + c.Fix
			}
		}
		return "", fmt.Sprint(rep.Checks)
	}
	if st, text := status(); st != "pass" {
		t.Fatalf("sso-access with the role assigned: %s %s", st, text)
	}
	u.Unassign(ssoAccount, "Developer")
	if st, text := status(); st != "fail" || !strings.Contains(text, "no access to role Developer in account "+ssoAccount) ||
		!strings.Contains(text, "sso-session corp") {
		t.Fatalf("sso-access without the role: %s %s", st, text)
	}
}
