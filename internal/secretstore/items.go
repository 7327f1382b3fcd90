package secretstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// LongTermKey is what an item "profile:NAME" holds, as JSON: an IAM
// user's access key and its secret. It never prints the secret.
type LongTermKey struct {
	AccessKeyID     string `json:"AccessKeyID"`
	SecretAccessKey string `json:"SecretAccessKey"`
}

func (k LongTermKey) String() string { return k.AccessKeyID + " [REDACTED]" }

// GoString keeps %#v from printing the secret.
func (k LongTermKey) GoString() string { return k.String() }

// ProfileItem is the item name of profile's long-term key.
func ProfileItem(profile string) string { return ProfilePrefix + profile }

// ProfileOf is the profile an item name belongs to, if it is a
// long-term key's.
func ProfileOf(item string) (string, bool) {
	name, ok := strings.CutPrefix(item, ProfilePrefix)
	return name, ok && name != ""
}

// ParseLongTermKey reads an item's data. The error never quotes it.
func ParseLongTermKey(data []byte) (LongTermKey, error) {
	var k LongTermKey
	if err := json.Unmarshal(data, &k); err != nil {
		return LongTermKey{}, errors.New("the item is not awsenv's key JSON")
	}
	if k.AccessKeyID == "" || k.SecretAccessKey == "" {
		return LongTermKey{}, errors.New("the item lacks AccessKeyID or SecretAccessKey")
	}
	return k, nil
}

// Marshal is the item's data.
func (k LongTermKey) Marshal() []byte {
	b, _ := json.Marshal(k)
	return b
}

// aws-vault v7 (vault/credentialkeyring.go) keeps each profile's keys as
// an item named after the profile, holding aws-sdk-go-v2's aws.Credentials
// as JSON; beside them it keeps sessions ("sts.GetSessionToken,NAME,
// SERIAL,EXPIRY" and older forms) and IAM Identity Center tokens
// ("oidc:URL"), which are not keys.
var awsVaultNotKeys = []*regexp.Regexp{
	regexp.MustCompile(`^[^,]+,[^,]+,[^,]*,[0-9]{1,}$`),
	regexp.MustCompile(`^session:[^ ]+:[^ ]*:[^:]+$`),
	regexp.MustCompile(`^(.+?) session \((\d+)\)$`),
	regexp.MustCompile(`^oidc:`),
}

// AWSVaultProfile reports whether an aws-vault item name holds a
// profile's long-term keys (and not a session or a token).
func AWSVaultProfile(item string) bool {
	for _, re := range awsVaultNotKeys {
		if re.MatchString(item) {
			return false
		}
	}
	return item != ""
}

// awsVaultCredentials is aws-sdk-go-v2's aws.Credentials as encoding/json
// writes it (aws-vault v7's item data).
type awsVaultCredentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Source          string
	CanExpire       bool
}

// ParseAWSVault reads an aws-vault v7 item's data as a long-term key;
// session credentials (a token, an expiry) are refused: aws-vault keeps
// only long-term keys under a profile's name.
func ParseAWSVault(data []byte) (LongTermKey, error) {
	var c awsVaultCredentials
	if err := json.Unmarshal(data, &c); err != nil {
		return LongTermKey{}, errors.New("the item is not aws-vault's credentials JSON")
	}
	switch {
	case c.AccessKeyID == "" || c.SecretAccessKey == "":
		return LongTermKey{}, errors.New("the item lacks AccessKeyID or SecretAccessKey")
	case c.SessionToken != "" || c.CanExpire:
		return LongTermKey{}, fmt.Errorf("the item holds session credentials (%s...), not a long-term key", c.AccessKeyID[:min(4, len(c.AccessKeyID))])
	}
	return LongTermKey{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey}, nil
}

// AWSVaultConfig is how aws-vault v7 opens its keyring
// (cli/global.go: keyringConfigDefaults and its flags' variables), read
// from getenv: the backend AWS_VAULT_BACKEND (else this system's
// default), the file directory AWS_VAULT_FILE_DIR (~/.awsvault/keys),
// its passphrase AWS_VAULT_FILE_PASSPHRASE, pass's
// AWS_VAULT_PASS_PASSWORD_STORE_DIR, AWS_VAULT_PASS_PREFIX and
// AWS_VAULT_PASS_CMD, the Secret Service collection
// AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME (awsvault) and the keychain
// AWS_VAULT_KEYCHAIN_NAME (aws-vault).
func AWSVaultConfig(getenv func(string) string, home string, passphrase func() (string, error)) Config {
	or := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	cfg := Config{
		Backend:      getenv("AWS_VAULT_BACKEND"),
		ServiceName:  "aws-vault",
		FileDir:      expandHome(or("AWS_VAULT_FILE_DIR", "~/.awsvault/keys/"), home),
		PassDir:      expandHome(getenv("AWS_VAULT_PASS_PASSWORD_STORE_DIR"), home),
		PassPrefix:   getenv("AWS_VAULT_PASS_PREFIX"),
		PassCmd:      getenv("AWS_VAULT_PASS_CMD"),
		Collection:   or("AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME", "awsvault"),
		KeychainName: or("AWS_VAULT_KEYCHAIN_NAME", "aws-vault"),
		Getenv:       getenv,
		Passphrase:   passphrase,
		awsVault:     true,
	}
	if pw, ok := lookup(getenv, "AWS_VAULT_FILE_PASSPHRASE"); ok {
		cfg.Passphrase = func() (string, error) { return pw, nil }
	}
	return cfg
}

func lookup(getenv func(string) string, name string) (string, bool) {
	v := getenv(name)
	return v, v != ""
}

func expandHome(p, home string) string {
	if p == "~" {
		return home
	}
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		return home + "/" + rest
	}
	return p
}
