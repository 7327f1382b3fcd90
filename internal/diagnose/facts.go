// Package diagnose is awsenv's catalogue of AWS credential failures: it
// recognises an error answer from AWS, says in plain words what happened and
// why, and gives the fix with the user's own profile, files, key, user name
// and ARN in it.
//
// It is pure: no I/O, no clock, no environment. Callers gather Facts (from
// the profile files, the environment, IAM) and pass them in; unknown facts
// are zero values and the explanations then fall back to placeholders in
// capitals (PROFILE, USER) and the places to look them up.
package diagnose

import (
	"strings"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/plugins/termsafe"
	"github.com/awsenv/awsenv/profiles"
)

// Facts is what awsenv knows around a failed call; zero values mean unknown.
// It holds no secret: only key ids, names, ARNs and file paths.
type Facts struct {
	Profile    string // profile name
	KeyFile    string // the file holding the profile's keys
	ConfigFile string // the file holding the profile's config (mfa_serial, role_arn)

	KeyID     string // the access key that signed the failed call
	Temporary bool   // the failed call carried a session token

	FileKeyID string // the access key id the profile's key file holds now
	FileToken bool   // the profile's key file holds aws_session_token too

	UserARN, UserName, Account string

	Serial       string   // mfa_serial in use
	Devices      []string // the user's MFA device serials (iam:ListMFADevices)
	DevicesKnown bool     // Devices was looked up (an empty list then means none)

	Skew      time.Duration // server clock minus local clock, from the Date header
	SkewKnown bool

	RoleARN string

	// IAM Identity Center: the profile's (or its source's) SSO settings.
	SSOSession, SSORegion, SSOAccount, SSORole string

	Keys    []KeyFacts           // the user's access keys, for LimitExceeded
	Retired map[string]time.Time // keys awsenv rotated away, and when

	EnvKeyID   string    // AWS_ACCESS_KEY_ID
	EnvProfile string    // AWS_PROFILE
	EnvToken   bool      // AWS_SESSION_TOKEN (or AWS_SECURITY_TOKEN) is set
	EnvExpires time.Time // AWSENV_EXPIRES_AT, when awsenv exported the session

	Now time.Time // for ages and expiry; zero leaves ages out
}

// KeyFacts is one of the user's access keys, with its last use when known.
type KeyFacts struct {
	awsapi.AccessKey
	LastUsed *awsapi.LastUsed // nil: not looked up
}

// FromProfile fills the facts a resolved profile gives: its name, its files,
// the key its file holds, the MFA device and role it uses. files names the
// two AWS files, for parts the profile does not have yet (where to add them).
func FromProfile(r *profiles.Resolved, files profiles.Files) Facts {
	p := r.Profile
	base := r.Base().Profile
	f := Facts{
		Profile:    p.Name,
		KeyFile:    base.KeyFile(),
		ConfigFile: p.ConfigFile,
		FileKeyID:  base.AccessKeyID,
		FileToken:  base.SessionToken != "",
		Serial:     r.MFASerial(),
		RoleARN:    p.RoleARN,
	}
	if f.KeyFile == "" {
		f.KeyFile = files.Credentials
	}
	if f.ConfigFile == "" {
		f.ConfigFile = files.Config
	}
	if a := awsapi.ParseARN(f.Serial); a.Service == "iam" {
		f.Account = a.Account
	}
	for x := r; x != nil; x = x.Source {
		if x.SSO != nil {
			f.SSOSession, f.SSORegion, f.SSOAccount, f.SSORole = x.SSO.Session, x.SSO.Region, x.SSO.AccountID, x.SSO.RoleName
			break
		}
	}
	return f
}

// AddEnv records the credential variables of an environment (getenv is
// os.Getenv or a test's map). It reads only key ids and names, never the
// secret or token values themselves beyond whether they are set.
func (f *Facts) AddEnv(getenv func(string) string) {
	// Shown in explanations: made safe and capped as they come in.
	f.EnvKeyID = termsafe.Line(strings.TrimSpace(getenv("AWS_ACCESS_KEY_ID")), termsafe.MaxValue)
	f.EnvProfile = termsafe.Line(strings.TrimSpace(getenv("AWS_PROFILE")), termsafe.MaxValue)
	f.EnvToken = getenv("AWS_SESSION_TOKEN") != "" || getenv("AWS_SECURITY_TOKEN") != ""
	f.EnvExpires = time.Time{}
	if s := strings.TrimSpace(getenv("AWSENV_EXPIRES_AT")); s != "" {
		if t, ok := parseEpoch(s); ok {
			f.EnvExpires = t
		}
	}
}

func parseEpoch(s string) (time.Time, bool) {
	var n int64
	if len(s) == 0 || len(s) > 12 {
		return time.Time{}, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return time.Time{}, false
		}
		n = n*10 + int64(c-'0')
	}
	return time.Unix(n, 0).UTC(), true
}

// Explanation is one failure in plain words.
type Explanation struct {
	ID     string `json:"id"`               // stable short id, e.g. "invalid-client-token"
	What   string `json:"what"`             // what happened, one sentence
	Cause  string `json:"cause"`            // the likely cause, one sentence
	Fix    string `json:"fix"`              // what to do, with commands; may span lines
	Policy string `json:"policy,omitempty"` // an IAM policy statement (indented JSON) to add, when that is the fix
	// Repair is what awsenv itself may do about it; Subject is what the
	// repair acts on (an MFA serial, a key id).
	Repair  Repair `json:"repair,omitempty"`
	Subject string `json:"subject,omitempty"`
}

// Known reports whether the error was recognised (not the fallback).
func (x Explanation) Known() bool { return x.ID != IDUnknown }

// Repair is an action awsenv can take on its own behalf.
type Repair string

const (
	// RepairNewCode: ask for the next MFA code and call again. Safe.
	RepairNewCode Repair = "new-mfa-code"
	// RepairDropSession: forget the cached session and make a new one. Safe.
	RepairDropSession Repair = "drop-session"
	// RepairSetSerial: write Subject as the profile's mfa_serial (the
	// user's only device). Changes the user's config: ask first.
	RepairSetSerial Repair = "set-mfa-serial"
	// RepairDeleteKey: delete the inactive access key Subject to make room
	// for a new one. Changes IAM: ask first.
	RepairDeleteKey Repair = "delete-inactive-key"
)

// Explanation ids. They are stable: JSON output and tests use them.
const (
	IDInvalidClientToken  = "invalid-client-token"  // InvalidClientTokenId: key deleted, inactive or mistyped
	IDStaleKey            = "stale-key"             // an old key (rotated away, or not the file's) signed the call
	IDClockSkew           = "clock-skew"            // signature time outside AWS's 5-minute window
	IDSignatureMismatch   = "signature-mismatch"    // wrong secret for the key
	IDMFASerialInvalid    = "mfa-serial-invalid"    // mfa_serial is not the user's device
	IDMFACodeInvalid      = "mfa-code-invalid"      // wrong or reused code
	IDSessionCredentials  = "session-credentials"   // GetSessionToken called with session credentials
	IDInvalidSessionToken = "invalid-session-token" // damaged or unknown session credentials
	IDSessionTokenMissing = "session-token-missing" // ASIA key without its token
	IDAccessKeyNotFound   = "access-key-not-found"  // InvalidAccessKeyId with a long-term key
	IDMFARequired         = "mfa-required"          // long-term key denied: the policy wants MFA
	IDPermissionDenied    = "permission-denied"     // session credentials lack the permission
	IDAccessDenied        = "access-denied"         // denied, and the kind of key is unknown
	IDGetSessionTokenDeny = "get-session-token-denied"
	IDCreateAccessKeyDeny = "create-access-key-denied"
	IDAccessKeyLimit      = "access-key-limit" // two keys already
	IDSessionExpired      = "session-expired"
	IDInvalidDuration     = "invalid-duration"
	IDInvalidRoleARN      = "invalid-role-arn"
	IDValidation          = "validation-error"
	IDAssumeRoleDenied    = "assume-role-denied"
	IDRequestExpired      = "request-expired"
	IDProfileShadowed     = "profile-shadowed"    // AWS_PROFILE next to keys in the environment (Stale only)
	IDStraySessionToken   = "stray-session-token" // a session token next to a long-term key
	IDEnvironmentExpired  = "environment-expired" // the exported session has expired (Stale only)
	IDUnknown             = "unknown"
)
