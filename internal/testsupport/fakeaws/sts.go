package fakeaws

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"
)

// stsActions are the Actions of the STS Query API the server knows.
var stsActions = map[string]bool{"GetSessionToken": true, "AssumeRole": true, "GetCallerIdentity": true, "GetFederationToken": true}

const (
	apiVersion = "2011-06-15"
	// chainedRoleLimit is AWS's fixed cap for sessions of role chaining.
	chainedRoleLimit = time.Hour
	// expirationFormat is how STS writes Expiration (always UTC).
	expirationFormat = "2006-01-02T15:04:05Z"
)

// dispatch runs an authenticated action and returns its <ActionResult>.
func (s *Server) dispatch(action string, p url.Values, who *principal, now time.Time) (any, *apiError) {
	if v := p.Get("Version"); v != "" && v != apiVersion {
		return nil, newError(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", action, v)
	}
	switch action {
	case "GetSessionToken":
		return s.getSessionToken(p, who, now)
	case "AssumeRole":
		s.recordAssumeRole(p)
		return s.assumeRole(p, who, now)
	case "GetFederationToken":
		return s.getFederationToken(p, who, now)
	case "GetCallerIdentity":
		return getCallerIdentityResult{Arn: who.arn, UserID: who.userID, Account: who.account}, nil
	case "":
		return nil, newError(http.StatusBadRequest, "MissingAction", "Missing Action")
	default:
		return nil, newError(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", action, apiVersion)
	}
}

func (s *Server) getSessionToken(p url.Values, who *principal, now time.Time) (any, *apiError) {
	seconds, err := durationParam(p, 43200, 900, 129600)
	if err != nil {
		return nil, err
	}
	serial, code, err := mfaParams(p)
	if err != nil {
		return nil, err
	}
	if who.session != nil {
		return nil, errAccessDenied(msgSessionCredsGST)
	}
	if err := authorize(who, "sts:GetSessionToken", who.arn); err != nil {
		return nil, err
	}
	mfa := serial != ""
	if mfa {
		if err := s.verifyMFA(who.user, serial, code, now); err != nil {
			return nil, err
		}
	}
	sess := s.issue(kindSessionToken, *who, now.Add(seconds), mfa)
	return getSessionTokenResult{Credentials: s.credentialsOf("GetSessionToken", sess)}, nil
}

// getFederationToken issues credentials for a federated user, e.g. to open
// the console as an IAM user. AWS allows it with long-term keys only. The
// Policy parameter is accepted and not evaluated.
func (s *Server) getFederationToken(p url.Values, who *principal, now time.Time) (any, *apiError) {
	name := p.Get("Name")
	switch {
	case name == "":
		return nil, errValidation("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null")
	case len(name) < 2 || len(name) > 32:
		return nil, errValidation("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must have length between 2 and 32", name)
	case !roleSessionNamePattern.MatchString(name):
		return nil, errValidation(`1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`, name)
	}
	seconds, err := durationParam(p, 43200, 900, 129600)
	if err != nil {
		return nil, err
	}
	if who.session != nil {
		return nil, errAccessDenied(msgSessionCredsGFT)
	}
	if err := authorize(who, "sts:GetFederationToken", "arn:aws:sts::"+who.account+":federated-user/"+name); err != nil {
		return nil, err
	}
	fed := principal{
		account: who.account,
		arn:     "arn:aws:sts::" + who.account + ":federated-user/" + name,
		userID:  who.account + ":" + name,
	}
	sess := s.issue(kindFederated, fed, now.Add(seconds), false)
	return getFederationTokenResult{
		Credentials:   s.credentialsOf("GetFederationToken", sess),
		FederatedUser: federatedUser{FederatedUserID: fed.userID, Arn: fed.arn},
	}, nil
}

var roleSessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]*$`)

func (s *Server) assumeRole(p url.Values, who *principal, now time.Time) (any, *apiError) {
	roleARN, sessionName := p.Get("RoleArn"), p.Get("RoleSessionName")
	switch {
	case roleARN == "":
		return nil, errValidation("1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null")
	case sessionName == "":
		return nil, errValidation("1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null")
	case len(sessionName) < 2:
		return nil, errValidation("1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2", sessionName)
	case len(sessionName) > 64:
		return nil, errValidation("1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64", sessionName)
	case !roleSessionNamePattern.MatchString(sessionName):
		return nil, errValidation(`1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`, sessionName)
	}
	seconds, err := durationParam(p, 3600, 900, 43200)
	if err != nil {
		return nil, err
	}
	serial, code, err := mfaParams(p)
	if err != nil {
		return nil, err
	}

	if err := authorize(who, "sts:AssumeRole", roleARN); err != nil {
		return nil, err
	}
	denied := errNotAuthorized(who.arn, "sts:AssumeRole", roleARN)
	r, ok := s.roles[roleARN]
	if !ok || !r.trusts(who.account) {
		return nil, denied
	}
	if r.opts.ExternalID != "" && p.Get("ExternalId") != r.opts.ExternalID {
		return nil, denied
	}
	// MFA used for the calling session carries over to the new one.
	mfa := who.session != nil && who.session.mfa
	if serial != "" {
		if err := s.verifyMFA(who.user, serial, code, now); err != nil {
			return nil, err
		}
		mfa = true
	}
	if r.opts.RequireMFA && !mfa {
		return nil, denied
	}
	if who.session != nil && who.session.kind == kindAssumedRole && seconds > chainedRoleLimit {
		return nil, errValidation(msgRoleChaining)
	}
	if seconds > r.maxSessionDuration() {
		return nil, errValidation(msgRoleMaxDuration)
	}

	assumed := principal{
		account: r.account,
		arn:     "arn:aws:sts::" + r.account + ":assumed-role/" + r.name + "/" + sessionName,
		userID:  r.id + ":" + sessionName,
	}
	sess := s.issue(kindAssumedRole, assumed, now.Add(seconds), mfa)
	sess.chained = who.session != nil
	return assumeRoleResult{
		Credentials:     s.credentialsOf("AssumeRole", sess),
		AssumedRoleUser: assumedRoleUser{AssumedRoleID: assumed.userID, Arn: assumed.arn},
	}, nil
}

// durationParam reads DurationSeconds with AWS's range checks.
func durationParam(p url.Values, def, min, max int) (time.Duration, *apiError) {
	v := p.Get("DurationSeconds")
	if v == "" {
		return time.Duration(def) * time.Second, nil
	}
	n, err := strconv.Atoi(v)
	switch {
	case err != nil:
		return 0, errValidation("1 validation error detected: Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must be an integer", v)
	case n < min:
		return 0, errValidation("1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to %d", n, min)
	case n > max:
		return 0, errValidation("1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to %d", n, max)
	}
	return time.Duration(n) * time.Second, nil
}

var tokenCodePattern = regexp.MustCompile(`^[0-9]*$`)

// mfaParams reads SerialNumber and TokenCode, which only make sense together.
func mfaParams(p url.Values) (serial, code string, err *apiError) {
	serial, code = p.Get("SerialNumber"), p.Get("TokenCode")
	switch {
	case serial == "" && code == "":
		return "", "", nil
	case code == "":
		return "", "", errValidation("TokenCode is required when SerialNumber is provided")
	case serial == "":
		return "", "", errValidation("SerialNumber is required when TokenCode is provided")
	case len(serial) < 9:
		return "", "", errValidation("1 validation error detected: Value '%s' at 'serialNumber' failed to satisfy constraint: Member must have length greater than or equal to 9", serial)
	case len(serial) > 256:
		return "", "", errValidation("1 validation error detected: Value '%s' at 'serialNumber' failed to satisfy constraint: Member must have length less than or equal to 256", serial)
	case len(code) != 6:
		bound := "greater"
		if len(code) > 6 {
			bound = "less"
		}
		return "", "", errValidation("1 validation error detected: Value '%s' at 'tokenCode' failed to satisfy constraint: Member must have length %s than or equal to 6", code, bound)
	case !tokenCodePattern.MatchString(code):
		return "", "", errValidation(`1 validation error detected: Value '%s' at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\d]*`, code)
	}
	return serial, code, nil
}

// verifyMFA checks that serial is a device of user and that code is a fresh
// one-time code of it.
func (s *Server) verifyMFA(user *User, serial, code string, now time.Time) *apiError {
	dev, ok := s.devices[serial]
	if !ok || user == nil || dev.user != user {
		return errAccessDenied(msgMFAUnknownSerial)
	}
	if !s.acceptTOTP(dev, code, now) {
		return errAccessDenied(msgMFAInvalidCode)
	}
	return nil
}

// Response documents, in the element order AWS uses.

func xmlName(local string) xml.Name { return xml.Name{Local: local} }

type response struct {
	XMLName  xml.Name
	Xmlns    string `xml:"xmlns,attr"`
	Result   any    // its own XMLName names the element, e.g. GetSessionTokenResult
	Metadata responseMetadata
}

type responseMetadata struct {
	XMLName   xml.Name `xml:"ResponseMetadata"`
	RequestID string   `xml:"RequestId"`
}

type xmlCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

func (s *Server) credentialsOf(action string, sess *session) xmlCredentials {
	c := s.tampered(AnswerCredentials{Action: action, AccessKeyID: sess.keyID, SecretAccessKey: sess.secret,
		SessionToken: sess.token, Expiration: sess.expires.UTC().Format(expirationFormat)})
	return xmlCredentials{
		AccessKeyID:     c.AccessKeyID,
		SecretAccessKey: c.SecretAccessKey,
		SessionToken:    c.SessionToken,
		Expiration:      c.Expiration,
	}
}

type getSessionTokenResult struct {
	XMLName     xml.Name       `xml:"GetSessionTokenResult"`
	Credentials xmlCredentials `xml:"Credentials"`
}

type federatedUser struct {
	FederatedUserID string `xml:"FederatedUserId"`
	Arn             string `xml:"Arn"`
}

type getFederationTokenResult struct {
	XMLName       xml.Name       `xml:"GetFederationTokenResult"`
	Credentials   xmlCredentials `xml:"Credentials"`
	FederatedUser federatedUser  `xml:"FederatedUser"`
}

type assumedRoleUser struct {
	AssumedRoleID string `xml:"AssumedRoleId"`
	Arn           string `xml:"Arn"`
}

type assumeRoleResult struct {
	XMLName         xml.Name        `xml:"AssumeRoleResult"`
	Credentials     xmlCredentials  `xml:"Credentials"`
	AssumedRoleUser assumedRoleUser `xml:"AssumedRoleUser"`
}

type getCallerIdentityResult struct {
	XMLName xml.Name `xml:"GetCallerIdentityResult"`
	Arn     string   `xml:"Arn"`
	UserID  string   `xml:"UserId"`
	Account string   `xml:"Account"`
}
