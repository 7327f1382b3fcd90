// Package accesskeys looks after an IAM user's own long-term access keys:
// listing them with their last use, and rotating the one a profile holds
// so that no step, even a kill, can leave the user without a working key.
package accesskeys

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
)

// Key is one access key with what is known of its use.
type Key struct {
	awsapi.AccessKey
	LastUsed *awsapi.LastUsed `json:"last_used,omitempty"` // nil when IAM would not say
	InFile   bool             `json:"in_file"`             // the key the profile's file holds
}

// Caller makes IAM calls for one profile: with its long-term key, and,
// when IAM refuses that and the profile has an MFA device, with an MFA
// session (the common "deny everything without MFA" policy allows
// GetSessionToken but not iam:ListAccessKeys).
type Caller struct {
	IAM    awsapi.IAM
	STS    awsapi.STS
	Target awsapi.Target
	Key    profiles.Credentials // the long-term key the calls start with
	// MFASession returns MFA session credentials for the profile; nil when
	// the profile has no mfa_serial.
	MFASession func(ctx context.Context) (profiles.Credentials, error)
	Notef      func(format string, args ...any)

	mfa *profiles.Credentials
}

// Call is how the next IAM call is signed.
func (c *Caller) Call() awsapi.IAMCall {
	if c.mfa != nil {
		return awsapi.IAMCall{Target: c.Target, Credentials: *c.mfa}
	}
	return awsapi.IAMCall{Target: c.Target, Credentials: c.Key}
}

// Do runs fn, and once more with an MFA session if IAM refused the
// long-term key.
func (c *Caller) Do(ctx context.Context, fn func(awsapi.IAMCall) error) error {
	err := fn(c.Call())
	if c.mfa != nil || c.MFASession == nil || !IsAccessDenied(err) {
		return err
	}
	creds, merr := c.MFASession(ctx)
	if merr != nil {
		return fmt.Errorf("%w (an MFA session, tried because of that, failed too: %v)", err, merr)
	}
	if c.Notef != nil {
		c.Notef("IAM refused the long-term key %s without MFA; using an MFA session instead.", c.Key.AccessKeyID)
	}
	c.mfa = &creds
	return fn(c.Call())
}

// UsingMFA reports whether calls are now signed with an MFA session.
func (c *Caller) UsingMFA() bool { return c.mfa != nil }

// IsAccessDenied reports an AWS refusal on permissions.
func IsAccessDenied(err error) bool {
	var api *awsapi.APIError
	return errors.As(err, &api) && (api.Code == "AccessDenied" || api.Code == "AccessDeniedException")
}

// IsCode reports an AWS error with that code.
func IsCode(err error, code string) bool {
	var api *awsapi.APIError
	return errors.As(err, &api) && api.Code == code
}

// Whoami returns the user behind the long-term key. Keys of the root user
// or of anything but an IAM user are refused: awsenv manages user keys.
func (c *Caller) Whoami(ctx context.Context) (awsapi.Identity, string, error) {
	id, err := c.STS.GetCallerIdentity(ctx, c.Target, c.Key)
	if err != nil {
		return id, "", err
	}
	name := awsapi.ParseARN(id.ARN).UserName()
	if name == "" {
		return id, "", fmt.Errorf("the key %s belongs to %s, not an IAM user. awsenv manages IAM users' keys; use the IAM console for this one.", c.Key.AccessKeyID, id.ARN)
	}
	return id, name, nil
}

// List returns the user's keys, oldest first, with their last use where
// IAM tells it. fileKeyID marks the profile's own key.
func (c *Caller) List(ctx context.Context, user, fileKeyID string) ([]Key, error) {
	var ks []awsapi.AccessKey
	err := c.Do(ctx, func(call awsapi.IAMCall) error {
		var err error
		ks, err = c.IAM.ListAccessKeys(ctx, call, user)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]Key, 0, len(ks))
	for _, k := range ks {
		key := Key{AccessKey: k, InFile: k.ID == fileKeyID}
		var lu awsapi.LastUsed
		if err := c.Do(ctx, func(call awsapi.IAMCall) error {
			var err error
			lu, err = c.IAM.GetAccessKeyLastUsed(ctx, call, k.ID)
			return err
		}); err == nil {
			key.LastUsed = &lu
		}
		out = append(out, key)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, nil
}
