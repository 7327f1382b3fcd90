package helper

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
)

const (
	motoSerial = "arn:aws:iam::123456789012:mfa/alice"
	// setupCalls is how many calls motoWorld makes before moto checks.
	setupCalls = 5
)

// motoWorld starts moto_server with user alice, who may do anything in
// IAM, has one access key and a virtual MFA device. The setup uses moto's
// free calls; every later call must be signed with a key moto knows.
func motoWorld(t *testing.T) (endpoint string, alice profiles.Credentials) {
	t.Helper()
	endpoint = startMoto(t, setupCalls)
	// The SDK directly, not through the helper: these calls are outside
	// awsapi. iam.New reads no environment.
	admin := iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("AKIAFREECALLSEXAMPLE", "free", "")})
	ctx := context.Background()
	user := aws.String("alice")
	steps := []func() error{
		func() error { _, err := admin.CreateUser(ctx, &iam.CreateUserInput{UserName: user}); return err },
		func() error {
			_, err := admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: user, PolicyName: aws.String("iam"),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`)})
			return err
		},
		func() error {
			out, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: user})
			if err == nil {
				alice = profiles.Credentials{AccessKeyID: aws.ToString(out.AccessKey.AccessKeyId),
					SecretAccessKey: profiles.Secret(aws.ToString(out.AccessKey.SecretAccessKey))}
			}
			return err
		},
		func() error {
			_, err := admin.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: user})
			return err
		},
		func() error {
			_, err := admin.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: user, SerialNumber: aws.String(motoSerial),
				AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("654321")})
			return err
		},
	}
	if len(steps) != setupCalls {
		t.Fatalf("%d setup steps, but moto gives %d free calls", len(steps), setupCalls)
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("moto setup step %d: %v", i+1, err)
		}
	}
	return endpoint, alice
}

func wantAPIError(t *testing.T, err error, op, code string, status int) {
	t.Helper()
	var api *awsapi.APIError
	if !errors.As(err, &api) {
		t.Fatalf("%s: err = %#v, want *awsapi.APIError", op, err)
	}
	if api.Operation != op || (code != "" && api.Code != code) || api.HTTPStatus != status || api.RequestID == "" {
		t.Fatalf("%s: err = %+v, want code %q, HTTP %d and a request id", op, *api, code, status)
	}
}

// A user looks after their own keys through the helper, as `awsenv keys`
// and `awsenv rotate` do: list, create, use, deactivate, last use, delete,
// and the MFA devices `awsenv doctor` checks.
func TestIAMThroughTheHelperAgainstMoto(t *testing.T) {
	t.Parallel()
	endpoint, alice := motoWorld(t)
	c, stderr := newClient(t, endpoint)
	ctx := context.Background()
	as := func(creds profiles.Credentials) awsapi.IAMCall { return awsapi.IAMCall{Credentials: creds} }
	secrets := []string{alice.SecretAccessKey.Reveal()}
	var errs []error

	// moto now checks signatures: a wrong secret is refused.
	wrong := alice
	wrong.SecretAccessKey = "not-alices-secret"
	_, err := c.ListAccessKeys(ctx, as(wrong), "")
	wantAPIError(t, err, "ListAccessKeys", "", 403)
	errs = append(errs, err)

	// No user name: the signer's keys.
	keys, err := c.ListAccessKeys(ctx, as(alice), "")
	if err != nil {
		t.Fatalf("ListAccessKeys: %v\nstderr: %s", err, stderr)
	}
	if len(keys) != 1 || keys[0].ID != alice.AccessKeyID || keys[0].Status != awsapi.StatusActive ||
		keys[0].UserName != "alice" || keys[0].Created.IsZero() {
		t.Fatalf("keys = %+v", keys)
	}

	nk, err := c.CreateAccessKey(ctx, as(alice), "alice")
	if err != nil {
		t.Fatalf("CreateAccessKey: %v", err)
	}
	secrets = append(secrets, nk.Secret.Reveal())
	if !strings.HasPrefix(nk.ID, "AKIA") || len(nk.Secret.Reveal()) != 40 || nk.Status != awsapi.StatusActive ||
		nk.UserName != "alice" || nk.Created.IsZero() {
		t.Fatalf("new key = %+v (secret %d characters)", nk, len(nk.Secret.Reveal()))
	}
	// The secret crossed the pipe intact: moto accepts the new key.
	newKey := profiles.Credentials{AccessKeyID: nk.ID, SecretAccessKey: nk.Secret}
	keys, err = c.ListAccessKeys(ctx, as(newKey), "alice")
	if err != nil || len(keys) != 2 {
		t.Fatalf("ListAccessKeys with the new key: %v, %+v", err, keys)
	}

	_, err = c.CreateAccessKey(ctx, as(alice), "alice")
	wantAPIError(t, err, "CreateAccessKey", "LimitExceeded", 409)
	errs = append(errs, err)

	if err := c.UpdateAccessKey(ctx, as(alice), "alice", nk.ID, awsapi.StatusInactive); err != nil {
		t.Fatalf("UpdateAccessKey: %v", err)
	}
	keys, err = c.ListAccessKeys(ctx, as(alice), "alice")
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, k := range keys {
		status[k.ID] = k.Status
	}
	if status[alice.AccessKeyID] != awsapi.StatusActive || status[nk.ID] != awsapi.StatusInactive {
		t.Fatalf("statuses after UpdateAccessKey: %v", status)
	}

	lu, err := c.GetAccessKeyLastUsed(ctx, as(alice), alice.AccessKeyID)
	if err != nil {
		t.Fatalf("GetAccessKeyLastUsed: %v", err)
	}
	if lu.Date.IsZero() || lu.Service != "iam" || lu.UserName != "alice" {
		t.Fatalf("last used = %+v", lu)
	}

	if err := c.DeleteAccessKey(ctx, as(alice), "alice", nk.ID); err != nil {
		t.Fatalf("DeleteAccessKey: %v", err)
	}
	keys, err = c.ListAccessKeys(ctx, as(alice), "alice")
	if err != nil || len(keys) != 1 || keys[0].ID != alice.AccessKeyID {
		t.Fatalf("keys after DeleteAccessKey: %v, %+v", err, keys)
	}
	err = c.DeleteAccessKey(ctx, as(alice), "alice", nk.ID)
	wantAPIError(t, err, "DeleteAccessKey", "NoSuchEntity", 404)
	errs = append(errs, err)

	// moto needs the user name here (AWS would take the signer's).
	devices, err := c.ListMFADevices(ctx, as(alice), "alice")
	if err != nil {
		t.Fatalf("ListMFADevices: %v", err)
	}
	if len(devices) != 1 || devices[0].Serial != motoSerial || devices[0].Enabled.IsZero() || devices[0].UserName != "alice" {
		t.Fatalf("MFA devices = %+v", devices)
	}

	// moto's clock is this machine's.
	if d, known := c.ClockSkew(); !known || !near(d, 0) {
		t.Fatalf("skew against moto = %v (known %v)", d, known)
	}
	for _, s := range secrets {
		if strings.Contains(stderr.String(), s) {
			t.Fatal("a secret reached the helper's stderr")
		}
		for _, e := range errs {
			if strings.Contains(e.Error(), s) {
				t.Fatalf("a secret is in the error %v", e)
			}
		}
	}
}
