package fakeaws

import (
	"encoding/xml"
	"fmt"
	"net/http"
)

// stsNamespace is the XML namespace of every STS Query API document.
const stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// Messages copied from AWS so that clients (and tests written against the real
// service) see exactly what they would see in production.
const (
	msgMissingAuth        = "Request is missing Authentication Token"
	msgInvalidClientToken = "The security token included in the request is invalid."
	msgExpiredToken       = "The security token included in the request is expired"
	msgSignatureMismatch  = "The request signature we calculated does not match the signature you provided. Check your key and signing method."
	msgSessionCredsGST    = "Cannot call GetSessionToken with session credentials"
	// Two spaces after "code." on purpose: that is what AWS sends.
	msgMFAUnknownSerial = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."
	msgMFAInvalidCode   = "MultiFactorAuthentication failed with invalid MFA one time pass code."
	msgRoleMaxDuration  = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
	msgRoleChaining     = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
)

// apiError is an error as the STS Query protocol reports it: an HTTP status,
// a machine-readable code and a human message.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func newError(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

func errMissingAuth() *apiError {
	return newError(http.StatusForbidden, "MissingAuthenticationToken", msgMissingAuth)
}

func errInvalidClientToken() *apiError {
	return newError(http.StatusForbidden, "InvalidClientTokenId", msgInvalidClientToken)
}

func errExpiredToken() *apiError {
	return newError(http.StatusForbidden, "ExpiredToken", msgExpiredToken)
}

func errSignature(format string, args ...any) *apiError {
	return newError(http.StatusForbidden, "SignatureDoesNotMatch", format, args...)
}

func errIncompleteSignature(format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, "IncompleteSignature", format, args...)
}

func errAccessDenied(format string, args ...any) *apiError {
	return newError(http.StatusForbidden, "AccessDenied", format, args...)
}

func errValidation(format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, "ValidationError", format, args...)
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

func writeError(w http.ResponseWriter, requestID string, e *apiError) {
	var doc errorResponse
	doc.Xmlns = stsNamespace
	doc.Error.Type = "Sender"
	if e.status >= 500 {
		doc.Error.Type = "Receiver"
	}
	doc.Error.Code = e.code
	doc.Error.Message = e.message
	doc.RequestID = requestID
	writeXML(w, e.status, doc)
}

func writeXML(w http.ResponseWriter, status int, doc any) {
	body, err := xml.Marshal(doc)
	if err != nil {
		// Only our own fixed structs are marshalled; this cannot happen.
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
