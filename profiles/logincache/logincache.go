// Package logincache reads and writes the AWS CLI's `aws login` token
// cache, so that one sign-in serves the AWS CLI, botocore and awsenv.
//
// The cache is ~/.aws/login/cache (AWS_LOGIN_CACHE_DIRECTORY moves it),
// one JSON file per login session, named after the SHA-256 (hex) of the
// profile's login_session, as botocore's LoginTokenLoader names it. The
// fields botocore requires are accessToken {accessKeyId, secretAccessKey,
// sessionToken, accountId, expiresAt}, refreshToken, clientId and dpopKey
// (the PEM EC key the refresh token is bound to); the others (idToken,
// tokenType...) are kept as they are.
//
// A refresh is written back as botocore's LoginCredentialFetcher writes
// it: the file's fields in their order, accessToken and refreshToken
// replaced, expiresAt "2006-01-02T15:04:05Z" in UTC, json.dumps's
// separators. The write is atomic and 0600 (safefile.WriteAtomic), under a
// lock file beside the token (gofrs/flock) so that parallel awsenv renew
// it once. A token is read with safefile: no link, no FIFO, not someone
// else's, at most MaxTokenSize.
package logincache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/safefile"
)

// MaxTokenSize is the largest token file read: the CLI's are 3 to 5 KiB
// (the session token, the key and the id token are the bulk).
const MaxTokenSize = 64 << 10

// TimeFormat is how botocore writes accessToken.expiresAt.
const TimeFormat = "2006-01-02T15:04:05Z"

// RefreshWindow is how close to its expiry a login session's credentials
// are renewed: botocore's LoginCredentialFetcher._REFRESH_THRESHOLD. The
// sign-in service's credentials last at most 15 minutes, so a larger
// margin would renew them on every call.
const RefreshWindow = 5 * time.Minute

// Dir is the token cache directory: AWS_LOGIN_CACHE_DIRECTORY (with ~ and
// $VARIABLES expanded, as botocore does), else ~/.aws/login/cache.
func Dir(home string, getenv func(string) string) string {
	if d := getenv("AWS_LOGIN_CACHE_DIRECTORY"); d != "" {
		d = os.Expand(d, getenv)
		if d == "~" || strings.HasPrefix(d, "~/") {
			d = filepath.Join(home, d[1:])
		}
		return d
	}
	return filepath.Join(home, ".aws", "login", "cache")
}

// Token is one cached login session. The secrets print as [REDACTED].
type Token struct {
	AccessKeyID     string
	SecretAccessKey profiles.Secret
	SessionToken    profiles.Secret
	AccountID       string
	ExpiresAt       time.Time
	RefreshToken    profiles.Secret
	ClientID        string
	DPoPKey         profiles.Secret

	// fields are the file's top-level fields in its order, as written;
	// Save replaces accessToken and refreshToken and keeps the rest.
	fields []field
}

type field struct {
	name string
	raw  json.RawMessage
}

// Credentials are the session's credentials as cached.
func (t *Token) Credentials() profiles.Credentials {
	return profiles.Credentials{AccessKeyID: t.AccessKeyID, SecretAccessKey: t.SecretAccessKey,
		SessionToken: t.SessionToken, Expiration: t.ExpiresAt, AccountID: t.AccountID}
}

// Fresh reports whether the credentials last longer than RefreshWindow
// from now (botocore renews them otherwise).
func (t *Token) Fresh(now time.Time) bool {
	return t.ExpiresAt.After(now.Add(RefreshWindow))
}

// Cache is a token cache directory, normally Dir(home, getenv).
type Cache struct{ Dir string }

// Path is the token file of the login session named session.
func (c *Cache) Path(session string) string {
	sum := sha256.Sum256([]byte(session))
	return filepath.Join(c.Dir, hex.EncodeToString(sum[:])+".json")
}

func (c *Cache) lockPath(session string) string {
	return strings.TrimSuffix(c.Path(session), ".json") + ".lock"
}

// ErrNoToken is wrapped by Load's error when there is no token file.
var ErrNoToken = errors.New("no cached `aws login` session")

// signIn is the fix for a session awsenv cannot use.
func signIn(profile string) string {
	return "`aws login --profile " + profile + "`"
}

// CorruptError is a token file that cannot be used: not JSON, a required
// field missing or of the wrong type, too large, or not a regular file.
type CorruptError struct {
	Path, Profile, Why string
	Err                error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("`aws login` token file %s is unusable: %s. Sign in again with %s, which replaces it.",
		e.Path, e.Why, signIn(e.Profile))
}

func (e *CorruptError) Unwrap() error { return e.Err }

// Load reads the token of session for profile (named in errors).
func (c *Cache) Load(profile, session string) (*Token, error) {
	path := c.Path(session)
	f, fi, err := safefile.Open(path, safefile.NoFollow)
	var notReg *safefile.NotRegularError
	switch {
	case errors.As(err, &notReg):
		return nil, &CorruptError{Path: path, Profile: profile, Why: "it is " + notReg.What + ", not a regular file", Err: err}
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%w for login_session %s in %s: %w. Sign in with %s.", ErrNoToken, session, path, err, signIn(profile))
	case err != nil:
		return nil, fmt.Errorf("read `aws login` token %s: %w. Check the permissions of %s.", path, err, filepath.Dir(path))
	}
	defer f.Close()
	if err := safefile.CheckPrivate(path, fi, safefile.OwnFile); err != nil {
		// Someone else's token would sign awsenv in as someone else.
		return nil, err
	}
	data, err := safefile.ReadAll(f, fi, MaxTokenSize)
	if errors.Is(err, safefile.ErrTooLarge) {
		return nil, &CorruptError{Path: path, Profile: profile, Why: fmt.Sprintf("it is larger than %s, which no token is", safefile.Size(MaxTokenSize)), Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("read `aws login` token %s: %w. Check the file system that holds it.", path, err)
	}
	t, why := decode(data)
	if why != "" {
		return nil, &CorruptError{Path: path, Profile: profile, Why: why}
	}
	return t, nil
}

// decode reads a token file; why says what is wrong with it.
func decode(data []byte) (*Token, string) {
	fields, err := objectFields(data)
	if err != nil {
		// The decoder's own message may quote the file, which holds
		// secrets: only the offset is given.
		var syn *json.SyntaxError
		switch {
		case errors.As(err, &syn):
			return nil, fmt.Sprintf("it is not valid JSON (at byte %d)", syn.Offset)
		case errors.Is(err, errNotObject):
			return nil, "it is not a JSON object"
		}
		return nil, "it is not valid JSON"
	}
	byName := map[string]json.RawMessage{}
	for _, f := range fields {
		byName[f.name] = f.raw
	}
	// botocore's _REQUIRED_TOKEN_FIELDS, in its order.
	var missing []string
	for _, name := range []string{"accessToken", "refreshToken", "dpopKey", "clientId"} {
		if v, ok := byName[name]; !ok || string(v) == "null" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, "it lacks " + strings.Join(missing, ", ")
	}
	t := &Token{fields: fields}
	str := func(raw json.RawMessage, name string, dst *string) string {
		if err := json.Unmarshal(raw, dst); err != nil || *dst == "" {
			return "its " + name + " is not a non-empty string"
		}
		return ""
	}
	var rt, key string
	for _, c := range []struct {
		name string
		dst  *string
	}{{"refreshToken", &rt}, {"clientId", &t.ClientID}, {"dpopKey", &key}} {
		if why := str(byName[c.name], c.name, c.dst); why != "" {
			return nil, why
		}
	}
	t.RefreshToken, t.DPoPKey = profiles.Secret(rt), profiles.Secret(key)
	var at map[string]json.RawMessage
	if err := json.Unmarshal(byName["accessToken"], &at); err != nil || at == nil {
		return nil, "its accessToken is not an object"
	}
	var secret, token, expires string
	for _, c := range []struct {
		name string
		dst  *string
	}{{"accessKeyId", &t.AccessKeyID}, {"secretAccessKey", &secret}, {"sessionToken", &token}, {"accountId", &t.AccountID}, {"expiresAt", &expires}} {
		if why := str(at[c.name], "accessToken."+c.name, c.dst); why != "" {
			return nil, why
		}
	}
	t.SecretAccessKey, t.SessionToken = profiles.Secret(secret), profiles.Secret(token)
	exp, err := time.Parse(time.RFC3339Nano, expires)
	if err != nil {
		return nil, "its accessToken.expiresAt is not a time such as 2026-11-30T17:00:00Z"
	}
	t.ExpiresAt = exp.UTC()
	return t, ""
}

var errNotObject = errors.New("not an object")

// objectFields are a JSON object's members in their order.
func objectFields(data []byte) ([]field, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errNotObject
	}
	var out []field
	seen := map[string]int{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		if i, ok := seen[name]; ok {
			out[i].raw = raw // the last one wins, as in Python
			continue
		}
		seen[name] = len(out)
		out = append(out, field{name: name, raw: raw})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errNotObject
	}
	return out, nil
}

// encode writes t as botocore does after a refresh: the fields in the
// file's order with accessToken and refreshToken replaced, separators
// ", " and ": ", non-ASCII escaped.
func encode(t *Token) ([]byte, error) {
	at := []field{}
	for _, kv := range [][2]string{{"accessKeyId", t.AccessKeyID}, {"secretAccessKey", t.SecretAccessKey.Reveal()},
		{"sessionToken", t.SessionToken.Reveal()}, {"accountId", t.AccountID}, {"expiresAt", t.ExpiresAt.UTC().Format(TimeFormat)}} {
		at = append(at, field{kv[0], pyJSON(kv[1])})
	}
	fields := append([]field(nil), t.fields...)
	set := func(name string, raw json.RawMessage) {
		for i := range fields {
			if fields[i].name == name {
				fields[i].raw = raw
				return
			}
		}
		fields = append(fields, field{name, raw})
	}
	set("accessToken", object(at))
	set("refreshToken", pyJSON(t.RefreshToken.Reveal()))
	set("clientId", pyJSON(t.ClientID))
	set("dpopKey", pyJSON(t.DPoPKey.Reveal()))
	for _, f := range fields {
		if !json.Valid(f.raw) {
			return nil, fmt.Errorf("field %s is not JSON", f.name)
		}
	}
	return object(fields), nil
}

func object(fields []field) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteString(", ")
		}
		b.Write(pyJSON(f.name))
		b.WriteString(": ")
		b.Write(f.raw)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// Held is the lock on one token file, held while it is checked and
// renewed: two awsenv never renew it at once (a refresh token is rotated
// by each use).
type Held struct {
	c                *Cache
	profile, session string
	unlock           func()
}

// Lock takes the lock for session, waiting while another holds it, until
// ctx ends. The lock file sits beside the token (SHA256.lock); the kernel
// drops a flock when its holder dies. The AWS CLI takes no lock: its
// writes are atomic, so it never sees half a file.
func (c *Cache) Lock(ctx context.Context, profile, session string) (*Held, error) {
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("create `aws login` token directory %s: %w. Check that its parent is writable by you.", c.Dir, err)
	}
	path := c.lockPath(session)
	unlock, err := safefile.Lock(ctx, path, nil)
	var notReg *safefile.NotRegularError
	switch {
	case err == nil:
		return &Held{c: c, profile: profile, session: session, unlock: unlock}, nil
	case errors.As(err, &notReg):
		return nil, fmt.Errorf("lock `aws login` token: %w. %s", err, notReg.Fix("; awsenv makes the lock file again"))
	case ctx.Err() != nil:
		return nil, fmt.Errorf("lock `aws login` token %s: %w. Another awsenv may be renewing it; try again.", path, ctx.Err())
	}
	return nil, fmt.Errorf("lock `aws login` token: %s: %w. Check that %s is writable by you, on a file system that takes locks.", path, err, c.Dir)
}

// Unlock releases the lock.
func (h *Held) Unlock() {
	h.unlock()
}

// Load reads the token, as Cache.Load.
func (h *Held) Load() (*Token, error) { return h.c.Load(h.profile, h.session) }

// Save writes t back, atomically and 0600, keeping the fields of the file
// t was read from.
func (h *Held) Save(t *Token) error {
	path := h.c.Path(h.session)
	data, err := encode(t)
	if err != nil {
		return fmt.Errorf("save `aws login` token %s: %w. This is a bug in awsenv; please report it.", path, err)
	}
	if err := safefile.WriteAtomic(path, data, safefile.WriteOptions{}); err != nil {
		return fmt.Errorf("save `aws login` token: %w. Check that %s is writable by you.", err, h.c.Dir)
	}
	return nil
}

// pyJSON is s as botocore writes it (profiles.PyJSONString), as raw JSON.
func pyJSON(s string) json.RawMessage { return json.RawMessage(profiles.PyJSONString(s)) }
