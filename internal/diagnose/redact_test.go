package diagnose

import (
	"strings"
	"testing"
)

const token = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexampleexampleexampleexampleexampleexampleexampleAiBexampleexampleexampleexampleexample+exampleexample=="

func TestRedact(t *testing.T) {
	cases := []struct{ in, want string }{
		{"aws_secret_access_key = " + secret, "aws_secret_access_key = " + Redacted},
		{"AWS_SECRET_ACCESS_KEY=" + secret + " aws s3 ls", "AWS_SECRET_ACCESS_KEY=" + Redacted + " aws s3 ls"},
		{"export AWS_SESSION_TOKEN='" + token + "'", "export AWS_SESSION_TOKEN='" + Redacted + "'"},
		{`{"SecretAccessKey": "` + secret + `", "SessionToken": "short"}`, `{"SecretAccessKey": "` + Redacted + `", "SessionToken": "` + Redacted + `"}`},
		{"aws_session_token=abc\naws_security_token: def", "aws_session_token=" + Redacted + "\naws_security_token: " + Redacted},
		{"secret was " + secret + ".", "secret was " + Redacted + "."},
		{"token " + token, "token " + Redacted},
		{"https://b.s3.amazonaws.com/k?X-Amz-Security-Token=abc%2Fdef&X-Amz-Date=1", "https://b.s3.amazonaws.com/k?X-Amz-Security-Token=" + Redacted + "&X-Amz-Date=1"},
		// What is not secret stays.
		{"AKIAIOSFODNN7EXAMPLE ASIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE ASIAIOSFODNN7EXAMPLE"},
		{"An error occurred (InvalidAccessKeyId) when calling the ListBuckets operation: " + msgNoKey, "An error occurred (InvalidAccessKeyId) when calling the ListBuckets operation: " + msgNoKey},
		{"RequestID: c2a0e7a3-1111-2222-3333-444455556666", "RequestID: c2a0e7a3-1111-2222-3333-444455556666"},
		{userARN, userARN},
		{"aws_session_token", "aws_session_token"},
		{"the aws_session_token is missing", "the aws_session_token is missing"},
		{"file_" + secret, "file_" + Redacted},
		{"/home/alice/projects/infrastructure/terraform/modules", "/home/alice/projects/infrastructure/terraform/modules"},
		{"arn:aws:iam::123456789012:user/engineering/platform/team/alice", "arn:aws:iam::123456789012:user/engineering/platform/team/alice"},
	}
	for _, tc := range cases {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func FuzzRedact(f *testing.F) {
	f.Add("aws_secret_access_key = " + secret)
	f.Add("AWS_SESSION_TOKEN=" + token)
	f.Add(`"SessionToken":"x"`)
	f.Fuzz(func(t *testing.T, prefix string) {
		for _, s := range []string{secret, token} {
			for _, sep := range []string{" ", "\n", "=", ": ", "'", `"`} {
				in := prefix + sep + s + sep
				if out := Redact(in); strings.Contains(out, s) {
					t.Fatalf("Redact(%q) kept the secret: %q", in, out)
				}
			}
		}
		Redact(prefix)
	})
}
