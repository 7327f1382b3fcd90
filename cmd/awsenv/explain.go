package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/diagnose"
	"github.com/awsenv/awsenv/plugins/termsafe"
	"github.com/awsenv/awsenv/profiles"
)

// maxExplainInput bounds what `awsenv explain` reads from a pipe: an error
// is one line, but it may come after a long listing.
const maxExplainInput = 8 << 20

func newExplainCommand(d *Deps) *cli.Command {
	return &cli.Command{
		Name:      "explain",
		Usage:     "explain an AWS error printed by the aws CLI, an SDK or CloudFormation, and how to fix it",
		ArgsUsage: "[TEXT]",
		Description: `Give the error as an argument, or pipe a command's output in:
   aws s3 ls 2>&1 | awsenv explain
   awsenv explain 'An error occurred (InvalidAccessKeyId) when calling the ListBuckets operation: ...'
The names, files and commands in the fix come from the credentials in your environment and
the profile: --profile, else $AWSENV_PROFILE, else $AWS_PROFILE, else default. Nothing is
sent to AWS. Exit status 0 when the error was recognised, 1 when not.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "profile", Usage: "the `PROFILE` the failed command used"},
			&cli.BoolFlag{Name: "json", Usage: "print JSON"},
		},
		Action: func(c *cli.Context) error {
			text, err := explainInput(c, d)
			if err != nil {
				return err
			}
			apiErr, ok := diagnose.Parse(text)
			if !ok {
				return &userError{code: exitError, msg: "no AWS error found in the text. Give the line that starts with \"An error occurred (\" (aws CLI), " +
					"holds \"api error\" (Go SDK) or \"API: \" (CloudFormation), e.g. `aws s3 ls 2>&1 | awsenv explain`."}
			}
			// Pasted text may hold a secret; nothing from it is echoed
			// unredacted, nor with control characters a terminal would run.
			apiErr.Code = termsafe.Line(diagnose.Redact(apiErr.Code), termsafe.MaxValue)
			apiErr.Message = termsafe.Line(diagnose.Redact(apiErr.Message), termsafe.MaxMessage)
			apiErr.RequestID = termsafe.Line(diagnose.Redact(apiErr.RequestID), termsafe.MaxValue)

			facts, err := explainFacts(c, d, apiErr)
			if err != nil {
				return err
			}
			x := diagnose.Explain(apiErr, facts)
			if !x.Known() {
				op := ""
				if apiErr.Operation != "" {
					op = " from " + apiErr.Operation
				}
				return &userError{code: exitError, msg: fmt.Sprintf("awsenv does not know the AWS error %s%s yet: %s. Look %s up in the documentation of the service that answered.",
					apiErr.Code, op, strings.TrimRight(apiErr.Message, "."), apiErr.Code)}
			}
			var also []diagnose.Explanation
			for _, s := range diagnose.Stale(facts) {
				if s.ID != x.ID {
					also = append(also, s)
				}
			}
			if c.Bool("json") {
				enc := json.NewEncoder(d.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(explainOutput{Error: *apiErr, Profile: facts.Profile, Explanation: x, Environment: also})
			}
			return writeExplanation(d.Stdout, apiErr, x, also)
		},
	}
}

type explainOutput struct {
	Error       awsapi.APIError        `json:"error"`
	Profile     string                 `json:"profile,omitempty"`
	Explanation diagnose.Explanation   `json:"explanation"`
	Environment []diagnose.Explanation `json:"environment,omitempty"`
}

// explainInput is the arguments, else stdin.
func explainInput(c *cli.Context, d *Deps) (string, error) {
	if c.NArg() > 0 {
		return strings.Join(c.Args().Slice(), " "), nil
	}
	in := c.App.Reader
	if isTerminal(in) {
		fmt.Fprintln(d.Stderr, "awsenv: paste the error, then press Ctrl-D.")
	}
	data, err := io.ReadAll(io.LimitReader(in, maxExplainInput))
	if err != nil {
		return "", fmt.Errorf("read the error from stdin: %w. Give it as an argument instead: awsenv explain 'An error occurred ...'", err)
	}
	return string(data), nil
}

// isTerminal: r is a character device other than /dev/null, which for
// stdin means a person at a terminal (the hint is all that depends on it).
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(fi, null)
}

// explainFacts gathers what the environment and the profile files say
// about the failed call. Only an explicit --profile that cannot be used is
// an error; anything else unknown stays unknown.
func explainFacts(c *cli.Context, d *Deps, apiErr *awsapi.APIError) (diagnose.Facts, error) {
	var f diagnose.Facts
	f.Now = d.Now()
	f.AddEnv(d.Getenv)
	envSession := d.Getenv("AWSENV_PROFILE")
	name, explicit := c.String("profile"), c.IsSet("profile")
	if explicit {
		if err := profiles.ValidateName(name); err != nil {
			return f, err
		}
	} else {
		for _, n := range currentProfiles(d) {
			if profiles.ValidateName(n) == nil {
				name = n
				break
			}
		}
	}
	files := awsFiles(d)
	f.KeyFile, f.ConfigFile = files.Credentials, files.Config
	cfg, err := profiles.Load(files)
	if err != nil {
		if explicit {
			return f, err
		}
		say(d.Stderr, "note: %v", err)
	}
	if name == "" && cfg != nil && hasProfile(cfg, "default") {
		name = "default"
	}
	f.Profile = name

	var r *profiles.Resolved
	if cfg != nil && name != "" {
		if r, err = cfg.Resolve(name); err == nil {
			pf := diagnose.FromProfile(r, files)
			f.Profile, f.KeyFile, f.ConfigFile = pf.Profile, pf.KeyFile, pf.ConfigFile
			f.FileKeyID, f.FileToken, f.Serial, f.RoleARN, f.Account = pf.FileKeyID, pf.FileToken, pf.Serial, pf.RoleARN, pf.Account
			f.SSOSession, f.SSORegion, f.SSOAccount, f.SSORole = pf.SSOSession, pf.SSORegion, pf.SSOAccount, pf.SSORole
		} else if p, gerr := cfg.Get(name); gerr == nil {
			// A profile awsenv cannot use may still tell its files and key.
			f.FileKeyID, f.FileToken, f.Serial, f.RoleARN = p.AccessKeyID, p.SessionToken != "", p.MFASerial, p.RoleARN
			if p.KeyFile() != "" {
				f.KeyFile = p.KeyFile()
			}
		} else if explicit {
			return f, gerr
		}
	}

	// Keys awsenv rotated away: a tool still using one is stale.
	if rs, err := rotateStore(d); err == nil {
		for id, k := range loadRetired(rs) {
			if f.Retired == nil {
				f.Retired = map[string]time.Time{}
			}
			f.Retired[id] = k.At
		}
	}

	// Which credentials signed the failed call, as the aws CLI picks them:
	// keys in the environment win unless a profile was named for the
	// command; a role profile's service calls use the role's session.
	switch {
	case f.EnvKeyID != "" && (!explicit || name == envSession):
		f.KeyID, f.Temporary = f.EnvKeyID, f.EnvToken
	case r != nil && r.Kind == profiles.KindRole && apiErr.Operation != "AssumeRole" && apiErr.Operation != "GetSessionToken":
		f.Temporary = true
	case r != nil:
		f.KeyID, f.Temporary = f.FileKeyID, f.FileToken
	}
	return f, nil
}

func hasProfile(cfg *profiles.Config, name string) bool {
	for _, n := range cfg.Names() {
		if n == name {
			return true
		}
	}
	return false
}

// writeExplanation prints an explanation for a person.
func writeExplanation(w io.Writer, e *awsapi.APIError, x diagnose.Explanation, also []diagnose.Explanation) error {
	var b strings.Builder
	head := e.Code
	if e.Operation != "" {
		head += " (" + e.Operation + ")"
	}
	if e.Message != "" {
		head += ": " + e.Message
	}
	fmt.Fprintf(&b, "AWS error: %s\n\n", head)
	field(&b, "What:", x.What)
	field(&b, "Cause:", x.Cause)
	field(&b, "Fix:", x.Fix)
	if x.Policy != "" {
		b.WriteString("\nPolicy statement to add:\n")
		b.WriteString(indent(x.Policy, "    ", "    ") + "\n")
	}
	for _, s := range also {
		b.WriteString("\n")
		field(&b, "Also:", s.What)
		field(&b, "", s.Fix)
	}
	// The error was pasted, and the facts quote the environment.
	_, err := io.WriteString(w, termsafe.Clean(b.String(), termsafe.MaxMessage))
	return err
}

// field writes "Label:  text", later lines indented under the text.
func field(b *strings.Builder, label, text string) {
	const pad = "        "
	b.WriteString(indent(text, label+pad[len(label):], pad) + "\n")
}

func indent(text, first, rest string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		switch {
		case l == "":
		case i == 0:
			lines[i] = first + l
		default:
			lines[i] = rest + l
		}
	}
	return strings.Join(lines, "\n")
}
