package awsapi

import "testing"

func TestParseARN(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in                        string
		want                      ARN
		user, role, assumed, name string
	}{
		{in: "arn:aws:iam::123456789012:user/alice",
			want: ARN{"aws", "iam", "", "123456789012", "user/alice"}, user: "alice", name: "alice"},
		{in: "arn:aws:iam::123456789012:user/division/bob",
			want: ARN{"aws", "iam", "", "123456789012", "user/division/bob"}, user: "bob", name: "bob"},
		{in: "arn:aws:sts::123456789012:assumed-role/admin/s",
			want: ARN{"aws", "sts", "", "123456789012", "assumed-role/admin/s"}, assumed: "admin", name: "s"},
		{in: "arn:aws:sts::123456789012:assumed-role/admin",
			want: ARN{"aws", "sts", "", "123456789012", "assumed-role/admin"}, assumed: "admin", name: "admin"},
		{in: "arn:aws:iam::123456789012:role/ops/deploy",
			want: ARN{"aws", "iam", "", "123456789012", "role/ops/deploy"}, role: "deploy", name: "deploy"},
		{in: "arn:aws-cn:iam::123456789012:role/admin",
			want: ARN{"aws-cn", "iam", "", "123456789012", "role/admin"}, role: "admin", name: "admin"},
		{in: "arn:aws:iam::123456789012:mfa/alice",
			want: ARN{"aws", "iam", "", "123456789012", "mfa/alice"}, name: "alice"},
		{in: "arn:aws:iam::123456789012:root",
			want: ARN{"aws", "iam", "", "123456789012", "root"}},
		// The resource keeps its colons.
		{in: "arn:aws:logs:eu-west-1:123456789012:log-group:/a:b",
			want: ARN{"aws", "logs", "eu-west-1", "123456789012", "log-group:/a:b"}, name: "a:b"},
		// A role name is IAM's, a user name IAM's, an assumed role STS's.
		{in: "arn:aws:sts::123456789012:user/alice",
			want: ARN{"aws", "sts", "", "123456789012", "user/alice"}, name: "alice"},
		{in: "arn:aws:iam::123456789012:assumed-role/admin/s",
			want: ARN{"aws", "iam", "", "123456789012", "assumed-role/admin/s"}, name: "s"},
		// A user's ARN with no name names no user.
		{in: "arn:aws:iam::123456789012:user/",
			want: ARN{"aws", "iam", "", "123456789012", "user/"}},
		// Not ARNs: the zero ARN.
		{in: "garbage"},
		{in: ""},
		{in: "arn:aws:iam::123456789012"},
		{in: "ARN:aws:iam::123456789012:user/alice"},
		{in: "arn::iam::123456789012:user/alice"},
		{in: "arn:aws:::123456789012:user/alice"},
		{in: "arn:aws:iam::123456789012:"},
		{in: "123456789012"},
	} {
		got := ParseARN(tc.in)
		if got != tc.want {
			t.Errorf("ParseARN(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
		if got.IsZero() != (tc.want == ARN{}) {
			t.Errorf("ParseARN(%q).IsZero() = %v", tc.in, got.IsZero())
		}
		if u := got.UserName(); u != tc.user {
			t.Errorf("UserName(%q) = %q, want %q", tc.in, u, tc.user)
		}
		if r := got.RoleName(); r != tc.role {
			t.Errorf("RoleName(%q) = %q, want %q", tc.in, r, tc.role)
		}
		if a := got.AssumedRole(); a != tc.assumed {
			t.Errorf("AssumedRole(%q) = %q, want %q", tc.in, a, tc.assumed)
		}
		if n := got.Name(); n != tc.name {
			t.Errorf("Name(%q) = %q, want %q", tc.in, n, tc.name)
		}
	}
}
