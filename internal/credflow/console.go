package credflow

import (
	"context"

	"github.com/awsenv/awsenv/profiles"
)

// BaseCredentials are the credentials at the bottom of profile p: the keys
// in the file, or what its credential source or credential_process hands
// out. `awsenv console` needs an IAM user's long-term keys themselves
// (GetFederationToken refuses session credentials).
func (f *Flow) BaseCredentials(ctx context.Context, p *profiles.Profile) (profiles.Credentials, error) {
	return f.baseCredentials(ctx, p)
}
