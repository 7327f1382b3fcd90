package ssocache

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/awsenv/awsenv/profiles"
)

// Registration is an OIDC client registration as the AWS CLI v2 caches
// it (BaseSSOTokenFetcher._registration): clientId, clientSecret,
// expiresAt and scopes, in a file of its own beside the tokens, named by
// RegistrationKey. The CLI also copies it into the token file (clientId,
// clientSecret, registrationExpiresAt), where botocore's SSOTokenProvider
// finds it to refresh the token.
type Registration struct {
	ClientID     string
	ClientSecret profiles.Secret
	ExpiresAt    time.Time
	Scopes       []string
	GrantTypes   []string // the browser sign-in's (authorization_code, refresh_token); none for the device flow's
}

// RegistrationKey is the AWS CLI v2's name for the registration file of a
// sign-in (without ".json"): the SHA-1 of Python's json.dumps({"tool":
// "botocore", "startUrl", "region", "scopes", "session_name"},
// sort_keys=True), with null for a legacy profile's session name and for
// scopes when none are configured.
func RegistrationKey(startURL, region, session string, scopes []string) string {
	return RegistrationKeyFor(startURL, region, session, scopes, nil)
}

// RegistrationKeyFor is the registration key of a client registered for
// grantTypes: the browser sign-in's registration (authorization_code)
// is kept apart from the device flow's, as the AWS CLI v2 keeps them, so
// neither is reused for the other. No grant types: RegistrationKey.
func RegistrationKeyFor(startURL, region, session string, scopes, grantTypes []string) string {
	var b bytes.Buffer
	b.WriteByte('{')
	if grantTypes != nil {
		b.WriteString(`"grantTypes": ` + pyList(grantTypes) + `, `)
	}
	b.WriteString(`"region": ` + profiles.PyJSONString(region) + `, "scopes": `)
	if scopes == nil {
		b.WriteString("null")
	} else {
		b.WriteString(pyList(scopes))
	}
	b.WriteString(`, "session_name": `)
	if session == "" {
		b.WriteString("null")
	} else {
		b.WriteString(profiles.PyJSONString(session))
	}
	b.WriteString(`, "startUrl": ` + profiles.PyJSONString(startURL) + `, "tool": "botocore"}`)
	sum := sha1.Sum(b.Bytes())
	return hex.EncodeToString(sum[:])
}

// pyList is l as Python's json.dumps writes a list of strings.
func pyList(l []string) string {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, s := range l {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(profiles.PyJSONString(s))
	}
	b.WriteByte(']')
	return b.String()
}

// registrationPath is the file of a registration key.
func (c *Cache) registrationPath(key string) string {
	return filepath.Join(c.Dir, key+".json")
}

// LoadRegistration reads the registration cached under key; nil, nil when
// there is none or it cannot be used (a damaged one is simply replaced by
// a new registration).
func (c *Cache) LoadRegistration(key string) (*Registration, error) {
	path := c.registrationPath(key)
	data, err := c.read(path)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrNoToken) {
		return nil, nil
	}
	var ce *CorruptError
	if errors.As(err, &ce) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var raw struct {
		ClientID     string   `json:"clientId"`
		ClientSecret string   `json:"clientSecret"`
		ExpiresAt    string   `json:"expiresAt"`
		Scopes       []string `json:"scopes"`
		GrantTypes   []string `json:"grantTypes"`
	}
	if json.Unmarshal(data, &raw) != nil || raw.ClientID == "" || raw.ClientSecret == "" {
		return nil, nil
	}
	exp, err := parseTime(raw.ExpiresAt)
	if err != nil {
		return nil, nil
	}
	return &Registration{ClientID: raw.ClientID, ClientSecret: profiles.Secret(raw.ClientSecret), ExpiresAt: exp, Scopes: raw.Scopes, GrantTypes: raw.GrantTypes}, nil
}

// SaveRegistration writes r under key as the AWS CLI writes it,
// atomically and 0600. The caller holds the token's lock.
func (c *Cache) SaveRegistration(key string, r *Registration) error {
	if err := c.ensureDir(); err != nil {
		return err
	}
	out := struct {
		ClientID     string   `json:"clientId"`
		ClientSecret string   `json:"clientSecret"`
		ExpiresAt    string   `json:"expiresAt"`
		Scopes       []string `json:"scopes,omitempty"`
		GrantTypes   []string `json:"grantTypes,omitempty"`
	}{r.ClientID, r.ClientSecret.Reveal(), r.ExpiresAt.UTC().Format(TimeFormat), r.Scopes, r.GrantTypes}
	data, err := json.Marshal(out)
	if err != nil {
		return fmt.Errorf("save IAM Identity Center client registration: %w. This is a bug in awsenv; please report it.", err)
	}
	return c.write(c.registrationPath(key), data)
}
