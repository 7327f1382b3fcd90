// Package ssocache reads and writes the AWS CLI v2's IAM Identity Center
// (SSO) token cache, so that one sign-in serves both the AWS CLI and awsenv.
//
// The cache is ~/.aws/sso/cache under the user's home (not an XDG
// directory: it is the AWS CLI's), one JSON file per sign-in, named after
// the SHA-1 (hex) of the sso-session's name, or of the start URL for a
// legacy profile without sso_session, as botocore.utils.SSOTokenLoader
// names it. The fields are the CLI's: startUrl, region, accessToken,
// expiresAt, clientId, clientSecret, registrationExpiresAt, refreshToken;
// times are UTC written "2006-01-02T15:04:05Z", as botocore's
// SSOTokenProvider writes them.
//
// awsenv writes a token file atomically (safefile.WriteAtomic: a temporary
// file in the same directory, fsynced, renamed over the old one), 0600 in
// a 0700 directory,
// under a lock file beside it (gofrs/flock), and keeps the fields it does
// not know. It reads one with safefile (never blocking on a FIFO, never
// following a symbolic link, within MaxTokenSize).
package ssocache

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/safefile"
)

// MaxTokenSize is the largest token file read: the CLI's are 2 to 4 KiB
// (the client secret and the tokens are the bulk).
const MaxTokenSize = 64 << 10

// TimeFormat is how the AWS CLI (botocore's _sso_json_dumps) writes
// expiresAt and registrationExpiresAt.
const TimeFormat = "2006-01-02T15:04:05Z"

// Dir is the AWS CLI's token cache directory for the home directory home.
func Dir(home string) string {
	return filepath.Join(home, ".aws", "sso", "cache")
}

// Token is one cached IAM Identity Center sign-in. The secrets print as
// [REDACTED] (profiles.Secret).
type Token struct {
	StartURL              string
	Region                string
	AccessToken           profiles.Secret
	ExpiresAt             time.Time
	ClientID              string
	ClientSecret          profiles.Secret
	RegistrationExpiresAt time.Time // zero when absent
	RefreshToken          profiles.Secret

	// Extra holds the fields awsenv does not know, as written, so that
	// saving a token loses nothing another tool put there.
	Extra map[string]json.RawMessage
}

// Valid reports whether the access token can be used for at least margin
// from now.
func (t *Token) Valid(now time.Time, margin time.Duration) bool {
	return t != nil && t.AccessToken != "" && t.ExpiresAt.After(now.Add(margin))
}

// CanRefresh reports whether the token can be renewed without a browser:
// it has a refresh token and a client registration that has not expired
// (botocore's SSOTokenProvider asks the same).
func (t *Token) CanRefresh(now time.Time) bool {
	return t != nil && t.RefreshToken != "" && t.ClientID != "" && t.ClientSecret != "" &&
		t.RegistrationExpiresAt.After(now)
}

// Cache is a token cache directory, normally Dir(home).
type Cache struct {
	Dir string
	// Items, when set, keeps the tokens and registrations in the secret
	// store instead of files (awsenv_sso_token_storage = keyring; items.go):
	// Dir then holds only the lock files, and is awsenv's own, not the
	// AWS CLI's.
	Items Items
}

// Path is the token file for key: the sso-session's name, or the start
// URL of a legacy profile (profiles.SSO.TokenKey).
func (c *Cache) Path(key string) string {
	sum := sha1.Sum([]byte(key))
	return filepath.Join(c.Dir, hex.EncodeToString(sum[:])+".json")
}

func (c *Cache) lockPath(key string) string {
	return strings.TrimSuffix(c.Path(key), ".json") + ".lock"
}

// ErrNoToken is wrapped by Load's error when there is no token file.
var ErrNoToken = errors.New("no cached IAM Identity Center token")

// signIn is the fix for a token awsenv cannot use.
const signIn = "`awsenv login` (or `aws sso login`)"

// CorruptError is a token file that cannot be read as a token: not JSON,
// a field of the wrong type, a time that does not parse, too large, or
// something other than a regular file.
type CorruptError struct {
	Path string
	Why  string
	Err  error // the cause, when there is one
}

func (e *CorruptError) Error() string {
	if strings.HasPrefix(e.Path, ItemPrefix) {
		return fmt.Sprintf("IAM Identity Center sign-in %s in the secret store is unusable: %s. Sign in again with `awsenv login --force`, which replaces it.", e.Path, e.Why)
	}
	return fmt.Sprintf("IAM Identity Center token file %s is unusable: %s. Remove it (rm %s) and sign in again with %s.",
		e.Path, e.Why, safefile.Quote(e.Path), signIn)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// Load reads the token for key. A missing file is an error wrapping
// ErrNoToken (and fs.ErrNotExist); a damaged one is a *CorruptError naming
// the file and the fix.
func (c *Cache) Load(key string) (*Token, error) {
	if key == "" {
		return nil, errors.New("load IAM Identity Center token: no sso-session name or start URL. Set sso_session (or sso_start_url) in the profile.")
	}
	path := c.Path(key)
	data, err := c.read(path)
	if err != nil {
		return nil, err
	}
	return decode(c.label(path), data)
}

// readToken reads a token file: not a link, not a FIFO, not someone
// else's, at most MaxTokenSize.
func readToken(path string) ([]byte, error) {
	f, fi, err := safefile.Open(path, safefile.NoFollow)
	var notReg *safefile.NotRegularError
	switch {
	case errors.As(err, &notReg):
		return nil, &CorruptError{Path: path, Why: "it is " + notReg.What + ", not a regular file (the AWS CLI writes plain files)", Err: err}
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%w in %s: %w. Sign in with %s.", ErrNoToken, path, err, signIn)
	case err != nil:
		return nil, fmt.Errorf("read IAM Identity Center token %s: %w. Check the permissions of %s.", path, err, filepath.Dir(path))
	}
	defer f.Close()
	if err := checkOwner(path, fi); err != nil {
		return nil, err
	}
	data, err := safefile.ReadAll(f, fi, MaxTokenSize)
	if errors.Is(err, safefile.ErrTooLarge) {
		return nil, &CorruptError{Path: path, Why: fmt.Sprintf("it is larger than %s, which no token is", safefile.Size(MaxTokenSize)), Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("read IAM Identity Center token %s: %w. Check the file system that holds it.", path, err)
	}
	return data, nil
}

// checkOwner refuses a file that is not the user's own (safefile's owner
// check): someone else's token would sign awsenv in as someone else. Its
// mode is not checked: older AWS CLIs wrote tokens 0644, and Save makes
// them 0600.
func checkOwner(path string, fi fs.FileInfo) error {
	err := safefile.CheckPrivate(path, fi, safefile.OwnFile)
	var pe *safefile.PrivateError
	if errors.As(err, &pe) && pe.Reason == safefile.NotOwned {
		pe.Fix = fmt.Sprintf("Remove it (sudo rm %s) and sign in again with %s.", safefile.Quote(path), signIn)
	}
	return err
}

// Fields in the order the AWS CLI writes them.
var (
	stringFields = []string{"startUrl", "region", "accessToken", "clientId", "clientSecret", "refreshToken"}
	timeFields   = []string{"expiresAt", "registrationExpiresAt"}
	fieldOrder   = []string{"startUrl", "region", "accessToken", "expiresAt", "clientId", "clientSecret", "registrationExpiresAt", "refreshToken"}
)

func decode(path string, data []byte) (*Token, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil || raw == nil {
		why := "it is not a JSON object"
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			why = fmt.Sprintf("it is not valid JSON (at byte %d)", syn.Offset)
		} else if len(bytes.TrimSpace(data)) == 0 {
			why = "it is empty"
		}
		// The decoder's own message may quote the file, which holds
		// secrets: only the offset is given.
		return nil, &CorruptError{Path: path, Why: why}
	}
	str := map[string]string{}
	for _, name := range append(append([]string{}, stringFields...), timeFields...) {
		v, ok := raw[name]
		if !ok || string(v) == "null" {
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, &CorruptError{Path: path, Why: fmt.Sprintf("its field %s is not a string", name)}
		}
		str[name] = s
		delete(raw, name)
	}
	t := &Token{StartURL: str["startUrl"], Region: str["region"], AccessToken: profiles.Secret(str["accessToken"]),
		ClientID: str["clientId"], ClientSecret: profiles.Secret(str["clientSecret"]), RefreshToken: profiles.Secret(str["refreshToken"])}
	// botocore's SSOTokenLoader wants these two.
	if t.AccessToken == "" {
		return nil, &CorruptError{Path: path, Why: "it has no accessToken"}
	}
	if str["expiresAt"] == "" {
		return nil, &CorruptError{Path: path, Why: "it has no expiresAt"}
	}
	var err error
	if t.ExpiresAt, err = parseTime(str["expiresAt"]); err != nil {
		return nil, &CorruptError{Path: path, Why: "its expiresAt is not a time such as 2026-11-30T17:00:00Z", Err: err}
	}
	if v := str["registrationExpiresAt"]; v != "" {
		if t.RegistrationExpiresAt, err = parseTime(v); err != nil {
			return nil, &CorruptError{Path: path, Why: "its registrationExpiresAt is not a time such as 2026-11-30T17:00:00Z", Err: err}
		}
	}
	if len(raw) > 0 {
		t.Extra = raw
	}
	return t, nil
}

// parseTime reads the times the AWS tools write: RFC 3339 with or without
// fractional seconds (botocore "…Z", the JavaScript SDK "….000Z", the Go
// SDK), and the "…UTC" of early AWS CLI v2 releases.
func parseTime(s string) (time.Time, error) {
	if rest, ok := strings.CutSuffix(s, "UTC"); ok {
		s = rest + "Z"
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// encode writes the token as the AWS CLI does: its fields in its order
// (empty ones left out), then the others sorted by name.
func encode(t *Token) ([]byte, error) {
	vals := map[string]string{
		"startUrl": t.StartURL, "region": t.Region, "accessToken": t.AccessToken.Reveal(),
		"clientId": t.ClientID, "clientSecret": t.ClientSecret.Reveal(), "refreshToken": t.RefreshToken.Reveal(),
	}
	if !t.ExpiresAt.IsZero() {
		vals["expiresAt"] = t.ExpiresAt.UTC().Format(TimeFormat)
	}
	if !t.RegistrationExpiresAt.IsZero() {
		vals["registrationExpiresAt"] = t.RegistrationExpiresAt.UTC().Format(TimeFormat)
	}
	var b bytes.Buffer
	b.WriteByte('{')
	sep := func() {
		if b.Len() > 1 {
			b.WriteString(", ")
		}
	}
	for _, name := range fieldOrder {
		if vals[name] == "" {
			continue
		}
		sep()
		k, _ := json.Marshal(name)
		v, err := json.Marshal(vals[name])
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteString(": ")
		b.Write(v)
	}
	names := make([]string, 0, len(t.Extra))
	for name := range t.Extra {
		if _, known := vals[name]; !known && name != "expiresAt" && name != "registrationExpiresAt" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		v := t.Extra[name]
		if !json.Valid(v) {
			return nil, fmt.Errorf("field %s is not JSON", name)
		}
		sep()
		k, _ := json.Marshal(name)
		b.Write(k)
		b.WriteString(": ")
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Held is the lock on one token file, held while a token is checked and
// renewed: two awsenv (or an awsenv's goroutines) never renew it at once.
type Held struct {
	c      *Cache
	key    string
	unlock func()
}

// Lock makes the directory (0700) and takes the lock for key, waiting while
// another holds it, until ctx ends. The lock file sits beside the token
// (SHA1.lock). The kernel drops a flock when its holder dies, so a killed
// awsenv never wedges the next one. The AWS CLI takes no lock: its writes
// are atomic, so it can never see half a file.
func (c *Cache) Lock(ctx context.Context, key string) (*Held, error) {
	if key == "" {
		return nil, errors.New("lock IAM Identity Center token: no sso-session name or start URL. Set sso_session (or sso_start_url) in the profile.")
	}
	if err := c.ensureDir(); err != nil {
		return nil, err
	}
	path := c.lockPath(key)
	unlock, err := safefile.Lock(ctx, path, nil)
	var notReg *safefile.NotRegularError
	switch {
	case err == nil:
		return &Held{c: c, key: key, unlock: unlock}, nil
	case errors.As(err, &notReg):
		return nil, fmt.Errorf("lock IAM Identity Center token: %w. %s", err, notReg.Fix("; awsenv makes the lock file again"))
	case ctx.Err() != nil:
		return nil, fmt.Errorf("lock IAM Identity Center token %s: %w. Another awsenv may be signing in; finish or stop it and try again.", path, ctx.Err())
	}
	return nil, fmt.Errorf("lock IAM Identity Center token: %s: %w. Check that %s is writable by you, on a file system that takes locks.", path, err, c.Dir)
}

// Unlock releases the lock.
func (h *Held) Unlock() {
	h.unlock()
}

// Load reads the token, as Cache.Load.
func (h *Held) Load() (*Token, error) { return h.c.Load(h.key) }

// Save writes t as the token, atomically and 0600. Fields the file on disk
// has that awsenv does not know, and t does not set, are kept.
func (h *Held) Save(t *Token) error {
	path := h.c.Path(h.key)
	if t == nil || t.AccessToken == "" || t.ExpiresAt.IsZero() {
		return fmt.Errorf("save IAM Identity Center token %s: the token has no accessToken or expiresAt. This is a bug in awsenv; please report it.", path)
	}
	extra := map[string]json.RawMessage{}
	if data, err := h.c.read(path); err == nil {
		if old, err := decode(h.c.label(path), data); err == nil {
			for k, v := range old.Extra {
				extra[k] = v
			}
		}
	}
	for k, v := range t.Extra {
		extra[k] = v
	}
	out := *t
	out.Extra = extra
	data, err := encode(&out)
	if err != nil {
		return fmt.Errorf("save IAM Identity Center token %s: %w. This is a bug in awsenv; please report it.", path, err)
	}
	return h.c.write(path, data)
}

// Delete removes the token file; a missing one is no error.
func (h *Held) Delete() error {
	path := h.c.Path(h.key)
	if h.c.Items != nil {
		return h.c.Items.Remove(itemName(path))
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove IAM Identity Center token %s: %w. Check the permissions of %s.", path, err, h.c.Dir)
	}
	return nil
}

// Save writes the token for key under its lock (see Held.Save).
func (c *Cache) Save(ctx context.Context, key string, t *Token) error {
	h, err := c.Lock(ctx, key)
	if err != nil {
		return err
	}
	defer h.Unlock()
	return h.Save(t)
}

// Delete removes the token for key under its lock (signing out).
func (c *Cache) Delete(ctx context.Context, key string) error {
	h, err := c.Lock(ctx, key)
	if err != nil {
		return err
	}
	defer h.Unlock()
	return h.Delete()
}

// ensureDir makes the cache directory 0700, and makes an existing one of
// the user's private: the AWS CLI creates it 0755 (os.makedirs with the
// umask), and it holds tokens.
func (c *Cache) ensureDir() error {
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return fmt.Errorf("create IAM Identity Center token directory %s: %w. Check that its parent is writable by you.", c.Dir, err)
	}
	fi, err := os.Stat(c.Dir)
	if err != nil {
		return fmt.Errorf("create IAM Identity Center token directory %s: %w. Check that its parent is writable by you.", c.Dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("IAM Identity Center token directory %s is %s, not a directory. Remove it (rm %s) so the AWS CLI and awsenv can create it.",
			c.Dir, safefile.Kind(fi.Mode()), safefile.Quote(c.Dir))
	}
	err = safefile.CheckPrivate(c.Dir, fi, safefile.OwnDir)
	var pe *safefile.PrivateError
	if errors.As(err, &pe) && pe.Reason == safefile.NotOwned {
		pe.Fix = fmt.Sprintf("Take it back: sudo chown -R %d %s", os.Getuid(), safefile.Quote(c.Dir))
	}
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(c.Dir, 0o700); err != nil {
			return fmt.Errorf("make IAM Identity Center token directory %s private: %w. Run: chmod 700 %s", c.Dir, err, safefile.Quote(c.Dir))
		}
	}
	return nil
}

// writeAtomic replaces path with data, 0600, through safefile.WriteAtomic:
// readers (the AWS CLI among them) see the old file or the new one, never
// half.
func writeAtomic(path string, data []byte) error {
	if err := safefile.WriteAtomic(path, data, safefile.WriteOptions{}); err != nil {
		return fmt.Errorf("IAM Identity Center token cache: %w", err)
	}
	return nil
}
