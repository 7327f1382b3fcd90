package fakeaws

import (
	"encoding/xml"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

var emptySHA256 = hexSHA256(nil)

// s3ListBuckets is `GET /` signed as the S3 clients sign it, with
// X-Amz-Content-Sha256.
func s3ListBuckets(c *stsCreds) rawRequest {
	return rawRequest{method: "GET", path: "/", keyID: c.id, secret: c.secret, token: c.token, service: "s3",
		header: map[string]string{"X-Amz-Content-Sha256": emptySHA256}}
}

type s3WireError struct {
	XMLName                                    xml.Name `xml:"Error"`
	Code, Message, AWSAccessKeyId              string
	RequestTime, ServerTime, RequestId, HostId string
}

func wantS3Error(t *testing.T, r rawResponse, status int, code, message string) s3WireError {
	t.Helper()
	var e s3WireError
	if err := xml.Unmarshal([]byte(r.body), &e); err != nil {
		t.Fatalf("error body %q: %v", r.body, err)
	}
	if r.status != status || e.Code != code || e.Message != message {
		t.Errorf("got %d %s %q\nwant %d %s %q", r.status, e.Code, e.Message, status, code, message)
	}
	if !strings.HasPrefix(r.body, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<Error><Code>") || r.header.Get("Content-Type") != "application/xml" {
		t.Errorf("not S3's error document: %s %v", r.body, r.header)
	}
	if id := r.header.Get("X-Amz-Request-Id"); !regexp.MustCompile(`^[0-9A-F]{16}$`).MatchString(id) || id != e.RequestId || e.HostId == "" || r.header.Get("X-Amz-Id-2") != e.HostId {
		t.Errorf("request id header %q, body %q / %q", id, e.RequestId, e.HostId)
	}
	return e
}

var listBucketsBody = regexp.MustCompile(`^<\?xml version="1.0" encoding="UTF-8"\?>\n<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>[0-9a-f]{64}</ID></Owner><Buckets></Buckets></ListAllMyBucketsResult>$`)

func wantBuckets(t *testing.T, r rawResponse) {
	t.Helper()
	if r.status != 200 || !listBucketsBody.MatchString(r.body) || r.header.Get("Content-Type") != "application/xml" {
		t.Errorf("ListBuckets: %d %s", r.status, r.body)
	}
}

// session gets temporary credentials with the SDK.
func (w *world) session(t *testing.T, keyID, secret string, in *sts.GetSessionTokenInput) *stsCreds {
	t.Helper()
	out, err := w.client(t, keyID, secret, "").GetSessionToken(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	return credsFrom(out.Credentials)
}

func TestS3ListBuckets(t *testing.T) {
	w := newWorld(t)
	w.clock.Set(w.now.Add(-10 * time.Minute))
	r := w.do(t, s3ListBuckets(aliceCreds))
	wantBuckets(t, r)
	if got := w.srv.Calls("ListBuckets"); got != 1 {
		t.Errorf("Calls(ListBuckets) = %d", got)
	}
	if k := w.alice.Keys()[0]; k.LastService != "s3" || !k.LastUsed.Equal(w.now.Add(-10*time.Minute)) {
		t.Errorf("last use %+v", k)
	}
	// Same account, same owner; a query string (as paginators send) is fine.
	rr := s3ListBuckets(&stsCreds{bobKeyID, bobSecret, ""})
	rr.query = "max-buckets=1000&prefix=x"
	if other := w.do(t, rr); other.status != 200 || other.body != r.body {
		t.Errorf("bob's listing differs: %s", other.body)
	}
	unsigned := s3ListBuckets(aliceCreds)
	unsigned.payloadHash, unsigned.header["X-Amz-Content-Sha256"] = unsignedPayload, unsignedPayload
	wantBuckets(t, w.do(t, unsigned))

	sess := w.session(t, aliceKeyID, aliceSecret, nil)
	wantBuckets(t, w.do(t, s3ListBuckets(sess)))
}

func TestS3Errors(t *testing.T) {
	w := newWorld(t)
	sess := w.session(t, aliceKeyID, aliceSecret, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	other := w.session(t, bobKeyID, bobSecret, nil)
	w.srv.AddUser(account, "carol").AddKey("AKIAJ7CAROLEXAMPLE00", "k3yCarolEXAMPLEKEYxxxxxxxxxxxxxxxxxxxxxx").SetActive(false)
	const (
		noKey    = "The AWS Access Key Id you provided does not exist in our records."
		badToken = "The provided token is malformed or otherwise invalid."
	)

	for _, tc := range []struct {
		name          string
		rr            rawRequest
		status        int
		code, message string
	}{
		{"unknown key", s3ListBuckets(&stsCreds{"AKIAJUNKNOWNEXAMPLE0", aliceSecret, ""}), 403, "InvalidAccessKeyId", noKey},
		{"inactive key", s3ListBuckets(&stsCreds{"AKIAJ7CAROLEXAMPLE00", "k3yCarolEXAMPLEKEYxxxxxxxxxxxxxxxxxxxxxx", ""}), 403, "InvalidAccessKeyId", noKey},
		{"session key without its token", s3ListBuckets(&stsCreds{sess.id, sess.secret, ""}), 403, "InvalidAccessKeyId", noKey},
		{"token that is not base64", s3ListBuckets(&stsCreds{sess.id, sess.secret, "not a token!"}), 400, "InvalidToken", badToken},
		{"another session's token", s3ListBuckets(&stsCreds{sess.id, sess.secret, other.token}), 400, "InvalidToken", badToken},
		{"token with a long-term key", s3ListBuckets(&stsCreds{aliceKeyID, aliceSecret, sess.token}), 400, "InvalidToken", badToken},
		{"wrong secret", s3ListBuckets(&stsCreds{aliceKeyID, bobSecret, ""}), 403, "SignatureDoesNotMatch", msgSignatureMismatch},
		{"wrong session secret", s3ListBuckets(&stsCreds{sess.id, other.secret, sess.token}), 403, "SignatureDoesNotMatch", msgSignatureMismatch},
		{"no content hash", rawRequest{method: "GET", path: "/", keyID: aliceKeyID, secret: aliceSecret, service: "s3"},
			400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256"},
		{"content hash not of the body", rawRequest{method: "GET", path: "/", keyID: aliceKeyID, secret: aliceSecret, service: "s3",
			header: map[string]string{"X-Amz-Content-Sha256": hexSHA256([]byte("x"))}, payloadHash: hexSHA256([]byte("x"))},
			400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed."},
		{"other operation", rawRequest{method: "PUT", path: "/bucket", keyID: aliceKeyID, secret: aliceSecret, service: "s3",
			header: map[string]string{"X-Amz-Content-Sha256": emptySHA256}}, 501, "NotImplemented", "fakeaws implements only ListBuckets of S3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := wantS3Error(t, w.do(t, tc.rr), tc.status, tc.code, tc.message)
			if (tc.code == "InvalidAccessKeyId" || tc.code == "SignatureDoesNotMatch") && e.AWSAccessKeyId != tc.rr.keyID {
				t.Errorf("AWSAccessKeyId = %q", e.AWSAccessKeyId)
			}
		})
	}

	t.Run("expired token", func(t *testing.T) {
		w.clock.Set(w.now.Add(15 * time.Minute))
		defer w.clock.Set(w.now)
		wantS3Error(t, w.do(t, s3ListBuckets(sess)), 400, "ExpiredToken", "The provided token has expired.")
	})
	t.Run("clock skew", func(t *testing.T) {
		serverNow := w.now.Add(20 * time.Minute)
		w.srv.SetClock(func() time.Time { return serverNow })
		defer w.srv.SetClock(w.clock.Now)
		e := wantS3Error(t, w.do(t, s3ListBuckets(aliceCreds)), 403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.")
		if e.RequestTime != w.now.Format(amzDateFormat) || e.ServerTime != serverNow.Format(time.RFC3339) {
			t.Errorf("RequestTime %s, ServerTime %s", e.RequestTime, e.ServerTime)
		}
	})
	t.Run("not yet propagated key", func(t *testing.T) {
		w.srv.SetKeyPropagationDelay(time.Minute)
		var created iamCreateKey
		decodeOK(t, w.iam(t, &stsCreds{bobKeyID, bobSecret, ""}, "CreateAccessKey"), &created)
		wantS3Error(t, w.do(t, s3ListBuckets(&stsCreds{created.Key.AccessKeyId, created.Key.SecretAccessKey, ""})), 403, "InvalidAccessKeyId", noKey)
	})
	t.Run("injected failure", func(t *testing.T) {
		w.srv.FailNext("ListBuckets", "SlowDown", 503, "Please reduce your request rate.")
		wantS3Error(t, w.do(t, s3ListBuckets(aliceCreds)), 503, "SlowDown", "Please reduce your request rate.")
		wantBuckets(t, w.do(t, s3ListBuckets(aliceCreds)))
	})
}

func TestS3Permissions(t *testing.T) {
	w := newWorld(t)
	w.alice.RequireMFA()
	w.bob.Deny("s3:ListAllMyBuckets")
	const denied = "Access Denied"

	wantS3Error(t, w.do(t, s3ListBuckets(aliceCreds)), 403, "AccessDenied", denied)
	plain := w.session(t, aliceKeyID, aliceSecret, nil)
	wantS3Error(t, w.do(t, s3ListBuckets(plain)), 403, "AccessDenied", denied)
	mfa := w.session(t, aliceKeyID, aliceSecret, &sts.GetSessionTokenInput{SerialNumber: aws.String(aliceSerial), TokenCode: aws.String(w.code(aliceTOTP, 0))})
	wantBuckets(t, w.do(t, s3ListBuckets(mfa)))

	wantS3Error(t, w.do(t, s3ListBuckets(&stsCreds{bobKeyID, bobSecret, ""})), 403, "AccessDenied", denied)
}
