package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/plugins/termsafe"
	"github.com/awsenv/awsenv/profiles"
)

// `awsenv sso populate`: one profile per account and role of an
// Identity Center sign-in, written into the AWS config file.

func newSSOCommand(d *Deps) *cli.Command {
	return &cli.Command{
		Name:  "sso",
		Usage: "IAM Identity Center (SSO) tools",
		Subcommands: []*cli.Command{{
			Name:  "populate",
			Usage: "write a profile for every account and role you can use through an sso-session into ~/.aws/config",
			Description: "Lists every account and role the signed-in person may use (ListAccounts and ListAccountRoles)\n" +
				"and writes one [profile NAME] per pair, marked with awsenv_generated = sso-session NAME. Re-running\n" +
				"updates those sections in place and adds new ones; --prune removes those whose access is gone.\n" +
				"Sections without the mark are yours and are never changed.",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "sso-session", Usage: "the [sso-session `NAME`] to list (default: the only one in the config)"},
				&cli.StringFlag{Name: "region", Usage: "region = `REGION` in each generated profile (default: the sso-session's sso_region)"},
				&cli.StringFlag{Name: "prefix", Usage: "put `PREFIX` before each generated name"},
				&cli.StringFlag{Name: "name", Value: defaultNameTemplate, Usage: "the profile name `TEMPLATE`: {account_name}, {account_id}, {role}, {sso_session}"},
				&cli.BoolFlag{Name: "prune", Usage: "remove generated profiles whose account or role you can no longer use"},
				&cli.BoolFlag{Name: "dry-run", Usage: "change nothing: print the change as a diff on stdout"},
				debugFlag,
			},
			Action: func(c *cli.Context) error { return ssoPopulate(c, d) },
		}},
	}
}

// defaultNameTemplate is ACCOUNT-NAME.ROLE: "/" (Granted's choice) is
// not in the names awsenv accepts (profiles.ValidateName).
const defaultNameTemplate = "{account_name}.{role}"

var namePlaceholders = []string{"account_name", "account_id", "role", "sso_session"}

// validRole and validAccountID are what AWS allows (a role name is
// [\w+=,.@-]{1,64}, an account id 12 digits); anything else from the
// portal is not written into the config file. No regexp: compiling one
// at start-up would slow every command.
func validRole(v string) bool      { return len(v) >= 1 && len(v) <= 64 && onlyBytes(v, "_+=,.@-", true) }
func validAccountID(v string) bool { return len(v) == 12 && onlyBytes(v, "", false) }

func onlyBytes(v, extra string, letters bool) bool {
	for i := 0; i < len(v); i++ {
		ch := v[i]
		if ch >= '0' && ch <= '9' || letters && (ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z') || strings.IndexByte(extra, ch) >= 0 {
			continue
		}
		return false
	}
	return true
}

func ssoPopulate(c *cli.Context, d *Deps) error {
	if c.NArg() > 0 {
		return usageErrorf("sso populate takes no arguments, only flags. Run `awsenv sso populate --sso-session NAME`.")
	}
	tmpl := c.String("name")
	if err := checkNameTemplate(tmpl, c.String("prefix")); err != nil {
		return err
	}
	region := c.String("region")
	if region != "" && !profiles.ValidRegion(region) {
		return usageErrorf("--region %q is not a region name. Use one such as us-east-1.", region)
	}
	f, err := newFlow(c, d)
	if err != nil {
		return err
	}
	session := c.String("sso-session")
	if session == "" {
		names := f.Config.SSOSessionNames()
		switch len(names) {
		case 0:
			return usageErrorf("%s has no [sso-session NAME] section. Add one (aws configure sso-session writes it), then run `awsenv sso populate --sso-session NAME`.", f.Config.Files.Config)
		case 1:
			session = names[0]
		default:
			return usageErrorf("%s has several sso-sessions (%s). Name one: `awsenv sso populate --sso-session NAME`.", f.Config.Files.Config, strings.Join(names, ", "))
		}
	}
	s, err := f.Config.SessionSSO(session)
	if err != nil {
		return err
	}
	if region == "" {
		region = s.Region
	}
	pairs, err := f.SSOAccess(c.Context, s, session)
	if err != nil {
		return err
	}
	gen := generatedProfiles(d, pairs, tmpl, c.String("prefix"), session, region)
	plan, err := profiles.PlanPopulate(f.Config.Files.Config, gen, "sso-session "+session, c.Bool("prune"))
	if err != nil {
		return err
	}
	for _, n := range plan.Taken {
		say(d.Stderr, "warning: [profile %s] is your own section (no awsenv_generated key), so awsenv leaves it as it is and generates no profile of that name.", n)
	}
	if c.Bool("dry-run") {
		fmt.Fprint(d.Stdout, plan.Diff())
		say(d.Stderr, "awsenv: dry run, nothing written: %s.", populateSummary(plan, session))
		return nil
	}
	backup, err := plan.Write(profiles.PopulateWriteOptions{Now: d.Now, BeforeRename: func() error {
		pausePoint(d, "populate-write")
		return nil
	}})
	if err != nil {
		return err
	}
	msg := "awsenv: " + populateSummary(plan, session) + " in " + plan.Path
	if backup != "" {
		msg += "; the previous file is in " + backup
	}
	say(d.Stderr, "%s.", msg)
	if n := len(plan.Stale); n > 0 {
		say(d.Stderr, "awsenv: %d generated profiles are for access you no longer have (%s); run with --prune to remove them.", n, shortList(plan.Stale))
	}
	return nil
}

func populateSummary(p *profiles.Populate, session string) string {
	return fmt.Sprintf("sso-session %s: %d added, %d updated, %d unchanged, %d removed",
		session, len(p.Added), len(p.Updated), len(p.Unchanged), len(p.Removed))
}

func shortList(names []string) string {
	if len(names) > 5 {
		return strings.Join(names[:5], ", ") + fmt.Sprintf(" and %d more", len(names)-5)
	}
	return strings.Join(names, ", ")
}

// checkNameTemplate refuses a template with an unknown placeholder, or
// whose own text makes names awsenv refuses.
func checkNameTemplate(tmpl, prefix string) error {
	rest := tmpl
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return usageErrorf("--name %q has a { without its }. Use the placeholders {%s}.", tmpl, strings.Join(namePlaceholders, "}, {"))
		}
		if p := rest[i+1 : i+j]; !contains(namePlaceholders, p) {
			return usageErrorf("--name %q has the unknown placeholder {%s}. Use {%s}.", tmpl, p, strings.Join(namePlaceholders, "}, {"))
		}
		rest = rest[i+j+1:]
	}
	sample := prefix + expandName(tmpl, awsapi.AccountRole{AccountID: "123456789012", AccountName: "a", RoleName: "r"}, "s")
	if err := profiles.ValidateName(sample); err != nil {
		return usageErrorf("--prefix %q with --name %q makes names such as %q, which awsenv refuses: %v", prefix, tmpl, sample, err)
	}
	return nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// expandName fills the template with the pair's values, each made safe
// (safeNamePart).
func expandName(tmpl string, p awsapi.AccountRole, session string) string {
	return strings.NewReplacer(
		"{account_name}", safeNamePart(p.AccountName),
		"{account_id}", safeNamePart(p.AccountID),
		"{role}", safeNamePart(p.RoleName),
		"{sso_session}", safeNamePart(session),
	).Replace(tmpl)
}

// safeNamePart maps a value into the characters profiles.ValidateName
// accepts (letters, digits, . _ - + @), which no shell reads specially:
// every other byte (spaces, slashes, quotes, non-ASCII) becomes "-", runs
// of "-" become one, and "-" is trimmed from both ends.
func safeNamePart(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		ch := v[i]
		ok := ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.IndexByte("._+@", ch) >= 0
		if !ok {
			ch = '-'
		}
		if ch == '-' && strings.HasSuffix(b.String(), "-") {
			continue
		}
		b.WriteByte(ch)
	}
	return strings.Trim(b.String(), "-")
}

// generatedProfiles names each pair and gives it its keys. Pairs whose
// values AWS would not send, or whose name awsenv refuses, are skipped
// with a warning; pairs whose names collide get -ACCOUNT_ID added.
func generatedProfiles(d *Deps, pairs []awsapi.AccountRole, tmpl, prefix, session, region string) []profiles.Generated {
	names := make([]string, len(pairs))
	count := map[string]int{}
	for i, p := range pairs {
		names[i] = prefix + expandName(tmpl, p, session)
		count[names[i]]++
	}
	var out []profiles.Generated
	seen := map[string]bool{}
	for i, p := range pairs {
		name := names[i]
		if count[name] > 1 {
			name += "-" + safeNamePart(p.AccountID)
		}
		switch {
		case !validAccountID(p.AccountID) || !validRole(p.RoleName):
			say(d.Stderr, "warning: skipped account %s role %s: IAM Identity Center sent a value AWS does not allow.",
				termsafe.Line(p.AccountID, 40), termsafe.Line(p.RoleName, 80))
			continue
		case profiles.ValidateName(name) != nil:
			say(d.Stderr, "warning: skipped account %s role %s: %v", p.AccountID, p.RoleName, profiles.ValidateName(name))
			continue
		case seen[name]:
			say(d.Stderr, "warning: skipped account %s role %s: its name %s is already generated for another pair; use --name with {account_id}.", p.AccountID, p.RoleName, name)
			continue
		}
		seen[name] = true
		keys := [][2]string{{"sso_session", session}, {"sso_account_id", p.AccountID}, {"sso_role_name", p.RoleName}}
		if region != "" {
			keys = append(keys, [2]string{"region", region})
		}
		out = append(out, profiles.Generated{Name: name, Keys: keys})
	}
	return out
}
