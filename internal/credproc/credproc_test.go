package credproc

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	c, err := Parse([]byte(`{"Version":1,"AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":"`+secret+`","SessionToken":"tok","Expiration":"2026-12-01T12:00:00+01:00"}`), now)
	if err != nil || c.AccessKeyID != "ASIAIOSFODNN7EXAMPLE" || c.SecretAccessKey.Reveal() != secret || c.SessionToken.Reveal() != "tok" ||
		!c.Expiration.Equal(time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC)) {
		t.Fatalf("Parse = %+v, %v", c, err)
	}
	// No Expiration: never expires, as for botocore.
	if c, err := Parse([]byte(`{"Version":1,"AccessKeyId":"AKIAIOSFODNN7EXAMPLE","SecretAccessKey":"`+secret+`"}`), now); err != nil || !c.Expiration.IsZero() {
		t.Fatalf("without Expiration: %+v, %v", c, err)
	}
	for in, want := range map[string]string{
		``:                     "printed nothing",
		`{"Version": 1,`:       "not JSON",
		`[1]`:                  "not a",
		`{"Version": "1"}`:     "Version is not a number",
		`{"AccessKeyId": "A"}`: `no "Version"`,
		`{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "` + secret + `"}`: `"Version": 2`,
		`{"Version": 1, "SecretAccessKey": "` + secret + `"}`:                     `no "AccessKeyId"`,
		`{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": 5}`:                "SecretAccessKey is not a string",
		`{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "s"} {}`:           "more than one JSON value",
		// What parses is checked by profiles.Credentials.Validate.
		`{"Version": 1, "AccessKeyId": "akiaiosfodnn7example", "SecretAccessKey": "` + secret + `"}`:                                                               "access key id is not one",
		`{"Version": 1, "AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "SecretAccessKey": "` + secret + `\u001b]52;c;"}`:                                                   "secret access key holds",
		`{"Version": 1, "AccessKeyId": "ASIAIOSFODNN7EXAMPLE", "SecretAccessKey": "` + secret + `", "SessionToken": "a\nb", "Expiration": "2026-12-01T12:00:00Z"}`: "session token holds",
		`{"Version": 1, "AccessKeyId": "ASIAIOSFODNN7EXAMPLE", "SecretAccessKey": "` + secret + `", "SessionToken": "t", "Expiration": "9999-12-31T23:59:59Z"}`:    "later than such credentials last",
		`{"Version": 1, "AccessKeyId": "ASIAIOSFODNN7EXAMPLE", "SecretAccessKey": "` + secret + `", "SessionToken": "t", "Expiration": "0001-01-01T00:00:01Z"}`:    "not a time",
		`{"Version": 1, "AccessKeyId": "ASIAIOSFODNN7EXAMPLE", "SecretAccessKey": "` + secret + `", "SessionToken": "t", "Expiration": "0001-01-01T00:00:00Z"}`:    "not a time credentials expire at",
		`{"Version": 1, "AccessKeyId": "ASIAIOSFODNN7EXAMPLE", "SecretAccessKey": "` + secret + `", "SessionToken": "t", "Expiration": "` + secret + `"}`:          "not an RFC 3339 time",
	} {
		_, err := Parse([]byte(in), now)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "wJalr") {
			t.Errorf("Parse(%q) = %v, want %q", in, err, want)
		}
	}
}

func TestAwsenvTarget(t *testing.T) {
	for _, c := range []struct {
		argv []string
		want string
		ok   bool
	}{
		{[]string{"awsenv", "credential-process", "prod"}, "prod", true},
		{[]string{"/usr/local/bin/awsenv", "--debug", "credential-process", "--mfa-code", "123456", "prod"}, "prod", true},
		{[]string{"awsenv", "exec", "prod", "--", "aws"}, "prod", true},
		{[]string{"awsenv", "list"}, "", false},
		{[]string{"aws-vault", "export", "prod"}, "", false},
	} {
		got, ok := AwsenvTarget(c.argv, "")
		if got != c.want || ok != c.ok {
			t.Errorf("AwsenvTarget(%q) = %q, %v", c.argv, got, ok)
		}
	}
}

func TestCheckNested(t *testing.T) {
	env := map[string]string{}
	get := func(k string) string { return env[k] }
	if err := CheckNested(get, "prod"); err != nil {
		t.Fatal(err)
	}
	for _, kv := range nestedEnv([]string{"PATH=/bin", EnvDepth + "=1", EnvProfiles + "=a"}, []string{"prod", "a"}) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	if env[EnvDepth] != "2" || env[EnvProfiles] != "a prod" {
		t.Fatalf("nestedEnv: %v", env)
	}
	var le *LoopError
	if err := CheckNested(get, "prod"); !errors.As(err, &le) {
		t.Fatalf("CheckNested(prod) = %v", err)
	}
	if err := CheckNested(get, "other"); err != nil {
		t.Fatalf("CheckNested(other) = %v", err)
	}
	env[EnvDepth] = "4"
	if err := CheckNested(get, "other"); !errors.As(err, &le) {
		t.Fatalf("depth 4: %v", err)
	}
}

func TestRun(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	var stderr bytes.Buffer
	r := &Runner{Stderr: &stderr}
	out, err := r.Run(context.Background(), Request{Argv: []string{"sh", "-c", `read x; echo "in=$x"; printf 'warn\033[2J\n' >&2`}, Timeout: 5 * time.Second})
	if err != nil || string(out) != "in=\n" {
		t.Fatalf("Run = %q, %v (stdin must be /dev/null)", out, err)
	}
	if strings.Contains(stderr.String(), "\033") || !strings.Contains(stderr.String(), "warn") {
		t.Fatalf("stderr not made safe: %q", stderr.String())
	}
	_, err = r.Run(context.Background(), Request{Argv: []string{"sh", "-c", "head -c 100000 /dev/zero"}, Timeout: 5 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "more than 64 KiB") {
		t.Fatalf("big output: %v", err)
	}
	start := time.Now()
	_, err = r.Run(context.Background(), Request{Argv: []string{"sleep", "30"}, Timeout: 200 * time.Millisecond})
	if !errors.Is(err, ErrTimeout) || time.Since(start) > 5*time.Second {
		t.Fatalf("hang: %v after %s", err, time.Since(start))
	}
}
