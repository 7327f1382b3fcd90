//go:build unix

package ssocache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// memItems is a secret store in memory.
type memItems map[string][]byte

func (m memItems) Get(name string) ([]byte, error) {
	v, ok := m[name]
	if !ok {
		return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
	}
	return bytes.Clone(v), nil
}
func (m memItems) Set(name string, data []byte) error { m[name] = bytes.Clone(data); return nil }
func (m memItems) Remove(name string) error           { delete(m, name); return nil }

// awsenv_sso_token_storage = keyring: the token and the registration are
// items of the store, nothing of them is written to disk, and the AWS
// CLI's cache is not touched.
func TestItemsKeepTheSignIn(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cliDir := filepath.Join(dir, "home", ".aws", "sso", "cache")
	items := memItems{}
	c := &Cache{Dir: filepath.Join(dir, "state", "awsenv", "sso"), Items: items}
	exp := time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC)
	tok := &Token{StartURL: "https://corp.awsapps.com/start", Region: "eu-west-1", AccessToken: "aoaEXAMPLEACCESSTOKEN",
		ExpiresAt: exp, RefreshToken: "aorEXAMPLEREFRESH", ClientID: "cid", ClientSecret: "EXAMPLECLIENTSECRET"}
	if err := c.Save(context.Background(), "corp", tok); err != nil {
		t.Fatal(err)
	}
	if err := c.SaveRegistration("regkey", &Registration{ClientID: "cid", ClientSecret: "EXAMPLECLIENTSECRET", ExpiresAt: exp}); err != nil {
		t.Fatal(err)
	}
	name := ItemPrefix + filepath.Base(c.Path("corp"))
	if !bytes.Contains(items[name], []byte("aoaEXAMPLEACCESSTOKEN")) || items[ItemPrefix+"regkey.json"] == nil {
		t.Fatalf("items: %v", keys(items))
	}
	got, err := c.Load("corp")
	if err != nil || got.AccessToken != "aoaEXAMPLEACCESSTOKEN" || got.RefreshToken != "aorEXAMPLEREFRESH" || !got.ExpiresAt.Equal(exp) {
		t.Fatalf("Load: %+v, %v", got, err)
	}
	if r, err := c.LoadRegistration("regkey"); err != nil || r == nil || r.ClientSecret != "EXAMPLECLIENTSECRET" {
		t.Fatalf("LoadRegistration: %+v, %v", r, err)
	}
	// On disk: the lock file only, and nothing in the CLI's cache.
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			data, _ := os.ReadFile(p)
			if !strings.HasSuffix(p, ".lock") || len(data) > 0 {
				t.Errorf("a file on disk: %s", p)
			}
		}
		return nil
	})
	if _, err := os.Stat(cliDir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the AWS CLI's cache was touched: %v", err)
	}
	// Signing out removes the item; a missing one is "not signed in".
	if err := c.Delete(context.Background(), "corp"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Load("corp"); !errors.Is(err, ErrNoToken) || !strings.Contains(err.Error(), "awsenv login") {
		t.Fatalf("Load after Delete: %v", err)
	}
	// A damaged item names the store and the way out.
	items[name] = []byte("{not json")
	var ce *CorruptError
	if _, err := c.Load("corp"); !errors.As(err, &ce) || !strings.Contains(err.Error(), "secret store") || strings.Contains(err.Error(), "rm ") {
		t.Fatalf("a damaged item: %v", err)
	}
}

func keys(m memItems) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
