package diagnose

// Explanations of ValidationError: the parameter AWS refused and the setting that holds it.

import (
	"fmt"
	"strings"

	"github.com/awsenv/awsenv/internal/awsapi"
)

// ValidationError: which parameter AWS refused.
func (c *call) validation() Explanation {
	p, cfg := c.profile(), c.configFile()
	lower := strings.ToLower(c.msg)
	switch {
	case strings.Contains(lower, "durationseconds") || strings.Contains(lower, "maxsessionduration"):
		return c.invalidDuration()
	case strings.Contains(lower, "serialnumber"):
		return Explanation{
			ID:    IDMFASerialInvalid,
			What:  "AWS refused " + or(c.f.Serial, "the MFA serial") + c.opDesc() + ": it is not a valid MFA device serial.",
			Cause: "mfa_serial under " + configSection(p) + " in " + cfg + " must be a device's ARN (arn:aws:iam::ACCOUNT:mfa/NAME) or a hardware device's serial number.",
			Fix: fmt.Sprintf("Copy the ARN under \"Assigned MFA device\" in the IAM console (Users > %s > Security credentials) and set it under %s in %s:\n  mfa_serial = arn:aws:iam::%s:mfa/DEVICE-NAME",
				c.user(), configSection(p), cfg, c.account()),
		}
	case strings.Contains(lower, "tokencode"):
		return Explanation{
			ID:     IDMFACodeInvalid,
			What:   "AWS refused the MFA code" + c.opDesc() + ": it is not a 6-digit code.",
			Cause:  "The code given (or the provider's output) is not six digits.",
			Fix:    "Enter the 6-digit code your device shows now; if a provider gives it, check its awsenv_mfa_* settings under " + configSection(p) + " in " + cfg + ".",
			Repair: RepairNewCode,
		}
	case strings.Contains(lower, "rolearn"):
		role := or(c.f.RoleARN, "the role ARN")
		return Explanation{
			ID:    IDInvalidRoleARN,
			What:  "AWS refused " + role + c.opDesc() + ": it is not a valid role ARN.",
			Cause: "role_arn under " + configSection(p) + " in " + cfg + " is mistyped.",
			Fix:   "Set role_arn under " + configSection(p) + " in " + cfg + " to the role's ARN, e.g. arn:aws:iam::" + c.account() + ":role/ROLE-NAME (the IAM console shows it on the role's page).",
		}
	}
	return Explanation{
		ID:    IDValidation,
		What:  "AWS refused a parameter of the request" + c.opDesc() + ": " + strings.TrimRight(Redact(c.msg), ".") + ".",
		Cause: "A setting of profile " + p + " has a value AWS does not accept.",
		Fix:   "Check the settings under " + configSection(p) + " in " + cfg + " (role_session_name, external_id, duration_seconds) against the message.",
	}
}

func (c *call) invalidDuration() Explanation {
	p, cfg := c.profile(), c.configFile()
	x := Explanation{
		ID:    IDInvalidDuration,
		What:  "AWS refused the session length asked for profile " + p + c.opDesc() + ".",
		Cause: "GetSessionToken sessions last 15 minutes to 36 hours (1 hour at most for the root user).",
		Fix:   "Ask for less: lower awsenv_session_duration under " + configSection(p) + " in " + cfg + ", or pass a shorter --duration.",
	}
	if c.e.Operation == "AssumeRole" || c.f.RoleARN != "" {
		role := or(c.f.RoleARN, "the role")
		name := or(awsapi.ParseARN(c.f.RoleARN).RoleName(), "ROLE-NAME")
		x.Cause = "The duration asked for is longer than the maximum session duration of " + role + " (1 hour unless the role allows more, and 1 hour at most when a role is assumed with session credentials)."
		x.Fix = fmt.Sprintf("Lower duration_seconds under %s in %s (or pass a shorter --duration), or have the role's maximum raised: `aws iam update-role --role-name %s --max-session-duration 43200`.",
			configSection(p), cfg, name)
	}
	return x
}
