package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/awsenv/awsenv/internal/accesskeys"
	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/credflow"
	"github.com/awsenv/awsenv/internal/helper"
	"github.com/awsenv/awsenv/plugins/termsafe"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/sessions"
)

// keyWork is what keys and rotate share: the IAM user behind a profile and
// a Caller that signs IAM calls for it.
type keyWork struct {
	name   string             // the profile asked for
	user   *profiles.Resolved // the profile holding the user's long-term key
	flow   *credflow.Flow
	client *helper.Client
	caller *accesskeys.Caller
}

// keyWorkFor is the keyWork of the command's PROFILE (or the current one).
func keyWorkFor(c *cli.Context, d *Deps) (*keyWork, error) {
	name, err := profileOrCurrent(c, d)
	if err != nil {
		return nil, err
	}
	return newKeyWork(c, d, name)
}

func newKeyWork(c *cli.Context, d *Deps, name string) (*keyWork, error) {
	f, err := newFlow(c, d)
	if err != nil {
		return nil, err
	}
	r, err := f.Config.Resolve(name)
	if err != nil {
		return nil, err
	}
	base := r.Base()
	p := base.Profile
	if base.Kind == profiles.KindSSO {
		return nil, &profiles.ProfileError{Profile: p.Name, File: p.Where(),
			Problem: "gets its credentials from IAM Identity Center (SSO), which has no access keys of an IAM user",
			Fix:     "keys and rotate work on a profile with aws_access_key_id AKIA... and aws_secret_access_key; IAM Identity Center credentials are managed in the AWS access portal."}
	}
	if base.Kind != profiles.KindUser {
		return nil, &profiles.ProfileError{Profile: p.Name, File: p.KeyFile(),
			Problem: "holds session credentials (aws_session_token), not an IAM user's long-term key",
			Fix:     "keys and rotate work on a profile with aws_access_key_id AKIA... and aws_secret_access_key."}
	}
	client, ok := f.STS.(*helper.Client)
	if !ok {
		return nil, errors.New("keys and rotate need the awsenv-helper STS client. Reinstall awsenv with ./install.sh.")
	}
	// The key itself: the file's, or the keyring's through the helper.
	key, err := f.LongTermKey(c.Context, p)
	if err != nil {
		return nil, err
	}
	w := &keyWork{name: name, user: base, flow: f, client: client}
	w.caller = &accesskeys.Caller{
		IAM:    client,
		STS:    client,
		Target: credflow.Target(f.Config, p, base.Region()),
		Key:    key,
		Notef:  f.Notef,
	}
	if base.MFASerial() != "" {
		w.caller.MFASession = func(ctx context.Context) (profiles.Credentials, error) {
			res, err := f.Get(ctx, p.Name, credflow.Options{})
			if err != nil {
				return profiles.Credentials{}, err
			}
			return res.Credentials, nil
		}
	}
	return w, nil
}

func newKeysCommand(d *Deps) *cli.Command {
	return &cli.Command{
		Name:      "keys",
		Usage:     "list the access keys of the IAM user behind PROFILE: status, age, last use (never secrets)",
		ArgsUsage: "[PROFILE]",
		Flags:     append(credentialFlags(), &cli.BoolFlag{Name: "json", Usage: "print JSON"}),
		// Moving keys between the files and the keyring (keys_store.go).
		Subcommands: keyringCommands(d),
		Action: func(c *cli.Context) error {
			w, err := keyWorkFor(c, d)
			if err != nil {
				return err
			}
			id, user, err := w.caller.Whoami(c.Context)
			if err != nil {
				return w.explain(err)
			}
			keys, err := w.caller.List(c.Context, user, w.user.Profile.AccessKeyID)
			if err != nil {
				return w.explain(err)
			}
			if c.Bool("json") {
				enc := json.NewEncoder(d.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"profile": w.user.Profile.Name, "user": user, "arn": id.ARN, "keys": keys})
			}
			fmt.Fprintf(d.Stdout, "Access keys of %s (%s):\n", termsafe.Line(user, termsafe.MaxValue), termsafe.Line(id.ARN, termsafe.MaxValue))
			printKeys(d, keys, w.user.Profile, d.Now())
			return nil
		},
	}
}

// printKeys writes the keys as a table, marking the profile's own.
func printKeys(d *Deps, keys []accesskeys.Key, p *profiles.Profile, now time.Time) {
	tw := tabwriter.NewWriter(d.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCESS KEY ID\tSTATUS\tCREATED\tLAST USED\t")
	for _, k := range keys {
		mark := ""
		if k.InFile {
			mark = fmt.Sprintf("<- profile %s in %s", p.Name, p.KeyPlace())
		}
		// IAM's answers: made safe, one line each, so the table holds.
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", termsafe.Line(k.ID, termsafe.MaxValue), termsafe.Line(k.Status, termsafe.MaxValue), dateAge(k.Created, now), lastUsed(k.LastUsed, now), mark)
	}
	tw.Flush()
}

func dateAge(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return fmt.Sprintf("%s (%s ago)", t.UTC().Format("2006-01-02"), age(now.Sub(t)))
}

func age(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	default:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
}

func lastUsed(lu *awsapi.LastUsed, now time.Time) string {
	switch {
	case lu == nil:
		return "unknown (no iam:GetAccessKeyLastUsed)"
	case lu.Date.IsZero():
		return "never"
	}
	return fmt.Sprintf("%s, %s in %s", dateAge(lu.Date, now), lu.Service, lu.Region)
}

// rotateStore keeps the rotate journals and the list of retired keys.
func rotateStore(d *Deps) (*sessions.Store, error) {
	return sessions.Open(filepath.Join(d.StateHome, "awsenv", "rotate"))
}

// explain turns an AWS error met while managing keys into its catalogue
// entry.
func (w *keyWork) explain(err error) error {
	return w.flow.Explain(err, w.user.Profile)
}
