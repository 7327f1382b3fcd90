package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
)

// GetFederationToken calls sts:GetFederationToken.
func (c STS) GetFederationToken(ctx context.Context, in awsapi.GetFederationTokenInput) (profiles.Credentials, error) {
	ctx, cancel := c.Bound(ctx)
	defer cancel()
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
		return profiles.Credentials{}, Convert("GetFederationToken", err)
	}
	return fromSTS(out.Credentials.AccessKeyId, out.Credentials.SecretAccessKey, out.Credentials.SessionToken, out.Credentials.Expiration), nil
}

// maxSigninAnswer bounds the federation endpoint's answer (a token of a
// few hundred bytes in a small JSON object).
const maxSigninAnswer = 64 << 10

// SigninToken asks the console's federation endpoint for a sign-in token
// (GET /federation?Action=getSigninToken), with awsenv's own HTTP client
// (http.go): the SDK has no client for it. The request's URL carries the
// credentials, so no error quotes it.
func (c STS) SigninToken(ctx context.Context, in awsapi.SigninTokenInput) (string, error) {
	const op = "getSigninToken"
	ctx, cancel := c.Bound(ctx)
	defer cancel()
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
	page := awsapi.FederationURL(in.Endpoint)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, page+"?"+q.Encode(), nil)
	if err != nil {
		return "", &awsapi.TransportError{Operation: op, Message: "the federation endpoint " + in.Endpoint + " is not a URL"}
	}
	// Only AWS_CA_BUNDLE applies: the endpoint is no profile's.
	hc, err := c.plainHTTPClient(op, awsapi.Target{})
	if err != nil {
		return "", err
	}
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text holds the URL, and the URL the credentials
		}
		return "", &awsapi.TransportError{Operation: op, Message: fmt.Sprintf("%s: %v", page, err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSigninAnswer))
	if err != nil {
		return "", &awsapi.TransportError{Operation: op, Message: fmt.Sprintf("%s: reading the answer: %v", page, err)}
	}
	if resp.StatusCode == http.StatusNotFound {
		// No such page: the endpoint is wrong, not the credentials.
		return "", &awsapi.APIError{Operation: op, Code: "FederationNotFound", HTTPStatus: resp.StatusCode,
			Message: fmt.Sprintf("%s is no federation endpoint (HTTP 404)", page)}
	}
	if resp.StatusCode != http.StatusOK {
		return "", &awsapi.APIError{Operation: op, Code: "FederationRefused", HTTPStatus: resp.StatusCode,
			Message: fmt.Sprintf("the federation endpoint %s refused the credentials (HTTP %d)", in.Endpoint, resp.StatusCode)}
	}
	var out struct {
		SigninToken string `json:"SigninToken"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.SigninToken == "" {
		return "", &awsapi.TransportError{Operation: op, Message: fmt.Sprintf("%s answered without a SigninToken", page)}
	}
	return out.SigninToken, nil
}
