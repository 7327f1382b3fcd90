package fakeaws

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestLifecycle(t *testing.T) {
	s := New()
	s.Close() // before Start: no-op
	s = New()
	t.Cleanup(s.Close)
	if s.URL() != "" {
		t.Errorf("URL before Start = %q", s.URL())
	}
	url, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") || s.URL() != url {
		t.Errorf("Start = %q, URL = %q", url, s.URL())
	}
	if _, err := s.Start(); err == nil {
		t.Error("second Start succeeded")
	}
	resp, err := http.Post(url, "application/x-www-form-urlencoded", strings.NewReader("Action=GetCallerIdentity"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	s.Close()
	s.Close() // idempotent
	if _, err := http.Post(url, "application/x-www-form-urlencoded", strings.NewReader("Action=GetCallerIdentity")); err == nil {
		t.Error("server still answers after Close")
	}
	if _, err := s.Start(); err == nil {
		t.Error("Start after Close succeeded")
	}
}

func TestAnyRegionAccepted(t *testing.T) {
	w := newWorld(t)
	c := w.client(t, aliceKeyID, aliceSecret, "", func(o *sts.Options) { o.Region = "ap-southeast-2" })
	out, err := c.GetCallerIdentity(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Arn) != w.alice.ARN() {
		t.Errorf("Arn = %s", aws.ToString(out.Arn))
	}
}

func TestBadFixturesPanic(t *testing.T) {
	s := New()
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s did not panic", name)
			}
		}()
		f()
	}
	mustPanic("AddRole with a user ARN", func() { s.AddRole("arn:aws:iam::123456789012:user/alice", RoleOptions{}) })
	mustPanic("AddRole with garbage", func() { s.AddRole("admin", RoleOptions{}) })
	mustPanic("AddMFADevice with a non-base32 secret", func() { s.AddUser(account, "x").AddMFADevice("arn:aws:iam::123456789012:mfa/x", "not base32!") })
	if u1, u2 := s.AddUser(account, "dup"), s.AddUser(account, "dup"); u1 != u2 {
		t.Error("AddUser twice returned two users")
	}
}
