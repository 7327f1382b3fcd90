//go:build unix

package ssocache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/safefile"
)

// saveEnv makes the test binary, run as a child process, save tokens
// (see saveMany) and exit: two processes writing one token file.
const saveEnv = "AWSENV_SSOCACHE_TEST_SAVE"

func TestMain(m *testing.M) {
	if v := os.Getenv(saveEnv); v != "" {
		dir, who, _ := strings.Cut(v, "|")
		if err := saveMany(context.Background(), &Cache{Dir: dir}, who, 50); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Fake secrets, long enough to be found if they leak into a message.
const (
	accessToken  = "aoaAAAAAGexampleACCESSTOKENdoNotPrint0123456789"
	clientSecret = "eyJraWQiOiJleGFtcGxlQ0xJRU5UU0VDUkVUZG9Ob3RQcmludA"
	refreshToken = "aorvJYubGexampleREFRESHTOKENdoNotPrint9876543210"
)

var now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// cliToken is a token file as the AWS CLI v2 writes it after
// `aws sso login --sso-session my-sso`: botocore's json.dumps of its dict,
// in its order, times as "%Y-%m-%dT%H:%M:%SZ".
const cliToken = `{"startUrl": "https://my-sso-portal.awsapps.com/start", "region": "us-east-1", "accessToken": "` + accessToken +
	`", "expiresAt": "2026-11-30T17:00:00Z", "clientId": "example-client-id-123", "clientSecret": "` + clientSecret +
	`", "registrationExpiresAt": "2027-02-28T12:00:00Z", "refreshToken": "` + refreshToken + `"}`

func newCache(t *testing.T) *Cache {
	t.Helper()
	return &Cache{Dir: Dir(t.TempDir())}
}

func writeRaw(t *testing.T, c *Cache, key, content string) string {
	t.Helper()
	if err := os.MkdirAll(c.Dir, 0o755); err != nil { // as the AWS CLI makes it
		t.Fatal(err)
	}
	p := c.Path(key)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPathIsTheCLIs(t *testing.T) {
	c := &Cache{Dir: "/home/u/.aws/sso/cache"}
	if got := Dir("/home/u"); got != c.Dir {
		t.Errorf("Dir = %s", got)
	}
	// sha1 hex of the session name, and of the start URL (computed with
	// Python's hashlib, as botocore's SSOTokenLoader does).
	for key, want := range map[string]string{
		"my-sso": "/home/u/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json",
		"https://my-sso-portal.awsapps.com/start": "/home/u/.aws/sso/cache/c7aaaf71fcc8777ae2475525ed049d39fe16c484.json",
	} {
		if got := c.Path(key); got != want {
			t.Errorf("Path(%s) = %s, want %s", key, got, want)
		}
	}
}

func TestLoadWhatTheCLIWrote(t *testing.T) {
	c := newCache(t)
	writeRaw(t, c, "my-sso", cliToken)
	tok, err := c.Load("my-sso")
	if err != nil {
		t.Fatal(err)
	}
	want := Token{StartURL: "https://my-sso-portal.awsapps.com/start", Region: "us-east-1", AccessToken: accessToken,
		ExpiresAt: time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC), ClientID: "example-client-id-123", ClientSecret: clientSecret,
		RegistrationExpiresAt: time.Date(2027, 2, 28, 12, 0, 0, 0, time.UTC), RefreshToken: refreshToken}
	if fmt.Sprintf("%#v", *tok) != fmt.Sprintf("%#v", want) || tok.AccessToken.Reveal() != accessToken ||
		tok.ClientSecret.Reveal() != clientSecret || tok.RefreshToken.Reveal() != refreshToken {
		t.Errorf("Load =\n%#v\nwant\n%#v", *tok, want)
	}
	if !tok.Valid(now, 15*time.Minute) || tok.Valid(now, 5*time.Hour) || !tok.Valid(now.Add(4*time.Hour+59*time.Minute), 0) {
		t.Error("Valid does not follow expiresAt")
	}
	if !tok.CanRefresh(now) || tok.CanRefresh(time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("CanRefresh does not follow registrationExpiresAt")
	}
	if s := fmt.Sprintf("%v %+v %#v %s", tok, tok, tok, tok); strings.Contains(s, accessToken) || strings.Contains(s, clientSecret) || strings.Contains(s, refreshToken) {
		t.Errorf("a token prints its secrets: %s", s)
	}
}

// The other ways AWS tools write the times, a legacy token (four fields,
// keyed by the start URL), and fields awsenv does not know.
func TestLoadVariants(t *testing.T) {
	c := newCache(t)
	for i, tt := range []struct {
		expires string
		want    time.Time
	}{
		{"2026-11-30T17:00:00Z", time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC)},
		{"2026-11-30T17:00:00.123Z", time.Date(2026, 11, 30, 17, 0, 0, 123e6, time.UTC)}, // JavaScript SDK
		{"2026-11-30T17:00:00UTC", time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC)},       // early CLI v2
		{"2026-11-30T18:00:00+01:00", time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC)},
	} {
		key := fmt.Sprintf("https://v%d.awsapps.com/start", i)
		writeRaw(t, c, key, `{"startUrl": "`+key+`", "region": "us-east-1", "accessToken": "x", "expiresAt": "`+tt.expires+`"}`)
		tok, err := c.Load(key)
		if err != nil {
			t.Errorf("%s: %v", tt.expires, err)
			continue
		}
		if !tok.ExpiresAt.Equal(tt.want) || tok.ExpiresAt.Location() != time.UTC {
			t.Errorf("%s: ExpiresAt %v, want %v", tt.expires, tok.ExpiresAt, tt.want)
		}
		if tok.CanRefresh(now) {
			t.Errorf("a token without refreshToken can refresh")
		}
	}
	writeRaw(t, c, "extra", `{"accessToken": "x", "expiresAt": "2026-11-30T17:00:00Z", "futureField": {"a": [1, 2]}, "n": 3}`)
	tok, err := c.Load("extra")
	if err != nil {
		t.Fatal(err)
	}
	if string(tok.Extra["futureField"]) != `{"a": [1, 2]}` || string(tok.Extra["n"]) != "3" || len(tok.Extra) != 2 {
		t.Errorf("Extra = %s", tok.Extra)
	}
}

func TestSaveAsTheCLIWrites(t *testing.T) {
	c := newCache(t)
	tok := &Token{StartURL: "https://my-sso-portal.awsapps.com/start", Region: "us-east-1", AccessToken: accessToken,
		ExpiresAt: time.Date(2026, 11, 30, 17, 0, 0, 999e6, time.UTC), ClientID: "example-client-id-123", ClientSecret: clientSecret,
		RegistrationExpiresAt: time.Date(2027, 2, 28, 13, 0, 0, 0, time.FixedZone("CET", 3600)), RefreshToken: refreshToken}
	if err := c.Save(t.Context(), "my-sso", tok); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(c.Path("my-sso"))
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != cliToken {
		t.Errorf("saved\n%s\nwant (as the CLI writes it)\n%s", data, cliToken)
	}
	assertMode(t, c.Path("my-sso"), 0o600)
	assertMode(t, c.Dir, 0o700)
	assertMode(t, filepath.Dir(c.Dir), 0o700)
	// A legacy token has the four fields only.
	legacy := &Token{StartURL: "https://x.awsapps.com/start", Region: "eu-west-1", AccessToken: "a", ExpiresAt: now}
	if err := c.Save(t.Context(), legacy.StartURL, legacy); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(c.Path(legacy.StartURL))
	if want := `{"startUrl": "https://x.awsapps.com/start", "region": "eu-west-1", "accessToken": "a", "expiresAt": "2026-11-30T12:00:00Z"}`; string(data) != want {
		t.Errorf("saved %s, want %s", data, want)
	}
	// Without an access token or expiry there is nothing to save.
	if err := c.Save(t.Context(), "bad", &Token{AccessToken: "a"}); err == nil {
		t.Error("saved a token without expiresAt")
	}
}

func assertMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != want {
		t.Errorf("%s mode %04o, want %04o", path, fi.Mode().Perm(), want)
	}
}

// The AWS CLI makes the cache directory 0755; the first Save makes it
// private. Fields on disk that awsenv does not know are kept, and the
// token's own win.
func TestSaveKeepsUnknownFieldsAndTightensDir(t *testing.T) {
	c := newCache(t)
	writeRaw(t, c, "my-sso", `{"accessToken": "old", "expiresAt": "2026-11-30T17:00:00Z", "futureField": "kept", "both": 1}`)
	os.Chmod(c.Path("my-sso"), 0o644)
	assertMode(t, c.Dir, 0o755)
	tok := &Token{AccessToken: "new", ExpiresAt: now, Extra: map[string]json.RawMessage{"both": json.RawMessage("2")}}
	if err := c.Save(t.Context(), "my-sso", tok); err != nil {
		t.Fatal(err)
	}
	assertMode(t, c.Dir, 0o700)
	assertMode(t, c.Path("my-sso"), 0o600)
	data, _ := os.ReadFile(c.Path("my-sso"))
	if want := `{"accessToken": "new", "expiresAt": "2026-11-30T12:00:00Z", "both": 2, "futureField": "kept"}`; string(data) != want {
		t.Errorf("saved %s, want %s", data, want)
	}
	// Load then Save round-trips the file byte for byte.
	writeRaw(t, c, "rt", cliToken[:len(cliToken)-1]+`, "zz": [true]}`)
	got, err := c.Load("rt")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Save(t.Context(), "rt", got); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(c.Path("rt"))
	if want := cliToken[:len(cliToken)-1] + `, "zz": [true]}`; string(data) != want {
		t.Errorf("round trip\n%s\nwant\n%s", data, want)
	}
	entries, _ := os.ReadDir(c.Dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestLoadMissing(t *testing.T) {
	c := newCache(t)
	_, err := c.Load("my-sso")
	if !errors.Is(err, ErrNoToken) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load of a missing token = %v, want ErrNoToken", err)
	}
	mustContain(t, err.Error(), c.Path("my-sso"), "aws sso login")
	if _, err := c.Load(""); err == nil {
		t.Error("Load with no key worked")
	}
}

func TestLoadRefusesDamagedFiles(t *testing.T) {
	c := newCache(t)
	for name, content := range map[string]string{
		"not JSON":            `{"accessToken": "` + accessToken + `", `,
		"empty":               "",
		"array":               `["` + accessToken + `"]`,
		"null":                "null",
		"wrong type":          `{"accessToken": "` + accessToken + `", "expiresAt": 1764522000}`,
		"no token":            `{"expiresAt": "2026-11-30T17:00:00Z"}`,
		"no expiry":           `{"accessToken": "` + accessToken + `"}`,
		"bad expiry":          `{"accessToken": "` + accessToken + `", "expiresAt": "tomorrow ` + accessToken + `"}`,
		"bad registration":    `{"accessToken": "` + accessToken + `", "expiresAt": "2026-11-30T17:00:00Z", "registrationExpiresAt": "soon"}`,
		"secret of bad type":  `{"accessToken": "` + accessToken + `", "expiresAt": "2026-11-30T17:00:00Z", "clientSecret": ["` + clientSecret + `"]}`,
		"huge":                `{"accessToken": "` + accessToken + `", "expiresAt": "2026-11-30T17:00:00Z", "pad": "` + strings.Repeat("x", MaxTokenSize) + `"}`,
		"JSON then rubbish":   cliToken + `}`,
		"truncated CLI token": cliToken[:len(cliToken)/2],
	} {
		p := writeRaw(t, c, name, content)
		_, err := c.Load(name)
		var ce *CorruptError
		if !errors.As(err, &ce) || ce.Path != p {
			t.Errorf("%s: Load = %v, want a CorruptError for %s", name, err, p)
			continue
		}
		mustContain(t, err.Error(), p, "rm "+p, "aws sso login")
		for _, secret := range []string{accessToken, clientSecret} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%s: the error shows a secret: %v", name, err)
			}
		}
	}
}

func TestLoadRefusesFIFOAndSymlink(t *testing.T) {
	c := newCache(t)
	os.MkdirAll(c.Dir, 0o700)
	if err := syscall.Mkfifo(c.Path("fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := c.Load("fifo"); done <- err }()
	select {
	case err := <-done:
		var ce *CorruptError
		if !errors.As(err, &ce) {
			t.Errorf("Load of a FIFO = %v", err)
		} else {
			mustContain(t, err.Error(), "a FIFO (named pipe), not a regular file", "rm "+c.Path("fifo"))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Load blocked on a FIFO")
	}
	// A link, even to a good token, is not what the CLI writes.
	target := filepath.Join(t.TempDir(), "elsewhere.json")
	os.WriteFile(target, []byte(cliToken), 0o600)
	if err := os.Symlink(target, c.Path("link")); err != nil {
		t.Fatal(err)
	}
	_, err := c.Load("link")
	var ce *CorruptError
	if !errors.As(err, &ce) {
		t.Fatalf("Load of a symlink = %v", err)
	}
	mustContain(t, err.Error(), "a symbolic link")
	// Save replaces the link itself, never writes through it.
	if err := c.Save(t.Context(), "link", &Token{AccessToken: "new", ExpiresAt: now}); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(target); string(data) != cliToken {
		t.Errorf("Save wrote through a link: %s", data)
	}
	if fi, err := os.Lstat(c.Path("link")); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("after Save the path is %v, %v", fi, err)
	}
	// A FIFO as the lock file is refused, not waited on.
	if err := syscall.Mkfifo(c.lockPath("lockfifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	err = c.Save(t.Context(), "lockfifo", &Token{AccessToken: "a", ExpiresAt: now})
	var nr *safefile.NotRegularError
	if !errors.As(err, &nr) {
		t.Errorf("Save with a FIFO for a lock = %v", err)
	}
}

func TestDelete(t *testing.T) {
	c := newCache(t)
	writeRaw(t, c, "my-sso", cliToken)
	if err := c.Delete(t.Context(), "my-sso"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Load("my-sso"); !errors.Is(err, ErrNoToken) {
		t.Errorf("after Delete, Load = %v", err)
	}
	if err := c.Delete(t.Context(), "my-sso"); err != nil {
		t.Errorf("Delete of a missing token: %v", err)
	}
}

func TestLockExcludes(t *testing.T) {
	c := newCache(t)
	h, err := c.Lock(t.Context(), "my-sso")
	if err != nil {
		t.Fatal(err)
	}
	assertMode(t, c.lockPath("my-sso"), 0o600)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, err := c.Lock(ctx, "my-sso"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second Lock while held = %v", err)
	}
	other, err := c.Lock(t.Context(), "other")
	if err != nil {
		t.Fatalf("another key's lock: %v", err)
	}
	other.Unlock()
	h.Unlock()
	h, err = c.Lock(t.Context(), "my-sso")
	if err != nil {
		t.Fatal(err)
	}
	h.Unlock()
}

// saveMany saves n tokens, each naming who made it and its number in
// every field, so a file mixing two writes would be seen.
func saveMany(ctx context.Context, c *Cache, who string, n int) error {
	for i := 0; i < n; i++ {
		v := who + "-" + strconv.Itoa(i)
		tok := &Token{StartURL: "https://" + v, Region: v, AccessToken: profiles.Secret(v), ExpiresAt: now.Add(time.Duration(i) * time.Second),
			ClientID: v, ClientSecret: profiles.Secret(v), RefreshToken: profiles.Secret(v), RegistrationExpiresAt: now,
			Extra: map[string]json.RawMessage{"writer": json.RawMessage(strconv.Quote(v))}}
		if err := c.Save(ctx, "my-sso", tok); err != nil {
			return err
		}
	}
	return nil
}

// Goroutines and processes saving the same token leave one whole token,
// all of its fields from one writer, and no temporary files.
func TestConcurrentSaves(t *testing.T) {
	c := newCache(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 2; i++ {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), saveEnv+"="+c.Dir+"|proc"+strconv.Itoa(i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if out, err := cmd.CombinedOutput(); err != nil {
				errs <- fmt.Errorf("child: %v: %s", err, out)
			}
		}()
	}
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := saveMany(t.Context(), c, "goroutine"+strconv.Itoa(i), 50); err != nil {
				errs <- err
			}
		}()
	}
	// Readers meanwhile never see half a file.
	stop := make(chan struct{})
	var readers sync.WaitGroup
	readers.Add(1)
	go func() {
		defer readers.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := c.Load("my-sso"); err != nil && !errors.Is(err, ErrNoToken) {
				errs <- fmt.Errorf("a reader saw: %w", err)
				return
			}
		}
	}()
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	tok, err := c.Load("my-sso")
	if err != nil {
		t.Fatal(err)
	}
	v := tok.Region
	if tok.AccessToken.Reveal() != v || tok.ClientID != v || tok.StartURL != "https://"+v || string(tok.Extra["writer"]) != strconv.Quote(v) {
		t.Errorf("the token mixes writers: %+v", tok)
	}
	entries, _ := os.ReadDir(c.Dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func mustContain(t *testing.T, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%q\n  does not contain %q", s, sub)
		}
	}
}
