package stsclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsenv/awsenv/internal/awssdk"
	"github.com/awsenv/awsenv/internal/stsapi"
	"github.com/awsenv/awsenv/profiles"
)

// GetFederationToken calls sts:GetFederationToken.
func (c Client) GetFederationToken(ctx context.Context, in stsapi.GetFederationTokenInput) (profiles.Credentials, error) {
	cl, err := c.client(ctx, in.Target, in.Credentials)
	if err != nil {
		return profiles.Credentials{}, err
	}
	req := &sts.GetFederationTokenInput{Name: aws.String(in.Name)}
	if in.Policy != "" {
		req.Policy = aws.String(in.Policy)
	}
	if in.Duration > 0 {
		req.DurationSeconds = aws.Int32(int32(in.Duration / time.Second))
	}
	out, err := cl.GetFederationToken(ctx, req)
	if err != nil {
		return profiles.Credentials{}, awssdk.Convert("GetFederationToken", err)
	}
	return fromSDK(out.Credentials.AccessKeyId, out.Credentials.SecretAccessKey, out.Credentials.SessionToken, out.Credentials.Expiration), nil
}

// maxSigninAnswer bounds the federation endpoint's answer (a token of a
// few hundred bytes in a small JSON object).
const maxSigninAnswer = 64 << 10

// SigninToken asks the console's federation endpoint for a sign-in token
// (GET /federation?Action=getSigninToken). The request's URL carries the
// credentials, so no error quotes it.
func (c Client) SigninToken(ctx context.Context, in stsapi.SigninTokenInput) (string, error) {
	const op = "getSigninToken"
	session, err := json.Marshal(map[string]string{
		"sessionId":    in.Credentials.AccessKeyID,
		"sessionKey":   in.Credentials.SecretAccessKey.Reveal(),
		"sessionToken": in.Credentials.SessionToken.Reveal(),
	})
	if err != nil {
		return "", err
	}
	q := url.Values{"Action": {"getSigninToken"}, "Session": {string(session)}}
	if in.SessionDuration > 0 {
		q.Set("SessionDuration", strconv.Itoa(int(in.SessionDuration/time.Second)))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, in.Endpoint+"/federation?"+q.Encode(), nil)
	if err != nil {
		return "", &stsapi.TransportError{Operation: op, Message: "the federation endpoint " + in.Endpoint + " is not a URL"}
	}
	hc, err := federationClient()
	if err != nil {
		return "", &stsapi.TransportError{Operation: op, Message: err.Error()}
	}
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text holds the URL, and the URL the credentials
		}
		return "", &stsapi.TransportError{Operation: op, Message: fmt.Sprintf("%s/federation: %v", in.Endpoint, err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSigninAnswer))
	if err != nil {
		return "", &stsapi.TransportError{Operation: op, Message: fmt.Sprintf("%s/federation: reading the answer: %v", in.Endpoint, err)}
	}
	if resp.StatusCode != http.StatusOK {
		return "", &stsapi.APIError{Operation: op, Code: "FederationRefused", HTTPStatus: resp.StatusCode,
			Message: fmt.Sprintf("the federation endpoint %s refused the credentials (HTTP %d)", in.Endpoint, resp.StatusCode)}
	}
	var out struct {
		SigninToken string `json:"SigninToken"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.SigninToken == "" {
		return "", &stsapi.TransportError{Operation: op, Message: fmt.Sprintf("%s/federation answered without a SigninToken", in.Endpoint)}
	}
	return out.SigninToken, nil
}

// federationClient is the HTTP client for the federation endpoint: Go's
// default, trusting only AWS_CA_BUNDLE's certificates when it is set, as
// the SDK does for AWS's other endpoints.
func federationClient() (*http.Client, error) {
	bundle := os.Getenv("AWS_CA_BUNDLE")
	if bundle == "" {
		return http.DefaultClient, nil
	}
	pem, err := os.ReadFile(bundle)
	if err != nil {
		return nil, fmt.Errorf("read AWS_CA_BUNDLE %s: %v. Point AWS_CA_BUNDLE at a PEM file, or unset it", bundle, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("AWS_CA_BUNDLE %s holds no PEM certificate. Point it at a PEM file, or unset it", bundle)
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: t}, nil
}
