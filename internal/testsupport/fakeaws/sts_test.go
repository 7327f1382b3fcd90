package fakeaws

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

var ctx = context.Background()

func TestGetSessionTokenWithMFAThenCallerIdentity(t *testing.T) {
	w := newWorld(t)
	out, err := w.aliceClient(t).GetSessionToken(ctx, &sts.GetSessionTokenInput{
		DurationSeconds: aws.Int32(3600),
		SerialNumber:    aws.String(aliceSerial),
		TokenCode:       aws.String(w.code(aliceTOTP, 0)),
	})
	if err != nil {
		t.Fatalf("GetSessionToken: %v", err)
	}
	c := out.Credentials
	if id := aws.ToString(c.AccessKeyId); !regexp.MustCompile(`^ASIA[A-Z0-9]{16}$`).MatchString(id) {
		t.Errorf("AccessKeyId = %q, want ASIA + 16 upper alnum", id)
	}
	if n := len(aws.ToString(c.SecretAccessKey)); n != 40 {
		t.Errorf("secret has %d chars, want 40", n)
	}
	if aws.ToString(c.SessionToken) == "" {
		t.Error("empty session token")
	}
	if want := w.now.Add(time.Hour); !aws.ToTime(c.Expiration).Equal(want) {
		t.Errorf("Expiration = %v, want %v", aws.ToTime(c.Expiration), want)
	}

	id, err := sessionClient(t, w, credsFrom(c)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with session credentials: %v", err)
	}
	if aws.ToString(id.Arn) != w.alice.ARN() || aws.ToString(id.Account) != account || !strings.HasPrefix(aws.ToString(id.UserId), "AIDA") {
		t.Errorf("identity = %s %s %s, want alice's", aws.ToString(id.Arn), aws.ToString(id.Account), aws.ToString(id.UserId))
	}
	if got := w.srv.Calls("GetSessionToken"); got != 1 {
		t.Errorf("Calls(GetSessionToken) = %d, want 1", got)
	}
	if got := w.srv.Calls("GetCallerIdentity"); got != 1 {
		t.Errorf("Calls(GetCallerIdentity) = %d, want 1", got)
	}
}

func TestGetSessionTokenDefaultsAndSessionCredentials(t *testing.T) {
	w := newWorld(t)
	out, err := w.aliceClient(t).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatalf("GetSessionToken: %v", err)
	}
	if want := w.now.Add(12 * time.Hour); !aws.ToTime(out.Credentials.Expiration).Equal(want) {
		t.Errorf("default Expiration = %v, want %v (43200 s)", aws.ToTime(out.Credentials.Expiration), want)
	}
	_, err = sessionClient(t, w, credsFrom(out.Credentials)).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	wantAPIError(t, err, 403, "AccessDenied", "Cannot call GetSessionToken with session credentials")
}

func TestMFACodeAcceptedOncePerWindow(t *testing.T) {
	w := newWorld(t)
	c := w.aliceClient(t)
	gst := func(code string) error {
		_, err := c.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(aliceSerial), TokenCode: aws.String(code)})
		return err
	}
	const invalid = "MultiFactorAuthentication failed with invalid MFA one time pass code."

	if err := gst(w.code(aliceTOTP, 0)); err != nil {
		t.Fatalf("fresh code: %v", err)
	}
	wantAPIError(t, gst(w.code(aliceTOTP, 0)), 403, "AccessDenied", invalid)

	// Adjacent windows are tolerated (clock drift), each once.
	if err := gst(w.code(aliceTOTP, -30*time.Second)); err != nil {
		t.Errorf("previous window's code: %v", err)
	}
	if err := gst(w.code(aliceTOTP, 30*time.Second)); err != nil {
		t.Errorf("next window's code: %v", err)
	}
	wantAPIError(t, gst(w.code(aliceTOTP, 30*time.Second)), 403, "AccessDenied", invalid)
	// Two windows away is too far.
	wantAPIError(t, gst(w.code(aliceTOTP, -60*time.Second)), 403, "AccessDenied", invalid)

	// Time moves on: the next window's code was used already, the one after is new.
	w.clock.Set(w.now.Add(30 * time.Second))
	wantAPIError(t, gst(w.code(aliceTOTP, 0)), 403, "AccessDenied", invalid)
	if err := gst(w.code(aliceTOTP, 30*time.Second)); err != nil {
		t.Errorf("code of the window after: %v", err)
	}
}

// wrongCode returns a well-formed code that matches none of the accepted windows.
func wrongCode(w *world, secret string) string {
	taken := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		taken[w.code(secret, d)] = true
	}
	for i := 0; ; i++ {
		c := strings.Repeat(string(rune('0'+i%10)), 6)
		if !taken[c] {
			return c
		}
	}
}

func TestAuthenticationAndValidationErrors(t *testing.T) {
	w := newWorld(t)
	inactive := w.srv.AddUser(account, "carol").AddKey("AKIAJ7CAROLEXAMPLE00", "k3yCarolInactive/EXAMPLEKEYxxxxxxxxxxxxx")
	inactive.SetActive(false)

	const (
		invalidToken = "The security token included in the request is invalid."
		badSignature = "The request signature we calculated does not match the signature you provided. Check your key and signing method."
		unknownMFA   = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."
	)
	gst := func(c *sts.Client, in *sts.GetSessionTokenInput) error {
		if in == nil {
			in = &sts.GetSessionTokenInput{}
		}
		_, err := c.GetSessionToken(ctx, in)
		return err
	}
	alice := w.aliceClient(t)

	tests := []struct {
		name          string
		err           error
		status        int
		code, message string
	}{
		{"unknown key", gst(w.client(t, "AKIAJUNKNOWNEXAMPLE0", aliceSecret, ""), nil),
			403, "InvalidClientTokenId", invalidToken},
		{"inactive key", gst(w.client(t, "AKIAJ7CAROLEXAMPLE00", "k3yCarolInactive/EXAMPLEKEYxxxxxxxxxxxxx", ""), nil),
			403, "InvalidClientTokenId", invalidToken},
		{"wrong secret", gst(w.client(t, aliceKeyID, bobSecret, ""), nil),
			403, "SignatureDoesNotMatch", badSignature},
		{"token with a long-term key", gst(w.client(t, aliceKeyID, aliceSecret, "bm90LWEtdG9rZW4="), nil),
			403, "InvalidClientTokenId", invalidToken},
		{"serial of another user", gst(alice, &sts.GetSessionTokenInput{SerialNumber: aws.String(bobSerial), TokenCode: aws.String(w.code(bobTOTP, 0))}),
			403, "AccessDenied", unknownMFA},
		{"unknown serial", gst(alice, &sts.GetSessionTokenInput{SerialNumber: aws.String("arn:aws:iam::123456789012:mfa/nobody"), TokenCode: aws.String("123456")}),
			403, "AccessDenied", unknownMFA},
		{"wrong code", gst(alice, &sts.GetSessionTokenInput{SerialNumber: aws.String(aliceSerial), TokenCode: aws.String(wrongCode(w, aliceTOTP))}),
			403, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code."},
		{"serial without code", gst(alice, &sts.GetSessionTokenInput{SerialNumber: aws.String(aliceSerial)}),
			400, "ValidationError", "TokenCode is required when SerialNumber is provided"},
		{"code without serial", gst(alice, &sts.GetSessionTokenInput{TokenCode: aws.String("123456")}),
			400, "ValidationError", "SerialNumber is required when TokenCode is provided"},
		{"non-numeric code", gst(alice, &sts.GetSessionTokenInput{SerialNumber: aws.String(aliceSerial), TokenCode: aws.String("12345a")}),
			400, "ValidationError", `1 validation error detected: Value '12345a' at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\d]*`},
		{"duration too short", gst(alice, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(899)}),
			400, "ValidationError", "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{"duration too long", gst(alice, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(129601)}),
			400, "ValidationError", "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600"},
		{"unsigned request", gst(w.clientWith(t, aws.AnonymousCredentials{}), nil),
			403, "MissingAuthenticationToken", "Request is missing Authentication Token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.err, tc.status, tc.code, tc.message) })
	}
	if got := w.srv.Calls("GetSessionToken"); got != len(tests) {
		t.Errorf("Calls(GetSessionToken) = %d, want %d: failed requests count too", got, len(tests))
	}
}

func TestSessionCredentialsTokenAndExpiry(t *testing.T) {
	w := newWorld(t)
	// Issue 15-minute credentials 10 minutes in the past, then move to 6
	// minutes after their expiry: still inside the signature skew window.
	w.clock.Set(w.now.Add(-10 * time.Minute))
	out, err := w.aliceClient(t).GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatalf("GetSessionToken: %v", err)
	}
	creds := credsFrom(out.Credentials)
	w.clock.Set(w.now)
	if _, err := sessionClient(t, w, creds).GetCallerIdentity(ctx, nil); err != nil {
		t.Fatalf("valid session: %v", err)
	}

	const invalidToken = "The security token included in the request is invalid."
	_, err = w.client(t, creds.id, creds.secret, "").GetCallerIdentity(ctx, nil)
	wantAPIError(t, err, 403, "InvalidClientTokenId", invalidToken)
	_, err = w.client(t, creds.id, creds.secret, creds.token+"x").GetCallerIdentity(ctx, nil)
	wantAPIError(t, err, 403, "InvalidClientTokenId", invalidToken)

	w.clock.Set(w.now.Add(6 * time.Minute))
	_, err = sessionClient(t, w, creds).GetCallerIdentity(ctx, nil)
	wantAPIError(t, err, 403, "ExpiredToken", "The security token included in the request is expired")
}

func TestAssumeRole(t *testing.T) {
	w := newWorld(t)
	const (
		reader  = "arn:aws:iam::123456789012:role/reader"
		admin   = "arn:aws:iam::123456789012:role/team/admin"
		partner = "arn:aws:iam::210987654321:role/partner"
		closed  = "arn:aws:iam::210987654321:role/closed"
	)
	w.srv.AddRole(reader, RoleOptions{})
	w.srv.AddRole(admin, RoleOptions{RequireMFA: true, MaxSessionDuration: 4 * time.Hour})
	w.srv.AddRole(partner, RoleOptions{ExternalID: "ext-123456", TrustedAccounts: []string{account}})
	w.srv.AddRole(closed, RoleOptions{TrustedAccounts: []string{"999999999999"}})

	alice := w.aliceClient(t)
	assume := func(c *sts.Client, in sts.AssumeRoleInput) (*stsCreds, *sts.AssumeRoleOutput, error) {
		if in.RoleSessionName == nil {
			in.RoleSessionName = aws.String("alice-session")
		}
		out, err := c.AssumeRole(ctx, &in)
		if err != nil {
			return nil, nil, err
		}
		return credsFrom(out.Credentials), out, nil
	}
	denied := func(caller, role string) string {
		return "User: " + caller + " is not authorized to perform: sts:AssumeRole on resource: " + role
	}

	t.Run("without MFA", func(t *testing.T) {
		creds, out, err := assume(alice, sts.AssumeRoleInput{RoleArn: aws.String(reader), RoleSessionName: aws.String("s1")})
		if err != nil {
			t.Fatalf("AssumeRole: %v", err)
		}
		wantARN := "arn:aws:sts::123456789012:assumed-role/reader/s1"
		if got := aws.ToString(out.AssumedRoleUser.Arn); got != wantARN {
			t.Errorf("AssumedRoleUser.Arn = %s, want %s", got, wantARN)
		}
		roleID := aws.ToString(out.AssumedRoleUser.AssumedRoleId)
		if !regexp.MustCompile(`^AROA[A-Z0-9]{17}:s1$`).MatchString(roleID) {
			t.Errorf("AssumedRoleId = %s", roleID)
		}
		if want := w.now.Add(time.Hour); !aws.ToTime(out.Credentials.Expiration).Equal(want) {
			t.Errorf("Expiration = %v, want %v", aws.ToTime(out.Credentials.Expiration), want)
		}
		id, err := sessionClient(t, w, creds).GetCallerIdentity(ctx, nil)
		if err != nil {
			t.Fatalf("GetCallerIdentity: %v", err)
		}
		if aws.ToString(id.Arn) != wantARN || aws.ToString(id.UserId) != roleID || aws.ToString(id.Account) != account {
			t.Errorf("identity = %s %s %s", aws.ToString(id.Arn), aws.ToString(id.UserId), aws.ToString(id.Account))
		}
		_, err = sessionClient(t, w, creds).GetSessionToken(ctx, nil)
		wantAPIError(t, err, 403, "AccessDenied", "Cannot call GetSessionToken with session credentials")
	})

	t.Run("MFA required but missing", func(t *testing.T) {
		_, _, err := assume(alice, sts.AssumeRoleInput{RoleArn: aws.String(admin)})
		wantAPIError(t, err, 403, "AccessDenied", denied(w.alice.ARN(), admin))
		out, err := alice.GetSessionToken(ctx, nil) // a session without MFA does not help
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = assume(sessionClient(t, w, credsFrom(out.Credentials)), sts.AssumeRoleInput{RoleArn: aws.String(admin)})
		wantAPIError(t, err, 403, "AccessDenied", denied(w.alice.ARN(), admin))
	})

	t.Run("MFA in the request", func(t *testing.T) {
		_, _, err := assume(alice, sts.AssumeRoleInput{RoleArn: aws.String(admin), SerialNumber: aws.String(aliceSerial), TokenCode: aws.String(wrongCode(w, aliceTOTP))})
		wantAPIError(t, err, 403, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")
		_, out, err := assume(alice, sts.AssumeRoleInput{RoleArn: aws.String(admin), DurationSeconds: aws.Int32(7200),
			SerialNumber: aws.String(aliceSerial), TokenCode: aws.String(w.code(aliceTOTP, 0))})
		if err != nil {
			t.Fatalf("AssumeRole with MFA: %v", err)
		}
		if want := w.now.Add(2 * time.Hour); !aws.ToTime(out.Credentials.Expiration).Equal(want) {
			t.Errorf("Expiration = %v, want %v", aws.ToTime(out.Credentials.Expiration), want)
		}
		if got := aws.ToString(out.AssumedRoleUser.Arn); got != "arn:aws:sts::123456789012:assumed-role/admin/alice-session" {
			t.Errorf("role path must not appear in the assumed-role ARN: %s", got)
		}
	})

	t.Run("MFA session, chaining and MFA carry-over", func(t *testing.T) {
		gst, err := alice.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(aliceSerial), TokenCode: aws.String(w.code(aliceTOTP, 30*time.Second))})
		if err != nil {
			t.Fatal(err)
		}
		mfaSession := sessionClient(t, w, credsFrom(gst.Credentials))
		// From a GetSessionToken session more than one hour is fine: no chaining.
		adminCreds, _, err := assume(mfaSession, sts.AssumeRoleInput{RoleArn: aws.String(admin), DurationSeconds: aws.Int32(3 * 3600)})
		if err != nil {
			t.Fatalf("AssumeRole from MFA session: %v", err)
		}
		adminClient := sessionClient(t, w, adminCreds)
		// Chaining from admin: over one hour refused, one hour fine, MFA carried.
		_, _, err = assume(adminClient, sts.AssumeRoleInput{RoleArn: aws.String(admin), DurationSeconds: aws.Int32(3601)})
		wantAPIError(t, err, 400, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
		if _, _, err := assume(adminClient, sts.AssumeRoleInput{RoleArn: aws.String(admin), DurationSeconds: aws.Int32(3600)}); err != nil {
			t.Errorf("chained AssumeRole of an MFA role from an MFA session: %v", err)
		}
		// A role session obtained without MFA cannot chain into the MFA role.
		readerCreds, _, err := assume(alice, sts.AssumeRoleInput{RoleArn: aws.String(reader), RoleSessionName: aws.String("rd")})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = assume(sessionClient(t, w, readerCreds), sts.AssumeRoleInput{RoleArn: aws.String(admin)})
		wantAPIError(t, err, 403, "AccessDenied", denied("arn:aws:sts::123456789012:assumed-role/reader/rd", admin))
	})

	t.Run("trust, external id and durations", func(t *testing.T) {
		_, _, err := assume(alice, sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/nope")})
		wantAPIError(t, err, 403, "AccessDenied", denied(w.alice.ARN(), "arn:aws:iam::123456789012:role/nope"))
		_, _, err = assume(alice, sts.AssumeRoleInput{RoleArn: aws.String(closed)})
		wantAPIError(t, err, 403, "AccessDenied", denied(w.alice.ARN(), closed))
		_, _, err = assume(alice, sts.AssumeRoleInput{RoleArn: aws.String(partner)})
		wantAPIError(t, err, 403, "AccessDenied", denied(w.alice.ARN(), partner))
		_, _, err = assume(alice, sts.AssumeRoleInput{RoleArn: aws.String(partner), ExternalId: aws.String("ext-wrong")})
		wantAPIError(t, err, 403, "AccessDenied", denied(w.alice.ARN(), partner))
		_, out, err := assume(alice, sts.AssumeRoleInput{RoleArn: aws.String(partner), ExternalId: aws.String("ext-123456")})
		if err != nil {
			t.Fatalf("cross-account AssumeRole with external id: %v", err)
		}
		if got := aws.ToString(out.AssumedRoleUser.Arn); got != "arn:aws:sts::210987654321:assumed-role/partner/alice-session" {
			t.Errorf("Arn = %s", got)
		}
		_, _, err = assume(alice, sts.AssumeRoleInput{RoleArn: aws.String(reader), DurationSeconds: aws.Int32(3601)})
		wantAPIError(t, err, 400, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		_, _, err = assume(alice, sts.AssumeRoleInput{RoleArn: aws.String(reader), DurationSeconds: aws.Int32(43201)})
		wantAPIError(t, err, 400, "ValidationError", "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200")
		_, _, err = assume(alice, sts.AssumeRoleInput{RoleArn: aws.String(reader), RoleSessionName: aws.String("bad name")})
		wantAPIError(t, err, 400, "ValidationError", `1 validation error detected: Value 'bad name' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`)
	})
}

var skewPattern = regexp.MustCompile(`^Signature (expired|not yet current): (\d{8}T\d{6}Z) is (now earlier|still later) than (\d{8}T\d{6}Z) \((\d{8}T\d{6}Z) ([-+]) 15 min\.\)$`)

func TestClockSkew(t *testing.T) {
	for _, tc := range []struct {
		name   string
		offset time.Duration // server clock minus real time
		words  string
		sign   string
	}{
		{"server ahead", 20 * time.Minute, "now earlier", "-"},
		{"server behind", -20 * time.Minute, "still later", "+"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			serverNow := w.now.Add(tc.offset)
			w.clock.Set(serverNow)

			noCorrection := w.client(t, aliceKeyID, aliceSecret, "", func(o *sts.Options) { o.DisableClockSkewCorrection = true })
			_, err := noCorrection.GetCallerIdentity(ctx, nil)
			if err == nil {
				t.Fatal("request signed 20 minutes off the server clock succeeded")
			}
			var msg string
			if ae := apiErrorOf(err); ae != nil && ae.ErrorCode() == "SignatureDoesNotMatch" {
				msg = ae.ErrorMessage()
			} else {
				t.Fatalf("got %v, want SignatureDoesNotMatch", err)
			}
			m := skewPattern.FindStringSubmatch(msg)
			if m == nil || m[3] != tc.words || m[6] != tc.sign {
				t.Fatalf("message %q does not look like AWS's", msg)
			}
			bound := serverNow.Add(-15 * time.Minute)
			if tc.sign == "+" {
				bound = serverNow.Add(15 * time.Minute)
			}
			if m[4] != bound.Format(amzDateFormat) || m[5] != serverNow.Format(amzDateFormat) {
				t.Errorf("message %q: want bound %s and now %s", msg, bound.Format(amzDateFormat), serverNow.Format(amzDateFormat))
			}
			if got := w.srv.Calls("GetCallerIdentity"); got != 1 {
				t.Errorf("Calls = %d, want 1 (no retry without skew correction)", got)
			}

			// The SDK's own correction reads the Date header and retries once.
			if _, err := w.aliceClient(t).GetCallerIdentity(ctx, nil); err != nil {
				t.Fatalf("with clock skew correction: %v", err)
			}
			if got := w.srv.Calls("GetCallerIdentity"); got != 3 {
				t.Errorf("Calls = %d, want 3 (1 + failed attempt + corrected retry)", got)
			}
		})
	}
}

func TestCallsAndReset(t *testing.T) {
	w := newWorld(t)
	c := w.aliceClient(t)
	for i := 0; i < 3; i++ {
		if _, err := c.GetCallerIdentity(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	_, _ = w.client(t, aliceKeyID, bobSecret, "").GetCallerIdentity(ctx, nil)
	if got := w.srv.Calls("GetCallerIdentity"); got != 4 {
		t.Errorf("Calls = %d, want 4", got)
	}
	if got := w.srv.Calls("AssumeRole"); got != 0 {
		t.Errorf("Calls(AssumeRole) = %d, want 0", got)
	}
	w.srv.ResetCalls()
	if got := w.srv.Calls("GetCallerIdentity"); got != 0 {
		t.Errorf("after ResetCalls: %d", got)
	}
}

func TestConcurrentClients(t *testing.T) {
	w := newWorld(t)
	c := w.aliceClient(t)
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				if _, err := c.GetCallerIdentity(ctx, nil); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.srv.AddRole("arn:aws:iam::123456789012:role/late", RoleOptions{})
		w.key.SetActive(true)
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := w.srv.Calls("GetCallerIdentity"); got != 40 {
		t.Errorf("Calls = %d, want 40", got)
	}
}

// A client whose clock is 20 minutes off (simulated by a server clock 20
// minutes off the real one) gets through: the SDK reads the Date header of
// the SignatureDoesNotMatch answer and retries with a corrected signing
// time, once, and keeps the correction for the client's later calls.
func TestSDKCorrectsClientClockOffBy20Minutes(t *testing.T) {
	for _, offset := range []time.Duration{20 * time.Minute, -20 * time.Minute} {
		t.Run(offset.String(), func(t *testing.T) {
			w := newWorld(t)
			w.srv.SetClockOffset(offset)
			c := w.aliceClient(t)
			out, err := c.GetCallerIdentity(ctx, nil)
			if err != nil {
				t.Fatalf("GetCallerIdentity with the clock %v off: %v", offset, err)
			}
			if aws.ToString(out.Arn) != w.alice.ARN() {
				t.Errorf("Arn %s", aws.ToString(out.Arn))
			}
			if got := w.srv.Calls("GetCallerIdentity"); got != 2 {
				t.Errorf("Calls = %d, want 2 (refused, then corrected)", got)
			}
			if _, err := c.GetSessionToken(ctx, nil); err != nil {
				t.Fatalf("second call: %v", err)
			}
			if got := w.srv.Calls("GetSessionToken"); got != 1 {
				t.Errorf("Calls(GetSessionToken) = %d, want 1: the correction is kept", got)
			}
		})
	}
}
