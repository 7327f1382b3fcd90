package main

// The flags that change one switch without editing the files: --region
// (use, exec, console) and the ad-hoc role of `use --role-arn`.

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/credshape"
)

func regionFlag() cli.Flag {
	return &cli.StringFlag{Name: "region", Usage: "use `REGION` instead of the profile's for this switch: exported, and the region of the STS calls"}
}

// adHocFlags are `use`'s ad-hoc role flags; --duration is credentialFlags'.
func adHocFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "role-arn", Usage: "assume the role `ARN` (or ACCOUNT:ROLE) on top of --source, without a profile for it"},
		&cli.StringFlag{Name: "source", Usage: "the `PROFILE` whose credentials assume --role-arn (default: the current profile)"},
		&cli.StringFlag{Name: "external-id", Usage: "the `ID` the role's trust policy asks for (sts:ExternalId), with --role-arn"},
		&cli.StringFlag{Name: "session-name", Usage: "the role session `NAME`, with --role-arn (default: as for any role)"},
	}
}

// regionOverride is --region, checked with botocore's rule.
func regionOverride(c *cli.Context) (string, error) {
	v := c.String("region")
	if v != "" && !profiles.ValidRegion(v) {
		return "", usageErrorf("--region %q is not a region. Region names are letters, digits and hyphens, such as us-east-1 or eu-central-2.", v)
	}
	return v, nil
}

// adHocRole is the ad-hoc role --role-arn asks for, not yet tied to its
// source's partition; nil without --role-arn.
type adHocRole struct {
	source, arn, account, role, externalID, sessionName string
	shorthand                                           bool // ACCOUNT:ROLE, whose ARN takes the source's partition
}

// adHocArgs reads the ad-hoc role flags. The source is --source, else the
// current profile as exported or named by AWS_DEFAULT_PROFILE/AWS_PROFILE
// (currentProfiles); with none, it refuses rather than guess default.
func adHocArgs(c *cli.Context, d *Deps) (*adHocRole, error) {
	arn := c.String("role-arn")
	if arn == "" {
		for _, f := range []string{"source", "external-id", "session-name"} {
			if c.String(f) != "" {
				return nil, usageErrorf("--%s goes with --role-arn: awsenv use --role-arn ARN --%s ...", f, f)
			}
		}
		return nil, nil
	}
	if c.NArg() > 0 {
		return nil, usageErrorf("--role-arn takes no PROFILE argument (got %q); name the profile whose credentials assume it with --source %s.",
			c.Args().First(), c.Args().First())
	}
	a := &adHocRole{externalID: c.String("external-id"), sessionName: c.String("session-name")}
	if cur := currentProfiles(d); c.String("source") != "" {
		a.source = c.String("source")
	} else if len(cur) > 0 {
		a.source = cur[0]
	} else {
		return nil, usageErrorf("--role-arn needs a profile whose credentials assume the role: pass --source PROFILE, or switch to one first (eval \"$(awsenv use PROFILE)\").")
	}
	if err := profiles.ValidateName(a.source); err != nil {
		return nil, err
	}
	if acct, role, ok := strings.Cut(arn, ":"); ok && awsapi.ParseARN(arn).IsZero() {
		if !credshape.AccountID(acct) || role == "" || strings.Contains(role, ":") {
			return nil, usageErrorf("--role-arn %q is neither a role ARN (arn:aws:iam::123456789012:role/NAME) nor ACCOUNT:ROLE (123456789012:NAME).", arn)
		}
		a.account, a.role, a.shorthand = acct, strings.TrimPrefix(role, "role/"), true
	} else {
		p := awsapi.ParseARN(arn)
		if p.Service != "iam" || !credshape.AccountID(p.Account) || p.RoleName() == "" {
			return nil, usageErrorf("--role-arn %q is neither a role ARN (arn:aws:iam::123456789012:role/NAME) nor ACCOUNT:ROLE (123456789012:NAME).", arn)
		}
		a.arn, a.account, a.role = arn, p.Account, p.Resource[len("role/"):]
	}
	if err := checkAWSText("--external-id", a.externalID, 2, 1224, "+=,.@:/-"); err != nil {
		return nil, err
	}
	if err := checkAWSText("--session-name", a.sessionName, 2, 64, "+=,.@-"); err != nil {
		return nil, err
	}
	return a, nil
}

// name is the ad-hoc role's profile name, exported as AWSENV_PROFILE:
// SOURCE+ROLE@ACCOUNT, in the profile-name alphabet (so shell-safe and a
// session file name): a path's slashes and AWS's = and , become '_'.
func (a *adHocRole) name() string {
	role := a.role
	if i := strings.LastIndexByte(role, '/'); i >= 0 {
		role = role[i+1:]
	}
	role = strings.Map(func(r rune) rune {
		if r < 0x80 && profiles.ValidateName(string(r)) == nil {
			return r
		}
		return '_'
	}, role)
	n := a.source + "+" + role + "@" + a.account
	if len(n) > 128 {
		n = n[:128]
	}
	return n
}

// profile is the ad-hoc role as a role profile on top of its source, so
// credflow's role path (and its cache, keyed by ARN, external id and
// session name) does the work. It takes the source's endpoint and client
// settings, which say how to reach STS.
func (a *adHocRole) profile(cfg *profiles.Config) (*profiles.Profile, error) {
	src, err := cfg.Resolve(a.source)
	if err != nil {
		return nil, err
	}
	arn := a.arn
	if a.shorthand {
		arn = "arn:" + partitionOf(src) + ":iam::" + a.account + ":role/" + a.role
	}
	sp := src.Profile
	return &profiles.Profile{Name: a.name(), RoleARN: arn, SourceProfile: a.source,
		ExternalID: a.externalID, RoleSessionName: a.sessionName,
		EndpointURL: sp.EndpointURL, Services: sp.Services, IgnoreEndpoint: sp.IgnoreEndpoint, CABundle: sp.CABundle,
		Client: sp.Client, ConfigFile: "(awsenv use --role-arn)"}, nil
}

// applySwitchFlags puts the ad-hoc role (when name is its) and --region
// into this run's config, before anything resolves name.
func applySwitchFlags(c *cli.Context, d *Deps, cfg *profiles.Config, name string) error {
	a, err := adHocArgs(c, d)
	if err != nil {
		return err
	}
	if a != nil && a.name() == name {
		p, err := a.profile(cfg)
		if err != nil {
			return err
		}
		if err := cfg.AddProfile(p); err != nil {
			return err
		}
	}
	region, err := regionOverride(c)
	if err != nil || region == "" {
		return err
	}
	p, err := cfg.Get(name)
	if err != nil {
		return err
	}
	// This run's copy only: Region() reads the top profile first, so the
	// export and the STS calls (regional endpoint included) follow it.
	// Sessions are not keyed by region: credentials are global.
	p.Region = region
	return nil
}

// switchName is the profile a switch is for: the ad-hoc role's, else the
// PROFILE argument.
func switchName(c *cli.Context, d *Deps) (string, error) {
	a, err := adHocArgs(c, d)
	if err != nil {
		return "", err
	}
	if a != nil {
		return a.name(), nil
	}
	return profileOrPick(c, d)
}

// adHocName reports whether name has the shape of an ad-hoc role's name.
func adHocName(name string) bool {
	i := strings.LastIndexByte(name, '@')
	return i > 0 && strings.Contains(name[:i], "+") && credshape.AccountID(name[i+1:])
}

// checkAWSText refuses a value AWS would refuse ([\w] and extra, min to
// max long) before any call; empty is unset.
func checkAWSText(flag, v string, minLen, maxLen int, extra string) error {
	if v == "" {
		return nil
	}
	ok := len(v) >= minLen && len(v) <= maxLen
	for i := 0; ok && i < len(v); i++ {
		c := v[i]
		ok = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || strings.IndexByte(extra, c) >= 0
	}
	if !ok {
		return usageErrorf("%s %q is not one AWS takes: %d to %d of letters, digits, _ and %s.", flag, v, minLen, maxLen, extra)
	}
	return nil
}
