package fakeaws

import (
	"encoding/xml"
	"fmt"
	"net/http"
)

// XML namespaces of the Query API documents of each service.
const (
	stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"
	iamNamespace = "https://iam.amazonaws.com/doc/2010-05-08/"
)

// Messages copied from AWS so that clients (and tests written against the real
// service) see exactly what they would see in production.
const (
	msgMissingAuth        = "Request is missing Authentication Token"
	msgInvalidClientToken = "The security token included in the request is invalid."
	msgExpiredToken       = "The security token included in the request is expired"
	msgSignatureMismatch  = "The request signature we calculated does not match the signature you provided. Check your key and signing method."
	msgSessionCredsGST    = "Cannot call GetSessionToken with session credentials"
	msgSessionCredsGFT    = "Cannot call GetFederationToken with session credentials"
	// Two spaces after "code." on purpose: that is what AWS sends.
	msgMFAUnknownSerial = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."
	msgMFAInvalidCode   = "MultiFactorAuthentication failed with invalid MFA one time pass code."
	msgRoleMaxDuration  = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
	msgRoleChaining     = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
)

// apiError is an error as the Query protocol reports it: an HTTP status,
// a machine-readable code and a human message. reason says which
// authentication check failed, because S3 words those failures its own way.
type apiError struct {
	status  int
	code    string
	message string
	reason  authReason
}

// authReason classifies authentication failures (zero: not one).
type authReason uint8

const (
	reasonNone        authReason = iota
	reasonNoAuth                 // no Authorization header
	reasonMalformed              // Authorization or X-Amz-Date unusable
	reasonUnknownKey             // no such key, inactive, not yet propagated, or a session key without its token
	reasonBadToken               // a token that is not the one issued with the key, or any token with a long-term key
	reasonExpired                // temporary credentials past their expiry
	reasonSkew                   // X-Amz-Date more than 15 minutes off
	reasonSignature              // the signature (or the scope) does not match
	reasonPayloadHash            // X-Amz-Content-Sha256 is not the hash of the body
)

func (e *apiError) withReason(r authReason) *apiError {
	e.reason = r
	return e
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func newError(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

func errMissingAuth() *apiError {
	return newError(http.StatusForbidden, "MissingAuthenticationToken", msgMissingAuth).withReason(reasonNoAuth)
}

// errInvalidClientToken is what STS and IAM answer for an unknown key and for
// a wrong token alike; reason keeps the difference for S3.
func errInvalidClientToken(reason authReason) *apiError {
	return newError(http.StatusForbidden, "InvalidClientTokenId", msgInvalidClientToken).withReason(reason)
}

func errExpiredToken() *apiError {
	return newError(http.StatusForbidden, "ExpiredToken", msgExpiredToken).withReason(reasonExpired)
}

func errSignature(format string, args ...any) *apiError {
	return newError(http.StatusForbidden, "SignatureDoesNotMatch", format, args...).withReason(reasonSignature)
}

func errIncompleteSignature(format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, "IncompleteSignature", format, args...).withReason(reasonMalformed)
}

func errAccessDenied(format string, args ...any) *apiError {
	return newError(http.StatusForbidden, "AccessDenied", format, args...)
}

func errValidation(format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, "ValidationError", format, args...)
}

func errNoSuchEntity(format string, args ...any) *apiError {
	return newError(http.StatusNotFound, "NoSuchEntity", format, args...)
}

// errNotAuthorized is the AccessDenied AWS returns for every AssumeRole
// refusal (unknown role, untrusted account, missing MFA, wrong external ID):
// it deliberately does not say which condition failed.
func errNotAuthorized(callerARN, action, resource string) *apiError {
	return errAccessDenied("User: %s is not authorized to perform: %s on resource: %s", callerARN, action, resource)
}

// errorResponse is the Query protocol's error document.
type errorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// reply is a rendered response. It is built while the server lock is held
// and written after it is released (and after any After hook).
type reply struct {
	status int
	header map[string]string
	body   []byte
}

func (rep reply) write(w http.ResponseWriter) {
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
}

// queryError renders e as the Query protocol error of the service whose
// namespace is given.
func queryError(namespace, requestID string, e *apiError) reply {
	var doc errorResponse
	doc.Xmlns = namespace
	doc.Error.Type = "Sender"
	if e.status >= 500 {
		doc.Error.Type = "Receiver"
	}
	doc.Error.Code = e.code
	doc.Error.Message = e.message
	doc.RequestID = requestID
	return xmlReply(e.status, "text/xml", "", doc)
}

// xmlReply marshals doc after an optional XML declaration.
func xmlReply(status int, contentType, declaration string, doc any) reply {
	body, err := xml.Marshal(doc)
	if err != nil {
		// Only our own fixed structs are marshalled; this cannot happen.
		return reply{status: http.StatusInternalServerError, header: map[string]string{"Content-Type": "text/plain"}, body: []byte("internal error")}
	}
	return reply{status: status, header: map[string]string{"Content-Type": contentType}, body: append([]byte(declaration), body...)}
}
