package fakeaws

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi/sdk/signinclient"
)

// The double's sign-in service refuses what the real one would: a proof
// for another URL, a stale iat, a reused jti, another key, a spent
// refresh token; and rotates the refresh token on success.
func TestSigninVerifiesDPoP(t *testing.T) {
	s := New()
	url, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	lt := s.AddLoginSession(s.AddUser("123456789012", "alice"), &key.PublicKey, time.Minute)
	htu := url + "/v1/token"
	post := func(proof, refresh string) (int, string) {
		body := `{"clientId":"` + lt.ClientID + `","grantType":"refresh_token","refreshToken":"` + refresh + `"}`
		req, _ := http.NewRequest("POST", htu, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("DPoP", proof)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	proof := func(k *ecdsa.PrivateKey, u string, at time.Time) string {
		p, err := signinclient.DPoPProof(k, u, at)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	now := time.Now()
	for name, p := range map[string]string{
		"other url": proof(key, url+"/v1/other", now),
		"stale iat": proof(key, htu, now.Add(-10*time.Minute)),
		"other key": proof(other, htu, now),
		"not a jwt": "x.y",
	} {
		if code, body := post(p, lt.RefreshToken); code != 400 || !strings.Contains(body, "INVALID_REQUEST") {
			t.Errorf("%s: %d %s", name, code, body)
		}
	}
	good := proof(key, htu, now)
	if code, body := post(good, lt.RefreshToken); code != 200 || !strings.Contains(body, `"refreshToken":"rt-`) {
		t.Fatalf("good proof: %d %s", code, body)
	}
	if code, body := post(good, lt.RefreshToken); code != 400 || !strings.Contains(body, "already used") {
		t.Errorf("reused jti: %d %s", code, body)
	}
	if code, body := post(proof(key, htu, now), lt.RefreshToken); code != 401 || !strings.Contains(body, "TOKEN_EXPIRED") {
		t.Errorf("spent refresh token: %d %s", code, body)
	}
	if n := s.Calls("CreateOAuth2Token"); n != 7 {
		t.Errorf("calls = %d", n)
	}
}
