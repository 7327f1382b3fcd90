package awsapi

import "testing"

// Both forms of a sign-in endpoint, as AWS documents it and as the host,
// give the one federation page.
func TestFederationURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://signin.aws.amazon.com":                  "https://signin.aws.amazon.com/federation",
		"https://signin.aws.amazon.com/":                 "https://signin.aws.amazon.com/federation",
		"https://signin.aws.amazon.com/federation":       "https://signin.aws.amazon.com/federation",
		"https://signin.aws.amazon.com/federation/":      "https://signin.aws.amazon.com/federation",
		"https://signin.aws.amazon.com/federation//":     "https://signin.aws.amazon.com/federation",
		"http://127.0.0.1:8080/prefix":                   "http://127.0.0.1:8080/prefix/federation",
		"https://signin.amazonaws-us-gov.com/federation": "https://signin.amazonaws-us-gov.com/federation",
	} {
		if got := FederationURL(in); got != want {
			t.Errorf("FederationURL(%q) = %q, want %q", in, got, want)
		}
	}
}
