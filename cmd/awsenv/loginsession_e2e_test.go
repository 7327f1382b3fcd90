//go:build unix

package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/testsupport/fakeaws"
	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

const loginSessionName = "arn:aws:iam::123456789012:user/alice"

// botocoreSaveLogin writes a login token with botocore's own writer
// (LoginTokenLoader over JSONFileCache, what LoginProvider uses).
const botocoreSaveLogin = `
import json, sys
from botocore.utils import JSONFileCache, LoginTokenLoader
LoginTokenLoader(JSONFileCache(sys.argv[1])).save_token(sys.argv[2], json.loads(sys.argv[3]))
`

// botocoreLoadLogin reads it back with LoginTokenLoader and botocore's
// LoginCredentialFetcher.load_cached_credentials (which checks the
// required fields) and prints the credentials and the whole token.
const botocoreLoadLogin = `
import json, sys
from botocore.utils import JSONFileCache, LoginTokenLoader
from botocore.credentials import LoginCredentialFetcher
loader = LoginTokenLoader(JSONFileCache(sys.argv[1]))
creds = LoginCredentialFetcher(sys.argv[2], loader, None).load_cached_credentials()
print(json.dumps({"creds": creds, "token": loader.load_token(sys.argv[2])}))
`

// verifyDPoPPython checks DPoP proofs with Python's cryptography, not
// awsenv's code: the signature with the public key of the cached private
// key, the jwk being that key, typ, alg, htm, htu, iat and distinct jti.
const verifyDPoPPython = `
import base64, json, sys, time
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
def b64(s): return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
key = serialization.load_pem_private_key(sys.argv[1].encode(), None)
pub = key.public_key()
nums = pub.public_numbers()
jtis = set()
for item in json.loads(sys.argv[2]):
    h, p, s = item["Proof"].split(".")
    header, payload, sig = json.loads(b64(h)), json.loads(b64(p)), b64(s)
    assert header["typ"] == "dpop+jwt" and header["alg"] == "ES256", header
    jwk = header["jwk"]
    assert jwk["kty"] == "EC" and jwk["crv"] == "P-256", jwk
    assert int.from_bytes(b64(jwk["x"]), "big") == nums.x and int.from_bytes(b64(jwk["y"]), "big") == nums.y, "jwk is not the cached key"
    assert len(sig) == 64
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    pub.verify(der, (h + "." + p).encode(), ec.ECDSA(hashes.SHA256()))
    assert payload["htm"] == "POST", payload
    assert payload["htu"] == item["URL"], (payload["htu"], item["URL"])
    assert abs(payload["iat"] - time.time()) < 300, payload
    assert payload["jti"] not in jtis
    jtis.add(payload["jti"])
print("verified", len(jtis))
`

type loginFixture struct {
	dir    string // the login cache directory
	keyPEM string
	tokens fakeaws.LoginTokens
}

func (lf *loginFixture) path() string {
	sum := sha256.Sum256([]byte(loginSessionName))
	return filepath.Join(lf.dir, hex.EncodeToString(sum[:])+".json")
}

// newLoginSession signs alice in as `aws login` would: the double binds
// the session to a fresh P-256 key, and botocore writes the cache file
// with credentials lasting life.
func newLoginSession(t *testing.T, w *world, life time.Duration) *loginFixture {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	der, err := x509.MarshalECPrivateKey(key)
	must(t, err)
	lf := &loginFixture{dir: filepath.Join(w.home, ".aws", "login", "cache"),
		keyPEM: string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))}
	lf.tokens = w.fake.AddLoginSession(w.fake.AddUser(account, "alice"), &key.PublicKey, life)
	tok, err := json.Marshal(map[string]any{
		"accessToken": map[string]string{"accessKeyId": lf.tokens.AccessKeyID, "secretAccessKey": lf.tokens.SecretAccessKey,
			"sessionToken": lf.tokens.SessionToken, "accountId": lf.tokens.AccountID,
			"expiresAt": lf.tokens.Expires.UTC().Format("2006-01-02T15:04:05Z")},
		"tokenType": "aws_sigv4", "refreshToken": lf.tokens.RefreshToken, "idToken": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.",
		"clientId": lf.tokens.ClientID, "dpopKey": lf.keyPEM})
	must(t, err)
	testproc.Botocore(t, "-c", botocoreSaveLogin, lf.dir, loginSessionName, string(tok))
	if _, err := os.Stat(lf.path()); err != nil {
		t.Fatalf("botocore wrote no token where awsenv looks: %v", err)
	}
	return lf
}

func loginConfig(w *world) {
	w.fake.AddRole("arn:aws:iam::"+account+":role/dev", fakeaws.RoleOptions{})
	w.appendConfig(`[profile signin]
login_session = ` + loginSessionName + `
region = us-east-1

[profile onsignin]
role_arn = arn:aws:iam::` + account + `:role/dev
source_profile = signin
region = us-east-1
`)
}

type botocoreLogin struct {
	Creds map[string]string `json:"creds"`
	Token map[string]any    `json:"token"`
}

func readWithBotocore(t *testing.T, lf *loginFixture) botocoreLogin {
	t.Helper()
	var out botocoreLogin
	must(t, json.Unmarshal(testproc.Botocore(t, "-c", botocoreLoadLogin, lf.dir, loginSessionName), &out))
	return out
}

// A login_session profile: fresh credentials are used as cached; expiring
// ones are renewed once through the sign-in service, written back as
// botocore writes them (its other fields kept) and read by botocore; exec,
// credential-process and a role on top work; the DPoP proofs verify with
// the cached key in Python.
func TestLoginSessionE2E(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	loginConfig(w)
	lf := newLoginSession(t, w, time.Hour)

	r := w.run("use", "signin", "--no-input")
	if r.code != 0 {
		t.Fatalf("use on a fresh login session: %s", r)
	}
	if got := parseExports(t, r.stdout); got["AWS_ACCESS_KEY_ID"] != lf.tokens.AccessKeyID {
		t.Errorf("use exported %s, not the cached %s", got["AWS_ACCESS_KEY_ID"], lf.tokens.AccessKeyID)
	}
	if n := w.fake.Calls("CreateOAuth2Token"); n != 0 {
		t.Errorf("fresh session renewed: %d calls", n)
	}

	// Expiring: within botocore's 5 minutes.
	lf = newLoginSession(t, w, 2*time.Minute)
	before, err := os.ReadFile(lf.path())
	must(t, err)
	r = w.run("use", "signin", "--no-input")
	if r.code != 0 {
		t.Fatalf("use on an expiring login session: %s", r)
	}
	if n := w.fake.Calls("CreateOAuth2Token"); n != 1 {
		t.Errorf("CreateOAuth2Token calls = %d, want 1", n)
	}
	exported := parseExports(t, r.stdout)
	back := readWithBotocore(t, lf)
	if back.Creds["access_key"] == lf.tokens.AccessKeyID || back.Creds["access_key"] != exported["AWS_ACCESS_KEY_ID"] ||
		back.Creds["token"] != exported["AWS_SESSION_TOKEN"] || back.Creds["account_id"] != account {
		t.Errorf("botocore reads %v from the renewed file; awsenv exported %s", back.Creds["access_key"], exported["AWS_ACCESS_KEY_ID"])
	}
	exp, err := time.Parse("2006-01-02T15:04:05Z", back.Creds["expiry_time"])
	if err != nil || time.Until(exp) < 10*time.Minute || time.Until(exp) > 16*time.Minute {
		t.Errorf("renewed expiresAt %q (%v)", back.Creds["expiry_time"], err)
	}
	if back.Token["refreshToken"] == lf.tokens.RefreshToken || back.Token["idToken"] == nil || back.Token["tokenType"] != "aws_sigv4" ||
		back.Token["dpopKey"] != lf.keyPEM || back.Token["clientId"] != lf.tokens.ClientID {
		t.Errorf("renewed file lost or kept the wrong fields: refreshToken rotated %v, idToken %v, tokenType %v",
			back.Token["refreshToken"] != lf.tokens.RefreshToken, back.Token["idToken"], back.Token["tokenType"])
	}
	after, err := os.ReadFile(lf.path())
	must(t, err)
	order := func(b []byte) []string {
		var keys []string
		dec := json.NewDecoder(strings.NewReader(string(b)))
		_, _ = dec.Token()
		for dec.More() {
			k, _ := dec.Token()
			keys = append(keys, k.(string))
			var v json.RawMessage
			must(t, dec.Decode(&v))
		}
		return keys
	}
	if !strings.HasPrefix(string(after), `{"accessToken": {"accessKeyId": "`) ||
		strings.Join(order(before), ",") != strings.Join(order(after), ",") {
		t.Errorf("renewed file not written as botocore writes it (fields %v, were %v):\n%s", order(after), order(before), after)
	}
	if fi, err := os.Stat(lf.path()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("renewed file mode: %v %v", fi.Mode(), err)
	}

	// exec, credential-process and a role on top use the renewed session.
	r = w.run("exec", "signin", "--", "sh", "-c", `printf %s "$AWS_ACCESS_KEY_ID"`)
	if r.code != 0 || r.stdout != exported["AWS_ACCESS_KEY_ID"] {
		t.Errorf("exec: %s", r)
	}
	r = w.run("credential-process", "signin")
	var cp struct {
		Version     int
		AccessKeyID string `json:"AccessKeyId"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &cp) != nil || cp.Version != 1 || cp.AccessKeyID != exported["AWS_ACCESS_KEY_ID"] {
		t.Errorf("credential-process: %s", r)
	}
	r = w.run("use", "onsignin", "--no-input")
	if r.code != 0 || w.fake.Calls("AssumeRole") != 1 {
		t.Errorf("role on a login session: %s (AssumeRole calls %d)", r, w.fake.Calls("AssumeRole"))
	}
	if n := w.fake.Calls("CreateOAuth2Token"); n != 1 {
		t.Errorf("CreateOAuth2Token calls = %d after exec and the role, want still 1", n)
	}

	r = w.run("list")
	if r.code != 0 || !strings.Contains(r.stdout, "signin") || !strings.Contains(r.stdout, "login") {
		t.Errorf("list: %s", r)
	}
	// awsenv does not make `aws login` sessions: it says to run the CLI.
	r = w.run("login", "signin")
	if r.code == 0 || !strings.Contains(r.stderr, "aws login --profile signin") {
		t.Errorf("login on a login_session profile: %s", r)
	}

	proofs, err := json.Marshal(w.fake.DPoPProofs())
	must(t, err)
	out := testproc.Botocore(t, "-c", verifyDPoPPython, lf.keyPEM, string(proofs))
	if !strings.HasPrefix(string(out), "verified 1") {
		t.Errorf("Python's check of the DPoP proof: %s", out)
	}
}

// Sixteen parallel `use` on an expiring login session renew it once: the
// others wait on the lock and take what the first wrote.
func TestLoginSessionParallelRefreshE2E(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	loginConfig(w)
	lf := newLoginSession(t, w, time.Minute)
	var wg sync.WaitGroup
	keys := make([]string, 16)
	results := make([]result, 16)
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = w.run("use", "signin", "--no-input")
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.code != 0 {
			t.Fatalf("use %d: %s", i, r)
		}
		keys[i] = parseExports(t, r.stdout)["AWS_ACCESS_KEY_ID"]
	}
	if n := w.fake.Calls("CreateOAuth2Token"); n != 1 {
		t.Errorf("16 parallel use made %d CreateOAuth2Token calls, want 1", n)
	}
	for i, k := range keys {
		if k != keys[0] || k == lf.tokens.AccessKeyID {
			t.Errorf("use %d exported %s; the first %s (the expiring one was %s)", i, k, keys[0], lf.tokens.AccessKeyID)
		}
	}
}

// The sign-in service's refusals say what to do; explain and doctor know
// them.
func TestLoginSessionErrorsE2E(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	loginConfig(w)
	lf := newLoginSession(t, w, time.Minute)
	for _, tc := range []struct{ code, want string }{
		{"TOKEN_EXPIRED", "aws login --profile signin"},
		{"USER_CREDENTIALS_CHANGED", "password"},
		{"INSUFFICIENT_PERMISSIONS", "signin:CreateOAuth2Token"},
	} {
		w.fake.SetLoginError(tc.code)
		r := w.run("use", "signin", "--no-input")
		if r.code == 0 || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, tc.code) || strings.Contains(r.stdout, "AWS_ACCESS_KEY_ID") {
			t.Errorf("%s: use: %s", tc.code, r)
		}
		r = w.run("doctor", "signin")
		if !strings.Contains(r.stdout, tc.code) || !strings.Contains(r.stdout, tc.want) {
			t.Errorf("%s: doctor: %s", tc.code, r)
		}
	}
	w.fake.SetLoginError("")
	for text, want := range map[string]string{
		"Your session has expired or credentials have changed. Please reauthenticate using 'aws login'.":                                                          "login-session-expired",
		"Unable to create or refresh login credentials due to insufficient permissions. You may be missing permission for the 'signin:CreateOAuth2Token' action.": "login-insufficient-permission",
	} {
		r := w.shell("bash", `printf '%s\n' "$MSG" | awsenv explain --json`, "MSG="+text)
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("explain %q: %s", text, r)
		}
	}

	// A cached key id with a terminal escape in it is refused
	// (profiles.Credentials.Validate), never exported.
	data, err := os.ReadFile(lf.path())
	must(t, err)
	var tok map[string]any
	must(t, json.Unmarshal(data, &tok))
	at := tok["accessToken"].(map[string]any)
	at["accessKeyId"] = "ASIA\u001b]52;c;AAAA\u0007XX"
	at["expiresAt"] = time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05Z")
	data, err = json.Marshal(tok)
	must(t, err)
	must(t, os.WriteFile(lf.path(), data, 0o600))
	r := w.run("use", "signin", "--no-input")
	if r.code == 0 || strings.Contains(r.stdout, "AWS_ACCESS_KEY_ID") || strings.Contains(r.stdout+r.stderr, "\x1b") ||
		!strings.Contains(r.stderr, "aws login --profile signin") {
		t.Errorf("control character in the cached key: %s", r)
	}
}
