package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/browser"
	"github.com/awsenv/awsenv/internal/credflow"
	"github.com/awsenv/awsenv/profiles"
)

// Console session limits: the federation endpoint's SessionDuration is 15
// minutes to 12 hours, and a role assumed with role credentials (role
// chaining) signs in for at most an hour. GetFederationToken lasts 15
// minutes to 36 hours for an IAM user.
const (
	consoleDefault      = time.Hour
	consoleMax          = 12 * time.Hour
	consoleChainedMax   = time.Hour
	federationDefault   = 12 * time.Hour
	federationMax       = 36 * time.Hour
	consoleIssuer       = "awsenv"
	federationEndpoint  = "AWSENV_FEDERATION_ENDPOINT"
	allowEverythingJSON = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
)

func newConsoleCommand(d *Deps) *cli.Command {
	return &cli.Command{
		Name:      "console",
		Usage:     "open the AWS console signed in as PROFILE (or print the URL with --print)",
		ArgsUsage: "[PROFILE]",
		Description: `Role (and IAM Identity Center, credential_process) credentials sign in through AWS's
   federation endpoint; an IAM user's through GetFederationToken with its long-term keys.
   The URL signs anyone in who has it for 15 minutes: --print writes it on stdout only.`,
		Flags: append(credentialFlags(), regionFlag(),
			&cli.BoolFlag{Name: "print", Usage: "print the sign-in URL on stdout instead of opening a browser"},
			&cli.StringFlag{Name: "service", Usage: "open the console of service `NAME` (s3, ec2, ...) or a console path starting with /"},
			&cli.StringFlag{Name: "browser-profile", Usage: "open the URL in the Chrome, Chromium or Firefox profile `NAME` ($BROWSER must name that browser; default: the profile's awsenv_browser_profile)"}),
		Action: func(c *cli.Context) error {
			name, err := profileOrCurrent(c, d)
			if err != nil {
				return err
			}
			if _, err := consolePath(c.String("service")); err != nil {
				return err
			}
			opt, err := credentialOptions(c)
			if err != nil {
				return err
			}
			link, bprofile, err := consoleURL(c, d, name, opt)
			if err != nil {
				return err
			}
			if c.Bool("print") {
				_, err = fmt.Fprintln(d.Stdout, link)
				return err
			}
			d.interruptible()
			if err := browser.Open(c.Context, d.Getenv, d.Stderr, link, browser.Options{Profile: bprofile}); err != nil {
				// Never fatal: the person can open it by hand. The URL is
				// a secret for 15 minutes; stderr is their terminal.
				say(d.Stderr, "could not open a browser (%v); open this URL within 15 minutes (it signs in whoever has it):\n%s", err, link)
			}
			return nil
		},
	}
}

// consoleURL makes the sign-in URL of profile name, and names the browser
// profile to open it in (--browser-profile, else awsenv_browser_profile).
func consoleURL(c *cli.Context, d *Deps, name string, opt credflow.Options) (link, bprofile string, err error) {
	f, err := newFlowFor(c, d, name)
	if err != nil {
		return "", "", err
	}
	r, err := f.Config.Resolve(name)
	if err != nil {
		return "", "", err
	}
	bprofile = firstNonEmpty(c.String("browser-profile"), r.Profile.Awsenv["browser_profile"])
	link, err = signinURL(c, d, f, r, name, opt)
	return link, bprofile, err
}

// signinURL is the federation login URL of r, whose Destination is the
// console page --service asks for (the console home by default).
func signinURL(c *cli.Context, d *Deps, f *credflow.Flow, r *profiles.Resolved, name string, opt credflow.Options) (string, error) {
	client := d.Helper()
	signin, destination := consoleEndpoints(partitionOf(r))
	if e := d.Getenv(federationEndpoint); e != "" {
		signin = e // with or without /federation: awsapi.FederationURL
	}
	in := awsapi.SigninTokenInput{Endpoint: signin}
	if r.Kind == profiles.KindUser {
		creds, err := federationCredentials(c.Context, f, r, client, opt, d)
		if err != nil {
			return "", err
		}
		in.Credentials = creds
	} else {
		res, err := f.Get(c.Context, name, opt)
		if err != nil {
			return "", err
		}
		in.Credentials = res.Credentials
		if res.Kind == profiles.KindRole {
			in.SessionDuration = consoleDuration(r, opt.Duration, f.Notef)
		}
	}
	if !in.Credentials.Temporary() {
		return "", &profiles.ProfileError{Profile: name, File: r.Profile.Where(),
			Problem: "its credentials are long-term keys, which cannot sign in to the console",
			Fix:     "Use a role profile on top of it (role_arn and source_profile), or an IAM user profile with aws_access_key_id."}
	}
	d.interruptible()
	token, err := client.SigninToken(c.Context, in)
	if err != nil {
		return "", consoleError(name, r, err)
	}
	path, _ := consolePath(c.String("service")) // checked by the command
	page, frag, hasFrag := strings.Cut(path, "#")
	if region := r.Region(); region != "" && !strings.Contains(page, "region=") {
		sep := "?"
		if strings.Contains(page, "?") {
			sep = "&"
		}
		page += sep + "region=" + url.QueryEscape(region)
	}
	destination += page
	if hasFrag {
		destination += "#" + frag
	}
	q := url.Values{"Action": {"login"}, "Issuer": {consoleIssuer}, "Destination": {destination}, "SigninToken": {token}}
	return awsapi.FederationURL(signin) + "?" + q.Encode(), nil
}

// consolePath is the console page --service names, after the console's
// root: a service's home (s3 -> s3/home), or a path starting with / as
// given (its query too). The Destination stays on the partition's console:
// a path cannot name another host.
func consolePath(service string) (string, error) {
	if service == "" {
		return "", nil
	}
	if path, ok := strings.CutPrefix(service, "/"); ok {
		for i := 0; i < len(path); i++ {
			if c := path[i]; c <= ' ' || c >= 0x7f || c == '\\' {
				return "", usageErrorf("--service %q holds a space, a control character, a backslash or a byte that is not ASCII. Give a console path such as /cloudwatch/home#logs.", service)
			}
		}
		if strings.HasPrefix(path, "/") {
			return "", usageErrorf("--service %q starts with //, which names another host. Give a console path such as /s3/buckets.", service)
		}
		return path, nil
	}
	for i := 0; i < len(service); i++ {
		if c := service[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return "", usageErrorf("--service %q is not a service name (lower-case letters, digits and -, such as s3, ec2 or cloudwatch), nor a console path starting with /.", service)
		}
	}
	return service + "/home", nil
}

// federationCredentials are an IAM user's GetFederationToken credentials,
// made with its long-term keys: AWS's federation endpoint refuses
// GetSessionToken's credentials (an MFA session), and STS refuses
// GetFederationToken called with them, so the keys themselves must make
// the call, without MFA. The session policy allows everything: the
// federated user's permissions are the intersection of the user's and the
// policy's, so they are the user's own.
func federationCredentials(ctx context.Context, f *credflow.Flow, r *profiles.Resolved, client awsapi.Federation,
	opt credflow.Options, d *Deps) (profiles.Credentials, error) {
	p := r.Profile
	base, err := f.BaseCredentials(ctx, p)
	if err != nil {
		return profiles.Credentials{}, err
	}
	if base.Temporary() {
		// A credential source or process that gave a session: the
		// federation endpoint takes it if it is a role's.
		return base, nil
	}
	dur := federationDefault
	if opt.Duration > 0 {
		dur = min(max(opt.Duration, 15*time.Minute), federationMax)
	}
	d.interruptible()
	creds, err := client.GetFederationToken(ctx, awsapi.GetFederationTokenInput{
		Target: credflow.Target(f.Config, p, r.Region()), Credentials: base,
		Name: federatedName(firstNonEmpty(d.Getenv("USER"), d.Getenv("LOGNAME"))), Policy: allowEverythingJSON, Duration: dur})
	if err != nil {
		var api *awsapi.APIError
		if errors.As(err, &api) && api.Code == "AccessDenied" {
			return profiles.Credentials{}, fmt.Errorf("profile %s: GetFederationToken with the long-term key %s: %w. The console needs it for an IAM user: "+
				"AWS's sign-in refuses MFA sessions (GetSessionToken), and GetFederationToken cannot take an MFA code, so a policy that denies "+
				"everything without MFA blocks it. Allow sts:GetFederationToken for the user, or open the console through a role profile on top of %s.",
				p.Name, base.AccessKeyID, err, p.Name)
		}
		return profiles.Credentials{}, fmt.Errorf("profile %s: GetFederationToken: %w. Check the key with `awsenv doctor %s`.", p.Name, err, p.Name)
	}
	return creds, nil
}

// consoleDuration is the console session's length for role credentials.
func consoleDuration(r *profiles.Resolved, asked time.Duration, notef func(string, ...any)) time.Duration {
	d := consoleDefault
	if asked > 0 {
		d = min(max(asked, 15*time.Minute), consoleMax)
	}
	if r.Source != nil && r.Source.Kind == profiles.KindRole && d > consoleChainedMax {
		notef("profile %s is a role assumed with another role's credentials; AWS signs such a role in to the console for at most 1h.", r.Profile.Name)
		d = consoleChainedMax
	}
	return d
}

// consoleError says what a refused sign-in token means, never quoting the
// request (its URL holds the credentials).
func consoleError(name string, r *profiles.Resolved, err error) error {
	var api *awsapi.APIError
	if errors.As(err, &api) && api.Code == "FederationNotFound" {
		return fmt.Errorf("profile %s: %w. Point %s at the sign-in endpoint (https://signin.aws.amazon.com/federation, or its host alone), or unset it.",
			name, err, federationEndpoint)
	}
	if errors.As(err, &api) && api.Code == "FederationRefused" {
		why := "the credentials are not ones the console takes (an MFA session from GetSessionToken never is), or they have expired"
		if r.Kind == profiles.KindSession {
			why = "the session credentials in the file are not ones the console takes (an MFA session from GetSessionToken never is), or they have expired"
		}
		return fmt.Errorf("profile %s: %w: %s. Use a role profile (role_arn and source_profile), or an IAM user profile with its long-term keys, which awsenv signs in with GetFederationToken.",
			name, err, why)
	}
	return fmt.Errorf("profile %s: getting a console sign-in token: %w. Check your network, or AWSENV_FEDERATION_ENDPOINT if you set it.", name, err)
}

// federatedName is GetFederationToken's Name: 2 to 32 of [\w+=,.@-].
func federatedName(user string) string {
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("_+=,.@-", r):
			return r
		}
		return '_'
	}, user)
	if len(name) < 2 {
		name = "awsenv-" + name
	}
	return name[:min(len(name), 32)]
}

// partitionOf is the AWS partition of r: from its role ARN or MFA serial,
// else its region.
func partitionOf(r *profiles.Resolved) string {
	for _, arn := range []string{r.Profile.RoleARN, r.MFASerial()} {
		if p := awsapi.ParseARN(arn).Partition; p != "" {
			return p
		}
	}
	switch region := r.Region(); {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// consoleEndpoints are the sign-in endpoint and the console of a partition.
func consoleEndpoints(partition string) (signin, console string) {
	switch partition {
	case "aws-us-gov":
		return "https://signin.amazonaws-us-gov.com", "https://console.amazonaws-us-gov.com/"
	case "aws-cn":
		return "https://signin.amazonaws.cn", "https://console.amazonaws.cn/"
	}
	return "https://signin.aws.amazon.com", "https://console.aws.amazon.com/"
}
