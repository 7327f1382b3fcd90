package main

import (
	"bytes"
	"strconv"
	"text/template"
	"time"

	"github.com/urfave/cli/v2"
)

// defaultPromptFormat prints "prod 42m", or "prod" when the expiry is
// unknown.
const defaultPromptFormat = `{{.Profile}}{{with .Left}} {{.}}{{end}}`

// promptData is what a --format template sees.
type promptData struct {
	Profile string    // $AWSENV_PROFILE
	Left    string    // time left: 42m, 3h05m, expired; "" when unknown
	Expires time.Time // the zero time when unknown
}

func newPromptCommand(d *Deps) *cli.Command {
	return &cli.Command{
		Name:  "prompt",
		Usage: "print the active profile and its time left (prod 42m), for prompt frameworks",
		Description: `Prints nothing when no awsenv profile is active. It reads AWSENV_PROFILE and
AWSENV_EXPIRES_AT, which awsenv use exports. The shell integration
(awsenv init) has awsenv_prompt, which does the same without starting a
process; this command is for prompts that can only run one.
--format takes a Go template with .Profile, .Left (42m, 3h05m, expired) and
.Expires (a time.Time), e.g. --format '{{.Profile}} ({{.Expires.Local.Format "15:04"}})'.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Usage: "Go `TEMPLATE` with .Profile, .Left and .Expires", Value: defaultPromptFormat},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageErrorf("prompt takes no arguments, got %q.", c.Args().First())
			}
			format := c.String("format")
			var tmpl *template.Template
			if format != defaultPromptFormat {
				var err error
				tmpl, err = template.New("prompt").Option("missingkey=error").Parse(format)
				if err != nil {
					return usageErrorf("--format is not a valid template: %v", err)
				}
			}
			data, ok := promptState(d)
			if !ok {
				return nil
			}
			var out bytes.Buffer
			if tmpl == nil {
				// The default format, written out: parsing and running a
				// template (reflection) cost a prompt a fifth of its run.
				// TestPromptDefaultFormatAsTemplate keeps the two equal.
				out.WriteString(data.Profile)
				if data.Left != "" {
					out.WriteString(" " + data.Left)
				}
			} else if err := tmpl.Execute(&out, data); err != nil {
				return usageErrorf("--format: %v", err)
			}
			out.WriteByte('\n')
			_, err := d.Stdout.Write(out.Bytes())
			return err
		},
	}
}

// promptState reads the active profile from the environment; ok is false
// when none is active. $AWSENV_NOW (epoch seconds) replaces the clock, as
// in the shell integration's awsenv_prompt.
func promptState(d *Deps) (data promptData, ok bool) {
	data.Profile = d.Getenv("AWSENV_PROFILE")
	if data.Profile == "" {
		return data, false
	}
	now := d.Now()
	if v, err := strconv.ParseInt(d.Getenv("AWSENV_NOW"), 10, 64); err == nil && v >= 0 {
		now = time.Unix(v, 0)
	}
	if v, err := strconv.ParseInt(d.Getenv("AWSENV_EXPIRES_AT"), 10, 64); err == nil && v > 0 {
		data.Expires = time.Unix(v, 0)
	} else if t, err := time.Parse(time.RFC3339, d.Getenv("AWS_CREDENTIAL_EXPIRATION")); err == nil {
		data.Expires = t
	}
	if !data.Expires.IsZero() {
		data.Left = timeLeft(data.Expires, now)
	}
	return data, true
}
