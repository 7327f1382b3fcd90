package fakeaws

import (
	"path"
	"strings"
)

// Permissions. By default a user may do everything; tests take rights away
// the two ways awsenv's users meet in practice: an explicit Deny statement,
// and AWS's "BlockMostAccessUnlessSignedInWithMFA" example policy. Assumed
// roles are never refused here (their limits are the role's trust policy).

// mfaExempt are the actions BlockMostAccessUnlessSignedInWithMFA leaves
// allowed without MFA (its NotAction list), in lower case.
var mfaExempt = map[string]bool{
	"iam:listmfadevices":        true,
	"iam:listvirtualmfadevices": true,
	"iam:getuser":               true,
	"iam:enablemfadevice":       true,
	"iam:resyncmfadevice":       true,
	"sts:getsessiontoken":       true,
	"sts:getcalleridentity":     true,
}

// Deny attaches an identity-based policy that explicitly denies actions,
// e.g. "iam:CreateAccessKey", "sts:GetSessionToken", "s3:ListAllMyBuckets".
// As in IAM, action names are case-insensitive and may use "*" wildcards
// ("iam:*"). sts:GetCallerIdentity cannot be denied: AWS ignores such denies.
func (u *User) Deny(actions ...string) {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	for _, a := range actions {
		u.denied = append(u.denied, strings.ToLower(a))
	}
}

// RequireMFA attaches AWS's BlockMostAccessUnlessSignedInWithMFA policy: a
// Deny of every action except iam:ListMFADevices, iam:ListVirtualMFADevices,
// iam:GetUser, iam:EnableMFADevice, iam:ResyncMFADevice, sts:GetSessionToken
// and sts:GetCallerIdentity, unless aws:MultiFactorAuthPresent is true. That
// key is true only for temporary credentials obtained with MFA; long-term
// keys do not have it, so they are denied even when the request itself (an
// AssumeRole with SerialNumber and TokenCode) carries a code.
func (u *User) RequireMFA() {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	u.requireMFA = true
}

// authorize evaluates the caller's identity policies for action on
// resource. The caller holds the lock.
func authorize(who *principal, action, resource string) *apiError {
	u := who.user
	if u == nil {
		return nil
	}
	a := strings.ToLower(action)
	if a == "sts:getcalleridentity" {
		return nil
	}
	denied := u.requireMFA && !mfaExempt[a] && (who.session == nil || !who.session.mfa)
	for _, pattern := range u.denied {
		// path.Match's '*' stops at '/', which action names never contain.
		if ok, _ := path.Match(pattern, a); ok {
			denied = true
		}
	}
	if !denied {
		return nil
	}
	return errAccessDenied("User: %s is not authorized to perform: %s on resource: %s with an explicit deny in an identity-based policy", who.arn, action, resource)
}
