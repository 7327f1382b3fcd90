package fakeaws

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"strings"
	"time"
)

// Just enough of S3 (REST, path style) for `aws s3 ls` to list no buckets,
// and to fail authentication with S3's own codes and words, which differ
// from STS's and IAM's for the same mistakes.

const (
	xmlDecl        = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
	s3AccessDenied = "Access Denied"
)

// s3Operation names the S3 operation of a request, for Calls and hooks.
// Only ListBuckets (GET on the service root) is implemented.
func s3Operation(r *http.Request) string {
	if r.Method == http.MethodGet && (r.URL.Path == "/" || r.URL.Path == "") {
		return "ListBuckets"
	}
	return r.Method + " " + r.URL.Path
}

// handleS3 authenticates and runs one S3 request. The server lock is held.
func (s *Server) handleS3(q *request, r *http.Request, body []byte, now time.Time, requestID string) reply {
	if r.Header.Get("Authorization") != "" && r.Header.Get("X-Amz-Content-Sha256") == "" {
		return s3ErrorReply(requestID, s3Error{status: http.StatusBadRequest, Code: "InvalidRequest",
			Message: "Missing required header for this request: x-amz-content-sha256"})
	}
	who, err := s.authenticate(r, body, now, svcS3)
	if err != nil {
		e := s3ErrorOf(err)
		switch e.Code {
		case "InvalidAccessKeyId", "SignatureDoesNotMatch":
			if auth, perr := parseAuthorization(r.Header.Get("Authorization")); perr == nil {
				e.AWSAccessKeyID = auth.keyID
			}
		case "RequestTimeTooSkewed":
			e.RequestTime = r.Header.Get("X-Amz-Date")
			e.ServerTime = now.UTC().Format(time.RFC3339)
			e.MaxAllowedSkewMilliseconds = "900000"
		}
		return s3ErrorReply(requestID, e)
	}
	if err := s.takeFailure(q.action); err != nil {
		return s3ErrorReply(requestID, s3ErrorOf(err))
	}
	if q.action != "ListBuckets" {
		return s3ErrorReply(requestID, s3Error{status: http.StatusNotImplemented, Code: "NotImplemented",
			Message: "fakeaws implements only ListBuckets of S3"})
	}
	// S3 does not explain its refusals.
	if authorize(who, "s3:ListAllMyBuckets", "arn:aws:s3:::*") != nil {
		return s3ErrorReply(requestID, s3Error{status: http.StatusForbidden, Code: "AccessDenied", Message: s3AccessDenied})
	}
	var res listAllMyBucketsResult
	res.Owner.ID = canonicalUserID(who.account)
	rep := xmlReply(http.StatusOK, "application/xml", xmlDecl, res)
	setS3Headers(rep, requestID)
	return rep
}

// s3Error is S3's error document, with the optional details S3 adds.
type s3Error struct {
	status                     int
	XMLName                    xml.Name `xml:"Error"`
	Code                       string   `xml:"Code"`
	Message                    string   `xml:"Message"`
	AWSAccessKeyID             string   `xml:"AWSAccessKeyId,omitempty"`
	RequestTime                string   `xml:"RequestTime,omitempty"`
	ServerTime                 string   `xml:"ServerTime,omitempty"`
	MaxAllowedSkewMilliseconds string   `xml:"MaxAllowedSkewMilliseconds,omitempty"`
	RequestID                  string   `xml:"RequestId"`
	HostID                     string   `xml:"HostId"`
}

// s3ErrorOf words an error the way S3 does. Authentication failures get
// S3's codes; anything else (an injected failure) is passed through.
func s3ErrorOf(e *apiError) s3Error {
	switch e.reason {
	case reasonNoAuth:
		return s3Error{status: http.StatusForbidden, Code: "AccessDenied", Message: s3AccessDenied}
	case reasonMalformed:
		return s3Error{status: http.StatusBadRequest, Code: "AuthorizationHeaderMalformed", Message: "The authorization header is malformed; " + e.message}
	case reasonUnknownKey:
		return s3Error{status: http.StatusForbidden, Code: "InvalidAccessKeyId", Message: "The AWS Access Key Id you provided does not exist in our records."}
	case reasonBadToken:
		return s3Error{status: http.StatusBadRequest, Code: "InvalidToken", Message: "The provided token is malformed or otherwise invalid."}
	case reasonExpired:
		return s3Error{status: http.StatusBadRequest, Code: "ExpiredToken", Message: "The provided token has expired."}
	case reasonSkew:
		return s3Error{status: http.StatusForbidden, Code: "RequestTimeTooSkewed", Message: "The difference between the request time and the current time is too large."}
	case reasonPayloadHash:
		return s3Error{status: http.StatusBadRequest, Code: "XAmzContentSHA256Mismatch", Message: "The provided 'x-amz-content-sha256' header does not match what was computed."}
	}
	return s3Error{status: e.status, Code: e.code, Message: e.message}
}

func s3ErrorReply(requestID string, e s3Error) reply {
	e.RequestID = s3RequestID(requestID)
	e.HostID = hostID(requestID)
	rep := xmlReply(e.status, "application/xml", xmlDecl, e)
	setS3Headers(rep, requestID)
	return rep
}

func setS3Headers(rep reply, requestID string) {
	rep.header["x-amz-request-id"] = s3RequestID(requestID)
	rep.header["x-amz-id-2"] = hostID(requestID)
	rep.header["Server"] = "AmazonS3"
}

// s3RequestID is S3's style of request id: 16 upper-case hex digits.
func s3RequestID(requestID string) string {
	return strings.ToUpper(strings.ReplaceAll(requestID, "-", ""))[:16]
}

func hostID(requestID string) string {
	sum := sha256.Sum256([]byte("host-id/" + requestID))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// canonicalUserID is a stable stand-in for S3's 64-hex-digit canonical user
// id of an account.
func canonicalUserID(account string) string {
	sum := sha256.Sum256([]byte("fakeaws-canonical-user/" + account))
	return hex.EncodeToString(sum[:])
}

type listAllMyBucketsResult struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListAllMyBucketsResult"`
	Owner   struct {
		ID string `xml:"ID"`
	} `xml:"Owner"`
	Buckets struct{} `xml:"Buckets"`
}
