package fakeaws

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func explicitDeny(caller, action, resource string) string {
	return "User: " + caller + " is not authorized to perform: " + action + " on resource: " + resource + " with an explicit deny in an identity-based policy"
}

func TestDeny(t *testing.T) {
	w := newWorld(t)
	const admin = "arn:aws:iam::123456789012:role/admin"
	w.srv.AddRole(admin, RoleOptions{})
	alice := w.alice.ARN()
	w.alice.Deny("iam:CreateAccessKey", "STS:getsessiontoken", "sts:AssumeRole", "sts:GetCallerIdentity")
	w.bob.Deny("iam:*")

	wantIAMError(t, w.iam(t, aliceCreds, "CreateAccessKey"), 403, "AccessDenied", explicitDeny(alice, "iam:CreateAccessKey", alice))
	// The resource is the user named, checked before IAM looks for it.
	wantIAMError(t, w.iam(t, aliceCreds, "CreateAccessKey", "UserName", "nobody"), 403, "AccessDenied",
		explicitDeny(alice, "iam:CreateAccessKey", "arn:aws:iam::123456789012:user/nobody"))
	_, err := w.aliceClient(t).GetSessionToken(ctx, nil)
	wantAPIError(t, err, 403, "AccessDenied", explicitDeny(alice, "sts:GetSessionToken", alice))
	_, err = w.aliceClient(t).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(admin), RoleSessionName: aws.String("s1")})
	wantAPIError(t, err, 403, "AccessDenied", explicitDeny(alice, "sts:AssumeRole", admin))
	// AWS lets everyone ask who they are, whatever the policies say.
	if _, err := w.aliceClient(t).GetCallerIdentity(ctx, nil); err != nil {
		t.Errorf("GetCallerIdentity with a deny: %v", err)
	}
	// What is not denied is allowed.
	var list iamListKeys
	decodeOK(t, w.iam(t, aliceCreds, "ListAccessKeys"), &list)

	// Wildcards: every IAM action of bob's, on whichever user.
	bobCreds := &stsCreds{bobKeyID, bobSecret, ""}
	for _, tc := range []struct{ action, resource string }{
		{"ListAccessKeys", w.bob.ARN()},
		{"ListMFADevices", w.bob.ARN()},
		{"DeleteAccessKey", w.bob.ARN()},
	} {
		wantIAMError(t, w.iam(t, bobCreds, tc.action, "AccessKeyId", bobKeyID), 403, "AccessDenied", explicitDeny(w.bob.ARN(), "iam:"+tc.action, tc.resource))
	}
	wantIAMError(t, w.iam(t, bobCreds, "GetAccessKeyLastUsed", "AccessKeyId", aliceKeyID), 403, "AccessDenied",
		explicitDeny(w.bob.ARN(), "iam:GetAccessKeyLastUsed", alice))
	if _, err := w.client(t, bobKeyID, bobSecret, "").GetSessionToken(ctx, nil); err != nil {
		t.Errorf("bob's STS is not denied by iam:*: %v", err)
	}
	if len(w.bob.Keys()) != 1 || len(w.alice.Keys()) != 1 {
		t.Error("a denied request changed keys")
	}
}

func TestRequireMFA(t *testing.T) {
	w := newWorld(t)
	const admin = "arn:aws:iam::123456789012:role/admin"
	w.srv.AddRole(admin, RoleOptions{})
	w.alice.RequireMFA()
	alice := w.alice.ARN()
	assume := func(c *sts.Client, mfa bool) error {
		in := &sts.AssumeRoleInput{RoleArn: aws.String(admin), RoleSessionName: aws.String("s1")}
		if mfa {
			in.SerialNumber, in.TokenCode = aws.String(aliceSerial), aws.String(w.code(aliceTOTP, -30*time.Second))
		}
		_, err := c.AssumeRole(ctx, in)
		return err
	}

	// Long-term keys: only the listed actions.
	wantIAMError(t, w.iam(t, aliceCreds, "CreateAccessKey"), 403, "AccessDenied", explicitDeny(alice, "iam:CreateAccessKey", alice))
	wantIAMError(t, w.iam(t, aliceCreds, "ListAccessKeys"), 403, "AccessDenied", explicitDeny(alice, "iam:ListAccessKeys", alice))
	var devices iamListMFA
	decodeOK(t, w.iam(t, aliceCreds, "ListMFADevices"), &devices)
	if _, err := w.aliceClient(t).GetCallerIdentity(ctx, nil); err != nil {
		t.Errorf("GetCallerIdentity: %v", err)
	}
	wantAPIError(t, assume(w.aliceClient(t), false), 403, "AccessDenied", explicitDeny(alice, "sts:AssumeRole", admin))
	// A code in the AssumeRole request does not help: the request is still
	// signed with long-term keys, which carry no aws:MultiFactorAuthPresent.
	wantAPIError(t, assume(w.aliceClient(t), true), 403, "AccessDenied", explicitDeny(alice, "sts:AssumeRole", admin))

	// A session without MFA is no better (and IAM refuses it outright).
	plain, err := w.aliceClient(t).GetSessionToken(ctx, nil)
	if err != nil {
		t.Fatalf("GetSessionToken without MFA: %v", err)
	}
	wantAPIError(t, assume(sessionClient(t, w, credsFrom(plain.Credentials)), false), 403, "AccessDenied", explicitDeny(alice, "sts:AssumeRole", admin))

	// A session with MFA may do everything.
	out, err := w.aliceClient(t).GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(aliceSerial), TokenCode: aws.String(w.code(aliceTOTP, 0))})
	if err != nil {
		t.Fatalf("GetSessionToken with MFA: %v", err)
	}
	mfa := credsFrom(out.Credentials)
	var created iamCreateKey
	decodeOK(t, w.iam(t, mfa, "CreateAccessKey"), &created)
	if err := assume(sessionClient(t, w, mfa), false); err != nil {
		t.Errorf("AssumeRole from the MFA session: %v", err)
	}

	// Other users are not affected.
	if _, err := w.client(t, bobKeyID, bobSecret, "").AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(admin), RoleSessionName: aws.String("s2")}); err != nil {
		t.Errorf("bob: %v", err)
	}
}
