package doctor_test

// The doubles of AWS that doctor talks to, and the AWS answers the tests
// build. This is the only test file that names the AWS API packages, so
// renaming them is an edit of this file alone.

import (
	"context"
	"sync"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
)

// apiError is an answer from AWS that says no.
func apiError(code, message string) error {
	return &awsapi.APIError{Operation: "GetCallerIdentity", Code: code, Message: message, HTTPStatus: 403}
}

// transportError is a call that got no answer.
func transportError() error {
	return &awsapi.TransportError{Operation: "GetCallerIdentity", Message: "dial tcp: connection refused"}
}

// fakeSTS answers GetCallerIdentity by access key id; the calls doctor
// does not make are left to the embedded nil interface (they panic).
type fakeSTS struct {
	awsapi.STS
	mu      sync.Mutex
	arns    map[string]string // key id -> caller ARN
	errs    map[string]error  // key id -> the error AWS gives
	callers []string          // the key ids asked about, in order
}

func newFakeSTS() *fakeSTS {
	return &fakeSTS{arns: map[string]string{}, errs: map[string]error{}}
}

func (f *fakeSTS) GetCallerIdentity(_ context.Context, _ awsapi.Target, c profiles.Credentials) (awsapi.Identity, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.callers = append(f.callers, c.AccessKeyID)
	if err := f.errs[c.AccessKeyID]; err != nil {
		return awsapi.Identity{}, err
	}
	arn, ok := f.arns[c.AccessKeyID]
	if !ok {
		return awsapi.Identity{}, apiError("InvalidClientTokenId", "The security token included in the request is invalid.")
	}
	return awsapi.Identity{Account: "123456789012", ARN: arn, UserID: "AIDAEXAMPLE"}, nil
}

// fakeKey is one access key as IAM lists it.
type fakeKey struct {
	ID      string
	Active  bool
	Created time.Time
}

// fakeIAM lists a user's keys and MFA devices, or fails with keysErr and
// devicesErr.
type fakeIAM struct {
	awsapi.IAM
	mu         sync.Mutex
	keys       []fakeKey
	keysErr    error
	serials    []string
	devicesErr error
	users      []string // the user names asked about
}

func (f *fakeIAM) ListAccessKeys(_ context.Context, _ awsapi.IAMCall, user string) ([]awsapi.AccessKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users = append(f.users, user)
	if f.keysErr != nil {
		return nil, f.keysErr
	}
	var out []awsapi.AccessKey
	for _, k := range f.keys {
		status := awsapi.StatusInactive
		if k.Active {
			status = awsapi.StatusActive
		}
		out = append(out, awsapi.AccessKey{ID: k.ID, Status: status, Created: k.Created, UserName: user})
	}
	return out, nil
}

func (f *fakeIAM) ListMFADevices(_ context.Context, _ awsapi.IAMCall, user string) ([]awsapi.MFADevice, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users = append(f.users, user)
	if f.devicesErr != nil {
		return nil, f.devicesErr
	}
	var out []awsapi.MFADevice
	for _, s := range f.serials {
		out = append(out, awsapi.MFADevice{Serial: s, UserName: user})
	}
	return out, nil
}

// fakeSSO gives role credentials for any token, or fails with roleErr.
type fakeSSO struct {
	awsapi.SSO
	mu      sync.Mutex
	roleErr error
	asked   []string // account/role asked for
	tokens  []string // the access tokens it was given
}

func (f *fakeSSO) GetRoleCredentials(_ context.Context, in awsapi.RoleInput) (profiles.Credentials, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, in.AccountID+"/"+in.RoleName)
	f.tokens = append(f.tokens, in.AccessToken.Reveal())
	if f.roleErr != nil {
		return profiles.Credentials{}, f.roleErr
	}
	return profiles.Credentials{AccessKeyID: "ASIASSOEXAMPLE000000", SecretAccessKey: "s", SessionToken: "t"}, nil
}
