package fakeaws

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Published AWS Signature Version 4 examples (the SigV4 test suite and the
// IAM ListUsers walk-through), checked against our own implementation.
func TestSigV4KnownVectors(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	tests := []struct {
		name, method, url, body string
		headers                 map[string]string
		auth                    string
		want                    string
	}{
		{
			name: "get-vanilla", method: "GET", url: "http://example.amazonaws.com/",
			headers: map[string]string{"X-Amz-Date": "20150830T123600Z"},
			auth:    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=x",
			want:    "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
		},
		{
			name: "get-vanilla-query-order-key-case", method: "GET", url: "http://example.amazonaws.com/?Param2=value2&Param1=value1",
			headers: map[string]string{"X-Amz-Date": "20150830T123600Z"},
			auth:    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=x",
			want:    "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
		},
		{
			name: "iam-list-users", method: "GET", url: "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
			headers: map[string]string{"X-Amz-Date": "20150830T123600Z", "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
			auth:    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=x",
			want:    "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.url, strings.NewReader(tc.body))
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			a, err := parseAuthorization(tc.auth)
			if err != nil {
				t.Fatal(err)
			}
			hash, err := payloadHash(r, []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			toSign := stringToSign(r.Header.Get("X-Amz-Date"), a.scope(), canonicalRequest(r, a.service, a.signedHeaders, hash))
			if got := signature(secret, a, toSign); got != tc.want {
				t.Errorf("signature = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestUriEncodeAndCanonicalQuery(t *testing.T) {
	if got := uriEncode("/a b/ü~-_.*", true); got != "/a%20b/%C3%BC~-_.%2A" {
		t.Errorf("uriEncode path = %s", got)
	}
	if got := uriEncode("a/b+c=", false); got != "a%2Fb%2Bc%3D" {
		t.Errorf("uriEncode value = %s", got)
	}
	if got := canonicalQuery("b=2&a=z&a=y&c&sp=a+b"); got != "a=y&a=z&b=2&c=&sp=a%20b" {
		t.Errorf("canonicalQuery = %s", got)
	}
}

func TestParseAuthorizationRejectsMalformedHeaders(t *testing.T) {
	for _, h := range []string{
		"Basic dXNlcjpwYXNz",
		"AWS4-HMAC-SHA256 SignedHeaders=host, Signature=abc",
		"AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sts, SignedHeaders=host, Signature=abc",
	} {
		if _, err := parseAuthorization(h); err == nil || err.code != "IncompleteSignature" {
			t.Errorf("%q: got %v, want IncompleteSignature", h, err)
		}
	}
}

func TestCheckSkewMessages(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 25, 0, 0, time.UTC)
	err := checkSkew(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), now)
	want := "Signature expired: 20260101T000000Z is now earlier than 20260101T001000Z (20260101T002500Z - 15 min.)"
	if err == nil || err.code != "SignatureDoesNotMatch" || err.message != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	err = checkSkew(time.Date(2026, 1, 1, 0, 50, 0, 0, time.UTC), now)
	want = "Signature not yet current: 20260101T005000Z is still later than 20260101T004000Z (20260101T002500Z + 15 min.)"
	if err == nil || err.message != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	for _, d := range []time.Duration{-15 * time.Minute, 0, 15 * time.Minute} {
		if err := checkSkew(now.Add(d), now); err != nil {
			t.Errorf("skew %v rejected: %v", d, err)
		}
	}
}

// RFC 6238 appendix B (SHA1, T=59 gives 94287082; 6 digits keep 287082).
func TestTOTPCodeRFC6238(t *testing.T) {
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // "12345678901234567890"
	for _, tc := range []struct {
		unix int64
		want string
	}{{59, "287082"}, {1111111109, "081804"}, {1234567890, "005924"}, {2000000000, "279037"}} {
		if got := TOTPCode(secret, time.Unix(tc.unix, 0)); got != tc.want {
			t.Errorf("TOTPCode(T=%d) = %s, want %s", tc.unix, got, tc.want)
		}
	}
}
