//go:build unix

package ssocache

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

// botocoreTokens reads awsenv's tokens as the AWS CLI does, and writes one
// as the AWS CLI does. HOME is set before botocore is imported: its token
// cache directory is worked out at import. Every other AWS_ variable is
// dropped, and nothing reaches the network: the tokens expire in 2099, so
// SSOTokenProvider does not try to refresh them.
const botocoreTokens = `
import os, sys, json, datetime
home, config = sys.argv[1], sys.argv[2]
for k in [k for k in os.environ if k.startswith("AWS_")]:
    del os.environ[k]
os.environ.update(HOME=home, AWS_CONFIG_FILE=config, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
import botocore.session
from botocore.utils import SSOTokenLoader, JSONFileCache
from botocore.tokens import SSOTokenProvider, _sso_json_dumps
cache_dir = os.path.join(home, ".aws", "sso", "cache")
out = {}
loader = SSOTokenLoader(cache=JSONFileCache(cache_dir))
out["loader"] = loader("https://my-sso-portal.awsapps.com/start", session_name="my-sso")
out["legacy"] = loader("https://legacy.awsapps.com/start")
provider = SSOTokenProvider(botocore.session.Session(profile="dev"))
frozen = provider.load_token().get_frozen_token()
out["provider"] = {"token": frozen.token, "expiration": frozen.expiration.isoformat()}
utc = datetime.timezone.utc
SSOTokenLoader(cache=JSONFileCache(cache_dir, dumps_func=_sso_json_dumps)).save_token(
    "https://w.awsapps.com/start",
    {"startUrl": "https://w.awsapps.com/start", "region": "eu-west-1", "accessToken": "botocore-token",
     "expiresAt": datetime.datetime(2099, 1, 1, 12, 30, tzinfo=utc), "clientId": "cid", "clientSecret": "csecret",
     "registrationExpiresAt": "2099-02-01T00:00:00Z", "refreshToken": "rtoken"},
    session_name="written-by-botocore")
print(json.dumps(out))
`

// A token saved by awsenv is what botocore's SSOTokenLoader and
// SSOTokenProvider (an sso-session profile's token) hand out, and a
// token botocore saves is one awsenv reads.
func TestBotocoreReadsAwsenvsToken(t *testing.T) {
	home := t.TempDir()
	c := &Cache{Dir: Dir(home)}
	expires := time.Date(2099, 1, 1, 12, 0, 0, 0, time.UTC)
	tok := &Token{StartURL: "https://my-sso-portal.awsapps.com/start", Region: "us-east-1", AccessToken: accessToken,
		ExpiresAt: expires, ClientID: "example-client-id-123", ClientSecret: clientSecret,
		RegistrationExpiresAt: expires.AddDate(0, 1, 0), RefreshToken: refreshToken}
	if err := c.Save(t.Context(), "my-sso", tok); err != nil {
		t.Fatal(err)
	}
	legacy := &Token{StartURL: "https://legacy.awsapps.com/start", Region: "eu-west-1", AccessToken: "legacy-token", ExpiresAt: expires}
	if err := c.Save(t.Context(), legacy.StartURL, legacy); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(c.Path("my-sso"))
	config := filepath.Join(home, "config")
	os.WriteFile(config, []byte(`[sso-session my-sso]
sso_start_url = https://my-sso-portal.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile dev]
sso_session = my-sso
sso_account_id = 111122223333
sso_role_name = Developer
`), 0o600)

	out := testproc.Botocore(t, "-c", botocoreTokens, home, config)
	var got struct {
		Loader   map[string]string
		Legacy   map[string]string
		Provider struct{ Token, Expiration string }
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := map[string]string{"startUrl": tok.StartURL, "region": "us-east-1", "accessToken": accessToken,
		"expiresAt": "2099-01-01T12:00:00Z", "clientId": "example-client-id-123", "clientSecret": clientSecret,
		"registrationExpiresAt": "2099-02-01T12:00:00Z", "refreshToken": refreshToken}
	if !equalMaps(got.Loader, want) {
		t.Errorf("botocore's SSOTokenLoader read\n%v\nwant\n%v", got.Loader, want)
	}
	if got.Legacy["accessToken"] != "legacy-token" || got.Legacy["startUrl"] != legacy.StartURL {
		t.Errorf("botocore's SSOTokenLoader read the legacy token as %v", got.Legacy)
	}
	if got.Provider.Token != accessToken || got.Provider.Expiration != "2099-01-01T12:00:00+00:00" {
		t.Errorf("botocore's SSOTokenProvider gave token %q (len %d) expiring %s; want awsenv's, expiring 2099-01-01T12:00:00+00:00",
			"[not shown]", len(got.Provider.Token), got.Provider.Expiration)
	}
	if after, _ := os.ReadFile(c.Path("my-sso")); string(after) != string(before) {
		t.Error("botocore rewrote awsenv's token (it tried to refresh it)")
	}

	// The other way: botocore's own write.
	w, err := c.Load("written-by-botocore")
	if err != nil {
		t.Fatal(err)
	}
	if w.AccessToken.Reveal() != "botocore-token" || !w.ExpiresAt.Equal(time.Date(2099, 1, 1, 12, 30, 0, 0, time.UTC)) ||
		w.RefreshToken.Reveal() != "rtoken" || w.ClientID != "cid" || w.Region != "eu-west-1" ||
		!w.RegistrationExpiresAt.Equal(time.Date(2099, 2, 1, 0, 0, 0, 0, time.UTC)) || len(w.Extra) != 0 {
		t.Errorf("awsenv read botocore's token as %+v", w)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
