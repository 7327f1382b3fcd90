package doctor_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/doctor"
	"github.com/awsenv/awsenv/profiles/ssocache"
)

const (
	startURL  = "https://d-1234567890.awsapps.com/start"
	ssoConfig = "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = ReadOnly\n" +
		"[sso-session corp]\nsso_start_url = " + startURL + "\nsso_region = eu-west-1\n" +
		"[profile ops]\nrole_arn = " + roleARN + "\nsource_profile = dev\n" +
		"[profile legacy]\nsso_start_url = " + startURL + "\nsso_region = eu-west-1\nsso_account_id = 111122223333\nsso_role_name = ReadOnly\n"
	accessToken = "tok-SECRET"
)

// The sso-token and sso-access checks, for the states a cached sign-in can
// be in.
func TestDoctorSSOToken(t *testing.T) {
	t.Parallel()
	valid := &ssocache.Token{StartURL: startURL, Region: "eu-west-1", AccessToken: accessToken, ExpiresAt: now0.Add(2 * time.Hour)}
	refreshable := &ssocache.Token{StartURL: startURL, Region: "eu-west-1", AccessToken: accessToken, ExpiresAt: now0.Add(-time.Hour),
		ClientID: "client", ClientSecret: "client-secret", RegistrationExpiresAt: now0.AddDate(0, 1, 0), RefreshToken: "refresh"}
	registrationGone := *valid
	registrationGone.ClientID, registrationGone.ClientSecret, registrationGone.RefreshToken = "client", "client-secret", "refresh"
	registrationGone.RegistrationExpiresAt = now0.Add(-time.Minute)
	expired := *valid
	expired.ExpiresAt = now0.Add(-time.Hour)
	for _, tc := range []struct {
		name        string
		profile     string
		token       *ssocache.Token // nil: none cached
		corrupt     bool
		roleErr     error
		noSSO       bool
		status      string
		detail, fix string
		access      string // the sso-access check's status, "" for none
		accessText  string
	}{
		{name: "not signed in", profile: "dev", status: doctor.Fail, detail: "not signed in to " + startURL + " (no token in ",
			fix: "`awsenv login --sso-session corp` or `aws sso login --sso-session corp`."},
		{name: "legacy profile not signed in", profile: "legacy", status: doctor.Fail, detail: "not signed in",
			fix: "`awsenv login legacy` or `aws sso login --profile legacy`."},
		{name: "signed in", profile: "dev", token: valid, status: doctor.Pass, detail: "signed in to " + startURL + ", 2h00m left",
			access: doctor.Pass, accessText: "role ReadOnly in account 111122223333 gives credentials"},
		{name: "role on top of a sign-in", profile: "ops", token: valid, status: doctor.Pass, detail: "2h00m left",
			access: doctor.Pass, accessText: "role ReadOnly in account 111122223333"},
		{name: "role not assigned", profile: "dev", token: valid, roleErr: apiError("ForbiddenException", "No access"),
			status: doctor.Pass, detail: "signed in", access: doctor.Fail, accessText: "explained: GetCallerIdentity: ForbiddenException"},
		{name: "no SSO client", profile: "dev", token: valid, noSSO: true, status: doctor.Pass, detail: "signed in"},
		{name: "registration expired", profile: "dev", token: &registrationGone, status: doctor.Warn,
			detail: "the client registration has expired, so the token cannot be renewed without a browser", fix: "awsenv login --sso-session corp"},
		{name: "expired, refreshable", profile: "dev", token: refreshable, status: doctor.Pass,
			detail: "the token for " + startURL + " has expired; its refresh token renews it without a browser"},
		{name: "expired", profile: "dev", token: &expired, status: doctor.Fail,
			detail: "expired at 2026-12-07 11:00 UTC and cannot be renewed", fix: "Sign in: `awsenv login --sso-session corp`"},
		{name: "corrupt", profile: "dev", corrupt: true, status: doctor.Fail, detail: "is unusable", fix: "Sign in: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.write(w.files.Config, ssoConfig, 0o600)
			w.sso.roleErr, w.noSSO = tc.roleErr, tc.noSSO
			cache := ssocache.Cache{Dir: w.ssoCache}
			key := "corp"
			if tc.profile == "legacy" {
				key = startURL
			}
			if tc.token != nil {
				if err := cache.Save(context.Background(), key, tc.token); err != nil {
					t.Fatal(err)
				}
			}
			if tc.corrupt {
				w.write(cache.Path(key), "{not json", 0o600)
			}
			rep := w.run(tc.profile)
			want(t, rep, "sso-token", tc.status, tc.detail, tc.fix)
			for _, skipped := range []string{"key", "identity", "key-active", "mfa-device"} {
				want(t, rep, skipped, doctor.Skip, "come from IAM Identity Center", "")
			}
			if tc.access == "" {
				if slices.Contains(names(rep), "sso-access") {
					t.Errorf("an sso-access check without a usable token: %+v", rep.Checks)
				}
				if len(w.sso.asked) != 0 {
					t.Errorf("GetRoleCredentials was called: %v", w.sso.asked)
				}
			} else {
				want(t, rep, "sso-access", tc.access, tc.accessText, "")
				if !slices.Equal(w.sso.asked, []string{"111122223333/ReadOnly"}) || !slices.Equal(w.sso.tokens, []string{accessToken}) {
					t.Errorf("GetRoleCredentials asked for %v with %d tokens", w.sso.asked, len(w.sso.tokens))
				}
			}
			if len(w.sts.callers) != 0 {
				t.Errorf("STS was called for an SSO profile: %v", w.sts.callers)
			}
			out, err := json.Marshal(rep)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(out), accessToken) || strings.Contains(string(out), "refresh\"") {
				t.Errorf("the report shows a token: %s", out)
			}
		})
	}
}
