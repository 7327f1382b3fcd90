package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/browser"
	"github.com/awsenv/awsenv/internal/credflow"
	"github.com/awsenv/awsenv/plugins/termsafe"
	"github.com/awsenv/awsenv/profiles"
)

// `awsenv login` and `awsenv logout`: the IAM Identity Center sign-in,
// shared with the AWS CLI through its token cache.

func newLoginCommand(d *Deps) *cli.Command {
	return &cli.Command{
		Name:      "login",
		Usage:     "sign in to IAM Identity Center (SSO) for PROFILE or an sso-session, sharing the AWS CLI's token",
		ArgsUsage: "[PROFILE | --sso-session NAME]",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "sso-session", Usage: "sign in for the [sso-session `NAME`] section"},
			&cli.BoolFlag{Name: "use-device-code", Usage: "sign in with the device code (a URL and a code to approve anywhere) instead of the browser sign-in with PKCE"},
			&cli.BoolFlag{Name: "no-browser", Usage: "open no browser: sign in with the device code, printing the URL and code"},
			&cli.IntFlag{Name: "redirect-port", Usage: "listen for the browser sign-in's redirect on 127.0.0.1:`PORT` (default: a free port)"},
			&cli.BoolFlag{Name: "force", Usage: "sign in again in the browser even if the cached token is fresh or can be refreshed"},
			debugFlag,
		},
		Action: func(c *cli.Context) error {
			f, p, s, name, err := ssoTarget(c, d)
			if err != nil {
				return err
			}
			noBrowser := c.Bool("no-browser")
			f.ShowDevice = func(dev credflow.Device) { showDevice(c.Context, d, dev, noBrowser) }
			if noBrowser || c.Bool("use-device-code") {
				f.PKCE = nil
			} else if f.PKCE != nil {
				f.PKCE.Port = c.Int("redirect-port")
			}
			if port := c.Int("redirect-port"); port < 0 || port > 65535 {
				return usageErrorf("--redirect-port %d is not a TCP port. Use 1 to 65535, or leave it out for a free port.", port)
			}
			t, err := f.Login(c.Context, p, s, name, credflow.LoginOptions{Force: c.Bool("force")})
			if err != nil {
				return err
			}
			fmt.Fprintf(d.Stderr, "awsenv: signed in to %s; the token is valid until %s (%s left) and is shared with the AWS CLI.\n",
				termsafe.Line(s.StartURL, termsafe.MaxURL), t.ExpiresAt.Local().Format("15:04 MST"), timeLeft(t.ExpiresAt, d.Now()))
			return nil
		},
	}
}

func newLogoutCommand(d *Deps) *cli.Command {
	return &cli.Command{
		Name:      "logout",
		Usage:     "sign out of IAM Identity Center (SSO): ends the session and removes the cached token and role credentials",
		ArgsUsage: "[PROFILE | --sso-session NAME]",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "sso-session", Usage: "sign out of the [sso-session `NAME`] section"},
			debugFlag,
		},
		Action: func(c *cli.Context) error {
			f, p, s, _, err := ssoTarget(c, d)
			if err != nil {
				return err
			}
			cleared, err := f.Logout(c.Context, p, s)
			if err != nil {
				return err
			}
			msg := "awsenv: signed out of " + termsafe.Line(s.StartURL, termsafe.MaxURL) + "; the cached token is removed"
			if len(cleared) > 0 {
				msg += ", and the cached credentials of " + strings.Join(cleared, ", ")
			}
			fmt.Fprintln(d.Stderr, msg+".")
			return nil
		},
	}
}

// ssoTarget is the sign-in a login or logout is for: the profile named
// (an SSO profile, or a role on top of one), else --sso-session, else
// the current profile (currentProfile).
func ssoTarget(c *cli.Context, d *Deps) (*credflow.Flow, *profiles.Profile, *profiles.SSO, string, error) {
	cmd := c.Command.Name
	session := c.String("sso-session")
	name := c.Args().First()
	if c.NArg() > 1 || (name != "" && session != "") {
		return nil, nil, nil, "", usageErrorf("%s takes one profile name or --sso-session NAME, not both. Run `awsenv %s PROFILE` or `awsenv %s --sso-session NAME`.", cmd, cmd, cmd)
	}
	if name == "" && session == "" && noCurrentProfile(d) && canPick(c, d) {
		var err error
		if name, err = profileOrPick(c, d); err != nil {
			return nil, nil, nil, "", err
		}
	}
	if name == "" && session == "" {
		name = currentProfile(d)
	}
	f, err := newFlow(c, d)
	if err != nil {
		return nil, nil, nil, "", err
	}
	f.ShowDevice = func(dev credflow.Device) { showDevice(c.Context, d, dev, false) }
	if session != "" {
		s, err := f.Config.SessionSSO(session)
		if err != nil {
			return nil, nil, nil, "", err
		}
		return f, nil, s, "", nil
	}
	if err := profiles.ValidateName(name); err != nil {
		return nil, nil, nil, "", err
	}
	r, err := f.Config.Resolve(name)
	if err != nil {
		return nil, nil, nil, "", err
	}
	base := r.Base()
	if base.Kind == profiles.KindLogin {
		// The sign-in of `aws login` (a browser flow with PKCE against the
		// sign-in service, the key made for DPoP) is the AWS CLI's; awsenv
		// uses and renews the session it leaves, but does not make one.
		return nil, nil, nil, "", usageErrorf("profile %s takes its credentials from an `aws login` session (login_session = %s in [profile %s]): awsenv uses that session and renews it, but cannot %s it itself yet. Run `aws login --profile %s` (AWS CLI 2.32 or later); awsenv then uses the session it writes.",
			name, base.Profile.LoginSession, base.Profile.Name, cmd, base.Profile.Name)
	}
	if base.Kind != profiles.KindSSO {
		return nil, nil, nil, "", usageErrorf("profile %s does not sign in with IAM Identity Center (it is a %s profile), so there is nothing to %s. `awsenv list` shows the sso profiles.",
			name, r.Kind, cmd)
	}
	return f, base.Profile, base.SSO, name, nil
}

// pkceFor is the browser sign-in of this run, where a browser can be
// opened (browser.CanOpen; else nil: the device flow).
func pkceFor(c *cli.Context, d *Deps, a awsapi.Authorizer) *credflow.PKCE {
	if a == nil || !browser.CanOpen(d.Getenv) {
		return nil
	}
	return &credflow.PKCE{Authorizer: a, Open: func(ctx context.Context, au credflow.Authorize) { showAuthorize(ctx, d, au) }}
}

// showAuthorize tells the person about the browser sign-in and opens the
// browser. The URL is built by the helper from the OIDC endpoint: shown
// through termsafe.Line, and opened only when it is exactly what is shown.
func showAuthorize(ctx context.Context, d *Deps, a credflow.Authorize) {
	shown := termsafe.Line(a.URL, termsafe.MaxURL)
	fmt.Fprintf(d.Stderr, "awsenv: to sign in to IAM Identity Center (%s), awsenv opens your browser at\n\n    %s\n\nIf it does not open, open that address in a browser on this machine. awsenv waits %s for the answer (Ctrl-C stops it).\n",
		termsafe.Line(a.SSO.StartURL, termsafe.MaxURL), shown, credflow.DefaultPKCETimeout)
	if shown != a.URL {
		return
	}
	// Never fatal, never waited for: the URL is on the screen.
	go func() { _ = browser.Open(context.WithoutCancel(ctx), d.Getenv, io.Discard, a.URL) }()
}

// showDevice tells the person how to approve a sign-in, on stderr (the
// user code and URL are no secret: they are useless without the device
// code awsenv keeps), and opens the browser where one can be (package
// browser). The URL and the code are the server's answer: shown through
// termsafe.Line, and the browser opens a URL only when it is exactly what
// is shown.
func showDevice(ctx context.Context, d *Deps, dev credflow.Device, noBrowser bool) {
	url := dev.VerificationURIComplete
	if url == "" {
		url = dev.VerificationURI
	}
	shown := termsafe.Line(url, termsafe.MaxURL)
	fmt.Fprintf(d.Stderr, "awsenv: to sign in to IAM Identity Center (%s), open\n\n    %s\n\nand check that it shows the code\n\n    %s\n\nawsenv waits for the approval (Ctrl-C stops it).\n",
		termsafe.Line(dev.SSO.StartURL, termsafe.MaxURL), shown, termsafe.Line(dev.UserCode, termsafe.MaxValue))
	if noBrowser || shown != url {
		return
	}
	// Never fatal, never waited for: the URL is on the screen, and awsenv
	// polls for the approval meanwhile. The browser stays open after awsenv,
	// and its chatter would break into the text above.
	go func() { _ = browser.Open(context.WithoutCancel(ctx), d.Getenv, io.Discard, url) }()
}
