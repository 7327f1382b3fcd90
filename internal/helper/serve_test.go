package helper

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
)

// recordingIAM is an awsapi.IAM that remembers its arguments, reports
// a clock skew when skew is set, and answers with fixed values or err.
type recordingIAM struct {
	skew *time.Duration
	err  error
	got  []string
}

func (f *recordingIAM) record(ctx context.Context, c awsapi.IAMCall, args ...string) {
	if f.skew != nil {
		awsapi.ClockSkewObserver(ctx)(*f.skew)
	}
	f.got = append(f.got, strings.Join(append([]string{c.Profile, c.Region, c.Credentials.AccessKeyID, c.Credentials.SecretAccessKey.Reveal()}, args...), " "))
}

var created = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

func (f *recordingIAM) ListAccessKeys(ctx context.Context, c awsapi.IAMCall, user string) ([]awsapi.AccessKey, error) {
	f.record(ctx, c, "list", user)
	return []awsapi.AccessKey{{ID: "AKIA1", Status: awsapi.StatusActive, Created: created}}, f.err
}
func (f *recordingIAM) CreateAccessKey(ctx context.Context, c awsapi.IAMCall, user string) (awsapi.NewKey, error) {
	f.record(ctx, c, "create", user)
	return awsapi.NewKey{ID: "AKIA2", Secret: "new-secret", Status: awsapi.StatusActive, Created: created}, f.err
}
func (f *recordingIAM) UpdateAccessKey(ctx context.Context, c awsapi.IAMCall, user, id, status string) error {
	f.record(ctx, c, "update", user, id, status)
	return f.err
}
func (f *recordingIAM) DeleteAccessKey(ctx context.Context, c awsapi.IAMCall, user, id string) error {
	f.record(ctx, c, "delete", user, id)
	return f.err
}
func (f *recordingIAM) GetAccessKeyLastUsed(ctx context.Context, c awsapi.IAMCall, id string) (awsapi.LastUsed, error) {
	f.record(ctx, c, "lastused", id)
	return awsapi.LastUsed{Date: created, Service: "iam", Region: "us-east-1"}, f.err
}
func (f *recordingIAM) ListMFADevices(ctx context.Context, c awsapi.IAMCall, user string) ([]awsapi.MFADevice, error) {
	f.record(ctx, c, "mfa", user)
	return []awsapi.MFADevice{{Serial: "arn:aws:iam::123456789012:mfa/alice", Enabled: created}}, f.err
}

func serve(t *testing.T, h Handlers, req Request) (Response, string) {
	t.Helper()
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Serve(context.Background(), bytes.NewReader(in), &out, h); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	var resp Response
	if err := json.Unmarshal(out.Bytes(), &resp); err != nil {
		t.Fatalf("response %s: %v", out.String(), err)
	}
	return resp, out.String()
}

// Every IAM request reaches its method with every argument, across JSON.
func TestServeIAMRequests(t *testing.T) {
	call := awsapi.IAMCall{Target: awsapi.Target{Profile: "alice", Region: "eu-west-1"},
		Credentials: profiles.Credentials{AccessKeyID: "AKIAME", SecretAccessKey: "my-secret"}}
	in := func(user, key, status string) *IAMInput {
		return &IAMInput{IAMCall: call, UserName: user, KeyID: key, Status: status}
	}
	const who = "alice eu-west-1 AKIAME my-secret "
	for _, tc := range []struct {
		req   Request
		want  string
		check func(Response) bool
	}{
		{Request{ListAccessKeys: in("bob", "", "")}, who + "list bob",
			func(r Response) bool { return len(r.AccessKeys) == 1 && r.AccessKeys[0].Created.Equal(created) }},
		{Request{CreateAccessKey: in("", "", "")}, who + "create ",
			func(r Response) bool { return r.NewKey != nil && r.NewKey.Secret.Reveal() == "new-secret" }},
		{Request{UpdateAccessKey: in("bob", "AKIA2", awsapi.StatusInactive)}, who + "update bob AKIA2 Inactive",
			func(r Response) bool { return r.APIError == nil && r.TransportError == nil }},
		{Request{DeleteAccessKey: in("bob", "AKIA2", "")}, who + "delete bob AKIA2",
			func(r Response) bool { return r.APIError == nil && r.TransportError == nil }},
		{Request{GetAccessKeyLastUsed: in("", "AKIA1", "")}, who + "lastused AKIA1",
			func(r Response) bool { return r.LastUsed != nil && r.LastUsed.Service == "iam" }},
		{Request{ListMFADevices: in("bob", "", "")}, who + "mfa bob",
			func(r Response) bool { return len(r.MFADevices) == 1 && r.MFADevices[0].Serial != "" }},
	} {
		iam := &recordingIAM{}
		resp, raw := serve(t, Handlers{IAM: iam}, tc.req)
		if len(iam.got) != 1 || iam.got[0] != tc.want {
			t.Errorf("IAM got %q, want %q", iam.got, tc.want)
		}
		if !tc.check(resp) {
			t.Errorf("response for %q: %s", tc.want, raw)
		}
		if resp.ClockSkew != nil {
			t.Errorf("%q: clock skew %v reported though nothing measured one", tc.want, *resp.ClockSkew)
		}
	}
}

// The skew a call measured comes back, failed calls included, as
// nanoseconds.
func TestServeReportsClockSkew(t *testing.T) {
	skew := 3*time.Minute + 500*time.Millisecond
	iam := &recordingIAM{skew: &skew, err: &awsapi.APIError{Operation: "ListAccessKeys", Code: "AccessDenied", Message: "no", HTTPStatus: 403}}
	resp, raw := serve(t, Handlers{IAM: iam}, Request{ListAccessKeys: &IAMInput{}})
	if resp.APIError == nil || resp.APIError.Code != "AccessDenied" || resp.AccessKeys != nil {
		t.Fatalf("response: %s", raw)
	}
	if resp.ClockSkew == nil || *resp.ClockSkew != skew || !strings.Contains(raw, `"clock_skew":180500000000`) {
		t.Fatalf("clock skew not carried: %s", raw)
	}
}

// A helper without an IAM client says so instead of crashing.
func TestServeWithoutIAM(t *testing.T) {
	resp, raw := serve(t, Handlers{}, Request{DeleteAccessKey: &IAMInput{KeyID: "AKIA1"}})
	if resp.TransportError == nil || resp.TransportError.Message != errNoIAM.Error() {
		t.Fatalf("response: %s", raw)
	}
}
