package diagnose

import (
	"strings"
	"testing"

	"github.com/awsenv/awsenv/internal/awsapi"
)

func TestParse(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want awsapi.APIError
	}{
		{"aws CLI", "\nAn error occurred (InvalidAccessKeyId) when calling the ListBuckets operation: The AWS Access Key Id you provided does not exist in our records.\n",
			awsapi.APIError{Operation: "ListBuckets", Code: "InvalidAccessKeyId", Message: msgNoKey}},
		{"aws CLI, two spaces kept", "An error occurred (AccessDenied) when calling the GetSessionToken operation: " + msgBadSerial,
			awsapi.APIError{Operation: "GetSessionToken", Code: "AccessDenied", Message: msgBadSerial}},
		{"aws CLI s3 high-level command", "fatal error: An error occurred (AccessDenied) when calling the ListObjectsV2 operation: Access Denied\r\n",
			awsapi.APIError{Operation: "ListObjectsV2", Code: "AccessDenied", Message: "Access Denied"}},
		{"aws CLI after retries", "An error occurred (Throttling) when calling the GetSessionToken operation (reached max retries: 4): Rate exceeded",
			awsapi.APIError{Operation: "GetSessionToken", Code: "Throttling", Message: "Rate exceeded"}},
		{"aws CLI, boto traceback", "botocore.exceptions.ClientError: An error occurred (ExpiredToken) when calling the GetCallerIdentity operation: " + msgExpired,
			awsapi.APIError{Operation: "GetCallerIdentity", Code: "ExpiredToken", Message: msgExpired}},
		{"Go SDK", "operation error S3: ListBuckets, https response error StatusCode: 403, RequestID: 4442587FB7D0A2F9, HostID: abc, api error AccessDenied: Access Denied",
			awsapi.APIError{Operation: "ListBuckets", Code: "AccessDenied", Message: "Access Denied", HTTPStatus: 403, RequestID: "4442587FB7D0A2F9"}},
		{"Go SDK, wrapped", "Error: failed to refresh cached credentials, operation error STS: AssumeRole, https response error StatusCode: 403, RequestID: c2a0e7a3-1111-2222-3333-444455556666, api error AccessDenied: User: " + userARN + " is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/admin",
			awsapi.APIError{Operation: "AssumeRole", Code: "AccessDenied", Message: "User: " + userARN + " is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/admin",
				HTTPStatus: 403, RequestID: "c2a0e7a3-1111-2222-3333-444455556666"}},
		{"Go SDK without operation", "api error InvalidClientTokenId: " + msgBadToken,
			awsapi.APIError{Code: "InvalidClientTokenId", Message: msgBadToken}},
		{"CloudFormation", "2026-11-23 12:00:00 UTC+0000  MyQueue  AWS::SQS::Queue  CREATE_FAILED  API: sqs:CreateQueue Access to the resource https://sqs.us-east-1.amazonaws.com/ is denied.",
			awsapi.APIError{Operation: "CreateQueue", Code: "AccessDenied", Message: "API: sqs:CreateQueue Access to the resource https://sqs.us-east-1.amazonaws.com/ is denied."}},
		{"bare IAM denial", `Resource handler returned message: "User: ` + userARN + ` is not authorized to perform: sqs:createqueue on resource: arn:aws:sqs:us-east-1:123456789012:q (Service: Sqs, Status Code: 403)"`,
			awsapi.APIError{Operation: "createqueue", Code: "AccessDenied", Message: "User: " + userARN + ` is not authorized to perform: sqs:createqueue on resource: arn:aws:sqs:us-east-1:123456789012:q (Service: Sqs, Status Code: 403)"`}},
		{"the last error wins", "An error occurred (ExpiredToken) when calling the ListBuckets operation: x\nAn error occurred (InvalidToken) when calling the ListBuckets operation: " + msgMalformed,
			awsapi.APIError{Operation: "ListBuckets", Code: "InvalidToken", Message: msgMalformed}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Parse(tc.in)
			if !ok {
				t.Fatalf("no error found in %q", tc.in)
			}
			if *got != tc.want {
				t.Errorf("got  %+v\nwant %+v", *got, tc.want)
			}
		})
	}
}

func TestParseNothing(t *testing.T) {
	for _, in := range []string{
		"",
		"2026-11-20 12:00:00 my-bucket\n",
		"An error occurred (",
		"An error occurred (Bad Code) when calling the X operation: y",
		"An error occurred (Code) when calling the  operation: y",
		"An error occurred (Code) somewhere else",
		"api error : nothing",
		"API: sqs:CreateQueue created",
		"API: not-an-action is denied",
		"Unable to locate credentials. You can configure credentials by running \"aws configure\".",
	} {
		if e, ok := Parse(in); ok {
			t.Errorf("Parse(%q) = %+v, want nothing", in, e)
		}
	}
}

// Every parsed error explains: the seed's messages as the aws CLI prints
// them go from text to the right entry.
func TestParseThenExplain(t *testing.T) {
	for in, id := range map[string]string{
		"An error occurred (InvalidClientTokenId) when calling the GetSessionToken operation: " + msgBadToken: IDInvalidClientToken,
		"An error occurred (AccessDenied) when calling the ListBuckets operation: Access Denied":              IDMFARequired,
		"An error occurred (AccessDenied) when calling the GetSessionToken operation: " + msgBadSerial:        IDMFASerialInvalid,
		"An error occurred (AccessDenied) when calling the GetSessionToken operation: " + msgBadCode:          IDMFACodeInvalid,
		"An error occurred (InvalidToken) when calling the ListBuckets operation: " + msgMalformed:            IDInvalidSessionToken,
		"An error occurred (SignatureDoesNotMatch) when calling the ListBuckets operation: " + msgSigMismatch: IDSignatureMismatch,
		"An error occurred (AccessDenied) when calling the GetSessionToken operation: " + msgSessionGST:       IDSessionCredentials,
		"API: sqs:CreateQueue Access to the resource https://sqs.us-east-1.amazonaws.com/ is denied.":         IDMFARequired,
		"An error occurred (LimitExceeded) when calling the CreateAccessKey operation: " + msgKeyQuota:        IDAccessKeyLimit,
	} {
		e, ok := Parse(in)
		if !ok {
			t.Errorf("no error in %q", in)
			continue
		}
		if x := Explain(e, alice()); x.ID != id {
			t.Errorf("%q: ID %q, want %q", in, x.ID, id)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"An error occurred (InvalidAccessKeyId) when calling the ListBuckets operation: " + msgNoKey,
		"An error occurred (Throttling) when calling the GetSessionToken operation (reached max retries: 4): Rate exceeded",
		"operation error S3: ListBuckets, https response error StatusCode: 403, RequestID: X, api error AccessDenied: Access Denied",
		"API: sqs:CreateQueue Access to the resource https://sqs.us-east-1.amazonaws.com/ is denied.",
		"User: " + userARN + " is not authorized to perform: sts:GetSessionToken on resource: *",
		"An error occurred (",
		"api error X:",
		"StatusCode: 99999999999999999999, api error A: b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		e, ok := Parse(text)
		if !ok {
			if e != nil {
				t.Fatal("not found but an error returned")
			}
			return
		}
		if !validCode(e.Code) {
			t.Fatalf("bad code %q from %q", e.Code, text)
		}
		if e.Code != "AccessDenied" && !strings.Contains(text, e.Code) { // CloudFormation's and IAM's forms imply AccessDenied
			t.Fatalf("code %q is not in the input %q", e.Code, text)
		}
		for _, s := range []string{e.Operation, e.Message, e.RequestID} {
			if strings.ContainsAny(s, "\r\n") || !strings.Contains(text, s) {
				t.Fatalf("%q is not one line of the input %q", s, text)
			}
		}
		if leading(e.Operation, opChar) != e.Operation {
			t.Fatalf("bad operation %q", e.Operation)
		}
		// What Parse found, printed the way the aws CLI prints it, parses
		// back the same.
		if e.Operation != "" && !strings.HasPrefix(e.Message, ":") {
			line := "An error occurred (" + e.Code + ") when calling the " + e.Operation + " operation: " + e.Message
			again, ok := Parse(line)
			if !ok || again.Code != e.Code || again.Operation != e.Operation || again.Message != e.Message {
				t.Fatalf("round trip of %q gave %+v", line, again)
			}
		}
		Explain(e, Facts{}) // must not panic on anything Parse returns
	})
}
