package profiles_test

import (
	"testing"

	"github.com/awsenv/awsenv/profiles"
)

// Every instance metadata key botocore reads is refused, by name, in a
// profile whose credentials come from the instance; a profile without
// them, or drawing on another source, is not.
func TestIMDSKeysRefusedByName(t *testing.T) {
	t.Parallel()
	for _, key := range profiles.IMDSKeys {
		c := load(t, lines("[profile ci]", "role_arn = arn:aws:iam::123456789012:role/ci",
			"credential_source = Ec2InstanceMetadata", key+" = x"), "")
		r, err := c.Resolve("ci")
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		err = r.Source.Profile.IMDSSettings()
		if err == nil {
			t.Fatalf("%s was not refused", key)
		}
		mustContain(t, err.Error(), key, "AWS_EC2_METADATA_SERVICE_ENDPOINT")
	}
	c := load(t, lines("[profile ci]", "role_arn = arn:aws:iam::123456789012:role/ci", "credential_source = Ec2InstanceMetadata"), "")
	r, err := c.Resolve("ci")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Source.Profile.IMDSSettings(); err != nil {
		t.Fatalf("a profile without IMDS keys: %v", err)
	}
}
