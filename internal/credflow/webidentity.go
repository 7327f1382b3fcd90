package credflow

// Web identity roles (AssumeRoleWithWebIdentity with the token in a file,
// re-read on each renewal) and the credential_source of a role
// (Environment, Ec2InstanceMetadata, EcsContainer), as botocore has them.

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/diagnose"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/safefile"
	"github.com/awsenv/awsenv/profiles/sessions"
)

// KindWebIdentity is the kind of a web identity role's cached session.
const KindWebIdentity = "web-identity"

// MaxTokenFile caps what awsenv reads of a web identity token file or a
// container authorization token file: STS takes tokens of up to 20,000
// characters.
const MaxTokenFile = 64 << 10

// webIdentityKey names the cached session of web identity profile r and
// the duration it is made for.
func (f *Flow) webIdentityKey(r *profiles.Resolved, d time.Duration) (sessions.Key, time.Duration) {
	d = clampTo(roleDuration(r.Profile, d), maxRoleDuration)
	w := r.WebIdentity
	return sessions.Key{Profile: r.Profile.Name, Kind: KindWebIdentity, Parts: []string{
		w.RoleARN, w.TokenFile, f.webSessionName(w), d.String()}}, d
}

func (f *Flow) webSessionName(w *profiles.WebIdentity) string {
	if w.SessionName != "" {
		return w.SessionName
	}
	return defaultSessionName("", f.LocalUser)
}

// webIdentity returns the credentials of web identity profile r, cached
// like a role's session; a renewal reads the token file again (the
// platform rotates it).
func (f *Flow) webIdentity(ctx context.Context, r *profiles.Resolved, d time.Duration, rn renewal) (*sessions.Session, bool, error) {
	key, d := f.webIdentityKey(r, d)
	rn = rn.within(d)
	w, p := r.WebIdentity, r.Profile
	return f.cached(ctx, key, rn, func() (*sessions.Session, error) {
		if f.WebIdentity == nil {
			return nil, fmt.Errorf("profile %s: this awsenv cannot assume web identity roles here. Reinstall awsenv with ./install.sh.", p.Name)
		}
		token, err := readTokenFile(p.Name, webTokenWhat(w), w.TokenFile)
		if err != nil {
			return nil, err
		}
		f.Debugf("AssumeRoleWithWebIdentity %s for %s with the token in %s, for %s", w.RoleARN, p.Name, w.TokenFile, d)
		creds, err := f.WebIdentity.AssumeRoleWithWebIdentity(ctx, awsapi.AssumeRoleWithWebIdentityInput{
			Target: f.target(r), RoleARN: w.RoleARN, RoleSessionName: f.webSessionName(w), Token: token, Duration: d})
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, &WebIdentityError{Profile: p.Name, RoleARN: w.RoleARN, TokenFile: w.TokenFile, Err: err}
		}
		return &sessions.Session{Credentials: creds, RoleARN: w.RoleARN}, nil
	})
}

func webTokenWhat(w *profiles.WebIdentity) string {
	if w.FromEnv {
		return "AWS_WEB_IDENTITY_TOKEN_FILE"
	}
	return "web_identity_token_file"
}

// TokenFileError is a token file awsenv could not read.
type TokenFileError struct {
	Profile, What, Path string
	Err                 error
}

func (e *TokenFileError) Error() string {
	return fmt.Sprintf("profile %s: cannot read the token in %s (%s): %v. Check that the file exists and is readable by you (on EKS and in CI the platform writes it; outside them, point %s at a file holding the token).",
		e.Profile, e.What, safefile.Quote(e.Path), e.Err, e.What)
}

func (e *TokenFileError) Unwrap() error { return e.Err }

// readTokenFile reads a token file through safefile, capped, without the
// trailing newline.
func readTokenFile(profile, what, path string) (profiles.Secret, error) {
	data, _, err := safefile.ReadFile(path, 0, MaxTokenFile)
	if err == nil && strings.TrimSpace(string(data)) == "" {
		err = errors.New("the file is empty")
	}
	if err != nil {
		return "", &TokenFileError{Profile: profile, What: what, Path: path, Err: err}
	}
	return profiles.Secret(strings.TrimSpace(string(data))), nil
}

// CheckTokenFile reads w's token file as a renewal would (doctor's check).
func CheckTokenFile(profile string, w *profiles.WebIdentity) error {
	_, err := readTokenFile(profile, webTokenWhat(w), w.TokenFile)
	return err
}

// WebIdentityError is AssumeRoleWithWebIdentity refused or unreached.
type WebIdentityError struct {
	Profile, RoleARN, TokenFile string
	Err                         error
}

func (e *WebIdentityError) Error() string {
	var api *awsapi.APIError
	if errors.As(e.Err, &api) {
		// internal/diagnose says what each refusal means (webidentity.go).
		if x := diagnose.Explain(api, diagnose.Facts{Profile: e.Profile}); x.Known() {
			return fmt.Sprintf("profile %s: AssumeRoleWithWebIdentity %s with the token in %s failed: %v. %s %s", e.Profile, e.RoleARN, e.TokenFile, e.Err, x.Cause, x.Fix)
		}
		return fmt.Sprintf("profile %s: AssumeRoleWithWebIdentity %s failed: %v. Check the role's trust policy and the profile's role_arn.", e.Profile, e.RoleARN, e.Err)
	}
	return fmt.Sprintf("profile %s: AssumeRoleWithWebIdentity %s did not reach STS: %v. Check your network and the profile's region, then try again.", e.Profile, e.RoleARN, e.Err)
}

func (e *WebIdentityError) Unwrap() error { return e.Err }

// sourceCredentials are the credentials credential_source names, for
// assuming role profile p.
func (f *Flow) sourceCredentials(ctx context.Context, p *profiles.Profile) (profiles.Credentials, error) {
	getenv := f.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var creds profiles.Credentials
	switch p.CredentialSource {
	case profiles.SourceEnvironment:
		// botocore's EnvProvider: awsenv's own environment.
		creds = profiles.Credentials{AccessKeyID: getenv("AWS_ACCESS_KEY_ID"),
			SecretAccessKey: profiles.Secret(getenv("AWS_SECRET_ACCESS_KEY")),
			SessionToken:    profiles.Secret(firstSet(getenv("AWS_SESSION_TOKEN"), getenv("AWS_SECURITY_TOKEN")))}
		if creds.AccessKeyID == "" {
			return creds, fmt.Errorf("profile %s: credential_source = Environment, but AWS_ACCESS_KEY_ID is not set in awsenv's environment. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys), or use source_profile.", p.Name)
		}
		if exp := getenv("AWS_CREDENTIAL_EXPIRATION"); exp != "" {
			t, err := time.Parse(time.RFC3339, exp)
			if err != nil {
				return creds, fmt.Errorf("profile %s: AWS_CREDENTIAL_EXPIRATION %q is not an RFC 3339 time. Fix or unset it.", p.Name, exp)
			}
			creds.Expiration = t.UTC()
		}
	case profiles.SourceEC2, profiles.SourceECS:
		if f.Instance == nil {
			return creds, fmt.Errorf("profile %s: this awsenv cannot read instance or container credentials here. Reinstall awsenv with ./install.sh.", p.Name)
		}
		in := awsapi.InstanceInput{Source: p.CredentialSource, IMDSEndpoint: getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT")}
		if p.CredentialSource == profiles.SourceECS {
			in.ContainerURL = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI")
			if in.ContainerURL != "" && !allowedContainerURL(in.ContainerURL) {
				return creds, fmt.Errorf("profile %s: AWS_CONTAINER_CREDENTIALS_FULL_URI %q is neither https nor http to a loopback or container address (169.254.170.2, 169.254.170.23, fd00:ec2::23), which the SDKs refuse too: credentials and the authorization token would cross the network in clear. Point it at https, or at the local endpoint.", p.Name, in.ContainerURL)
			}
			if rel := getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); rel != "" {
				in.ContainerURL = awsapi.ContainerHost + rel // botocore: the relative URI wins
			}
			in.AuthToken = profiles.Secret(getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN"))
			if file := getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); file != "" {
				tok, err := readTokenFile(p.Name, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", file)
				if err != nil {
					return creds, err
				}
				in.AuthToken = tok
			}
		}
		f.Debugf("credentials of %s from %s", p.Name, p.CredentialSource)
		var err error
		if creds, err = f.Instance.InstanceCredentials(ctx, in); err != nil {
			if ctx.Err() != nil {
				return creds, ctx.Err()
			}
			return creds, &InstanceError{Profile: p.Name, Source: p.CredentialSource, Err: err}
		}
	}
	if err := creds.Validate(f.Now()); err != nil {
		return profiles.Credentials{}, &CredentialsError{Profile: p.Name, Kind: "credential_source " + p.CredentialSource, Err: err}
	}
	return creds, nil
}

// allowedContainerURL is botocore's rule for a full container URI: https,
// or http to a loopback address or the ECS and EKS Pod Identity hosts.
func allowedContainerURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "https":
		return u.Host != ""
	case "http":
		host := u.Hostname()
		if host == "localhost" || host == "169.254.170.2" || host == "169.254.170.23" || host == "fd00:ec2::23" {
			return true
		}
		// net/netip, not net: the front links no network stack.
		ip, err := netip.ParseAddr(host)
		return err == nil && ip.IsLoopback()
	}
	return false
}

func firstSet(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// InstanceError is a credential_source endpoint that did not answer with
// credentials.
type InstanceError struct {
	Profile, Source string
	Err             error
}

func (e *InstanceError) Error() string {
	if e.Source == profiles.SourceEC2 {
		fix := "On EC2, check that the instance has a role and that IMDSv2 is reachable; off EC2, use another credential_source or source_profile."
		// internal/diagnose tells an absent endpoint from an IMDSv1-only one.
		if api, ok := diagnose.Parse(e.Err.Error()); ok {
			if x := diagnose.Explain(api, diagnose.Facts{Profile: e.Profile}); x.Known() {
				fix = x.What + " " + x.Fix
			}
		}
		return fmt.Sprintf("profile %s: no credentials from the instance metadata service (credential_source = Ec2InstanceMetadata): %v. %s", e.Profile, e.Err, fix)
	}
	return fmt.Sprintf("profile %s: no credentials from the container endpoint (credential_source = EcsContainer): %v. Check AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI and the authorization token (AWS_CONTAINER_AUTHORIZATION_TOKEN or _TOKEN_FILE) in awsenv's environment.",
		e.Profile, e.Err)
}

func (e *InstanceError) Unwrap() error { return e.Err }
