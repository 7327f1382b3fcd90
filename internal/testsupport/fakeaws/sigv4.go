package fakeaws

// An independent implementation of AWS Signature Version 4 verification
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html).
// It deliberately shares no code with the SDK's signer, so a bug there cannot
// hide behind the same bug here.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	sigAlgorithm  = "AWS4-HMAC-SHA256"
	amzDateFormat = "20060102T150405Z"
	// maxSkew is how far X-Amz-Date may be from the server clock, as in AWS.
	maxSkew         = 15 * time.Minute
	unsignedPayload = "UNSIGNED-PAYLOAD"
)

// authHeader is a parsed "Authorization: AWS4-HMAC-SHA256 ..." header.
type authHeader struct {
	keyID         string
	date          string // YYYYMMDD of the credential scope
	region        string
	service       string
	terminator    string
	signedHeaders []string
	signature     string
}

func (a *authHeader) scope() string {
	return a.date + "/" + a.region + "/" + a.service + "/" + a.terminator
}

func parseAuthorization(v string) (*authHeader, *apiError) {
	algorithm, rest, _ := strings.Cut(strings.TrimSpace(v), " ")
	if algorithm != sigAlgorithm {
		return nil, errIncompleteSignature("Unsupported AWS 'algorithm': '%s'", algorithm)
	}
	params := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok {
			params[k] = val
		}
	}
	var missing []string
	for _, k := range []string{"Credential", "Signature", "SignedHeaders"} {
		if params[k] == "" {
			missing = append(missing, "Authorization header requires '"+k+"' parameter.")
		}
	}
	if len(missing) > 0 {
		return nil, errIncompleteSignature("%s", strings.Join(missing, " "))
	}
	cred := strings.Split(params["Credential"], "/")
	if len(cred) != 5 || cred[0] == "" {
		return nil, errIncompleteSignature("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", params["Credential"])
	}
	return &authHeader{
		keyID:         cred[0],
		date:          cred[1],
		region:        cred[2],
		service:       cred[3],
		terminator:    cred[4],
		signedHeaders: strings.Split(params["SignedHeaders"], ";"),
		signature:     strings.ToLower(params["Signature"]),
	}, nil
}

// checkScope validates the credential scope the way AWS does before it even
// looks at the key: right date, right service, right terminator.
func checkScope(a *authHeader, amzDate, service string) *apiError {
	if a.date != amzDate[:8] {
		return errSignature("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", a.date, amzDate[:8], amzDate)
	}
	if a.service != service {
		return errSignature("Credential should be scoped to correct service: '%s'. ", service)
	}
	if a.terminator != "aws4_request" {
		return errSignature("Credential should be scoped with a valid terminator: 'aws4_request', not '%s'. ", a.terminator)
	}
	if a.region == "" {
		return errSignature("Credential should be scoped to a valid region. ")
	}
	if !slices.Contains(a.signedHeaders, "host") {
		return errSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	return nil
}

// checkSkew rejects requests signed too far from the server clock, with the
// messages AWS uses (clients parse nothing from them, people do).
func checkSkew(signed, now time.Time) *apiError {
	now = now.UTC().Truncate(time.Second)
	switch {
	case signed.Before(now.Add(-maxSkew)):
		return errSignature("Signature expired: %s is now earlier than %s (%s - 15 min.)",
			signed.Format(amzDateFormat), now.Add(-maxSkew).Format(amzDateFormat), now.Format(amzDateFormat)).withReason(reasonSkew)
	case signed.After(now.Add(maxSkew)):
		return errSignature("Signature not yet current: %s is still later than %s (%s + 15 min.)",
			signed.Format(amzDateFormat), now.Add(maxSkew).Format(amzDateFormat), now.Format(amzDateFormat)).withReason(reasonSkew)
	}
	return nil
}

// payloadHash is what the client must have hashed: X-Amz-Content-Sha256 when
// sent (it is then checked against the body unless the payload is unsigned),
// otherwise the hex SHA-256 of the body.
func payloadHash(r *http.Request, body []byte) (string, *apiError) {
	actual := hexSHA256(body)
	claimed := r.Header.Get("X-Amz-Content-Sha256")
	if claimed == "" {
		return actual, nil
	}
	if claimed != unsignedPayload && claimed != actual {
		return "", errSignature("The provided 'x-amz-content-sha256' header does not match what was computed.").withReason(reasonPayloadHash)
	}
	return claimed, nil
}

// canonicalRequest builds the SigV4 canonical request from what actually
// arrived on the wire, for the service named in the credential scope.
func canonicalRequest(r *http.Request, service string, signedHeaders []string, payloadHash string) string {
	var b strings.Builder
	b.WriteString(r.Method + "\n")
	b.WriteString(canonicalURI(r.URL, service) + "\n")
	b.WriteString(canonicalQuery(r.URL.RawQuery) + "\n")
	for _, name := range signedHeaders {
		b.WriteString(name + ":" + canonicalHeaderValue(r, name) + "\n")
	}
	b.WriteString("\n")
	b.WriteString(strings.Join(signedHeaders, ";") + "\n")
	b.WriteString(payloadHash)
	return b.String()
}

// canonicalURI URI-encodes the (already encoded) path once more: every
// service but S3 signs a doubly encoded path; S3 signs it as sent.
func canonicalURI(u *url.URL, service string) string {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if service == "s3" {
		return p
	}
	return uriEncode(p, true)
}

func canonicalQuery(rawQuery string) string {
	values, _ := url.ParseQuery(rawQuery)
	var pairs []string
	for k, vs := range values {
		for _, v := range vs {
			pairs = append(pairs, uriEncode(k, false)+"="+uriEncode(v, false))
		}
	}
	// Sorting "key=value" strings orders by key then value, because '=' sorts
	// before every character uriEncode can emit.
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

func canonicalHeaderValue(r *http.Request, name string) string {
	var values []string
	switch name {
	case "host":
		// Go's server moves Host out of the header map.
		values = []string{r.Host}
	case "content-length":
		values = r.Header.Values(name)
		if len(values) == 0 && r.ContentLength >= 0 {
			values = []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	default:
		values = r.Header.Values(name)
	}
	for i, v := range values {
		values[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(values, ",")
}

func stringToSign(amzDate, scope, canonical string) string {
	return sigAlgorithm + "\n" + amzDate + "\n" + scope + "\n" + hexSHA256([]byte(canonical))
}

func signature(secret string, a *authHeader, toSign string) string {
	key := hmacSHA256([]byte("AWS4"+secret), a.date)
	key = hmacSHA256(key, a.region)
	key = hmacSHA256(key, a.service)
	key = hmacSHA256(key, a.terminator)
	return hex.EncodeToString(hmacSHA256(key, toSign))
}

// signatureMatches compares in constant time so that the fake does not teach
// timing-dependent habits to anything tested against it.
func signatureMatches(want, got string) bool {
	return hmac.Equal([]byte(want), []byte(got))
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// uriEncode is SigV4's UriEncode: everything but unreserved characters is
// percent-encoded with upper-case hex; '/' is kept only in paths.
func uriEncode(s string, keepSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~', c == '/' && keepSlash:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}
