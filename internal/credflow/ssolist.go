package credflow

import (
	"context"
	"errors"
	"fmt"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
)

// SSOAccess lists every account and role the person signed in to the
// sso-session s (named session) may use, for `awsenv sso populate`. The
// token is the cached one, refreshed or signed in for as `use` does; a
// token the portal refuses is renewed once.
func (f *Flow) SSOAccess(ctx context.Context, s *profiles.SSO, session string) ([]awsapi.AccountRole, error) {
	want := tokenWant{}
	for attempt := 0; ; attempt++ {
		t, err := f.ssoToken(ctx, nil, s, session, want)
		if err != nil {
			return nil, err
		}
		list, err := f.SSO.ListAccess(ctx, awsapi.AccessInput{Target: f.ssoTarget(nil, s), AccessToken: t.AccessToken})
		if err == nil {
			return list, nil
		}
		if errors.Is(err, awsapi.ErrUnauthorized) && attempt == 0 {
			f.Debugf("IAM Identity Center refused the cached token; renewing it")
			want.broken = true
			continue
		}
		return nil, fmt.Errorf("list the accounts and roles of sso-session %s: %w", session, err)
	}
}
