package fakeaws

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// These tests look at raw HTTP. Requests are signed with the SDK's signer,
// an independent implementation of what the server verifies.

type rawResponse struct {
	status int
	header http.Header
	body   string
}

// rawRequest describes one hand-made request.
type rawRequest struct {
	method, path, query, body string
	keyID, secret, token      string            // empty keyID: not signed
	service                   string            // of the credential scope; default "sts"
	payloadHash               string            // what the signer hashes; default: SHA-256 of body
	header                    map[string]string // set before signing
	afterSign                 func(*http.Request)
}

// aliceRequest is a request signed with alice's long-term key.
func aliceRequest(method, path, query, body string) rawRequest {
	return rawRequest{method: method, path: path, query: query, body: body, keyID: aliceKeyID, secret: aliceSecret}
}

func (w *world) do(t *testing.T, rr rawRequest) rawResponse {
	t.Helper()
	r, err := w.send(context.Background(), rr)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// send is do for goroutines and for requests a test abandons (ctx).
func (w *world) send(c context.Context, rr rawRequest) (rawResponse, error) {
	u := w.url + rr.path
	if rr.query != "" {
		u += "?" + rr.query
	}
	req, err := http.NewRequestWithContext(c, rr.method, u, strings.NewReader(rr.body))
	if err != nil {
		return rawResponse{}, err
	}
	if rr.body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	for k, v := range rr.header {
		req.Header.Set(k, v)
	}
	if rr.keyID != "" {
		hash := rr.payloadHash
		if hash == "" {
			hash = hexSHA256([]byte(rr.body))
		}
		creds := aws.Credentials{AccessKeyID: rr.keyID, SecretAccessKey: rr.secret, SessionToken: rr.token}
		service := rr.service
		if service == "" {
			service = "sts"
		}
		// S3 signs its path as sent; the signer's option says so.
		signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = service == "s3" })
		if err := signer.SignHTTP(c, creds, req, hash, service, region, w.clock.Now()); err != nil {
			return rawResponse{}, err
		}
	}
	if rr.afterSign != nil {
		rr.afterSign(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return rawResponse{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return rawResponse{}, err
	}
	return rawResponse{resp.StatusCode, resp.Header, string(b)}, nil
}

// redact hides issued secrets from failure messages.
func redact(body string) string {
	return regexp.MustCompile(`<(SecretAccessKey|SessionToken)>[^<]*<`).ReplaceAllString(body, "<$1>REDACTED<")
}

type wireError struct {
	XMLName xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ ErrorResponse"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

func wantWireError(t *testing.T, r rawResponse, status int, code string) wireError {
	t.Helper()
	return wantWireErrorType(t, r, status, "Sender", code)
}

func wantWireErrorType(t *testing.T, r rawResponse, status int, typ, code string) wireError {
	t.Helper()
	var e wireError
	if err := xml.Unmarshal([]byte(r.body), &e); err != nil {
		t.Fatalf("error body %q: %v", r.body, err)
	}
	if r.status != status || e.Error.Code != code || e.Error.Type != typ {
		t.Errorf("got %d %s/%s (%s), want %d %s/%s", r.status, e.Error.Type, e.Error.Code, e.Error.Message, status, typ, code)
	}
	if ct := r.header.Get("Content-Type"); ct != "text/xml" {
		t.Errorf("Content-Type = %q", ct)
	}
	if id := r.header.Get("X-Amzn-Requestid"); id == "" || id != e.RequestID {
		t.Errorf("x-amzn-RequestId header %q, body RequestId %q", id, e.RequestID)
	}
	return e
}

func TestWireErrorShapeAndDateHeader(t *testing.T) {
	w := newWorld(t)
	w.clock.Set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	r := w.do(t, rawRequest{method: "POST", path: "/", body: "Action=GetCallerIdentity&Version=2011-06-15"})
	e := wantWireError(t, r, 403, "MissingAuthenticationToken")
	if e.Error.Message != "Request is missing Authentication Token" {
		t.Errorf("message %q", e.Error.Message)
	}
	if got := r.header.Get("Date"); got != "Mon, 23 Nov 2026 12:00:00 GMT" {
		t.Errorf("Date header %q, want the server clock", got)
	}
	if !regexp.MustCompile(`^<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>MissingAuthenticationToken</Code><Message>Request is missing Authentication Token</Message></Error><RequestId>[0-9a-f-]{36}</RequestId></ErrorResponse>$`).MatchString(r.body) {
		t.Errorf("body %s", r.body)
	}
}

func TestWireGetSessionTokenDocument(t *testing.T) {
	w := newWorld(t)
	r := w.do(t, aliceRequest("POST", "/", "", "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=900"))
	exp := w.now.Add(15 * time.Minute).Format("2006-01-02T15:04:05Z")
	re := `^<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetSessionTokenResult><Credentials>` +
		`<AccessKeyId>ASIA[A-Z0-9]{16}</AccessKeyId><SecretAccessKey>[A-Za-z0-9+/]{40}</SecretAccessKey>` +
		`<SessionToken>[A-Za-z0-9+/=]+</SessionToken><Expiration>` + exp + `</Expiration></Credentials></GetSessionTokenResult>` +
		`<ResponseMetadata><RequestId>([0-9a-f-]{36})</RequestId></ResponseMetadata></GetSessionTokenResponse>$`
	m := regexp.MustCompile(re).FindStringSubmatch(r.body)
	if r.status != 200 || m == nil {
		t.Fatalf("status %d body %s", r.status, redact(r.body))
	}
	if r.header.Get("X-Amzn-Requestid") != m[1] || r.header.Get("Content-Type") != "text/xml" {
		t.Errorf("headers %v", r.header)
	}
}

func TestWireRequestVariants(t *testing.T) {
	w := newWorld(t)
	const form = "Action=GetCallerIdentity&Version=2011-06-15"
	ok := func(name string, rr rawRequest) {
		t.Helper()
		r := w.do(t, rr)
		if r.status != 200 || !strings.Contains(r.body, "<Arn>"+w.alice.ARN()+"</Arn>") {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	ok("GET with query parameters", aliceRequest("GET", "/", form, ""))
	ok("path needing escaping", aliceRequest("POST", "/some path/x~y", "", form))
	withHash := aliceRequest("POST", "/", "", form)
	withHash.header = map[string]string{"X-Amz-Content-Sha256": hexSHA256([]byte(form))}
	ok("X-Amz-Content-Sha256 of the body", withHash)
	unsigned := aliceRequest("POST", "/", "", form)
	unsigned.payloadHash = "UNSIGNED-PAYLOAD"
	unsigned.header = map[string]string{"X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD"}
	ok("UNSIGNED-PAYLOAD", unsigned)

	bad := func(name string, rr rawRequest, code string) {
		t.Helper()
		t.Run(name, func(t *testing.T) { wantWireError(t, w.do(t, rr), 403, code) })
	}
	other := aliceRequest("POST", "/", "", form)
	other.payloadHash = hexSHA256([]byte("Action=AssumeRole"))
	bad("signed hash of another body", other, "SignatureDoesNotMatch")
	claimed := aliceRequest("POST", "/", "", form)
	claimed.payloadHash = hexSHA256([]byte("Action=AssumeRole"))
	claimed.header = map[string]string{"X-Amz-Content-Sha256": claimed.payloadHash}
	bad("X-Amz-Content-Sha256 not of the body", claimed, "SignatureDoesNotMatch")

	// Tampering after signing: the body, a signed header, the query.
	body := aliceRequest("POST", "/", "", form)
	body.afterSign = func(req *http.Request) {
		tampered := form + "&X=1"
		req.Body = io.NopCloser(strings.NewReader(tampered))
		req.ContentLength = int64(len(tampered))
	}
	bad("tampered body", body, "SignatureDoesNotMatch")
	header := aliceRequest("POST", "/", "", form)
	header.afterSign = func(req *http.Request) { req.Header.Set("Content-Type", "application/x-www-form-urlencoded") }
	bad("tampered signed header", header, "SignatureDoesNotMatch")
	query := aliceRequest("GET", "/", form, "")
	query.afterSign = func(req *http.Request) {
		req.URL.RawQuery = url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}, "Extra": {"1"}}.Encode()
	}
	bad("tampered query", query, "SignatureDoesNotMatch")
	unsignedHeader := aliceRequest("POST", "/", "", form)
	unsignedHeader.afterSign = func(req *http.Request) { req.Header.Set("X-Not-Signed", "fine") }
	ok("extra unsigned header", unsignedHeader)

	r := w.do(t, aliceRequest("POST", "/", "", "Action=ListUsers&Version=2011-06-15"))
	if e := wantWireError(t, r, 400, "InvalidAction"); e.Error.Message != "Could not find operation ListUsers for version 2011-06-15" {
		t.Errorf("message %q", e.Error.Message)
	}
	if got := w.srv.Calls("ListUsers"); got != 1 {
		t.Errorf("Calls(ListUsers) = %d", got)
	}
}

func TestWireCredentialScope(t *testing.T) {
	w := newWorld(t)
	const form = "Action=GetCallerIdentity&Version=2011-06-15"
	for _, tc := range []struct {
		name, from, to, message string
	}{
		{"other service", "/sts/aws4_request", "/iam/aws4_request", "Credential should be scoped to correct service: 'sts'. "},
		{"any region is fine", "/us-east-1/", "/eu-west-3/", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rr := aliceRequest("POST", "/", "", form)
			rr.afterSign = func(req *http.Request) {
				req.Header.Set("Authorization", strings.Replace(req.Header.Get("Authorization"), tc.from, tc.to, 1))
			}
			r := w.do(t, rr)
			if tc.message == "" {
				// The signature no longer matches, but the scope was accepted.
				if e := wantWireError(t, r, 403, "SignatureDoesNotMatch"); strings.Contains(e.Error.Message, "scope") {
					t.Errorf("region rejected: %s", e.Error.Message)
				}
				return
			}
			if e := wantWireError(t, r, 403, "SignatureDoesNotMatch"); e.Error.Message != tc.message {
				t.Errorf("message %q", e.Error.Message)
			}
		})
	}
}
