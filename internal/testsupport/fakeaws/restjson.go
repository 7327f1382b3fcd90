package fakeaws

import (
	"encoding/json"
	"net/http"
	"strings"
)

// IAM Identity Center's two APIs (SSO OIDC and the SSO portal) are restJson1
// services: each operation has its own method and path, requests are not
// signed with SigV4 (OIDC authenticates with the client's id and secret in
// the body, the portal with the access token in a header), and errors come
// as a JSON body with the error type in the X-Amzn-Errortype header, e.g.
//
//	HTTP/1.1 400 Bad Request
//	x-amzn-ErrorType: AuthorizationPendingException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/
//	{"error":"authorization_pending","error_description":"Authorization is still pending"}
//
// (as the real service answers; seen in botocore debug logs). The console
// sign-in's federation endpoint is addressed by path too.

// restRoute recognises the operations of the REST services by method and
// path, as their SDK serializers address them.
func restRoute(r *http.Request) (svc service, action string, ok bool) {
	switch r.Method + " " + r.URL.Path {
	case "POST /client/register":
		return svcOIDC, "RegisterClient", true
	case "POST /device_authorization":
		return svcOIDC, "StartDeviceAuthorization", true
	case "POST /token":
		if r.URL.Query().Has("aws_iam") {
			return svcOIDC, "CreateTokenWithIAM", true
		}
		return svcOIDC, "CreateToken", true
	case "GET /device":
		return svcOIDC, "VerificationPage", true
	case "GET /authorize":
		return svcOIDC, "Authorize", true
	case "GET /federation/credentials":
		return svcSSO, "GetRoleCredentials", true
	case "GET /assignment/roles":
		return svcSSO, "ListAccountRoles", true
	case "GET /assignment/accounts":
		return svcSSO, "ListAccounts", true
	case "POST /logout":
		return svcSSO, "Logout", true
	case "GET /federation", "POST /federation":
		return svcFederation, "", true
	case "POST /v1/token":
		return svcSignin, "CreateOAuth2Token", true
	}
	return "", "", false
}

// errorTypeNamespace is the Coral namespace each service appends to the
// error type in X-Amzn-Errortype.
func (v service) errorTypeNamespace() string {
	if v == svcOIDC {
		return "http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
	}
	return "http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/"
}

// oauthErrors maps SSO OIDC's exception names to the OAuth 2.0 error codes
// (RFC 6749, RFC 8628) the service puts in the body's "error" member.
var oauthErrors = map[string]string{
	"AccessDeniedException":          "access_denied",
	"AuthorizationPendingException":  "authorization_pending",
	"ExpiredTokenException":          "expired_token",
	"InternalServerException":        "server_error",
	"InvalidClientException":         "invalid_client",
	"InvalidClientMetadataException": "invalid_client_metadata",
	"InvalidGrantException":          "invalid_grant",
	"InvalidRequestException":        "invalid_request",
	"InvalidScopeException":          "invalid_scope",
	"SlowDownException":              "slow_down",
	"UnauthorizedClientException":    "unauthorized_client",
	"UnsupportedGrantTypeException":  "unsupported_grant_type",
}

// restJSONError renders e as svc reports errors: OIDC with the OAuth members
// "error" and "error_description", the portal with "message".
func restJSONError(svc service, requestID string, e *apiError) reply {
	var body any
	if svc == svcOIDC {
		code, ok := oauthErrors[e.code]
		if !ok {
			code = strings.ToLower(strings.TrimSuffix(e.code, "Exception"))
		}
		body = oauthError{Error: code, Description: e.message}
	} else {
		body = portalError{Message: e.message}
	}
	rep := jsonReply(e.status, body)
	rep.header["x-amzn-ErrorType"] = e.code + ":" + svc.errorTypeNamespace()
	rep.header["x-amzn-RequestId"] = requestID
	return rep
}

type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

type portalError struct {
	Message string `json:"message"`
}

// jsonReply marshals doc as an application/json body.
func jsonReply(status int, doc any) reply {
	body, err := json.Marshal(doc)
	if err != nil {
		// Only our own fixed structs are marshalled; this cannot happen.
		return reply{status: http.StatusInternalServerError, header: map[string]string{"Content-Type": "text/plain"}, body: []byte("internal error")}
	}
	return reply{status: status, header: map[string]string{"Content-Type": "application/json"}, body: body}
}
