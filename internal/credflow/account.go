package credflow

import (
	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/credshape"
)

// AccountID is the 12-digit account the credentials belong to, "" when
// not known: the one the source named (Identity Center's account, a
// process's AccountId), else the account of the identity STS answered
// (an assumed role's ARN), else a role profile's role_arn, else the
// profile's aws_account_id, which botocore reads for keys from the files.
// `use` exports it as AWS_ACCOUNT_ID, as the AWS CLI's
// export-credentials does.
func (res *Result) AccountID() string {
	c := res.Credentials
	cands := []string{c.AccountID, awsapi.ParseARN(c.ARN).Account}
	if r := res.Resolved; r != nil {
		if r.Kind == profiles.KindRole {
			cands = append(cands, awsapi.ParseARN(r.Profile.RoleARN).Account)
		}
		cands = append(cands, r.Profile.Client.AccountID)
	}
	for _, a := range cands {
		if credshape.AccountID(a) {
			return a
		}
	}
	return ""
}
