package credflow

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/sessions"
	"github.com/awsenv/awsenv/profiles/ssocache"
)

// fakeSTS records calls and answers with credentials that expire after the
// requested duration on the test's clock.
type fakeSTS struct {
	now      func() time.Time
	gst      []awsapi.GetSessionTokenInput
	ar       []awsapi.AssumeRoleInput
	rejectN  int // reject this many codes as AWS does for a wrong code
	failWith error
	badToken string // AssumeRole refuses credentials with this token as malformed
	// tamper, when set, changes the credentials of each answer ("GST" or
	// "AR"): an endpoint that answers with something else.
	tamper func(call string, c *profiles.Credentials)
}

// fakeKeyID is an access key id of AWS's shape (16 or more upper-case
// letters and digits): ASIA, the prefix, and n padded to 12 digits.
func fakeKeyID(prefix string, n int) string { return fmt.Sprintf("ASIA%s%012d", prefix, n) }

func (f *fakeSTS) creds(prefix string, d time.Duration) profiles.Credentials {
	n := len(f.gst) + len(f.ar)
	c := profiles.Credentials{AccessKeyID: fakeKeyID(prefix, n), SecretAccessKey: "s",
		SessionToken: profiles.Secret("t" + prefix), Expiration: f.now().Add(d)}
	if f.tamper != nil {
		f.tamper(prefix, &c)
	}
	return c
}

func (f *fakeSTS) GetSessionToken(_ context.Context, in awsapi.GetSessionTokenInput) (profiles.Credentials, error) {
	f.gst = append(f.gst, in)
	if f.failWith != nil {
		return profiles.Credentials{}, f.failWith
	}
	if in.TokenCode != "" && f.rejectN > 0 {
		f.rejectN--
		return profiles.Credentials{}, &awsapi.APIError{Operation: "GetSessionToken", Code: "AccessDenied", Message: awsapi.MsgInvalidMFACode}
	}
	return f.creds("GST", in.Duration), nil
}

func (f *fakeSTS) AssumeRole(_ context.Context, in awsapi.AssumeRoleInput) (profiles.Credentials, error) {
	f.ar = append(f.ar, in)
	if f.badToken != "" && in.Credentials.SessionToken.Reveal() == f.badToken {
		return profiles.Credentials{}, &awsapi.APIError{Operation: "AssumeRole", Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid."}
	}
	return f.creds("AR", in.Duration), nil
}

func (f *fakeSTS) GetCallerIdentity(context.Context, awsapi.Target, profiles.Credentials) (awsapi.Identity, error) {
	return awsapi.Identity{}, errors.New("not used")
}

// countingMFA hands out codes and remembers the requests.
type countingMFA struct {
	reqs []plugins.Request
}

func (c *countingMFA) Name() string { return "test" }
func (c *countingMFA) Code(_ context.Context, r plugins.Request) (string, error) {
	c.reqs = append(c.reqs, r)
	return fmt.Sprintf("%06d", len(c.reqs)), nil
}

const testConfig = `[profile alice]
region = eu-west-1
mfa_serial = arn:aws:iam::123456789012:mfa/alice
awsenv_mfa_account = work

[profile nomfa]

[profile prod]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = alice
external_id = ext-1

[profile long]
role_arn = arn:aws:iam::123456789012:role/long
source_profile = alice
duration_seconds = 7200

[profile chained]
role_arn = arn:aws:iam::123456789012:role/next
source_profile = prod
role_session_name = chain
duration_seconds = 7200

[profile plain-role]
role_arn = arn:aws:iam::123456789012:role/plain
source_profile = nomfa

[profile sess]
`

const testCredentials = `[alice]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
[nomfa]
aws_access_key_id = AKIAI44QH8DHBEXAMPLE
aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY
[sess]
aws_access_key_id = ASIAIOSFODNN7EXAMPLE
aws_secret_access_key = x
aws_session_token = token
`

type rig struct {
	flow  *Flow
	sts   *fakeSTS
	mfa   *countingMFA
	now   time.Time
	notes []string
	slept []time.Duration
}

func newRig(t *testing.T) *rig {
	t.Helper()
	return newRigWith(t, testConfig, testCredentials)
}

func newRigWith(t *testing.T, config, credentials string) *rig {
	t.Helper()
	dir := t.TempDir()
	cfgPath, credPath := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	if err := os.WriteFile(cfgPath, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(credPath, []byte(credentials), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := profiles.Load(profiles.Files{Config: cfgPath, Credentials: credPath})
	if err != nil {
		t.Fatal(err)
	}
	global, err := profiles.LoadGlobal(filepath.Join(dir, "awsenv-config"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := sessions.Open(filepath.Join(dir, "sessions"))
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{now: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), mfa: &countingMFA{}}
	r.sts = &fakeSTS{now: func() time.Time { return r.now }}
	r.flow = &Flow{
		Config: cfg, Global: global, Store: store, STS: r.sts,
		Gate:     profiles.Gate{UID: os.Getuid()},
		Provider: func(profiles.Settings) (plugins.Provider, error) { return r.mfa, nil },
		Now:      func() time.Time { return r.now },
		Sleep: func(_ context.Context, d time.Duration) error {
			r.slept = append(r.slept, d)
			r.now = r.now.Add(d)
			return nil
		},
		LocalUser: "localuser",
		Notef:     func(f string, a ...any) { r.notes = append(r.notes, fmt.Sprintf(f, a...)) },
		Debugf:    func(string, ...any) {},
	}
	return r
}

func (r *rig) get(t *testing.T, name string, opt Options) *Result {
	t.Helper()
	res, err := r.flow.Get(context.Background(), name, opt)
	if err != nil {
		t.Fatalf("Get(%s): %v", name, err)
	}
	return res
}

func TestUserSessionCachedUntilMargin(t *testing.T) {
	r := newRig(t)
	first := r.get(t, "alice", Options{})
	if first.Cached || len(r.sts.gst) != 1 || r.sts.gst[0].SerialNumber != "arn:aws:iam::123456789012:mfa/alice" ||
		r.sts.gst[0].TokenCode != "000001" || r.sts.gst[0].Duration != 12*time.Hour {
		t.Fatalf("first call: %+v %+v", first, r.sts.gst)
	}
	if got := r.mfa.reqs[0]; got.Profile != "alice" || got.Options["account"] != "work" {
		t.Fatalf("MFA request: %+v", got)
	}
	if first.Region != "eu-west-1" {
		t.Fatalf("region %q", first.Region)
	}
	r.now = r.now.Add(11*time.Hour + 54*time.Minute) // 6 min left: still fresh
	if again := r.get(t, "alice", Options{}); !again.Cached || again.Credentials.AccessKeyID != first.Credentials.AccessKeyID {
		t.Fatalf("not reused with 6 min left: %+v", again)
	}
	r.now = r.now.Add(2 * time.Minute) // 4 min left: inside the 5 min margin
	if renewed := r.get(t, "alice", Options{}); renewed.Cached || len(r.sts.gst) != 2 {
		t.Fatalf("not renewed inside the margin: %+v", renewed)
	}
}

func TestRoleOnMFASession(t *testing.T) {
	r := newRig(t)
	res := r.get(t, "prod", Options{})
	if len(r.sts.gst) != 1 || len(r.sts.ar) != 1 || len(r.mfa.reqs) != 1 {
		t.Fatalf("calls: gst %d ar %d mfa %d", len(r.sts.gst), len(r.sts.ar), len(r.mfa.reqs))
	}
	ar := r.sts.ar[0]
	if ar.Credentials.AccessKeyID != fakeKeyID("GST", 1) || ar.SerialNumber != "" || ar.ExternalID != "ext-1" ||
		ar.RoleSessionName != "alice" || ar.Duration != time.Hour {
		t.Fatalf("AssumeRole input: %+v", ar)
	}
	if res.Region != "eu-west-1" {
		t.Fatalf("role should inherit its source's region, got %q", res.Region)
	}
	r.get(t, "alice", Options{})
	r.get(t, "prod", Options{})
	if len(r.sts.gst) != 1 || len(r.sts.ar) != 1 || len(r.mfa.reqs) != 1 {
		t.Fatal("cached role or session not reused")
	}
	// --refresh on the role renews the role only, on the same MFA session.
	r.get(t, "prod", Options{Refresh: true})
	if len(r.sts.gst) != 1 || len(r.sts.ar) != 2 || len(r.mfa.reqs) != 1 {
		t.Fatalf("refresh of a role: gst %d ar %d mfa %d", len(r.sts.gst), len(r.sts.ar), len(r.mfa.reqs))
	}
}

func TestLongRoleDirectWithMFA(t *testing.T) {
	r := newRig(t)
	r.get(t, "long", Options{})
	if len(r.sts.gst) != 0 || len(r.sts.ar) != 1 {
		t.Fatalf("calls: gst %d ar %d", len(r.sts.gst), len(r.sts.ar))
	}
	ar := r.sts.ar[0]
	if ar.Credentials.AccessKeyID != "AKIAIOSFODNN7EXAMPLE" || ar.SerialNumber == "" || ar.TokenCode != "000001" || ar.Duration != 2*time.Hour {
		t.Fatalf("direct AssumeRole: %+v", ar)
	}
}

func TestChainedRoleCappedAtOneHour(t *testing.T) {
	r := newRig(t)
	r.get(t, "chained", Options{})
	if len(r.sts.gst) != 1 || len(r.sts.ar) != 2 {
		t.Fatalf("calls: gst %d ar %d", len(r.sts.gst), len(r.sts.ar))
	}
	top := r.sts.ar[1]
	if top.Credentials.AccessKeyID != fakeKeyID("AR", 2) || top.Duration != time.Hour || top.RoleSessionName != "chain" {
		t.Fatalf("chained AssumeRole: %+v", top)
	}
	if !containsNote(r.notes, "role chaining") {
		t.Fatalf("no note about the 1h cap: %q", r.notes)
	}
}

func TestWithoutMFA(t *testing.T) {
	r := newRig(t)
	r.get(t, "nomfa", Options{})
	r.get(t, "plain-role", Options{})
	if len(r.mfa.reqs) != 0 || len(r.sts.gst) != 1 || r.sts.gst[0].SerialNumber != "" {
		t.Fatalf("no-MFA session: mfa %d gst %+v", len(r.mfa.reqs), r.sts.gst)
	}
	if ar := r.sts.ar[0]; ar.Credentials.AccessKeyID != "AKIAI44QH8DHBEXAMPLE" || ar.RoleSessionName != "localuser" {
		t.Fatalf("no-MFA role should use the long-term keys and $USER: %+v", ar)
	}
}

func TestSessionCredentialsUsedAsTheyAre(t *testing.T) {
	r := newRig(t)
	res := r.get(t, "sess", Options{})
	if res.Kind != profiles.KindSession || res.Credentials.SessionToken.Reveal() != "token" || len(r.sts.gst)+len(r.sts.ar) != 0 {
		t.Fatalf("session profile: %+v, calls %d", res, len(r.sts.gst)+len(r.sts.ar))
	}
	if !containsNote(r.notes, "holds session credentials") {
		t.Fatalf("no hint: %q", r.notes)
	}
}

func TestWrongCodeAskedAgain(t *testing.T) {
	r := newRig(t)
	r.sts.rejectN = 1
	r.get(t, "alice", Options{})
	if len(r.mfa.reqs) != 2 || r.mfa.reqs[1].Rejected != "000001" || len(r.sts.gst) != 2 {
		t.Fatalf("retry after a rejected code: %+v", r.mfa.reqs)
	}
	r2 := newRig(t)
	r2.sts.rejectN = 5
	_, err := r2.flow.Get(context.Background(), "alice", Options{})
	var ce *CallError
	if !errors.As(err, &ce) || len(r2.mfa.reqs) != 3 || !strings.Contains(err.Error(), "Wait for the next code") {
		t.Fatalf("after three rejected codes: %v (asked %d times)", err, len(r2.mfa.reqs))
	}
}

func TestStaticCodeNotReused(t *testing.T) {
	r := newRig(t)
	r.sts.rejectN = 1
	static, err := plugins.NewStatic("123456")
	if err != nil {
		t.Fatal(err)
	}
	r.flow.Provider = func(profiles.Settings) (plugins.Provider, error) { return static, nil }
	_, err = r.flow.Get(context.Background(), "alice", Options{})
	var api *awsapi.APIError
	if !errors.As(err, &api) || len(r.sts.gst) != 1 {
		t.Fatalf("a rejected --mfa-code must end with AWS's error after one call: %v (%d calls)", err, len(r.sts.gst))
	}
}

func TestDurationClamped(t *testing.T) {
	r := newRig(t)
	r.get(t, "alice", Options{Duration: 48 * time.Hour})
	r.get(t, "nomfa", Options{Duration: time.Minute})
	if r.sts.gst[0].Duration != 36*time.Hour || r.sts.gst[1].Duration != 15*time.Minute {
		t.Fatalf("durations: %s %s", r.sts.gst[0].Duration, r.sts.gst[1].Duration)
	}
	if !containsNote(r.notes, "at most 36h") || !containsNote(r.notes, "at least 15m") {
		t.Fatalf("no clamp notes: %q", r.notes)
	}
}

func TestTransportErrorExplained(t *testing.T) {
	r := newRig(t)
	r.sts.failWith = &awsapi.TransportError{Operation: "GetSessionToken", Message: "dial tcp: connection refused"}
	_, err := r.flow.Get(context.Background(), "nomfa", Options{})
	if err == nil || !strings.Contains(err.Error(), "AWS_ENDPOINT_URL") {
		t.Fatalf("transport error: %v", err)
	}
}

func TestDefaultSessionName(t *testing.T) {
	for _, c := range []struct{ serial, user, want string }{
		{"arn:aws:iam::123456789012:mfa/alice", "x", "alice"},
		{"arn:aws:iam::123456789012:mfa/path/bob.smith@corp", "x", "bob.smith@corp"},
		{"GAHT12345678", "carol", "carol"},
		{"", "d", "awsenv-d"},
		{"", "", "awsenv"},
		{"", "name with spaces", "name_with_spaces"},
		{"", strings.Repeat("x", 80), strings.Repeat("x", 64)},
	} {
		if got := defaultSessionName(c.serial, c.user); got != c.want {
			t.Errorf("defaultSessionName(%q, %q) = %q, want %q", c.serial, c.user, got, c.want)
		}
	}
}

func containsNote(notes []string, s string) bool {
	for _, n := range notes {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// totpLike gives the same code for the whole 30 s window, as a device does.
type totpLike struct{ now func() time.Time }

func (p totpLike) Name() string { return "device" }
func (p totpLike) Code(context.Context, plugins.Request) (string, error) {
	return fmt.Sprintf("%06d", p.now().Unix()/30%1000000), nil
}

// A provider that hands back the code AWS just accepted makes awsenv wait
// for the next window instead of sending a code AWS refuses as reused.
func TestReusedCodeWaitsForNextWindow(t *testing.T) {
	r := newRig(t)
	r.now = time.Date(2026, 11, 23, 12, 0, 3, 0, time.UTC) // 3 s into a window
	dev := totpLike{now: func() time.Time { return r.now }}
	r.flow.Provider = func(profiles.Settings) (plugins.Provider, error) { return dev, nil }
	r.get(t, "alice", Options{})
	r.now = r.now.Add(5 * time.Second)
	r.get(t, "alice", Options{Refresh: true})
	if len(r.slept) != 1 || r.slept[0] != 23*time.Second {
		t.Fatalf("want one wait of 23 s (to the next window, +1 s), got %v", r.slept)
	}
	if len(r.sts.gst) != 2 || r.sts.gst[0].TokenCode == r.sts.gst[1].TokenCode {
		t.Fatalf("codes sent: %+v", r.sts.gst)
	}
	if !containsNote(r.notes, "waiting 23s for the next code") {
		t.Fatalf("no note about the wait: %q", r.notes)
	}
	// Long after, the remembered code is no longer handed to the provider.
	r.now = r.now.Add(10 * time.Minute)
	r.get(t, "alice", Options{Refresh: true})
	if len(r.slept) != 1 {
		t.Fatalf("waited for a code that had long expired: %v", r.slept)
	}
}

// A cached MFA session whose token AWS refuses is dropped and made anew,
// instead of failing every role built on it until it expires.
func TestDamagedCachedSessionDropped(t *testing.T) {
	r := newRig(t)
	r.get(t, "alice", Options{})
	alice, err := r.flow.Config.Get("alice")
	if err != nil {
		t.Fatal(err)
	}
	key := userKey(alice, "arn:aws:iam::123456789012:mfa/alice")
	s, err := r.flow.Store.Load(key)
	if err != nil || s == nil {
		t.Fatalf("no cached session: %v", err)
	}
	s.Credentials.SessionToken = "damaged"
	if err := r.flow.Store.Save(key, s); err != nil {
		t.Fatal(err)
	}
	r.sts.badToken = "damaged"
	res := r.get(t, "prod", Options{})
	if res.Credentials.SessionToken == "" || len(r.sts.gst) != 2 || len(r.mfa.reqs) != 2 {
		t.Fatalf("want a new MFA session (2 GetSessionToken, 2 codes), got %d and %d", len(r.sts.gst), len(r.mfa.reqs))
	}
	if !containsNote(r.notes, "AWS refused the cached session of alice (InvalidClientTokenId); dropping it") {
		t.Errorf("notes %q", r.notes)
	}
	if s, _ := r.flow.Store.Load(key); s == nil || s.Credentials.SessionToken == "damaged" {
		t.Errorf("the damaged session is still cached")
	}
}

func TestClockSkewNoted(t *testing.T) {
	for _, tt := range []struct {
		skew time.Duration
		want string
	}{
		{3*time.Minute + 12*time.Second, "your clock is about 3 minutes behind AWS's"}, {90 * time.Second, "your clock is 1m30s behind AWS's"},
		{-20 * time.Minute, "your clock is about 20 minutes ahead of AWS's"},
		{30 * time.Second, ""},
	} {
		r := newRig(t)
		r.flow.ClockSkew = func() (time.Duration, bool) { return tt.skew, true }
		r.get(t, "prod", Options{}) // two STS calls, one note at most
		n := 0
		for _, note := range r.notes {
			if strings.Contains(note, "your clock is") {
				n++
				if !strings.Contains(note, tt.want) || tt.want == "" {
					t.Errorf("skew %s: note %q, want %q", tt.skew, note, tt.want)
				}
			}
		}
		if want := map[bool]int{true: 0, false: 1}[tt.want == ""]; n != want {
			t.Errorf("skew %s: %d notes, want %d", tt.skew, n, want)
		}
	}
}

// fixedCode hands out one code, whatever the time: an mfa_process that
// prints a constant.
type fixedCode struct{ code string }

func (p fixedCode) Name() string { return "process" }
func (p fixedCode) Code(context.Context, plugins.Request) (string, error) {
	return p.code, nil
}

// A code that cannot change is refused at once, without a wait and without
// a call AWS would refuse: --mfa-code, a provider that gives the same code
// after a new window began, and one whose code's window has passed.
func TestCodeThatCannotChangeFailsAtOnce(t *testing.T) {
	accept := func(r *rig, code string) {
		if err := r.flow.Store.SaveLastCode("arn:aws:iam::123456789012:mfa/alice", code, r.now); err != nil {
			t.Fatal(err)
		}
	}
	fails := func(r *rig, what string, wantSleeps int) error {
		t.Helper()
		_, err := r.flow.Get(context.Background(), "alice", Options{Refresh: true})
		var pe *plugins.Error
		if !errors.As(err, &pe) || !errors.Is(err, ErrCodeUsed) {
			t.Fatalf("%s: err = %v, want a provider error caused by ErrCodeUsed", what, err)
		}
		if len(r.slept) != wantSleeps || len(r.sts.gst) != 0 {
			t.Fatalf("%s: slept %v and made %d calls, want %d waits and no call", what, r.slept, len(r.sts.gst), wantSleeps)
		}
		return err
	}

	r := newRig(t)
	r.now = r.now.Add(3 * time.Second)
	accept(r, "123456")
	r.now = r.now.Add(5 * time.Second)
	static, err := plugins.NewStatic("123456")
	if err != nil {
		t.Fatal(err)
	}
	r.flow.Provider = func(profiles.Settings) (plugins.Provider, error) { return static, nil }
	if err := fails(r, "--mfa-code", 0); !strings.Contains(err.Error(), "Pass the next code your device shows") {
		t.Errorf("--mfa-code message: %v", err)
	}

	// Accepted in this window: one wait for the next, then no more.
	r = newRig(t)
	r.now = r.now.Add(3 * time.Second)
	accept(r, "123456")
	r.flow.Provider = func(profiles.Settings) (plugins.Provider, error) { return fixedCode{"123456"}, nil }
	fails(r, "same code after a wait", 1)

	// Accepted in the window before: a device would show another code now.
	r = newRig(t)
	accept(r, "123456")
	r.now = r.now.Add(40 * time.Second)
	r.flow.Provider = func(profiles.Settings) (plugins.Provider, error) { return fixedCode{"123456"}, nil }
	fails(r, "code of a past window", 0)
}

// A provider that hands back the code AWS just refused is not asked twice
// more: the refusal ends it after one call.
func TestRefusedCodeGivenAgainEnds(t *testing.T) {
	r := newRig(t)
	r.sts.rejectN = 5
	r.flow.Provider = func(profiles.Settings) (plugins.Provider, error) { return fixedCode{"123456"}, nil }
	_, err := r.flow.Get(context.Background(), "alice", Options{})
	var ce *CallError
	if !errors.As(err, &ce) || len(r.sts.gst) != 1 {
		t.Fatalf("a fixed wrong code: %v after %d calls, want AWS's refusal after 1", err, len(r.sts.gst))
	}
	if !containsNote(r.notes, "gave the code AWS has just refused again") {
		t.Errorf("notes %q", r.notes)
	}
}

// MinLeft (credential-process) renews what has less than that left, even
// when the refresh margin would keep it; when renewing fails, what the
// margin still counts as fresh is handed out with a note.
func TestMinLeft(t *testing.T) {
	r := newRig(t)
	r.get(t, "prod", Options{})
	r.now = r.now.Add(42 * time.Minute) // 18 minutes left of the role
	if res := r.get(t, "prod", Options{}); !res.Cached || len(r.sts.ar) != 1 {
		t.Fatalf("without MinLeft, 18 minutes left is fresh: cached %v, %d AssumeRole", res.Cached, len(r.sts.ar))
	}
	res := r.get(t, "prod", Options{MinLeft: 20 * time.Minute})
	if res.Cached || len(r.sts.ar) != 2 || len(r.sts.gst) != 1 {
		t.Fatalf("MinLeft 20m with 18m left: cached %v, %d AssumeRole, %d GetSessionToken (the MFA session must be reused)",
			res.Cached, len(r.sts.ar), len(r.sts.gst))
	}
	if left := res.Credentials.Expiration.Sub(r.now); left < 20*time.Minute {
		t.Fatalf("handed out credentials with %s left", left)
	}

	// alice's MFA session near its end, and no code to be had.
	r.now = r.now.Add(12*time.Hour - 42*time.Minute - 18*time.Minute)
	r.flow.NoInput = true
	res = r.get(t, "alice", Options{MinLeft: 20 * time.Minute})
	if !res.Cached || len(r.sts.gst) != 1 || !containsNote(r.notes, "handing out the cached one, which has 18m0s left") {
		t.Fatalf("renewal impossible: cached %v, %d GetSessionToken, notes %q", res.Cached, len(r.sts.gst), r.notes)
	}
	r.now = r.now.Add(15 * time.Minute) // 3 minutes left: not even the margin keeps it
	if _, err := r.flow.Get(context.Background(), "alice", Options{MinLeft: 20 * time.Minute}); !errors.Is(err, ErrNeedsCode) {
		t.Fatalf("3 minutes left and no code: %v, want ErrNeedsCode", err)
	}
}

// Peek finds the session Get would reuse, for every kind of profile,
// without a lock, an STS call, a code or a note; anything Get would have
// to make anew is nil.
func TestPeekIsTheCachedPathWithoutSideEffects(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	dir := r.flow.Store.Dir
	listing := func() string {
		entries, _ := os.ReadDir(dir)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return strings.Join(names, " ")
	}
	if s, err := r.flow.Peek("prod", Options{}); s != nil || err != nil || listing() != "" {
		t.Fatalf("Peek before any session: %v %v, files %q", s, err, listing())
	}
	for _, name := range []string{"alice", "nomfa", "prod", "long", "chained", "plain-role"} {
		res := r.get(t, name, Options{})
		sts, codes, notes, files := len(r.sts.gst)+len(r.sts.ar), len(r.mfa.reqs), len(r.notes), listing()
		s, err := r.flow.Peek(name, Options{})
		if err != nil || s == nil || res.Session == nil || fmt.Sprint(s.Key) != fmt.Sprint(res.Session.Key) ||
			s.Credentials.AccessKeyID != res.Credentials.AccessKeyID {
			t.Fatalf("Peek(%s) = %+v, %v; Get's session %+v", name, s, err, res.Session)
		}
		if len(r.sts.gst)+len(r.sts.ar) != sts || len(r.mfa.reqs) != codes || len(r.notes) != notes || listing() != files {
			t.Fatalf("Peek(%s) had side effects: STS %d->%d, codes %d->%d, notes %v, files %q -> %q",
				name, sts, len(r.sts.gst)+len(r.sts.ar), codes, len(r.mfa.reqs), r.notes[notes:], files, listing())
		}
	}
	// It carries the hook answers kept with the session.
	res := r.get(t, "prod", Options{})
	answers := []sessions.HookAnswer{{Hook: "kube", Request: "r1", NoPreUse: true}}
	if err := r.flow.Store.SaveHooks(ctx, res.Session.Key, res.Session.Created, answers); err != nil {
		t.Fatal(err)
	}
	if s, _ := r.flow.Peek("prod", Options{}); s == nil || len(s.Hooks) != 1 || !s.Hooks[0].NoPreUse {
		t.Fatalf("Peek lost the hook answers: %+v", s)
	}
	// What Get would make anew: nil.
	for _, tc := range []struct {
		name string
		opt  Options
	}{
		{"prod", Options{Refresh: true}},
		{"prod", Options{Duration: 2 * time.Hour}}, // another role session
		{"sess", Options{}},                        // session credentials in the file: never cached
		{"nosuch", Options{}},
	} {
		if s, _ := r.flow.Peek(tc.name, tc.opt); s != nil {
			t.Errorf("Peek(%s, %+v) = %+v, want nil", tc.name, tc.opt, s.Key)
		}
	}
	r.now = r.now.Add(20 * time.Minute)
	if s, _ := r.flow.Peek("prod", Options{MinLeft: 30 * time.Minute}); s == nil {
		t.Fatal("40 min left is enough for --min-left 30m")
	}
	if s, _ := r.flow.Peek("prod", Options{MinLeft: 50 * time.Minute}); s != nil {
		t.Fatal("40 min left is not enough for 50m: Get would renew")
	}
	r.now = r.now.Add(36 * time.Minute) // 4 min left of prod's hour: inside the margin
	if s, _ := r.flow.Peek("prod", Options{}); s != nil {
		t.Fatalf("Peek handed out a session inside the refresh margin: %+v", s.Key)
	}
	if s, _ := r.flow.Peek("alice", Options{}); s == nil {
		t.Fatal("alice's 12h session is still fresh")
	}
}

// IAM Identity Center profiles (and roles on top of them) without a
// sign-in token and with --no-input fail with the commands that sign in,
// before any STS call, MFA code or cached session.
func TestSSOProfilesNeedALogin(t *testing.T) {
	r := newRigWith(t, `[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer

[profile legacy]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 111122223333
sso_role_name = Developer

[profile admin]
role_arn = arn:aws:iam::111122223333:role/admin
source_profile = dev
`, "")
	r.flow.SSOCache = &ssocache.Cache{Dir: t.TempDir()}
	r.flow.NoInput = true
	for name, want := range map[string][]string{
		"dev":    {"session corp", "--no-input forbids signing in", "`awsenv login dev` (or `aws sso login --sso-session corp`)"},
		"legacy": {"`awsenv login legacy` (or `aws sso login --profile legacy`)"},
		"admin":  {"`awsenv login admin`"},
	} {
		if s, err := r.flow.Peek(name, Options{}); s != nil || err != nil {
			t.Errorf("Peek(%s) = %v, %v", name, s, err)
		}
		_, err := r.flow.Get(context.Background(), name, Options{})
		if !errors.Is(err, ErrNeedsLogin) {
			t.Errorf("Get(%s) = %v, want ErrNeedsLogin", name, err)
			continue
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Get(%s) = %q, lacks %q", name, err, w)
			}
		}
	}
	if len(r.sts.gst)+len(r.sts.ar) != 0 || len(r.mfa.reqs) != 0 {
		t.Errorf("STS calls %d/%d, MFA codes %d: want none", len(r.sts.gst), len(r.sts.ar), len(r.mfa.reqs))
	}
}
