//go:build linux

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/testsupport/fakeaws"
)

// The person's own part of the config: every byte of it must survive.
const populateOwn = `# my own config, with spacing
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile mine]   
; a comment inside
region=us-east-1


# a comment before the next section
[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer
`

// populateWorld is carol signed in to sso-session corp (a token in the
// AWS CLI's cache) with roles in n accounts (more than a page of each).
func populateWorld(t *testing.T, n int, roles ...string) (*world, *fakeaws.SSOUser) {
	t.Helper()
	w := newWorld(t)
	u := w.fake.AddSSOUser("carol")
	for i := range n {
		id := fmt.Sprintf("%012d", 100000000000+i)
		w.fake.SetSSOAccount(id, fmt.Sprintf("Team %d/prod", i), "t@example.com")
		for _, r := range roles {
			u.Assign(id, r)
		}
	}
	w.writeConfig(populateOwn)
	access, refresh, id, secret := cliToken(t, w, u)
	w.writeCLIToken("corp", access, refresh, id, secret, time.Now().Add(time.Hour))
	return w, u
}

func (w *world) config() string {
	data, err := os.ReadFile(filepath.Join(w.home, ".aws", "config"))
	must(w.t, err)
	return string(data)
}

// Generate, re-run, access removed, --prune: the person's sections stay
// byte-identical, a re-run changes nothing, and only what access is gone
// is removed (and only with --prune).
func TestSSOPopulate(t *testing.T) {
	t.Parallel()
	// 45 accounts (seven pages of 7) with 25 roles in the first (four
	// pages of roles).
	w, u := populateWorld(t, 45, "Admin", "ReadOnly")
	w.fake.SetSSOPageSize(7) // awsenv asks for 100 a page: it must follow nextToken
	for i := range 23 {
		u.Assign("100000000000", fmt.Sprintf("Extra%02d", i))
	}
	r := w.run("sso", "populate", "--region", "us-west-2")
	if r.code != 0 {
		t.Fatalf("populate: %s", r)
	}
	cfg := w.config()
	if !strings.HasPrefix(cfg, populateOwn) {
		t.Fatalf("the person's part changed:\n%s", cfg)
	}
	want := 45*2 + 23
	if n := strings.Count(cfg, "awsenv_generated = sso-session corp"); n != want {
		t.Fatalf("%d generated sections, want %d:\n%s", n, want, r)
	}
	for _, s := range []string{"[profile Team-0-prod.Admin]\nawsenv_generated = sso-session corp\nsso_session = corp\nsso_account_id = 100000000000\nsso_role_name = Admin\nregion = us-west-2\n",
		"[profile Team-44-prod.ReadOnly]", "[profile Team-0-prod.Extra22]"} {
		if !strings.Contains(cfg, s) {
			t.Errorf("config lacks %q", s)
		}
	}
	// A generated profile works as any SSO profile.
	if r := w.run("use", "Team-3-prod.Admin"); r.code != 0 || !strings.Contains(r.stdout, "AWS_ACCESS_KEY_ID") {
		t.Fatalf("use a generated profile: %s", r)
	}
	// Again: byte-identical, and no backup.
	r = w.run("sso", "populate", "--region", "us-west-2")
	if r.code != 0 || w.config() != cfg || !strings.Contains(r.stderr, "0 added, 0 updated, 113 unchanged, 0 removed") {
		t.Fatalf("re-run changed the file: %s", r)
	}
	// Access gone: kept without --prune, removed with it.
	u.Unassign("100000000007", "Admin")
	u.Unassign("100000000000", "Extra05")
	r = w.run("sso", "populate", "--region", "us-west-2")
	if r.code != 0 || w.config() != cfg || !strings.Contains(r.stderr, "--prune") {
		t.Fatalf("without --prune: %s", r)
	}
	r = w.run("sso", "populate", "--region", "us-west-2", "--dry-run", "--prune")
	if r.code != 0 || w.config() != cfg || !strings.Contains(r.stdout, "-[profile Team-7-prod.Admin]") || !strings.HasPrefix(r.stdout, "--- ") {
		t.Fatalf("dry run: %s", r)
	}
	r = w.run("sso", "populate", "--region", "us-west-2", "--prune")
	after := w.config()
	if r.code != 0 || strings.Contains(after, "Team-7-prod.Admin]") || strings.Contains(after, "Extra05") ||
		strings.Count(after, "awsenv_generated") != want-2 || !strings.HasPrefix(after, populateOwn) {
		t.Fatalf("--prune: %s\n%s", r, after)
	}
	if !strings.Contains(r.stderr, "2 removed") || !strings.Contains(r.stderr, "awsenv-backup-") {
		t.Fatalf("--prune summary: %s", r)
	}
	// Removing everything leaves exactly the person's file.
	for i := range 45 {
		id := fmt.Sprintf("%012d", 100000000000+i)
		u.Unassign(id, "Admin")
		u.Unassign(id, "ReadOnly")
	}
	for i := range 23 {
		u.Unassign("100000000000", fmt.Sprintf("Extra%02d", i))
	}
	if r := w.run("sso", "populate", "--prune"); r.code != 0 || w.config() != populateOwn {
		t.Fatalf("prune all: %s\n%q", r, w.config())
	}
}

// --name and --prefix; a template awsenv would refuse fails up front.
func TestSSOPopulateNames(t *testing.T) {
	t.Parallel()
	w, _ := populateWorld(t, 2, "Admin")
	if r := w.run("sso", "populate", "--name", "{account_id}/{role}"); r.code == 0 || !strings.Contains(r.stderr, "refuses") {
		t.Fatalf("a / in the template: %s", r)
	}
	if r := w.run("sso", "populate", "--name", "{nope}"); r.code == 0 || !strings.Contains(r.stderr, "{nope}") {
		t.Fatalf("unknown placeholder: %s", r)
	}
	r := w.run("sso", "populate", "--name", "{account_id}-{role}", "--prefix", "corp.")
	if r.code != 0 || !strings.Contains(w.config(), "[profile corp.100000000001-Admin]\n") || !strings.Contains(w.config(), "region = eu-west-1\n") {
		t.Fatalf("--name: %s\n%s", r, w.config())
	}
}

// kill -9 before the new file replaces the old loses nothing: the config
// is the old one, and the next run completes.
func TestSSOPopulateKilled(t *testing.T) {
	t.Parallel()
	w, _ := populateWorld(t, 3, "Admin")
	w.killedAt("populate-write", "sso", "populate")
	if got := w.config(); got != populateOwn {
		t.Fatalf("after kill -9 the config is\n%s", got)
	}
	if r := w.run("sso", "populate"); r.code != 0 || strings.Count(w.config(), "awsenv_generated") != 3 || !strings.HasPrefix(w.config(), populateOwn) {
		t.Fatalf("after the kill: %s\n%s", r, w.config())
	}
}

// TestSSOPopulateThousandAccounts is the measure: 1,000 accounts
// with 3 roles each, listed and written, then a re-run. It prints the
// times (never asserts them: the machine is shared).
func TestSSOPopulateThousandAccounts(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 accounts: not in -short")
	}
	t.Parallel()
	w, _ := populateWorld(t, 1000, "Admin", "ReadOnly", "Billing")
	start := time.Now()
	r := w.run("sso", "populate")
	first := time.Since(start)
	if r.code != 0 {
		t.Fatalf("populate: %s", r)
	}
	cfg := w.config()
	if n := strings.Count(cfg, "awsenv_generated"); n != 3000 || !strings.HasPrefix(cfg, populateOwn) {
		t.Fatalf("%d profiles generated", n)
	}
	start = time.Now()
	r = w.run("sso", "populate")
	again := time.Since(start)
	if r.code != 0 || w.config() != cfg {
		t.Fatalf("re-run: %s", r)
	}
	start = time.Now()
	r = w.run("use", "Team-999-prod.Billing")
	use := time.Since(start)
	if r.code != 0 {
		t.Fatalf("use: %s", r)
	}
	t.Logf("1,000 accounts x 3 roles: populate %v, re-run %v, use (cold, one GetRoleCredentials) %v; config %d bytes",
		first.Round(time.Millisecond), again.Round(time.Millisecond), use.Round(time.Millisecond), len(cfg))
}
