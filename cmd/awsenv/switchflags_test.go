//go:build unix

package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/awsenv/awsenv/profiles"
)

// ACCOUNT:ROLE takes the source's partition; the ad-hoc role is a role
// profile on top of the source, and never shadows a profile of the files.
func TestAdHocRoleProfile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config")
	must(t, os.WriteFile(cfgPath, []byte("[profile cn]\nregion = cn-north-1\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n"+
		"[profile cn+admin@123456789012]\nregion = cn-north-1\n"), 0o600))
	cfg, err := profiles.Load(profiles.Files{Config: cfgPath, Credentials: filepath.Join(dir, "credentials")})
	must(t, err)
	a := &adHocRole{source: "cn", account: "123456789012", role: "ops/deploy", shorthand: true, externalID: "x1"}
	p, err := a.profile(cfg)
	must(t, err)
	if p.RoleARN != "arn:aws-cn:iam::123456789012:role/ops/deploy" || p.Name != "cn+deploy@123456789012" || p.ExternalID != "x1" {
		t.Fatalf("ad-hoc profile %+v", p)
	}
	must(t, cfg.AddProfile(p))
	r, err := cfg.Resolve(p.Name)
	must(t, err)
	if r.Kind != profiles.KindRole || r.Source.Profile.Name != "cn" || r.Region() != "cn-north-1" {
		t.Fatalf("resolved as %v on %v", r.Kind, r.Source)
	}
	if !adHocName(p.Name) || adHocName("alice") || adHocName("a@123456789012") {
		t.Fatal("adHocName")
	}
	// A name the files use is theirs.
	b := &adHocRole{source: "cn", account: "123456789012", role: "admin", shorthand: true}
	bp, err := b.profile(cfg)
	must(t, err)
	if err := cfg.AddProfile(bp); err == nil {
		t.Fatal("the ad-hoc role shadowed [profile cn+admin@123456789012]")
	}
}
