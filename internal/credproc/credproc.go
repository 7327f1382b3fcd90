// Package credproc runs a profile's credential_process the way the AWS CLI
// does and reads its answer: the command split like a POSIX shell's words
// (botocore's compat_shell_split, Python's shlex.split) and run without a
// shell, its stdout holding the Version 1 JSON
// (https://docs.aws.amazon.com/cli/v1/userguide/cli-configure-sourcing-external.html).
//
// It differs from botocore where awsenv's place calls for it: stdin is
// /dev/null (awsenv's own stdin may be the data `awsenv exec` passes on, and
// an interactive process asks on /dev/tty), the run has a timeout (the Go
// SDK's minute by default), stdout is capped, stderr reaches the person made
// safe for a terminal, and the process dies with awsenv.
package credproc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/awsenv/awsenv/plugins/childproc"
	"github.com/awsenv/awsenv/profiles"
)

// MaxOutput is the most a process may print on stdout: the JSON is a few
// hundred bytes (a session token is at most a few KiB).
const MaxOutput = 64 << 10

// Environment variables awsenv sets for the processes it runs, so that an
// awsenv inside one can tell it would loop (see CheckNested).
const (
	// EnvDepth counts the credential_process runs of awsenv above.
	EnvDepth = "AWSENV_CREDENTIAL_PROCESS_DEPTH"
	// EnvProfiles lists, space-separated, the profiles whose credentials
	// the awsenv runs above are getting.
	EnvProfiles = "AWSENV_CREDENTIAL_PROCESS_PROFILES"
	// MaxDepth is how many awsenv runs may nest through credential_process.
	MaxDepth = 4
)

// ErrTimeout is the cause of a Run that took longer than its timeout.
var ErrTimeout = childproc.ErrTimeout

// Runner runs credential processes.
type Runner struct {
	// Environ is the environment of awsenv; the process gets it, as the
	// AWS CLI passes its own, with EnvDepth and EnvProfiles added.
	Environ []string
	// Stderr is where the process's stderr goes, made safe and capped
	// (childproc.NewStderr).
	Stderr io.Writer
}

// Request is one run.
type Request struct {
	Argv    []string      // from profiles.SplitCommand
	Timeout time.Duration // the run is killed after this
	// Profiles are the profiles whose credentials this run serves (the
	// profile asked for and the one naming the process), for EnvProfiles.
	Profiles []string
}

// Run runs the process (through childproc.Run: stdin /dev/null, dying
// with awsenv, whatever it leaves running ended after it) and returns what
// it printed on stdout. A process that exits non-zero, prints more than
// MaxOutput or outlives the timeout is an error (ErrTimeout for the last).
func (r *Runner) Run(ctx context.Context, req Request) ([]byte, error) {
	res, err := childproc.Run(ctx, childproc.Spec{
		Argv:      req.Argv,
		Env:       nestedEnv(r.Environ, req.Profiles),
		Stderr:    r.Stderr,
		MaxStdout: MaxOutput,
		Timeout:   req.Timeout,
	})
	switch {
	case errors.Is(err, childproc.ErrTimeout):
		return nil, err
	case res.StdoutCut:
		return nil, fmt.Errorf("it printed more than %d KiB on stdout", MaxOutput>>10)
	case err != nil:
		return nil, err
	}
	return res.Stdout, nil
}

// nestedEnv is env with the loop guard's variables for one more level.
func nestedEnv(env []string, names []string) []string {
	depth, prev := 0, ""
	out := make([]string, 0, len(env)+2)
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case EnvDepth:
			depth, _ = strconv.Atoi(v)
			continue
		case EnvProfiles:
			prev = v
			continue
		}
		out = append(out, kv)
	}
	list := strings.Fields(prev)
	for _, n := range names {
		if !contains(list, n) {
			list = append(list, n)
		}
	}
	return append(out, EnvDepth+"="+strconv.Itoa(depth+1), EnvProfiles+"="+strings.Join(list, " "))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// CheckNested is the run-time loop guard: an awsenv started (directly or
// not) by a credential_process of an awsenv above refuses to get the
// credentials of a profile the runs above are getting, and refuses to nest
// deeper than MaxDepth. getenv reads this awsenv's environment.
func CheckNested(getenv func(string) string, profile string) error {
	depth, _ := strconv.Atoi(getenv(EnvDepth))
	if depth == 0 {
		return nil
	}
	above := strings.Fields(getenv(EnvProfiles))
	if contains(above, profile) {
		return &LoopError{Profile: profile, Chain: above, Runtime: true}
	}
	if depth >= MaxDepth {
		return &LoopError{Profile: profile, Chain: above, Runtime: true, Depth: depth}
	}
	return nil
}

// AwsenvTarget reports whether argv runs awsenv for a profile's
// credentials (`awsenv credential-process P`, `awsenv exec P -- ...`,
// `awsenv use P`), and which profile; self is this awsenv's executable,
// which also counts under another name.
func AwsenvTarget(argv []string, self string) (profile string, ok bool) {
	exe := argv[0]
	isAwsenv := filepath.Base(exe) == "awsenv"
	if !isAwsenv && self != "" {
		if p, err := exec.LookPath(exe); err == nil {
			if a, err := filepath.EvalSymlinks(p); err == nil {
				isAwsenv = a == self
			}
		}
	}
	if !isAwsenv {
		return "", false
	}
	sub := false
	args := argv[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return "", false
		case strings.HasPrefix(a, "-"):
			if valueFlags[strings.TrimLeft(a, "-")] {
				i++ // its value
			}
			continue
		case !sub:
			if a != "credential-process" && a != "exec" && a != "use" && a != "console" {
				return "", false
			}
			sub = true
		default:
			return a, true
		}
	}
	return "", false
}

// valueFlags are awsenv's flags that take a value as the next word.
var valueFlags = map[string]bool{"shell": true, "mfa-code": true, "duration": true, "format": true}

// LoopError is a credential_process that would get its own profile's
// credentials through awsenv again.
type LoopError struct {
	Profile string   // the profile asked for
	Process string   // the profile naming the credential_process (static check)
	Target  string   // the profile it asks awsenv for (static check)
	Chain   []string // the profiles the awsenv runs above are getting (run time)
	Runtime bool
	Depth   int // set when the run-time guard stopped a deep nesting
}

func (e *LoopError) Error() string {
	switch {
	case !e.Runtime:
		return fmt.Sprintf("profile %s: credential_process of profile %s runs awsenv for profile %s, whose credentials come from that same credential_process: a loop. "+
			"Point credential_process at the program that makes the credentials, not at awsenv for the same profile (awsenv credential-process is for other tools' profiles).",
			e.Profile, e.Process, e.Target)
	case e.Depth > 0:
		return fmt.Sprintf("profile %s: awsenv is already %d credential_process runs deep (%s above); refusing to nest deeper, in case of a loop. "+
			"Check the credential_process lines of those profiles: one of them runs awsenv again.", e.Profile, e.Depth, strings.Join(e.Chain, ", "))
	}
	return fmt.Sprintf("profile %s: this awsenv was started by a credential_process that an awsenv getting the credentials of %s runs, so it would loop. "+
		"Point the credential_process of those profiles at the program that makes the credentials, not at awsenv for the same profile.",
		e.Profile, strings.Join(e.Chain, ", "))
}

// Output is the Version 1 JSON a credential process prints.
type Output struct {
	Version         *int    `json:"Version"`
	AccessKeyID     *string `json:"AccessKeyId"`
	SecretAccessKey *string `json:"SecretAccessKey"`
	SessionToken    *string `json:"SessionToken"`
	Expiration      *string `json:"Expiration"`
	// AccountID is the optional account the AWS CLI documents
	// (credential_process output "AccountId"): hooks get it in PostUse.
	AccountID *string `json:"AccountId"`
}

// Parse reads the process's output into credentials and checks them
// (profiles.Credentials.Validate) at time now. Its errors say what is
// wrong and never quote the output (it holds the secret): not even a
// malformed Expiration, which may be the secret in the wrong field.
// Without an Expiration the credentials never expire, as for botocore.
func Parse(data []byte, now time.Time) (profiles.Credentials, error) {
	var o Output
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&o); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case len(bytes.TrimSpace(data)) == 0:
			return profiles.Credentials{}, errors.New("it printed nothing on stdout")
		case errors.Is(err, io.ErrUnexpectedEOF):
			return profiles.Credentials{}, errors.New("its output is not JSON (it ends in the middle)")
		case errors.As(err, &syn):
			return profiles.Credentials{}, fmt.Errorf("its output is not JSON (at byte %d)", syn.Offset)
		case errors.As(err, &typ):
			return profiles.Credentials{}, fmt.Errorf("in its JSON, %s is not a %s", typ.Field, jsonKind(typ.Type.String()))
		default:
			return profiles.Credentials{}, errors.New("its output is not one JSON object")
		}
	}
	if dec.More() {
		return profiles.Credentials{}, errors.New("it printed more than one JSON value")
	}
	switch {
	case o.Version == nil:
		return profiles.Credentials{}, errors.New(`its JSON has no "Version" (it must be 1)`)
	case *o.Version != 1:
		return profiles.Credentials{}, fmt.Errorf(`its JSON has "Version": %d, and the AWS CLI and awsenv read only version 1`, *o.Version)
	case o.AccessKeyID == nil || *o.AccessKeyID == "":
		return profiles.Credentials{}, errors.New(`its JSON has no "AccessKeyId"`)
	case o.SecretAccessKey == nil || *o.SecretAccessKey == "":
		return profiles.Credentials{}, errors.New(`its JSON has no "SecretAccessKey"`)
	}
	c := profiles.Credentials{AccessKeyID: *o.AccessKeyID, SecretAccessKey: profiles.Secret(*o.SecretAccessKey)}
	if o.SessionToken != nil {
		c.SessionToken = profiles.Secret(*o.SessionToken)
	}
	if o.AccountID != nil {
		c.AccountID = *o.AccountID
	}
	if o.Expiration != nil && *o.Expiration != "" {
		t, err := time.Parse(time.RFC3339, *o.Expiration)
		if err != nil {
			return profiles.Credentials{}, fmt.Errorf(`its "Expiration" (%d characters) is not an RFC 3339 time such as 2026-12-01T12:00:00Z`,
				len(*o.Expiration))
		}
		if t.IsZero() {
			// Go's zero time would read as "no expiry": an Expiration that
			// is there says the credentials do expire, so it must be a time.
			return profiles.Credentials{}, fmt.Errorf(`its "Expiration" is year 1, which is not a time credentials expire at; leave "Expiration" out for credentials that never expire`)
		}
		c.Expiration = t.UTC()
	}
	if err := c.Validate(now); err != nil {
		return profiles.Credentials{}, fmt.Errorf("its credentials: %w", err)
	}
	return c, nil
}

func jsonKind(goType string) string {
	switch goType {
	case "int":
		return "number"
	case "string":
		return "string"
	}
	return goType
}
