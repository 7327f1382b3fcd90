package credflow

import (
	"fmt"
	"strings"

	"github.com/awsenv/awsenv/internal/stsapi"
	"github.com/awsenv/awsenv/profiles"
)

// fixFor is the one sentence of what to do after an AWS error. The full
// catalogue (with IAM look-ups) belongs to `awsenv doctor`; these cover what
// a person hits while getting a session.
func fixFor(e *stsapi.APIError, p *profiles.Profile) string {
	msg := e.Message
	switch {
	case e.Code == "InvalidClientTokenId":
		return fmt.Sprintf("The access key %s of profile %s is deleted, inactive or mistyped: check aws_access_key_id in %s against `aws iam list-access-keys`.",
			p.AccessKeyID, p.Name, p.KeyFile())
	case e.Code == "SignatureDoesNotMatch" && strings.HasPrefix(msg, "Signature expired"):
		return "Your computer's clock is off: sync it (e.g. `sudo timedatectl set-ntp true` or `sudo ntpdate pool.ntp.org`) and try again."
	case e.Code == "SignatureDoesNotMatch":
		return fmt.Sprintf("The secret key of profile %s does not match its access key %s: check aws_secret_access_key in %s, and that your clock is right.",
			p.Name, p.AccessKeyID, p.KeyFile())
	case e.Code == "AccessDenied" && strings.HasPrefix(msg, stsapi.MsgInvalidMFASerial):
		return fmt.Sprintf("mfa_serial of profile %s is not an MFA device of this user: copy the ARN under \"Assigned MFA device\" in the IAM console (Security credentials) into mfa_serial in %s.",
			p.Name, p.Where())
	case e.Code == "AccessDenied" && strings.HasPrefix(msg, stsapi.MsgInvalidMFACode):
		return "The MFA code was wrong or already used: wait for the next code from your device and run the command again."
	case e.Code == "AccessDenied" && strings.Contains(msg, "Cannot call GetSessionToken with session credentials"):
		return fmt.Sprintf("Profile %s holds session credentials: keep the long-term keys (AKIA...) in their own profile in %s.", p.Name, p.KeyFile())
	case e.Code == "AccessDenied" && e.Operation == "AssumeRole":
		return fmt.Sprintf("Check that role_arn of profile %s is right and that the role's trust policy lets your user assume it (with MFA, if it asks for MFA).", p.Name)
	case e.Code == "AccessDenied":
		return fmt.Sprintf("Your user may lack permission for sts:%s; ask your administrator to allow it.", e.Operation)
	case e.Code == "ExpiredToken":
		return fmt.Sprintf("The session credentials of profile %s have expired: run `awsenv sessions clear %s` and try again.", p.Name, p.Name)
	case e.Code == "ValidationError":
		return "Check the profile's duration_seconds, awsenv_session_duration or --duration against the role's maximum session duration."
	}
	return fmt.Sprintf("Check profile %s in %s, then run again with --debug for details.", p.Name, p.Where())
}
