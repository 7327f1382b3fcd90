package fakeaws

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/sso/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

func (w *ssoWorld) roleCredentials(token, account, role string) (*sso.GetRoleCredentialsOutput, error) {
	return w.portal.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{
		AccessToken: aws.String(token), AccountId: aws.String(account), RoleName: aws.String(role),
	})
}

func TestGetRoleCredentials(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t)
	w.carol.Assign(account, "AdministratorAccess")
	_, tok := w.login(t, accessScope)
	access := aws.ToString(tok.AccessToken)

	out, err := w.roleCredentials(access, account, "AdministratorAccess")
	if err != nil {
		t.Fatalf("GetRoleCredentials: %v", err)
	}
	rc := out.RoleCredentials
	if !regexp.MustCompile(`^ASIA[A-Z0-9]{16}$`).MatchString(aws.ToString(rc.AccessKeyId)) || len(aws.ToString(rc.SecretAccessKey)) != 40 || aws.ToString(rc.SessionToken) == "" {
		t.Errorf("credentials %q / %d-char secret / token %t", aws.ToString(rc.AccessKeyId), len(aws.ToString(rc.SecretAccessKey)), rc.SessionToken != nil)
	}
	if want := w.now.Add(time.Hour).UnixMilli(); rc.Expiration != want {
		t.Errorf("expiration = %d, want %d (epoch ms, one hour)", rc.Expiration, want)
	}

	// The credentials are an IAM Identity Center role session: STS knows
	// them, and AssumeRole from them is role chaining (one hour at most).
	creds := &stsCreds{aws.ToString(rc.AccessKeyId), aws.ToString(rc.SecretAccessKey), aws.ToString(rc.SessionToken)}
	stsc := w.client(t, creds.id, creds.secret, creds.token)
	id, err := stsc.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with SSO credentials: %v", err)
	}
	if arn := aws.ToString(id.Arn); !regexp.MustCompile(`^arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_AdministratorAccess_[0-9a-f]{16}/carol$`).MatchString(arn) || aws.ToString(id.Account) != account {
		t.Errorf("identity %s in %s", arn, aws.ToString(id.Account))
	}
	w.srv.AddRole("arn:aws:iam::"+otherAccount+":role/deploy", RoleOptions{TrustedAccounts: []string{account}, MaxSessionDuration: 4 * time.Hour})
	if _, err := stsc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + otherAccount + ":role/deploy"), RoleSessionName: aws.String("carol")}); err != nil {
		t.Errorf("AssumeRole from SSO credentials: %v", err)
	}
	_, err = stsc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + otherAccount + ":role/deploy"), RoleSessionName: aws.String("carol"), DurationSeconds: aws.Int32(7200)})
	wantAPIError(t, err, 400, "ValidationError", msgRoleChaining)

	if n := w.srv.Calls("GetRoleCredentials"); n != 1 {
		t.Errorf("Calls(GetRoleCredentials) = %d, want 1", n)
	}
}

func TestGetRoleCredentialsErrors(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t)
	w.carol.Assign(account, "ReadOnly")
	_, tok := w.login(t, accessScope)
	access := aws.ToString(tok.AccessToken)

	wantUnauthorized := func(err error) {
		t.Helper()
		var ue *ssotypes.UnauthorizedException
		if !errors.As(err, &ue) || ue.ErrorMessage() != msgSSOUnauthorized {
			t.Fatalf("error = %v, want UnauthorizedException %q", err, msgSSOUnauthorized)
		}
		wantStatus(t, err, 401)
	}
	// No access: the SDK does not model ForbiddenException; the code and
	// message come through as a generic API error.
	for _, c := range []struct{ account, role string }{{account, "AdministratorAccess"}, {otherAccount, "ReadOnly"}} {
		_, err := w.roleCredentials(access, c.account, c.role)
		if ae := apiErrorOf(err); ae == nil || ae.ErrorCode() != "ForbiddenException" || ae.ErrorMessage() != "No access" {
			t.Errorf("%s/%s: error = %v, want ForbiddenException: No access", c.account, c.role, err)
		} else {
			wantStatus(t, err, 403)
		}
	}
	w.carol.Unassign(account, "ReadOnly")
	_, err := w.roleCredentials(access, account, "ReadOnly")
	if ae := apiErrorOf(err); ae == nil || ae.ErrorCode() != "ForbiddenException" {
		t.Errorf("after Unassign: %v", err)
	}
	w.carol.Assign(account, "ReadOnly")

	_, err = w.roleCredentials("aoaNotAToken", account, "ReadOnly")
	wantUnauthorized(err)

	// Expiry by the clock, and by the knob; the refresh token still works.
	w.advance(time.Hour)
	_, err = w.roleCredentials(access, account, "ReadOnly")
	wantUnauthorized(err)
	c2, tok2 := w.login(t, accessScope)
	if err := w.srv.ExpireSSOToken(aws.ToString(tok2.AccessToken)); err != nil {
		t.Fatal(err)
	}
	_, err = w.roleCredentials(aws.ToString(tok2.AccessToken), account, "ReadOnly")
	wantUnauthorized(err)
	r, err := w.refresh(c2, aws.ToString(tok2.RefreshToken))
	if err != nil {
		t.Fatalf("refresh after ExpireSSOToken: %v", err)
	}
	if _, err := w.roleCredentials(aws.ToString(r.AccessToken), account, "ReadOnly"); err != nil {
		t.Errorf("GetRoleCredentials with the refreshed token: %v", err)
	}
	// Revoked.
	if err := w.srv.RevokeSSOToken(aws.ToString(r.AccessToken)); err != nil {
		t.Fatal(err)
	}
	_, err = w.roleCredentials(aws.ToString(r.AccessToken), account, "ReadOnly")
	wantUnauthorized(err)
}

func TestPortalErrorOnTheWire(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t)
	req, _ := http.NewRequest("GET", w.url+"/federation/credentials?account_id=123456789012&role_name=x", nil)
	req.Header.Set("x-amz-sso_bearer_token", "nope")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 401 || string(body) != `{"message":"Session token not found or invalid"}` ||
		resp.Header.Get("X-Amzn-Errortype") != "UnauthorizedException:http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/" {
		t.Errorf("HTTP %d %v\n%s", resp.StatusCode, resp.Header, body)
	}
}

func TestListAccountsAndRolesPaginate(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t)
	accounts := []string{"111111111111", "222222222222", "333333333333", "444444444444", "555555555555"}
	for _, a := range accounts {
		w.carol.Assign(a, "ReadOnly")
	}
	w.carol.Assign("333333333333", "Admin")
	w.carol.Assign("333333333333", "Billing")
	w.srv.SetSSOAccount("333333333333", "prod", "prod@example.com")
	_, tok := w.login(t, accessScope)
	access := tok.AccessToken

	var got []ssotypes.AccountInfo
	pages := 0
	p := sso.NewListAccountsPaginator(w.portal, &sso.ListAccountsInput{AccessToken: access, MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListAccounts page %d: %v", pages+1, err)
		}
		pages++
		got = append(got, out.AccountList...)
	}
	if pages != 3 || len(got) != 5 {
		t.Fatalf("%d pages, %d accounts; want 3, 5", pages, len(got))
	}
	for i, a := range got {
		if aws.ToString(a.AccountId) != accounts[i] {
			t.Errorf("account %d = %s, want %s", i, aws.ToString(a.AccountId), accounts[i])
		}
	}
	if aws.ToString(got[2].AccountName) != "prod" || aws.ToString(got[2].EmailAddress) != "prod@example.com" || aws.ToString(got[0].AccountName) != "account-111111111111" {
		t.Errorf("account info %+v", got)
	}

	out, err := w.portal.ListAccountRoles(ctx, &sso.ListAccountRolesInput{AccessToken: access, AccountId: aws.String("333333333333"), MaxResults: aws.Int32(2)})
	if err != nil {
		t.Fatalf("ListAccountRoles: %v", err)
	}
	if len(out.RoleList) != 2 || aws.ToString(out.RoleList[0].RoleName) != "Admin" || aws.ToString(out.RoleList[1].RoleName) != "Billing" || out.NextToken == nil {
		t.Fatalf("first page %+v next %v", out.RoleList, out.NextToken)
	}
	out, err = w.portal.ListAccountRoles(ctx, &sso.ListAccountRolesInput{AccessToken: access, AccountId: aws.String("333333333333"), NextToken: out.NextToken})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.RoleList) != 1 || aws.ToString(out.RoleList[0].RoleName) != "ReadOnly" || aws.ToString(out.RoleList[0].AccountId) != "333333333333" || out.NextToken != nil {
		t.Errorf("second page %+v next %v", out.RoleList, out.NextToken)
	}

	_, err = w.portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: access, NextToken: aws.String("garbage")})
	var ire *ssotypes.InvalidRequestException
	if !errors.As(err, &ire) {
		t.Errorf("bad nextToken: %v, want InvalidRequestException", err)
	}
	_, err = w.portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: aws.String("nope")})
	var ue *ssotypes.UnauthorizedException
	if !errors.As(err, &ue) {
		t.Errorf("bad token: %v, want UnauthorizedException", err)
	}
	if n := w.srv.Calls("ListAccounts"); n != 5 {
		t.Errorf("Calls(ListAccounts) = %d, want 5", n)
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t)
	w.carol.Assign(account, "ReadOnly")
	c, tok := w.login(t, accessScope)
	access := aws.ToString(tok.AccessToken)
	rc, err := w.roleCredentials(access, account, "ReadOnly")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.portal.Logout(ctx, &sso.LogoutInput{AccessToken: aws.String(access)}); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	_, err = w.roleCredentials(access, account, "ReadOnly")
	var ue *ssotypes.UnauthorizedException
	if !errors.As(err, &ue) {
		t.Errorf("GetRoleCredentials after Logout: %v, want UnauthorizedException", err)
	}
	_, err = w.refresh(c, aws.ToString(tok.RefreshToken))
	if err == nil || !strings.Contains(err.Error(), "InvalidGrantException") {
		t.Errorf("refresh after Logout: %v, want InvalidGrantException", err)
	}
	// Role credentials already handed out live on until they expire.
	if !w.srv.KeyWorks(aws.ToString(rc.RoleCredentials.AccessKeyId)) {
		t.Error("role credentials stopped working at Logout")
	}
	_, err = w.portal.Logout(ctx, &sso.LogoutInput{AccessToken: aws.String(access)})
	if !errors.As(err, &ue) {
		t.Errorf("second Logout: %v, want UnauthorizedException", err)
	}
	if n := w.srv.Calls("Logout"); n != 2 {
		t.Errorf("Calls(Logout) = %d, want 2", n)
	}
}

// botocoreSSO is a Python script: the installed botocore's own sso and
// sso-oidc clients call the server, and print what they got as JSON.
const botocoreSSO = `
import json, sys
import botocore.session
from botocore.exceptions import ClientError
endpoint, token, account, role = sys.argv[1:5]
s = botocore.session.get_session()
portal = s.create_client('sso', region_name='eu-west-1', endpoint_url=endpoint)
oidc = s.create_client('sso-oidc', region_name='eu-west-1', endpoint_url=endpoint)
out = {}
c = portal.get_role_credentials(accessToken=token, accountId=account, roleName=role)['roleCredentials']
out['credentials'] = c
def code(f):
    try:
        f()
    except ClientError as e:
        return [e.response['Error']['Code'], e.response['Error'].get('Message', ''), e.response['ResponseMetadata']['HTTPStatusCode']]
    return None
out['forbidden'] = code(lambda: portal.get_role_credentials(accessToken=token, accountId=account, roleName='Nope'))
out['unauthorized'] = code(lambda: portal.get_role_credentials(accessToken='bad', accountId=account, roleName=role))
out['accounts'] = portal.list_accounts(accessToken=token)['accountList']
reg = oidc.register_client(clientName='botocore', clientType='public', scopes=['sso:account:access'])
dev = oidc.start_device_authorization(clientId=reg['clientId'], clientSecret=reg['clientSecret'], startUrl='https://d-1234567890.awsapps.com/start')
out['pending'] = code(lambda: oidc.create_token(clientId=reg['clientId'], clientSecret=reg['clientSecret'],
    grantType='urn:ietf:params:oauth:grant-type:device_code', deviceCode=dev['deviceCode']))
json.dump(out, sys.stdout)
`

// TestBotocoreAgrees: an independent client, botocore (the AWS CLI's), reads
// the portal's and the OIDC service's answers as the SDK does.
func TestBotocoreAgrees(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t)
	w.carol.Assign(account, "ReadOnly")
	_, tok := w.login(t, accessScope)
	out := testproc.Botocore(t, "-c", botocoreSSO, w.url, aws.ToString(tok.AccessToken), account, "ReadOnly")
	var got struct {
		Credentials struct {
			AccessKeyID     string `json:"accessKeyId"`
			SecretAccessKey string `json:"secretAccessKey"`
			SessionToken    string `json:"sessionToken"`
			Expiration      int64  `json:"expiration"`
		} `json:"credentials"`
		Forbidden    []any            `json:"forbidden"`
		Unauthorized []any            `json:"unauthorized"`
		Pending      []any            `json:"pending"`
		Accounts     []map[string]any `json:"accounts"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("botocore output %s: %v", out, err)
	}
	if !w.srv.KeyWorks(got.Credentials.AccessKeyID) || got.Credentials.SecretAccessKey == "" || got.Credentials.SessionToken == "" {
		t.Errorf("botocore got credentials the server does not know: %+v", got.Credentials)
	}
	if want := w.now.Add(time.Hour).UnixMilli(); got.Credentials.Expiration != want {
		t.Errorf("botocore expiration = %d, want %d", got.Credentials.Expiration, want)
	}
	for name, c := range map[string]struct {
		got  []any
		want []any
	}{
		"forbidden":    {got.Forbidden, []any{"ForbiddenException", "No access", 403.0}},
		"unauthorized": {got.Unauthorized, []any{"UnauthorizedException", msgSSOUnauthorized, 401.0}},
		// botocore takes an OIDC error's error_description as its message.
		"pending": {got.Pending, []any{"AuthorizationPendingException", "Authorization is still pending", 400.0}},
	} {
		if len(c.got) != 3 || c.got[0] != c.want[0] || c.got[1] != c.want[1] || c.got[2] != c.want[2] {
			t.Errorf("%s: botocore saw %v, want %v", name, c.got, c.want)
		}
	}
	if len(got.Accounts) != 1 || got.Accounts[0]["accountId"] != account {
		t.Errorf("botocore list_accounts = %v", got.Accounts)
	}
}
