package ssocache

import (
	"testing"
	"time"
)

// The values are Python's: hashlib.sha1(json.dumps({...},
// sort_keys=True).encode()).hexdigest(), as the AWS CLI v2 names its
// registration files.
func TestRegistrationKeyIsTheCLIs(t *testing.T) {
	for _, tc := range []struct {
		url, region, session string
		scopes               []string
		want                 string
	}{
		{"https://x.awsapps.com/start", "eu-west-1", "my-sso", []string{"sso:account:access"}, "0e11c9d7431cbda2e31ab903f85ac94d10480b6f"},
		{"https://x/é\"", "eu-west-1", "", nil, "4fd7ebe9a8c0a82e2de2511a900b0a1018bfe1a6"},
	} {
		if got := RegistrationKey(tc.url, tc.region, tc.session, tc.scopes); got != tc.want {
			t.Errorf("RegistrationKey(%q, %q, %q, %q) = %s, want %s", tc.url, tc.region, tc.session, tc.scopes, got, tc.want)
		}
	}
}

func TestRegistrationRoundTrip(t *testing.T) {
	c := &Cache{Dir: t.TempDir() + "/cache"}
	if r, err := c.LoadRegistration("k"); r != nil || err != nil {
		t.Fatalf("none yet: %v %v", r, err)
	}
	want := &Registration{ClientID: "id", ClientSecret: "secret", ExpiresAt: time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC), Scopes: []string{"a"}}
	if err := c.SaveRegistration("k", want); err != nil {
		t.Fatal(err)
	}
	got, err := c.LoadRegistration("k")
	if err != nil || got.ClientID != "id" || got.ClientSecret != "secret" || !got.ExpiresAt.Equal(want.ExpiresAt) || len(got.Scopes) != 1 {
		t.Fatalf("got %+v, %v", got, err)
	}
}

// The browser sign-in's registration has a key of its own (Python's
// value, with "grantTypes" among the keys), apart from the device flow's.
func TestRegistrationKeyForGrants(t *testing.T) {
	url, region, session, scopes := "https://x.awsapps.com/start", "eu-west-1", "my-sso", []string{"sso:account:access"}
	got := RegistrationKeyFor(url, region, session, scopes, []string{"authorization_code", "refresh_token"})
	if want := "95449cf290f4c24a992e0f56de776b48ab9b614e"; got != want {
		t.Errorf("RegistrationKeyFor = %s, want %s", got, want)
	}
	if got == RegistrationKey(url, region, session, scopes) || RegistrationKeyFor(url, region, session, scopes, nil) != RegistrationKey(url, region, session, scopes) {
		t.Error("the browser sign-in's registration key is not apart from the device flow's")
	}
	c := &Cache{Dir: t.TempDir() + "/cache"}
	r := &Registration{ClientID: "id", ClientSecret: "secret", ExpiresAt: time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC), GrantTypes: []string{"authorization_code"}}
	if err := c.SaveRegistration(got, r); err != nil {
		t.Fatal(err)
	}
	if back, err := c.LoadRegistration(got); err != nil || len(back.GrantTypes) != 1 {
		t.Fatalf("grant types not kept: %+v, %v", back, err)
	}
}
