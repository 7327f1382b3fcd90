package fakeaws

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// getSigninToken calls the federation endpoint as a console-login tool does
// and returns the HTTP status and the token (if any).
func getSigninToken(t *testing.T, endpoint string, c *stsCreds, duration string) (int, string) {
	t.Helper()
	session, _ := json.Marshal(map[string]string{"sessionId": c.id, "sessionKey": c.secret, "sessionToken": c.token})
	q := url.Values{"Action": {"getSigninToken"}, "Session": {string(session)}}
	if duration != "" {
		q.Set("SessionDuration", duration)
	}
	resp, err := http.Get(endpoint + "/federation?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return resp.StatusCode, ""
	}
	var out struct{ SigninToken string }
	if err := json.Unmarshal(body, &out); err != nil || out.SigninToken == "" {
		t.Fatalf("getSigninToken body %s: %v", body, err)
	}
	return resp.StatusCode, out.SigninToken
}

func loginURL(endpoint, token string) string {
	return endpoint + "/federation?" + url.Values{
		"Action": {"login"}, "Issuer": {"awsenv"}, "Destination": {"https://console.aws.amazon.com/"}, "SigninToken": {token},
	}.Encode()
}

func TestFederationSignInWithRoleCredentials(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t)
	roleARN := "arn:aws:iam::" + account + ":role/admin"
	w.srv.AddRole(roleARN, RoleOptions{})
	out, err := w.aliceClient(t).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	creds := credsFrom(out.Credentials)

	status, token := getSigninToken(t, w.url, creds, "43200")
	if status != 200 {
		t.Fatalf("getSigninToken: HTTP %d", status)
	}
	u := loginURL(w.url, token)
	in, err := w.srv.CheckConsoleURL(u)
	if err != nil {
		t.Fatalf("CheckConsoleURL: %v", err)
	}
	want := ConsoleSignin{AccessKeyID: creds.id, ARN: "arn:aws:sts::" + account + ":assumed-role/admin/alice", Account: account,
		Issuer: "awsenv", Destination: "https://console.aws.amazon.com/", SessionDuration: 12 * time.Hour}
	if in != want {
		t.Errorf("CheckConsoleURL = %+v\nwant %+v", in, want)
	}
	// A browser opening the URL gets a page, not a redirect to the internet.
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), want.ARN) {
		t.Errorf("login: HTTP %d %s", resp.StatusCode, body)
	}
	if w.srv.Calls("getSigninToken") != 1 || w.srv.Calls("login") != 1 {
		t.Errorf("Calls: getSigninToken %d, login %d", w.srv.Calls("getSigninToken"), w.srv.Calls("login"))
	}

	// The token lasts 15 minutes.
	w.advance(15 * time.Minute)
	if _, err := w.srv.CheckConsoleURL(u); err == nil {
		t.Error("CheckConsoleURL accepted a 15-minute-old token")
	}
	for _, bad := range []string{
		loginURL(w.url, "forged"),
		loginURL("http://127.0.0.1:1", token),
		strings.Replace(u, "Action=login", "Action=logout", 1),
	} {
		if _, err := w.srv.CheckConsoleURL(bad); err == nil {
			t.Errorf("CheckConsoleURL(%s) succeeded", bad)
		}
	}
}

func TestFederationSignInWithSSOCredentials(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t)
	w.carol.Assign(account, "ReadOnly")
	_, tok := w.login(t, accessScope)
	rc, err := w.roleCredentials(aws.ToString(tok.AccessToken), account, "ReadOnly")
	if err != nil {
		t.Fatal(err)
	}
	c := rc.RoleCredentials
	status, token := getSigninToken(t, w.url, &stsCreds{aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)}, "")
	if status != 200 {
		t.Fatalf("getSigninToken with SSO role credentials: HTTP %d", status)
	}
	in, err := w.srv.CheckConsoleURL(loginURL(w.url, token))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(in.ARN, ":assumed-role/AWSReservedSSO_ReadOnly_") || in.SessionDuration != 0 {
		t.Errorf("signed in as %+v", in)
	}
}

func TestFederationRefusals(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t)
	roleARN := "arn:aws:iam::" + account + ":role/admin"
	w.srv.AddRole(roleARN, RoleOptions{})
	gst, err := w.aliceClient(t).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	ar, err := w.aliceClient(t).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	role := credsFrom(ar.Credentials)
	chainedOut, err := sessionClient(t, w.world, role).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("again")})
	if err != nil {
		t.Fatal(err)
	}
	chained := credsFrom(chainedOut.Credentials)

	for _, c := range []struct {
		name     string
		creds    *stsCreds
		duration string
	}{
		{"GetSessionToken credentials", credsFrom(gst.Credentials), ""},
		{"long-term keys", &stsCreds{aliceKeyID, aliceSecret, "x"}, ""},
		{"wrong secret", &stsCreds{role.id, "wrong", role.token}, ""},
		{"wrong token", &stsCreds{role.id, role.secret, "wrong"}, ""},
		{"duration too short", role, "899"},
		{"duration too long", role, "43201"},
		{"duration not a number", role, "1h"},
		{"role chaining beyond one hour", chained, "3601"},
	} {
		if status, _ := getSigninToken(t, w.url, c.creds, c.duration); status != 400 {
			t.Errorf("%s: HTTP %d, want 400", c.name, status)
		}
	}
	if status, _ := getSigninToken(t, w.url, chained, "3600"); status != 200 {
		t.Errorf("role chaining, one hour: HTTP %d, want 200", status)
	}
	w.advance(time.Hour)
	if status, _ := getSigninToken(t, w.url, role, ""); status != 400 {
		t.Errorf("expired credentials: HTTP %d, want 400", status)
	}
	for _, q := range []string{"Action=getSigninToken", "Action=getSigninToken&Session=notjson", "Action=nope"} {
		resp, err := http.Get(w.url + "/federation?" + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("%s: HTTP %d, want 400", q, resp.StatusCode)
		}
	}
}

// An IAM user opens the console through GetFederationToken (long-term keys
// only); such credentials sign in without SessionDuration.
func TestFederationSignInWithFederationToken(t *testing.T) {
	t.Parallel()
	w := newSSOWorld(t)
	out, err := w.aliceClient(t).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("alice"), DurationSeconds: aws.Int32(3600)})
	if err != nil {
		t.Fatalf("GetFederationToken: %v", err)
	}
	if aws.ToString(out.FederatedUser.Arn) != "arn:aws:sts::"+account+":federated-user/alice" || aws.ToString(out.FederatedUser.FederatedUserId) != account+":alice" {
		t.Errorf("FederatedUser = %s %s", aws.ToString(out.FederatedUser.Arn), aws.ToString(out.FederatedUser.FederatedUserId))
	}
	if want := w.now.Add(time.Hour); !aws.ToTime(out.Credentials.Expiration).Equal(want) {
		t.Errorf("Expiration = %v, want %v", aws.ToTime(out.Credentials.Expiration), want)
	}
	fed := credsFrom(out.Credentials)
	id, err := sessionClient(t, w.world, fed).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != aws.ToString(out.FederatedUser.Arn) {
		t.Errorf("GetCallerIdentity as the federated user: %v %v", id, err)
	}
	_, err = sessionClient(t, w.world, fed).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("again")})
	wantAPIError(t, err, 403, "AccessDenied", "Cannot call GetFederationToken with session credentials")
	_, err = w.aliceClient(t).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("a")})
	if ae := apiErrorOf(err); ae == nil || ae.ErrorCode() != "ValidationError" {
		t.Errorf("one-letter Name: %v, want ValidationError", err)
	}

	if status, _ := getSigninToken(t, w.url, fed, "3600"); status != 400 {
		t.Errorf("federation token with SessionDuration: HTTP %d, want 400", status)
	}
	status, token := getSigninToken(t, w.url, fed, "")
	if status != 200 {
		t.Fatalf("getSigninToken: HTTP %d", status)
	}
	in, err := w.srv.CheckConsoleURL(loginURL(w.url, token))
	if err != nil || in.ARN != aws.ToString(out.FederatedUser.Arn) {
		t.Errorf("CheckConsoleURL = %+v, %v", in, err)
	}
}
