package signinclient

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/testsupport/fakeaws"
	"github.com/awsenv/awsenv/profiles"
)

// CreateOAuth2Token against the double: the SDK's request with awsenv's
// DPoP proof is accepted (AWS_ENDPOINT_URL_SIGNIN moves it) and rotates
// the refresh token; the OAuth2 code of a refusal is the error's Code.
func TestSigninCreateOAuth2Token(t *testing.T) {
	fake := fakeaws.New()
	url, err := fake.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalECPrivateKey(key)
	keyPEM := profiles.Secret(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	lt := fake.AddLoginSession(fake.AddUser("123456789012", "alice"), &key.PublicKey, time.Minute)
	c := Signin{World: env{"AWS_ENDPOINT_URL_SIGNIN": url, "AWS_ENDPOINT_URL": "http://127.0.0.1:1"}.world()}
	in := awsapi.SigninRefreshInput{Target: awsapi.Target{Region: "us-east-1"}, ClientID: lt.ClientID,
		RefreshToken: profiles.Secret(lt.RefreshToken), DPoPKey: keyPEM}
	tok, err := c.CreateOAuth2Token(context.Background(), in)
	if err != nil || tok.Credentials.AccessKeyID == "" || tok.RefreshToken == "" || tok.RefreshToken == in.RefreshToken ||
		tok.ExpiresIn != fakeaws.LoginCredentialsLifetime {
		t.Fatalf("CreateOAuth2Token = %+v, %v", tok, err)
	}
	if p := fake.DPoPProofs(); len(p) != 1 || p[0].URL != url+"/v1/token" {
		t.Errorf("proofs %+v", p)
	}
	fake.SetLoginError(awsapi.SigninNoPermission)
	_, err = c.CreateOAuth2Token(context.Background(), in)
	var api *awsapi.APIError
	if !errors.As(err, &api) || api.Code != awsapi.SigninNoPermission || api.Operation != "CreateOAuth2Token" || api.HTTPStatus != 403 {
		t.Errorf("refusal: %#v", err)
	}
}
