package diagnose

import (
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
)

// Example values from AWS's documentation; nothing real.
const (
	keyID     = "AKIAIOSFODNN7EXAMPLE"
	oldKeyID  = "AKIAI44QH8DHBEXAMPLE"
	sessKeyID = "ASIAIOSFODNN7EXAMPLE"
	secret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	userARN   = "arn:aws:iam::123456789012:user/alice"
	serial    = "arn:aws:iam::123456789012:mfa/alice"
	credFile  = "/home/alice/.aws/credentials"
	cfgFile   = "/home/alice/.aws/config"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// alice is an IAM user profile with long-term keys and an MFA device.
func alice() Facts {
	return Facts{
		Profile: "alice", KeyFile: credFile, ConfigFile: cfgFile,
		KeyID: keyID, FileKeyID: keyID,
		UserARN: userARN, UserName: "alice", Account: "123456789012",
		Serial: serial, Now: now,
	}
}

func apiErr(op, code, msg string) *awsapi.APIError {
	return &awsapi.APIError{Operation: op, Code: code, Message: msg}
}

// The messages as AWS sends them (the seed's wording; two spaces after
// "code." in the serial one).
const (
	msgBadToken    = "The security token included in the request is invalid."
	msgSigMismatch = "The request signature we calculated does not match the signature you provided. Check your key and signing method."
	msgNoKey       = "The AWS Access Key Id you provided does not exist in our records."
	msgBadSerial   = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."
	msgBadCode     = "MultiFactorAuthentication failed with invalid MFA one time pass code."
	msgSessionGST  = "Cannot call GetSessionToken with session credentials"
	msgMalformed   = "The provided token is malformed or otherwise invalid."
	msgExpired     = "The security token included in the request is expired"
	msgKeyQuota    = "Cannot exceed quota for AccessKeysPerUser: 2"
)

type explainCase struct {
	name   string
	err    *awsapi.APIError
	facts  func(*Facts)
	id     string
	want   []string // in What, Cause or Fix
	not    []string // nowhere in the explanation
	policy []string // in Policy; nil means no policy
	repair Repair
	subj   string
}

func explainCases() []explainCase {
	retired := now.Add(-22 * 24 * time.Hour)
	return []explainCase{
		// 1.
		{name: "invalid client token, key from the file", err: apiErr("GetSessionToken", "InvalidClientTokenId", msgBadToken),
			id: IDInvalidClientToken,
			want: []string{"access key " + keyID + " of profile alice", "when calling GetSessionToken", "[alice] in " + credFile,
				"`awsenv keys alice`", "`aws iam list-access-keys --user-name alice`", "--access-key-id " + keyID + " --status Active", "Users > alice > Security credentials"}},
		{name: "invalid client token, key from the environment", err: apiErr("ListBuckets", "InvalidClientTokenId", msgBadToken),
			facts: func(f *Facts) { f.EnvKeyID = keyID },
			id:    IDInvalidClientToken,
			want:  []string{"AWS_ACCESS_KEY_ID " + keyID + " in your environment", "mistyped when it was exported", `eval "$(awsenv use alice)"`}},
		{name: "invalid client token, other services' alias", err: apiErr("ListTables", "UnrecognizedClientException", msgBadToken),
			id: IDInvalidClientToken, want: []string{keyID}},
		{name: "invalid client token with session credentials", err: apiErr("GetCallerIdentity", "InvalidClientTokenId", msgBadToken),
			facts: func(f *Facts) { f.KeyID, f.Temporary = sessKeyID, true },
			id:    IDInvalidSessionToken, repair: RepairDropSession,
			want: []string{"session key " + sessKeyID + " that awsenv made for profile alice", "`awsenv sessions clear alice`"}},
		{name: "long-term key with a stray token in the environment", err: apiErr("ListBuckets", "InvalidToken", msgMalformed),
			facts: func(f *Facts) { f.EnvKeyID, f.EnvToken = keyID, true },
			id:    IDStraySessionToken,
			want:  []string{"AWS_ACCESS_KEY_ID " + keyID + " in your environment", "`unset AWS_SESSION_TOKEN AWS_SECURITY_TOKEN`"}},
		{name: "long-term key with a stray token in the file", err: apiErr("GetCallerIdentity", "InvalidClientTokenId", msgBadToken),
			facts: func(f *Facts) { f.FileToken = true },
			id:    IDStraySessionToken,
			want:  []string{"Remove aws_session_token under [alice] in " + credFile}},
		// 12. through errors.
		{name: "old key in the environment, rotated away", err: apiErr("ListBuckets", "InvalidClientTokenId", msgBadToken),
			facts: func(f *Facts) {
				f.KeyID, f.EnvKeyID = oldKeyID, oldKeyID
				f.Retired = map[string]time.Time{oldKeyID: retired}
			},
			id:   IDStaleKey,
			want: []string{"AWS_ACCESS_KEY_ID in your environment is the old key " + oldKeyID, "rotated away on 2026-11-01 (22 days ago)", `eval "$(awsenv use alice)"`, `eval "$(awsenv unset)"`},
			not:  []string{"on purpose"}},
		{name: "old key in the environment, not the file's", err: apiErr("ListBuckets", "InvalidAccessKeyId", msgNoKey),
			facts: func(f *Facts) { f.KeyID, f.EnvKeyID = oldKeyID, oldKeyID },
			id:    IDStaleKey,
			want:  []string{oldKeyID + ", not the key profile alice holds now (" + keyID + ")", credFile, `eval "$(awsenv use alice)"`}},
		{name: "rotated key back in the file", err: apiErr("GetSessionToken", "InvalidClientTokenId", msgBadToken),
			facts: func(f *Facts) {
				f.KeyID, f.FileKeyID = oldKeyID, oldKeyID
				f.Retired = map[string]time.Time{oldKeyID: retired}
			},
			id:   IDStaleKey,
			want: []string{"Access key " + oldKeyID + ", which awsenv rotated away on 2026-11-01", "[alice] in " + credFile + " holds the old key again", "`grep -rn " + oldKeyID + " ~/.aws`"}},
		// 2.
		{name: "clock skew measured", err: apiErr("GetSessionToken", "SignatureDoesNotMatch", msgSigMismatch),
			facts: func(f *Facts) { f.Skew, f.SkewKnown = 7*time.Minute+12*time.Second, true },
			id:    IDClockSkew,
			want:  []string{"7m12s behind AWS", "within 5 minutes", "`sudo timedatectl set-ntp true`", "`sudo ntpdate pool.ntp.org`"}},
		{name: "clock skew from the message, behind", err: apiErr("ListBuckets", "SignatureDoesNotMatch",
			"Signature expired: 20260101T000000Z is now earlier than 20260101T001500Z (20260101T002000Z - 5 min.)"),
			id: IDClockSkew, want: []string{"20m0s behind AWS"}},
		{name: "clock skew from the message, ahead", err: apiErr("ListBuckets", "SignatureDoesNotMatch",
			"Signature not yet current: 20260102T002000Z is still later than 20260101T001500Z (20260101T000000Z + 15 min.)"),
			id: IDClockSkew, want: []string{"24h20m00s ahead of AWS"}},
		{name: "clock skew, S3's code", err: apiErr("PutObject", "RequestTimeTooSkewed", "The difference between the request time and the current time is too large."),
			id: IDClockSkew, want: []string{"more than 5 minutes off"}},
		{name: "wrong secret in the file", err: apiErr("GetSessionToken", "SignatureDoesNotMatch", msgSigMismatch),
			facts: func(f *Facts) { f.Skew, f.SkewKnown = 3*time.Second, true },
			id:    IDSignatureMismatch,
			want: []string{"aws_secret_access_key under [alice] in " + credFile + " is not the secret of " + keyID,
				"`aws iam create-access-key --user-name alice`", "`aws iam delete-access-key --user-name alice --access-key-id " + keyID + "`",
				"The clock is fine (3s behind AWS)"}},
		{name: "wrong secret in the environment", err: apiErr("ListBuckets", "SignatureDoesNotMatch", msgSigMismatch),
			facts: func(f *Facts) { f.KeyID, f.EnvKeyID = oldKeyID, oldKeyID; f.FileKeyID = "" },
			id:    IDSignatureMismatch,
			want:  []string{"AWS_SECRET_ACCESS_KEY in your environment does not belong to AWS_ACCESS_KEY_ID " + oldKeyID, "check the clock"}},
		// 3.
		{name: "wrong serial, devices unknown", err: apiErr("GetSessionToken", "AccessDenied", msgBadSerial),
			id: IDMFASerialInvalid,
			want: []string{serial, "profile alice", "[profile alice] in " + cfgFile, "Assigned MFA device",
				"`aws iam list-mfa-devices --user-name alice`", "mfa_serial = arn:aws:iam::123456789012:mfa/DEVICE-NAME"}},
		{name: "wrong serial, one device", err: apiErr("GetSessionToken", "AccessDenied", msgBadSerial),
			facts: func(f *Facts) { f.Devices, f.DevicesKnown = []string{serial + "-phone"}, true },
			id:    IDMFASerialInvalid, repair: RepairSetSerial, subj: serial + "-phone",
			want: []string{"set it under [profile alice] in " + cfgFile + ":\n  mfa_serial = " + serial + "-phone"}},
		{name: "wrong serial, two devices", err: apiErr("GetSessionToken", "AccessDenied", msgBadSerial),
			facts: func(f *Facts) { f.Devices, f.DevicesKnown = []string{serial + "-phone", serial + "-key"}, true },
			id:    IDMFASerialInvalid,
			want:  []string{serial + "-phone, " + serial + "-key", "mfa_serial = " + serial + "-phone"}},
		{name: "wrong serial, no device at all", err: apiErr("GetSessionToken", "AccessDenied", msgBadSerial),
			facts: func(f *Facts) { f.DevicesKnown = true },
			id:    IDMFASerialInvalid,
			want:  []string{"User " + userARN + " has no MFA device assigned", "Users > alice > Security credentials > Assign MFA device"}},
		{name: "wrong serial, not known", err: apiErr("GetSessionToken", "AccessDenied", msgBadSerial),
			facts: func(f *Facts) { f.Serial = "" },
			id:    IDMFASerialInvalid,
			want:  []string{"AWS could not match the MFA device in mfa_serial (profile alice) to the user"},
			not:   []string{"device the mfa_serial"}},
		{name: "wrong serial, in [default]", err: apiErr("GetSessionToken", "AccessDenied", msgBadSerial),
			facts: func(f *Facts) { f.Profile = "default" },
			id:    IDMFASerialInvalid, want: []string{"[default] in " + cfgFile}, not: []string{"[profile default]"}},
		{name: "serial is the user's, key is not", err: apiErr("GetSessionToken", "AccessDenied", msgBadSerial),
			facts: func(f *Facts) { f.Devices, f.DevicesKnown = []string{serial}, true },
			id:    IDMFASerialInvalid, want: []string{"signed by a key of another user", "[alice] in " + credFile}},
		// 4.
		{name: "wrong code", err: apiErr("GetSessionToken", "AccessDenied", msgBadCode),
			id: IDMFACodeInvalid, repair: RepairNewCode,
			want: []string{"MFA code for " + serial, "wrong or already used", "Wait for the next code", "`awsenv use alice`"},
			not:  []string{"clock"}},
		{name: "wrong code, clock off", err: apiErr("AssumeRole", "AccessDenied", msgBadCode),
			facts: func(f *Facts) { f.Skew, f.SkewKnown = -45*time.Second, true },
			id:    IDMFACodeInvalid, repair: RepairNewCode, want: []string{"45s ahead of AWS"}},
		// 5.
		{name: "session credentials in [default]", err: apiErr("GetSessionToken", "AccessDenied", msgSessionGST),
			facts: func(f *Facts) {
				f.Profile, f.KeyID, f.FileKeyID, f.FileToken, f.Temporary = "default", sessKeyID, sessKeyID, true, true
			},
			id: IDSessionCredentials,
			want: []string{"[default] in " + credFile + " holds session credentials", "[default-long-term]\n  aws_access_key_id = AKIA...",
				"[profile default-long-term]\n  mfa_serial = " + serial, `eval "$(awsenv use default-long-term)"`, "source_profile"}},
		{name: "session credentials in the environment", err: apiErr("GetSessionToken", "AccessDenied", msgSessionGST),
			facts: func(f *Facts) { f.KeyID, f.EnvKeyID, f.EnvToken, f.Temporary = sessKeyID, sessKeyID, true, true },
			id:    IDSessionCredentials,
			want:  []string{"AWS_SESSION_TOKEN is set", `eval "$(awsenv unset)"`, `eval "$(awsenv use alice)"`}},
		// 6.
		{name: "malformed token in the environment", err: apiErr("ListBuckets", "InvalidToken", msgMalformed),
			facts: func(f *Facts) { f.KeyID = ""; f.EnvKeyID, f.EnvToken = sessKeyID, true },
			id:    IDInvalidSessionToken,
			want:  []string{"AWS_ACCESS_KEY_ID " + sessKeyID + " in your environment", "AWS_SESSION_TOKEN", `eval "$(awsenv use alice)"`}},
		{name: "malformed token in awsenv's cache", err: apiErr("AssumeRole", "InvalidToken", msgMalformed),
			facts: func(f *Facts) { f.KeyID, f.Temporary = sessKeyID, true },
			id:    IDInvalidSessionToken, repair: RepairDropSession,
			want: []string{"The session awsenv cached for profile alice", "`awsenv sessions clear alice`", "awsenv drops a session AWS refuses"}},
		{name: "malformed token in the file", err: apiErr("ListBuckets", "InvalidToken", msgMalformed),
			facts: func(f *Facts) { f.KeyID, f.FileKeyID, f.FileToken, f.Temporary = sessKeyID, sessKeyID, true, true },
			id:    IDInvalidSessionToken, want: []string{"aws_session_token under [alice] in " + credFile}},
		// 7.
		{name: "session key without its token", err: apiErr("ListBuckets", "InvalidAccessKeyId", msgNoKey),
			facts: func(f *Facts) { f.KeyID, f.EnvKeyID = sessKeyID, sessKeyID },
			id:    IDSessionTokenMissing,
			want:  []string{"session key (ASIA...)", "AWS_SESSION_TOKEN is not set", `eval "$(awsenv use alice)"`}},
		{name: "session key without its token in the file", err: apiErr("ListBuckets", "InvalidAccessKeyId", msgNoKey),
			facts: func(f *Facts) { f.KeyID, f.FileKeyID = sessKeyID, sessKeyID },
			id:    IDSessionTokenMissing, want: []string{"[alice] in " + credFile + " has a session key in aws_access_key_id but no aws_session_token"}},
		{name: "no such long-term key", err: apiErr("ListBuckets", "InvalidAccessKeyId", msgNoKey),
			id:   IDAccessKeyNotFound,
			want: []string{"AWS has no record of access key " + keyID + " of profile alice", "aws_access_key_id under [alice] in " + credFile + " is mistyped"}},
		{name: "no such key, key unknown", err: apiErr("ListBuckets", "InvalidAccessKeyId", msgNoKey),
			facts: func(f *Facts) { f.KeyID, f.FileKeyID = "", "" },
			id:    IDAccessKeyNotFound,
			want:  []string{"session key was sent without its session token", "deleted or mistyped", `eval "$(awsenv use alice)"`}},
		// 8.
		{name: "plain Access Denied with a long-term key", err: apiErr("ListBuckets", "AccessDenied", "Access Denied"),
			id:   IDMFARequired,
			want: []string{"AWS denied ListBuckets to access key " + keyID + " of profile alice", "requires MFA", `eval "$(awsenv use alice)"`, "`awsenv exec alice -- COMMAND`"}},
		{name: "CloudFormation's denial with a long-term key", err: apiErr("CreateQueue", "AccessDenied",
			"API: sqs:CreateQueue Access to the resource https://sqs.us-east-1.amazonaws.com/ is denied."),
			id: IDMFARequired, want: []string{"AWS denied sqs:CreateQueue", "`awsenv exec alice -- COMMAND`"}},
		{name: "role lacks a permission", err: apiErr("ListBuckets", "AccessDenied",
			"User: arn:aws:sts::123456789012:assumed-role/admin/alice is not authorized to perform: s3:ListAllMyBuckets on resource: arn:aws:s3:::* because no identity-based policy allows the s3:ListAllMyBuckets action"),
			facts:  func(f *Facts) { f.KeyID, f.Temporary, f.UserARN = sessKeyID, true, "" },
			id:     IDPermissionDenied,
			want:   []string{"AWS denied s3:ListAllMyBuckets to role admin", "arn:aws:iam::123456789012:role/admin", "policysim.aws.amazon.com"},
			policy: []string{`"Effect": "Allow"`, `"Action": "s3:ListAllMyBuckets"`, `"Resource": "arn:aws:s3:::*"`}},
		{name: "explicit deny", err: apiErr("ListBuckets", "AccessDenied",
			"User: arn:aws:sts::123456789012:assumed-role/admin/alice is not authorized to perform: s3:ListAllMyBuckets with an explicit deny in a service control policy"),
			facts: func(f *Facts) { f.KeyID, f.Temporary = sessKeyID, true },
			id:    IDPermissionDenied, want: []string{"explicit deny in a service control policy forbids s3:ListAllMyBuckets to role admin"}},
		{name: "denied, key unknown", err: apiErr("ListBuckets", "AccessDenied", "Access Denied"),
			facts: func(f *Facts) { f.KeyID, f.FileKeyID = "", "" },
			id:    IDAccessDenied, want: []string{"long-term keys", "session credentials", `eval "$(awsenv use alice)"`}},
		{name: "denied, JSON services' alias", err: apiErr("ListTables", "AccessDeniedException", "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: dynamodb:ListTables"),
			id: IDMFARequired, want: []string{"dynamodb:ListTables"}},
		// 9.
		{name: "GetSessionToken not allowed", err: apiErr("GetSessionToken", "AccessDenied",
			"User: arn:aws:iam::123456789012:user/bob is not authorized to perform: sts:GetSessionToken on resource: *"),
			facts: func(f *Facts) { f.UserARN, f.UserName = "", "" },
			id:    IDGetSessionTokenDeny,
			want: []string{"User arn:aws:iam::123456789012:user/bob is not allowed to call sts:GetSessionToken", "user arn:aws:iam::123456789012:user/bob or one of its groups",
				"aws iam put-user-policy --user-name bob", `"Action":"sts:GetSessionToken"`},
			policy: []string{"{\n  \"Effect\": \"Allow\",\n  \"Action\": \"sts:GetSessionToken\",\n  \"Resource\": \"*\"\n}"}},
		// 10.
		{name: "CreateAccessKey not allowed", err: apiErr("CreateAccessKey", "AccessDenied",
			"User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:CreateAccessKey on resource: user alice"),
			id:     IDCreateAccessKeyDeny,
			want:   []string{"User " + userARN + " is not allowed to create access keys", "attach the statement below to " + userARN, "`awsenv exec alice -- aws iam create-access-key --user-name alice`"},
			policy: []string{`"Action": "iam:CreateAccessKey"`, `"Resource": "arn:aws:iam::*:user/${aws:username}"`}},
		// 11.
		{name: "two keys, one inactive", err: apiErr("CreateAccessKey", "LimitExceeded", msgKeyQuota),
			facts: func(f *Facts) {
				f.Keys = []KeyFacts{
					{AccessKey: awsapi.AccessKey{ID: keyID, Status: "Active", Created: now.AddDate(0, 0, -400)},
						LastUsed: &awsapi.LastUsed{Date: now.AddDate(0, 0, -3), Service: "s3", Region: "us-east-1"}},
					{AccessKey: awsapi.AccessKey{ID: oldKeyID, Status: "Inactive", Created: now.AddDate(0, 0, -30)},
						LastUsed: &awsapi.LastUsed{Service: "N/A", Region: "N/A"}},
				}
			},
			id: IDAccessKeyLimit, repair: RepairDeleteKey, subj: oldKeyID,
			want: []string{"alice already has 2 access keys",
				keyID + "  Active  created 2025-10-19 (400 days ago)  last used 2026-11-20 (3 days ago) in s3 us-east-1  (profile alice, " + credFile + ")",
				oldKeyID + "  Inactive  created 2026-10-24 (30 days ago)  never used",
				"`awsenv rotate alice --delete-inactive`", "--access-key-id " + oldKeyID},
			not: []string{"N/A"}},
		{name: "two active keys, the older one is the profile's: the other goes", err: apiErr("CreateAccessKey", "LimitExceeded", msgKeyQuota),
			facts: func(f *Facts) {
				f.Keys = []KeyFacts{
					{AccessKey: awsapi.AccessKey{ID: keyID, Status: "Active", Created: now.AddDate(0, 0, -400)}},
					{AccessKey: awsapi.AccessKey{ID: oldKeyID, Status: "Active", Created: now.AddDate(0, 0, -30)}},
				}
			},
			id:   IDAccessKeyLimit,
			want: []string{"Delete " + oldKeyID + ", the one profile alice does not hold", "`aws iam delete-access-key --user-name alice --access-key-id " + oldKeyID + "`"},
			not:  []string{"--delete-inactive", "--access-key-id " + keyID}},
		{name: "two keys, not listed", err: apiErr("CreateAccessKey", "LimitExceeded", msgKeyQuota),
			id: IDAccessKeyLimit, want: []string{"`awsenv keys alice`", "`aws iam list-access-keys --user-name alice`"}},
		// The rest.
		{name: "expired session in the environment", err: apiErr("ListBuckets", "ExpiredToken", msgExpired),
			facts: func(f *Facts) {
				f.KeyID, f.EnvKeyID, f.EnvToken, f.Temporary = sessKeyID, sessKeyID, true, true
				f.EnvExpires = now.Add(-time.Hour)
			},
			id: IDSessionExpired, want: []string{"(at 2026-11-23 11:00 UTC)", `eval "$(awsenv use alice)"`, "AWSENV_AUTO_REFRESH=1"}},
		{name: "expired cached session", err: apiErr("AssumeRole", "ExpiredToken", msgExpired),
			facts: func(f *Facts) { f.KeyID, f.Temporary = sessKeyID, true },
			id:    IDSessionExpired, repair: RepairDropSession, want: []string{"`awsenv sessions clear alice`"}},
		{name: "role duration too long", err: apiErr("AssumeRole", "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."),
			facts: func(f *Facts) { f.Profile, f.RoleARN = "prod", "arn:aws:iam::123456789012:role/ops/admin" },
			id:    IDInvalidDuration,
			want:  []string{"arn:aws:iam::123456789012:role/ops/admin", "duration_seconds under [profile prod] in " + cfgFile, "`aws iam update-role --role-name admin --max-session-duration 43200`"}},
		{name: "session duration out of range", err: apiErr("GetSessionToken", "ValidationError",
			"1 validation error detected: Value '200000' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600"),
			id: IDInvalidDuration, want: []string{"15 minutes to 36 hours", "awsenv_session_duration under [profile alice]"}},
		{name: "serial malformed", err: apiErr("GetSessionToken", "ValidationError",
			"1 validation error detected: Value 'x' at 'serialNumber' failed to satisfy constraint: Member must have length greater than or equal to 9"),
			id: IDMFASerialInvalid, want: []string{"not a valid MFA device serial", "[profile alice] in " + cfgFile}},
		{name: "code malformed", err: apiErr("GetSessionToken", "ValidationError",
			"1 validation error detected: Value '12' at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6"),
			id: IDMFACodeInvalid, repair: RepairNewCode, want: []string{"6-digit"}},
		{name: "role ARN malformed", err: apiErr("AssumeRole", "ValidationError",
			"1 validation error detected: Value 'admin' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20"),
			facts: func(f *Facts) { f.Profile, f.RoleARN = "prod", "admin" },
			id:    IDInvalidRoleARN, want: []string{"role_arn under [profile prod] in " + cfgFile + " is mistyped", "arn:aws:iam::123456789012:role/ROLE-NAME"}},
		{name: "other validation error", err: apiErr("AssumeRole", "ValidationError", "Value 'a b' at 'roleSessionName' failed to satisfy constraint"),
			id: IDValidation, want: []string{"roleSessionName", "[profile alice]"}},
		{name: "role not assumable, no MFA configured", err: apiErr("AssumeRole", "AccessDenied",
			"User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/admin"),
			facts: func(f *Facts) { f.Profile, f.Serial = "prod", "" },
			id:    IDAssumeRoleDenied,
			want: []string{"alice may not assume role arn:aws:iam::123456789012:role/admin (profile prod)", "role_arn = arn:aws:iam::123456789012:role/admin under [profile prod]",
				"requires MFA and this call had none", "mfa_serial = arn:aws:iam::123456789012:mfa/alice"},
			policy: []string{`"AWS": "` + userARN + `"`, `"Action": "sts:AssumeRole"`, `"aws:MultiFactorAuthPresent": "true"`}},
		{name: "request expired", err: apiErr("DescribeInstances", "RequestExpired", "Request has expired."),
			id: IDRequestExpired, want: []string{"clock", "presigned URL"}},
		{name: "request expired, clock measured", err: apiErr("DescribeInstances", "RequestExpired", "Request has expired."),
			facts: func(f *Facts) { f.Skew, f.SkewKnown = 10*time.Minute, true },
			id:    IDClockSkew, want: []string{"10m0s behind AWS"}},
		{name: "unknown code", err: apiErr("ListBuckets", "SlowDown", "Please reduce your request rate. aws_secret_access_key = "+secret),
			id:   IDUnknown,
			want: []string{"AWS answered SlowDown to ListBuckets: Please reduce your request rate", "profile alice in " + cfgFile + " and " + credFile}},
	}
}

func TestExplain(t *testing.T) {
	for _, tc := range explainCases() {
		t.Run(tc.name, func(t *testing.T) {
			f := alice()
			if tc.facts != nil {
				tc.facts(&f)
			}
			x := Explain(tc.err, f)
			all := x.What + "\n" + x.Cause + "\n" + x.Fix
			if x.ID != tc.id {
				t.Fatalf("ID = %q, want %q\n%s", x.ID, tc.id, all)
			}
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("missing %q in\n%s", w, all)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(all+x.Policy, n) {
					t.Errorf("should not contain %q:\n%s", n, all)
				}
			}
			if tc.policy == nil && x.Policy != "" {
				t.Errorf("unexpected policy:\n%s", x.Policy)
			}
			for _, w := range tc.policy {
				if !strings.Contains(x.Policy, w) {
					t.Errorf("policy lacks %q:\n%s", w, x.Policy)
				}
			}
			if x.Repair != tc.repair || x.Subject != tc.subj {
				t.Errorf("repair = %q %q, want %q %q", x.Repair, x.Subject, tc.repair, tc.subj)
			}
			checkShape(t, x)
		})
	}
}

// checkShape: What and Cause are one sentence each, there is a fix, fmt
// never failed, and no secret is echoed.
func checkShape(t *testing.T, x Explanation) {
	t.Helper()
	for name, s := range map[string]string{"What": x.What, "Cause": x.Cause} {
		if strings.Contains(s, "\n") || !strings.HasSuffix(s, ".") || s[0] < 'A' || s[0] > 'Z' && s[0] != '[' && s[0] != '`' && (s[0] < 'a' || s[0] > 'z') {
			t.Errorf("%s is not one sentence: %q", name, s)
		}
	}
	all := x.What + x.Cause + x.Fix + x.Policy
	if x.Fix == "" {
		t.Error("no fix")
	}
	if strings.Contains(all, "%!") {
		t.Errorf("fmt error in %q", all)
	}
	if strings.Contains(all, secret) {
		t.Errorf("secret echoed: %q", all)
	}
	if !x.Known() != (x.ID == IDUnknown) {
		t.Error("Known disagrees with ID")
	}
}

// With no facts at all, every entry still reads well: placeholders in
// capitals, never an empty name.
func TestExplainWithoutFacts(t *testing.T) {
	for _, tc := range explainCases() {
		t.Run(tc.name, func(t *testing.T) {
			x := Explain(tc.err, Facts{})
			checkShape(t, x)
			all := x.What + "\n" + x.Cause + "\n" + x.Fix
			for _, bad := range []string{"profile  ", "[]", "[profile ]", "--user-name  ", "--user-name `", " of profile .", "awsenv use )"} {
				if strings.Contains(all, bad) {
					t.Errorf("empty fact shows as %q in\n%s", bad, all)
				}
			}
			if strings.Contains(all, "alice") && !strings.Contains(tc.err.Message, "alice") {
				t.Errorf("a name appeared from nowhere:\n%s", all)
			}
		})
	}
}

func TestExplainNil(t *testing.T) {
	if x := Explain(nil, Facts{}); x.ID != IDUnknown {
		t.Fatalf("nil error: %+v", x)
	}
}

// AWS's message names the caller; that fills in the user when the facts
// do not have it.
func TestExplainUserFromMessage(t *testing.T) {
	x := Explain(apiErr("CreateAccessKey", "AccessDenied",
		"User: arn:aws:iam::210987654321:user/team/carol is not authorized to perform: iam:CreateAccessKey on resource: user carol"), Facts{})
	for _, w := range []string{"arn:aws:iam::210987654321:user/team/carol", "--user-name carol"} {
		if !strings.Contains(x.What+x.Fix, w) {
			t.Errorf("missing %q in %s\n%s", w, x.What, x.Fix)
		}
	}
}
