package credflow

import (
	"context"
	"errors"
	"fmt"

	"github.com/awsenv/awsenv/internal/credproc"
	"github.com/awsenv/awsenv/profiles"
)

// ProcessSource runs the credential_process of profiles whose credentials
// come from one (profiles.Profile.HasCredentialProcess). Long-term keys
// from it go through GetSessionToken (with MFA when the profile has
// mfa_serial) and the session cache, as keys from the file do; temporary
// ones are used as they are, like the session credentials of a file, and
// never cached. Flow.Gate checks the file naming the command first.
type ProcessSource struct {
	// Run runs one credential process (credproc.Runner.Run).
	Run func(ctx context.Context, req credproc.Request) ([]byte, error)
	// Self is this awsenv's executable, to tell a process that runs awsenv.
	Self string
	// Asking is the profile the run asks credentials for, passed on to the
	// process for the run-time loop guard (credproc.CheckNested).
	Asking string
}

// processCredentials runs p's credential_process and reads its answer.
func (f *Flow) processCredentials(ctx context.Context, p *profiles.Profile) (profiles.Credentials, error) {
	src := f.Processes
	fail := func(err error, fix string) (profiles.Credentials, error) {
		return profiles.Credentials{}, &ProcessError{Profile: p.Name, File: p.CommandFrom["credential_process"], Err: err, Fix: fix}
	}
	if src == nil || src.Run == nil {
		return fail(errors.New("credential processes cannot be run here"), "Use the profile with awsenv use, exec or credential-process.")
	}
	argv, err := profiles.SplitCommand(p.CredentialProcess)
	if err != nil {
		return profiles.Credentials{}, &profiles.ProfileError{Profile: p.Name, File: p.CommandFrom["credential_process"],
			Problem: fmt.Sprintf("its credential_process cannot be split into words: %v", err),
			Fix:     "Write the command as for a shell, without shell syntax: the AWS CLI splits it into words and runs it without a shell."}
	}
	// A command is about to run: the file that chose it must be one only
	// you (or root) could have written.
	if err := f.Gate.Check(p.CredentialProcessChoice()); err != nil {
		return profiles.Credentials{}, err
	}
	if err := f.processLoop(p, argv, src.Self); err != nil {
		return profiles.Credentials{}, err
	}
	timeout, err := f.Global.CredentialProcessTimeout(p)
	if err != nil {
		return profiles.Credentials{}, err
	}
	if f.Blocking != nil {
		f.Blocking()
	}
	names := []string{p.Name}
	if src.Asking != "" && src.Asking != p.Name {
		names = append([]string{src.Asking}, names...)
	}
	f.Debugf("running the credential_process of %s (%s, timeout %s)", p.Name, argv[0], timeout)
	out, err := src.Run(ctx, credproc.Request{Argv: argv, Timeout: timeout, Profiles: names})
	if err != nil {
		if ctx.Err() != nil {
			return profiles.Credentials{}, ctx.Err()
		}
		if errors.Is(err, credproc.ErrTimeout) {
			return fail(err, "Make the process answer sooner (it must not wait for input: its stdin is /dev/null), or raise awsenv_credential_process_timeout (e.g. 2m).")
		}
		return fail(err, "Run the credential_process command by hand to see why; it must exit 0 and print the Version 1 JSON on stdout.")
	}
	creds, err := credproc.Parse(out, f.Now())
	if err != nil {
		return fail(err, `Make it print {"Version": 1, "AccessKeyId": ..., "SecretAccessKey": ..., "SessionToken": ..., "Expiration": RFC 3339} on stdout, and nothing else there.`)
	}
	return creds, nil
}

// processLoop is the static loop check: p's credential_process runs awsenv
// for a profile whose credentials come through p's own process.
func (f *Flow) processLoop(p *profiles.Profile, argv []string, self string) error {
	target, ok := credproc.AwsenvTarget(argv, self)
	if !ok {
		return nil
	}
	loop := target == p.Name
	if !loop {
		if r, err := f.Config.Resolve(target); err == nil {
			for x := r; x != nil; x = x.Source {
				loop = loop || x.Profile.Name == p.Name
			}
		}
	}
	if loop {
		asking := p.Name
		if f.Processes.Asking != "" {
			asking = f.Processes.Asking
		}
		return &credproc.LoopError{Profile: asking, Process: p.Name, Target: target}
	}
	return nil
}

// ProcessError is a credential_process that gave no usable credentials.
// It never quotes the command's output, which holds the secret.
type ProcessError struct {
	Profile string
	File    string
	Err     error
	Fix     string
}

func (e *ProcessError) Error() string {
	where := ""
	if e.File != "" {
		where = " (in " + e.File + ")"
	}
	return fmt.Sprintf("profile %s: credential_process%s: %v. %s", e.Profile, where, e.Err, e.Fix)
}

func (e *ProcessError) Unwrap() error { return e.Err }

// baseSource names where p's base credentials come from, for debug lines.
func baseSource(p *profiles.Profile) string {
	if name, _ := p.CredentialPlugin(); name != "" {
		return "credential source " + name
	}
	if p.HasCredentialProcess() {
		return "the credential_process"
	}
	return "the keys"
}
