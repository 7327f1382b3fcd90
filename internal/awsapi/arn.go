package awsapi

import "strings"

// ARN is an Amazon Resource Name,
// arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, split into its parts. The
// resource keeps its own colons and slashes.
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// ParseARN splits s into its parts. Anything that is not an ARN (not six
// colon-separated parts starting with "arn", or an empty partition,
// service or resource) gives the zero ARN, whose helpers all say "".
// This is the one ARN parser in awsenv; nothing else splits ARNs.
func ParseARN(s string) ARN {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" || parts[5] == "" {
		return ARN{}
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}
}

// IsZero reports whether a is the zero ARN: ParseARN's answer to
// something that is not an ARN.
func (a ARN) IsZero() bool { return a == ARN{} }

// UserName is the name of an IAM user's ARN (iam, user/PATH/NAME), after
// any path; "" for any other ARN.
func (a ARN) UserName() string { return a.iamName("user/") }

// RoleName is the name of an IAM role's ARN (iam, role/PATH/NAME), after
// any path; "" for any other ARN.
func (a ARN) RoleName() string { return a.iamName("role/") }

func (a ARN) iamName(kind string) string {
	if a.Service != "iam" || !strings.HasPrefix(a.Resource, kind) {
		return ""
	}
	return a.Name()
}

// Name is the last part of the resource's path (mfa/alice: alice); "" for
// a resource with no path, and for the zero ARN.
func (a ARN) Name() string {
	i := strings.LastIndex(a.Resource, "/")
	if i < 0 {
		return ""
	}
	return a.Resource[i+1:]
}

// AssumedRole is the role name of an STS assumed-role ARN
// (sts, assumed-role/ROLE/SESSION); "" for any other ARN.
func (a ARN) AssumedRole() string {
	rest, ok := strings.CutPrefix(a.Resource, "assumed-role/")
	if a.Service != "sts" || !ok {
		return ""
	}
	role, _, _ := strings.Cut(rest, "/")
	return role
}
