package diagnose

// Explanations of AccessDenied, by the call that was denied: GetSessionToken, CreateAccessKey, AssumeRole, a service call.

import (
	"fmt"
	"strings"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/shell/shellquote"
)

// AccessDenied: which call was denied decides the explanation.
func (c *call) accessDenied() Explanation {
	op, action := c.e.Operation, c.den.action
	switch {
	case op == "GetSessionToken" || action == "sts:GetSessionToken":
		return c.getSessionTokenDenied()
	case op == "AssumeRole" || action == "sts:AssumeRole":
		return c.assumeRoleDenied()
	case op == "CreateAccessKey" || action == "iam:CreateAccessKey":
		return c.createAccessKeyDenied()
	}
	return c.denied()
}

// 9. sts:GetSessionToken not allowed.
func (c *call) getSessionTokenDenied() Explanation {
	st := statement{Effect: "Allow", Action: "sts:GetSessionToken", Resource: "*"}
	x := Explanation{
		ID:     IDGetSessionTokenDeny,
		What:   c.userWho() + " is not allowed to call sts:GetSessionToken, so no MFA session can be made.",
		Cause:  "No IAM policy of the user or its groups allows sts:GetSessionToken.",
		Policy: st.String(),
	}
	if c.den.explicit != "" {
		x.Cause = "An explicit deny in " + c.den.explicit + " forbids sts:GetSessionToken to this user."
	}
	x.Fix = fmt.Sprintf("Add the statement below to user %s or one of its groups; an administrator can run:\n  aws iam put-user-policy --user-name %s --policy-name AllowGetSessionToken --policy-document %s\nThen run %s again.",
		c.userARN(), c.user(), shellquote.Always(st.document()), useCmd(c.profile()))
	if c.den.explicit != "" {
		x.Fix += "\nThe explicit deny must be lifted too: an Allow never overrides it."
	}
	return x
}

// 10. iam:CreateAccessKey not allowed.
func (c *call) createAccessKeyDenied() Explanation {
	st := statement{Effect: "Allow", Action: "iam:CreateAccessKey", Resource: "arn:aws:iam::*:user/${aws:username}"}
	x := Explanation{
		ID:     IDCreateAccessKeyDeny,
		What:   c.userWho() + " is not allowed to create access keys (iam:CreateAccessKey).",
		Cause:  "No policy of the user or its groups allows iam:CreateAccessKey on the user's own keys.",
		Policy: st.String(),
	}
	x.Fix = fmt.Sprintf("Ask an administrator to attach the statement below to %s or one of its groups (${aws:username} limits it to each user's own keys):\n  aws iam put-user-policy --user-name %s --policy-name SelfServiceAccessKeys --policy-document %s",
		c.userARN(), c.user(), shellquote.Always(st.document()))
	if !c.session() {
		x.Fix += fmt.Sprintf("\nIf the account requires MFA for IAM changes, run the call in an MFA session: `awsenv exec %s -- aws iam create-access-key --user-name %s`.", c.profile(), c.user())
	}
	return x
}

// AssumeRole denied: trust policy, MFA condition or a wrong role_arn.
func (c *call) assumeRoleDenied() Explanation {
	p, cfg := c.profile(), c.configFile()
	role := c.f.RoleARN
	if role == "" && awsapi.ParseARN(c.den.resource).Service == "iam" {
		role = c.den.resource
	}
	who := c.userARN()
	st := statement{
		Effect:    "Allow",
		Principal: map[string]string{"AWS": who},
		Action:    "sts:AssumeRole",
		Condition: map[string]map[string]string{"Bool": {"aws:MultiFactorAuthPresent": "true"}},
	}
	x := Explanation{
		ID:     IDAssumeRoleDenied,
		What:   or(c.f.UserName, "Your user") + " may not assume role " + or(role, "ROLE") + " (profile " + p + ").",
		Cause:  "The role's trust policy does not let " + who + " assume it (or asks for MFA), or role_arn under " + configSection(p) + " in " + cfg + " names the wrong role.",
		Policy: st.String(),
	}
	if c.f.Serial == "" {
		x.Cause = "The role's trust policy does not let " + who + " assume it, or requires MFA and this call had none (profile " + p + " has no mfa_serial), or role_arn is wrong."
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Check role_arn = %s under %s in %s.\n", or(role, "..."), configSection(p), cfg)
	fmt.Fprintf(&b, "If it is right, the role's administrator must trust %s in the role's trust policy (statement below).", who)
	if c.f.Serial == "" {
		fmt.Fprintf(&b, "\nIf the trust policy requires MFA, add mfa_serial = %s under %s (or its source profile) so awsenv signs in with MFA.",
			c.serialExample(), configSection(p))
	}
	b.WriteString("\nFor a role in another account, your own policies must also allow sts:AssumeRole on it.")
	x.Fix = b.String()
	return x
}

// 8. Denied on a service call: MFA required (long-term keys) or a missing
// permission (session credentials).
func (c *call) denied() Explanation {
	p := c.profile()
	action := c.den.action
	what := or(action, c.e.Operation)
	if what == "" {
		what = "the request"
	}
	resource := or(c.den.resource, "*")
	sim := "the IAM Policy Simulator (https://policysim.aws.amazon.com/) shows which policy decides"
	switch {
	case c.longTerm():
		return Explanation{
			ID:    IDMFARequired,
			What:  "AWS denied " + what + " to " + c.keyDesc() + ", a long-term key used without MFA.",
			Cause: "The account's policy most likely requires MFA (aws:MultiFactorAuthPresent), and calls signed with long-term keys never carry it.",
			Fix: fmt.Sprintf("Use an MFA session: %s in this shell, or `awsenv exec %s -- COMMAND` for one command; awsenv asks for the code once and every shell reuses the session.\nIf it is still denied then, the user lacks permission for %s: %s.",
				useCmd(p), p, what, sim),
		}
	case c.session():
		who := "these session credentials"
		roleARN := c.f.RoleARN
		switch {
		case c.role != "":
			who = "role " + c.role
			if roleARN == "" {
				roleARN = "arn:aws:iam::" + c.account() + ":role/" + c.role
			}
		case c.f.RoleARN != "":
			who = "role " + c.f.RoleARN
		case c.f.UserARN != "":
			who = c.f.UserARN
		}
		x := Explanation{
			ID:    IDPermissionDenied,
			What:  "AWS denied " + what + " to " + who + ".",
			Cause: strings.ToUpper(who[:1]) + who[1:] + " has no policy that allows " + what + " on " + resource + ".",
		}
		if c.den.explicit != "" {
			x.Cause = "An explicit deny in " + c.den.explicit + " forbids " + what + " to " + who + "."
		}
		target := or(roleARN, or(c.f.UserARN, "the role or user"))
		x.Fix = fmt.Sprintf("Ask your administrator to allow %s for %s, or switch to a profile that has it (`awsenv list`); %s.", what, target, sim)
		if action != "" && c.den.explicit == "" {
			x.Policy = statement{Effect: "Allow", Action: action, Resource: resource}.String()
			x.Fix = fmt.Sprintf("Ask your administrator to add the statement below to %s, or switch to a profile that has it (`awsenv list`); %s.", target, sim)
		}
		return x
	}
	return Explanation{
		ID:    IDAccessDenied,
		What:  "AWS denied " + what + ".",
		Cause: "With long-term keys (AKIA...) the account most likely requires MFA; with session credentials the user or role lacks permission for " + what + ".",
		Fix: fmt.Sprintf("With long-term keys, use an MFA session: %s, or `awsenv exec %s -- COMMAND`.\nWith session credentials, ask your administrator to allow %s; %s.",
			useCmd(p), p, what, sim),
	}
}
