package profiles_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/profiles"
)

// Every shape of AWS region is taken (commercial, GovCloud, China, the
// ISO partitions), and names of local stand-ins; what the AWS CLI refuses
// (botocore's validate_region_name) is refused.
func TestValidRegion(t *testing.T) {
	for _, ok := range []string{"us-east-1", "eu-central-2", "il-central-1", "me-central-1", "ap-southeast-4", "ca-west-1",
		"mx-central-1", "us-gov-west-1", "us-gov-east-1", "cn-north-1", "cn-northwest-1", "us-iso-east-1", "us-isob-east-1",
		"eu-isoe-west-1", "us-isof-south-1", "local", "US-EAST-1", strings.Repeat("a", 63)} {
		if !profiles.ValidRegion(ok) {
			t.Errorf("ValidRegion(%q) = false", ok)
		}
	}
	for _, bad := range []string{"", "us-east-1 # prod", "us-east-1#prod", "us-east-1 ; x", "eu west 1", "-us-east-1",
		"us-east-1-", "123", "us_east_1", "us-east-1\n", "us-east-1\x1b[31m", strings.Repeat("a", 64), "ü-east-1"} {
		if profiles.ValidRegion(bad) {
			t.Errorf("ValidRegion(%q) = true", bad)
		}
	}
}

// Resolve refuses a profile whose region (its own or its source's) is no
// region, naming where and the comment; a bad region in a profile nothing
// uses is left alone.
func TestResolveRegionWithComment(t *testing.T) {
	c := load(t, lines("[profile alice]", "region = us-east-1 # prod", "",
		"[profile role]", "role_arn = arn:aws:iam::123456789012:role/r", "source_profile = alice",
		"[profile own]", "region = eu-west-1", "role_arn = arn:aws:iam::123456789012:role/r", "source_profile = alice",
		"[profile other]", "region = eu west"),
		lines("[alice]", "aws_access_key_id = "+exampleKeyID, "aws_secret_access_key = "+exampleSecret))
	for _, name := range []string{"alice", "role"} {
		_, err := c.Resolve(name)
		var re *profiles.RegionError
		if !errors.As(err, &re) || re.Key != "region" || re.Value != "us-east-1 # prod" {
			t.Fatalf("Resolve(%s) = %v, want a RegionError", name, err)
		}
		mustContain(t, err.Error(), "[profile alice] in "+c.Files.Config+", line 2", `(" # prod")`, "region = us-east-1.")
	}
	if r, err := c.Resolve("own"); err != nil || r.Region() != "eu-west-1" {
		t.Errorf("a role with its own region: %v", err)
	}
}
