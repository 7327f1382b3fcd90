package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/awsenv/awsenv/profiles"
)

type listedProfile struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Region    string `json:"region,omitempty"`
	MFASerial string `json:"mfa_serial,omitempty"`
	// IAM Identity Center profiles (and roles on top of one): the
	// sso-session (empty for a legacy profile), account and role.
	SSOSession   string     `json:"sso_session,omitempty"`
	SSOAccountID string     `json:"sso_account_id,omitempty"`
	SSORoleName  string     `json:"sso_role_name,omitempty"`
	Expires      *time.Time `json:"session_expires,omitempty"`
	TimeLeft     string     `json:"session_time_left,omitempty"`
	Problem      string     `json:"problem,omitempty"`

	roleARN string // a role profile's role_arn (the picker shows it)
}

func newListCommand(d *Deps) *cli.Command {
	return &cli.Command{
		Name:  "list",
		Usage: "show your profiles: kind, region, MFA device, session time left",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print JSON"},
			&cli.BoolFlag{Name: "names", Usage: "print only the profile names, one a line (for completion)"},
		},
		Action: func(c *cli.Context) error {
			cfg, _, err := loadConfig(d)
			if err != nil {
				return err
			}
			if c.Bool("names") {
				for _, name := range cfg.Names() {
					if profiles.ValidateName(name) == nil {
						fmt.Fprintln(d.Stdout, name)
					}
				}
				return nil
			}
			rows := profileRows(d, cfg)
			if c.Bool("json") {
				if rows == nil {
					rows = []listedProfile{}
				}
				enc := json.NewEncoder(d.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			}
			tw := tabwriter.NewWriter(d.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "PROFILE\tKIND\tREGION\tMFA\tSESSION")
			for _, r := range rows {
				// An SSO profile has no MFA device: the column shows its
				// sign-in, account and role instead.
				mfa := r.MFASerial
				if r.SSORoleName != "" && mfa == "" {
					mfa = fmt.Sprintf("sso %s %s/%s", cmp.Or(r.SSOSession, "(legacy)"), r.SSOAccountID, r.SSORoleName)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Name, r.Kind, dash(r.Region), dash(mfa), dash(r.TimeLeft))
			}
			return tw.Flush()
		},
	}
}

// profileRows are the profiles awsenv can use, with the time left of
// each one's latest cached session (read from the store's list, without
// opening a session): what `list` and the picker show.
func profileRows(d *Deps, cfg *profiles.Config) []listedProfile {
	now := d.Now()
	best := map[string]time.Time{} // latest expiry cached per profile
	if store, err := openStore(d); err == nil {
		entries, _ := store.List()
		for _, e := range entries {
			if e.Expiration().After(best[e.Profile]) {
				best[e.Profile] = e.Expiration()
			}
		}
	}
	var rows []listedProfile
	for _, name := range cfg.Names() {
		if profiles.ValidateName(name) != nil {
			continue // awsenv cannot use it; never print it into a terminal raw
		}
		row := listedProfile{Name: name}
		r, err := cfg.Resolve(name)
		if err != nil {
			row.Kind, row.Problem = "invalid", err.Error()
		} else {
			row.Kind, row.Region, row.MFASerial = string(r.Kind), r.Region(), r.MFASerial()
			row.roleARN = r.Profile.RoleARN
			if sso := r.Base().SSO; sso != nil {
				row.SSOSession, row.SSOAccountID, row.SSORoleName = sso.Session, sso.AccountID, sso.RoleName
			}
		}
		if exp, ok := best[name]; ok {
			row.Expires, row.TimeLeft = &exp, timeLeft(exp, now)
		}
		rows = append(rows, row)
	}
	return rows
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func newSessionsCommand(d *Deps) *cli.Command {
	list := func(c *cli.Context) error {
		store, err := openStore(d)
		if err != nil {
			return err
		}
		entries, err := store.List()
		if err != nil {
			return err
		}
		now := d.Now()
		tw := tabwriter.NewWriter(d.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PROFILE\tKIND\tEXPIRES\tLEFT")
		for _, e := range entries {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Profile, e.Kind, e.Expiration().Local().Format("2006-01-02 15:04 MST"), timeLeft(e.Expiration(), now))
		}
		return tw.Flush()
	}
	return &cli.Command{
		Name:   "sessions",
		Usage:  "list cached sessions (never their secrets), or clear them",
		Action: list,
		Subcommands: []*cli.Command{
			{Name: "list", Usage: "list cached sessions", Action: list},
			{
				Name:      "clear",
				Usage:     "remove cached sessions of PROFILE, or all of them",
				ArgsUsage: "[PROFILE]",
				Action: func(c *cli.Context) error {
					name := c.Args().First()
					if name != "" {
						if err := profiles.ValidateName(name); err != nil {
							return err
						}
					}
					store, err := openStore(d)
					if err != nil {
						return err
					}
					n, err := store.Clear(name)
					if err != nil {
						return err
					}
					what := "all profiles"
					if name != "" {
						what = "profile " + name
					}
					fmt.Fprintf(d.Stdout, "removed %d cached session(s) of %s\n", n, what)
					return nil
				},
			},
		},
	}
}

func newVersionCommand(d *Deps) *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print awsenv's version",
		Action: func(c *cli.Context) error {
			_, err := fmt.Fprintf(d.Stdout, "awsenv %s\n", version)
			return err
		},
	}
}
