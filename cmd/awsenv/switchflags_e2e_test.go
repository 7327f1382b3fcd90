//go:build unix

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/internal/testsupport/fakeaws"
)

// --region overrides the profile's region: exported, and the region the
// AssumeRole call is signed for; the cached session is not per region.
func TestUseRegionFlag(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := w.run("use", "prod", "--shell", "sh", "--region", "ap-south-1", "--mfa-code", w.code())
	if r.code != 0 {
		t.Fatalf("use prod --region: %s", r)
	}
	if g, g2 := exportedValue(t, r.stdout, "AWS_REGION"), exportedValue(t, r.stdout, "AWS_DEFAULT_REGION"); g != "ap-south-1" || g2 != "ap-south-1" {
		t.Fatalf("exported region %s/%s, want ap-south-1", g, g2)
	}
	regions := w.fake.SignedRegions("AssumeRole")
	if len(regions) != 1 || regions[0] != "ap-south-1" {
		t.Fatalf("AssumeRole signed for %v, want [ap-south-1]", regions)
	}
	// Another region reuses the session: credentials are global.
	r = w.run("use", "prod", "--shell", "sh", "--region", "eu-central-2")
	if r.code != 0 || exportedValue(t, r.stdout, "AWS_REGION") != "eu-central-2" {
		t.Fatalf("use prod --region eu-central-2: %s", r)
	}
	if n := w.fake.Calls("AssumeRole"); n != 1 {
		t.Fatalf("AssumeRole calls = %d, want 1 (the session is not per region)", n)
	}
	// Without the flag, the profile's own.
	r = w.run("use", "prod", "--shell", "sh")
	if r.code != 0 || exportedValue(t, r.stdout, "AWS_REGION") != "us-west-2" {
		t.Fatalf("use prod: %s", r)
	}
	// exec exports it too.
	r = w.run("exec", "prod", "--region", "ap-south-1", "--", "sh", "-c", `printf '%s/%s' "$AWS_REGION" "$AWS_DEFAULT_REGION"`)
	if r.code != 0 || r.stdout != "ap-south-1/ap-south-1" {
		t.Fatalf("exec --region: %s", r)
	}
	// A region botocore would refuse is refused before any call.
	r = w.run("use", "prod", "--shell", "sh", "--region", "us-east-1 # prod")
	if r.code == 0 || r.stdout != "" || !strings.Contains(r.stderr, "not a region") {
		t.Fatalf("use --region with a bad region: %s", r)
	}
}

// --role-arn assumes a role on top of a profile without a profile for it:
// by ARN and ACCOUNT:ROLE (the source's partition), with the external id
// the role requires, cached by ARN, external id and session name.
func TestUseAdHocRole(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const deploy = "arn:aws:iam::123456789012:role/ci/deploy"
	w.fake.AddRole(deploy, fakeaws.RoleOptions{ExternalID: "ext-123"})

	r := w.run("use", "--shell", "sh", "--role-arn", deploy, "--source", "alice", "--external-id", "ext-123", "--mfa-code", w.code())
	if r.code != 0 {
		t.Fatalf("use --role-arn: %s", r)
	}
	if p := exportedValue(t, r.stdout, "AWSENV_PROFILE"); p != "alice+deploy@123456789012" {
		t.Fatalf("AWSENV_PROFILE = %q", p)
	}
	if k := exportedValue(t, r.stdout, "AWS_ACCESS_KEY_ID"); !strings.HasPrefix(k, "ASIA") {
		t.Fatalf("key %q", k)
	}
	if exportedValue(t, r.stdout, "AWS_REGION") != "eu-west-1" {
		t.Fatalf("the source's region is not exported: %s", r)
	}
	if n := w.fake.Calls("AssumeRole"); n != 1 {
		t.Fatalf("AssumeRole calls = %d, want 1", n)
	}
	// The shorthand names the same role: the same cached session, from
	// the current profile as source.
	r = w.runEnv([]string{"AWSENV_PROFILE=alice"}, "use", "--shell", "sh", "--role-arn", "123456789012:ci/deploy", "--external-id", "ext-123")
	if r.code != 0 || exportedValue(t, r.stdout, "AWSENV_PROFILE") != "alice+deploy@123456789012" {
		t.Fatalf("use --role-arn ACCOUNT:ROLE: %s", r)
	}
	if n := w.fake.Calls("AssumeRole"); n != 1 {
		t.Fatalf("AssumeRole calls = %d after the shorthand, want 1 (cached)", n)
	}
	// Another session name is another session.
	r = w.run("use", "--shell", "sh", "--role-arn", deploy, "--source", "alice", "--external-id", "ext-123", "--session-name", "ci-run-7")
	if r.code != 0 {
		t.Fatalf("use --session-name: %s", r)
	}
	if n := w.fake.Calls("AssumeRole"); n != 2 {
		t.Fatalf("AssumeRole calls = %d, want 2 (the session name is part of the key)", n)
	}
	// Without the external id the role requires, the double refuses, and
	// nothing is exported; the session with it is not taken.
	r = w.run("use", "--shell", "sh", "--role-arn", deploy, "--source", "alice")
	if r.code == 0 || r.stdout != "" {
		t.Fatalf("use --role-arn without the external id: %s", r)
	}
	// --region goes with it.
	r = w.run("use", "--shell", "sh", "--role-arn", deploy, "--source", "alice", "--external-id", "ext-123", "--region", "ap-south-1")
	if r.code != 0 || exportedValue(t, r.stdout, "AWS_REGION") != "ap-south-1" {
		t.Fatalf("use --role-arn --region: %s", r)
	}
	// unset clears it like any profile.
	r = w.runEnv([]string{"AWSENV_PROFILE=alice+deploy@123456789012"}, "unset", "--shell", "sh")
	if r.code != 0 || !strings.Contains(r.stdout, "unset -v AWSENV_PROFILE") || r.stderr != "" {
		t.Fatalf("unset after an ad-hoc role: %s", r)
	}
}

// The ad-hoc role's refusals: no source, a bad ARN, a PROFILE argument.
func TestUseAdHocRoleRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--role-arn", roleARN}, "--source PROFILE"},
		{[]string{"--role-arn", "arn:aws:iam::123456789012:user/alice", "--source", "alice"}, "neither a role ARN"},
		{[]string{"--role-arn", "12345:admin", "--source", "alice"}, "neither a role ARN"},
		{[]string{"prod", "--role-arn", roleARN}, "--source prod"},
		{[]string{"--source", "alice"}, "goes with --role-arn"},
		{[]string{"--role-arn", roleARN, "--source", "alice", "--session-name", "a b"}, "--session-name"},
		{[]string{"--role-arn", roleARN, "--source", "nobody"}, "no such profile"},
	} {
		r := w.run(append([]string{"use", "--shell", "sh"}, c.args...)...)
		if r.code == 0 || r.stdout != "" || !strings.Contains(r.stderr, c.want) {
			t.Errorf("use %v: want a refusal saying %q: %s", c.args, c.want, r)
		}
	}
	if n := w.fake.Calls("AssumeRole") + w.fake.Calls("GetSessionToken"); n != 0 {
		t.Fatalf("%d calls for refused switches", n)
	}
}

// console --service opens a service's page, or a path; --region changes
// the region in it.
func TestConsoleService(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.extra = append(w.extra, "AWSENV_FEDERATION_ENDPOINT="+w.fake.URL())
	for i, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--service", "s3"}, "https://console.aws.amazon.com/s3/home?region=us-west-2"},
		{[]string{"--service", "ec2", "--region", "ap-south-1"}, "https://console.aws.amazon.com/ec2/home?region=ap-south-1"},
		{[]string{"--service", "/cloudwatch/home#logsV2:log-groups"}, "https://console.aws.amazon.com/cloudwatch/home?region=us-west-2#logsV2:log-groups"},
		{[]string{"--service", "/s3/buckets?region=eu-west-1"}, "https://console.aws.amazon.com/s3/buckets?region=eu-west-1"},
	} {
		args := append([]string{"console", "prod", "--print"}, c.args...)
		if i == 0 {
			args = append(args, "--mfa-code", w.code())
		}
		r := w.run(args...)
		if r.code != 0 {
			t.Fatalf("console %v: %s", c.args, r)
		}
		in, err := w.fake.CheckConsoleURL(strings.TrimSpace(r.stdout))
		if err != nil {
			t.Fatalf("the double refused the URL: %v", err)
		}
		if in.Destination != c.want {
			t.Errorf("console %v: Destination %s, want %s", c.args, in.Destination, c.want)
		}
	}
	for _, bad := range []string{"//evil.example/", "S3!", "/a b"} {
		r := w.run("console", "prod", "--print", "--service", bad)
		if r.code == 0 || r.stdout != "" || !strings.Contains(r.stderr, "--service") {
			t.Errorf("console --service %q: %s", bad, r)
		}
	}
}

// --browser-profile reaches Chrome as --profile-directory and Firefox as
// -P; awsenv_browser_profile is the profile's default; another opener
// gets the URL alone, with a note.
func TestConsoleBrowserProfile(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.extra = append(w.extra, "AWSENV_FEDERATION_ENDPOINT="+w.fake.URL())
	got := filepath.Join(w.dir, "argv")
	script := []byte(fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' \"$@\" > %s\n", got))
	bin := filepath.Join(w.dir, "bin")
	must(t, os.MkdirAll(bin, 0o700))
	for _, n := range []string{"google-chrome", "firefox", "opener"} {
		must(t, os.WriteFile(filepath.Join(bin, n), script, 0o700))
	}
	argv := func() []string {
		b, err := os.ReadFile(got)
		must(t, err)
		must(t, os.Remove(got))
		return strings.Split(strings.TrimSpace(string(b)), "\n")
	}
	r := w.runEnv([]string{"BROWSER=" + filepath.Join(bin, "google-chrome")}, "console", "prod", "--browser-profile", "Profile 2", "--mfa-code", w.code())
	if a := argv(); r.code != 0 || len(a) != 2 || a[0] != "--profile-directory=Profile 2" || !strings.HasPrefix(a[1], "http") {
		t.Fatalf("chrome got %q: %s", a, r)
	}
	r = w.runEnv([]string{"BROWSER=" + filepath.Join(bin, "firefox") + " --new-tab"}, "console", "prod", "--browser-profile", "work")
	if a := argv(); r.code != 0 || len(a) != 4 || a[0] != "-P" || a[1] != "work" || a[2] != "--new-tab" {
		t.Fatalf("firefox got %q: %s", a, r)
	}
	if _, err := w.fake.CheckConsoleURL(""); err == nil {
		t.Fatal("the double takes an empty URL")
	}
	// The profile's own setting.
	cfg, err := os.ReadFile(filepath.Join(w.home, ".aws", "config"))
	must(t, err)
	w.writeConfig(strings.Replace(string(cfg), "region = us-west-2\n", "region = us-west-2\nawsenv_browser_profile = Default\n", 1))
	r = w.runEnv([]string{"BROWSER=" + filepath.Join(bin, "google-chrome")}, "console", "prod")
	if a := argv(); r.code != 0 || a[0] != "--profile-directory=Default" {
		t.Fatalf("awsenv_browser_profile: chrome got %q: %s", a, r)
	}
	// An opener that is no browser gets the URL alone.
	r = w.runEnv([]string{"BROWSER=" + filepath.Join(bin, "opener")}, "console", "prod", "--browser-profile", "work")
	if a := argv(); r.code != 0 || len(a) != 1 || !strings.Contains(r.stderr, "is not Chrome, Chromium or Firefox") {
		t.Fatalf("opener got %q: %s", a, r)
	}
	// --print keeps the URL on stdout, opening nothing.
	r = w.runEnv([]string{"BROWSER=" + filepath.Join(bin, "google-chrome")}, "console", "prod", "--print", "--browser-profile", "work")
	if _, err := os.Stat(got); r.code != 0 || err == nil || !strings.HasPrefix(r.stdout, "http") {
		t.Fatalf("console --print with a browser profile: %s", r)
	}
}
