package logincache

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A file as botocore's JSONFileCache writes it (json.dumps: ", " and ": ",
// non-ASCII escaped), with fields awsenv does not know.
const botocoreFile = `{"accessToken": {"accessKeyId": "ASIAOLD", "secretAccessKey": "old/secret", "sessionToken": "oldtoken", "accountId": "123456789012", "expiresAt": "2026-12-07T10:00:00Z"}, "tokenType": "aws_sigv4", "refreshToken": "rt-old", "idToken": "eyJ.x.y", "clientId": "arn:aws:signin:::devtools/same-device", "dpopKey": "-----BEGIN EC PRIVATE KEY-----\nMHc=\n-----END EC PRIVATE KEY-----\n", "note": {"caf\u00e9": [1, 2.50]}}`

func TestSaveKeepsBotocoreShape(t *testing.T) {
	c := &Cache{Dir: t.TempDir()}
	path := c.Path("arn:aws:iam::123456789012:user/alice")
	// botocore.utils.generate_login_cache_key of that name.
	if path != filepath.Join(c.Dir, "b7d71d383b9557a9bad4c3346c50365819226484c6824a0fdef66637be339db0.json") {
		t.Fatalf("path %s", path)
	}
	if err := os.WriteFile(path, []byte(botocoreFile), 0o600); err != nil {
		t.Fatal(err)
	}
	h, err := c.Lock(context.Background(), "p", "arn:aws:iam::123456789012:user/alice")
	if err != nil {
		t.Fatal(err)
	}
	defer h.Unlock()
	tok, err := h.Load()
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessKeyID != "ASIAOLD" || tok.ClientID == "" || tok.DPoPKey == "" || tok.ExpiresAt.Hour() != 10 {
		t.Fatalf("decoded %+v", tok)
	}
	tok.AccessKeyID, tok.SecretAccessKey, tok.SessionToken = "ASIANEW", "new/secret", "newtoken"
	tok.ExpiresAt = time.Date(2026, 12, 7, 10, 15, 0, 0, time.UTC)
	tok.RefreshToken = "rt-new"
	if err := h.Save(tok); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := strings.NewReplacer(`"ASIAOLD"`, `"ASIANEW"`, `"old/secret"`, `"new/secret"`, `"oldtoken"`, `"newtoken"`,
		`10:00:00Z`, `10:15:00Z`, `"rt-old"`, `"rt-new"`).Replace(botocoreFile)
	if string(got) != want {
		t.Errorf("saved\n%s\nwant\n%s", got, want)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
}

func TestLoadRefusesWhatBotocoreRefuses(t *testing.T) {
	c := &Cache{Dir: t.TempDir()}
	for body, why := range map[string]string{
		`{"accessToken": {}, "refreshToken": "r", "clientId": "c"}`: "lacks dpopKey",
		`[1]`:              "not a JSON object",
		`{"accessToken": `: "not valid JSON",
		`{"accessToken": {"accessKeyId": "A", "secretAccessKey": "s", "sessionToken": "t", "accountId": "1", "expiresAt": "soon"}, "refreshToken": "r", "clientId": "c", "dpopKey": "k"}`: "expiresAt is not a time",
	} {
		if err := os.WriteFile(c.Path("s"), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := c.Load("p", "s")
		var ce *CorruptError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), why) || !strings.Contains(err.Error(), "aws login --profile p") {
			t.Errorf("%s: %v", body, err)
		}
	}
	if _, err := c.Load("p", "other"); !errors.Is(err, ErrNoToken) {
		t.Errorf("missing: %v", err)
	}
}

func TestDir(t *testing.T) {
	env := map[string]string{"AWS_LOGIN_CACHE_DIRECTORY": "~/x/$SUB", "SUB": "y"}
	if got := Dir("/h", func(k string) string { return env[k] }); got != "/h/x/y" {
		t.Errorf("Dir = %s", got)
	}
	if got := Dir("/h", func(string) string { return "" }); got != "/h/.aws/login/cache" {
		t.Errorf("Dir = %s", got)
	}
}
