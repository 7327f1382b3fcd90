package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/awsenv/awsenv/internal/credflow"
	"github.com/awsenv/awsenv/internal/helper"
	"github.com/awsenv/awsenv/plugins/childproc"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/shell"
)

var serverFlag = &cli.BoolFlag{Name: "server", Usage: "hand the command no keys: serve PROFILE's credentials on a local endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI) and renew them while it runs"}

// serverHidden are the variables the command of exec --server must not
// see: keys, and everything that would make an SDK pick credentials ahead
// of the container endpoint (a profile, web identity, another endpoint).
var serverHidden = []string{
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
	"AWS_CREDENTIAL_EXPIRATION", "AWS_SESSION_EXPIRATION", "AWSENV_EXPIRES_AT",
	"AWS_PROFILE", "AWS_DEFAULT_PROFILE",
	"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
}

// retryWait is how long exec --server waits after a renewal that failed
// (or gave nothing newer) before it tries again.
var retryWait = 5 * time.Second

// execServer runs the command of `exec --server`: the helper serves the
// credentials on 127.0.0.1 (the front links no network stack), awsenv
// stays to renew them under the session lock before they expire (an MFA
// code, when one is needed, is asked on the terminal, never on the
// command's stdin, which is the command's), and the endpoint ends with the
// command, whose exit status awsenv passes on.
func execServer(c *cli.Context, d *Deps, name, path string, argv []string) error {
	sw, err := switchWith(c, d, name)
	if err != nil {
		return err
	}
	client := d.Helper()
	info, err := client.ServeCredentials(c.Context, sw.res.Credentials)
	if err != nil {
		return err
	}
	changes := sw.changes
	for _, n := range serverHidden {
		changes = append(changes, shell.Change{Name: n, Unset: true})
	}
	changes = append(changes,
		shell.Change{Name: "AWS_CONTAINER_CREDENTIALS_FULL_URI", Value: info.URL},
		shell.Change{Name: "AWS_CONTAINER_AUTHORIZATION_TOKEN", Value: info.Token})
	if err := d.flushStdout(); err != nil {
		return err
	}
	cmd := &exec.Cmd{Path: path, Args: argv}
	cmd.Env = execEnv(d.Environ(), changes)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = d.Stdin, os.Stdout, d.Stderr
	// Ctrl-C reaches the command from the terminal: awsenv lets it decide
	// and waits; a SIGTERM or SIGHUP sent to awsenv is passed on.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	// Tied to awsenv's life: without awsenv the endpoint is gone too.
	if err := childproc.Start(cmd); err != nil {
		return &userError{code: exitNoExec, msg: "cannot run " + path + ": " + err.Error() + "."}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// Renewals outlive an interrupt: the command may still be finishing.
	ctx, stop := context.WithCancel(context.WithoutCancel(c.Context))
	defer stop()
	go renewLoop(ctx, d, sw, name, client)
	for {
		select {
		case s := <-sigs:
			if s != os.Interrupt {
				cmd.Process.Signal(s)
			}
		case err := <-done:
			stop()
			d.closeHelper()
			return childExit(err)
		}
	}
}

// renewLoop renews the served credentials a little before the flow would
// stop reusing them (the profile's awsenv_refresh_margin), until ctx ends.
func renewLoop(ctx context.Context, d *Deps, sw *switched, name string, client *helper.Client) {
	f, opt := sw.flow, sw.opt
	opt.Refresh = false
	cur := sw.res.Credentials
	margin := profiles.DefaultRefreshMargin
	if sw.res.Resolved != nil {
		if s, err := f.Global.Settings(sw.res.Resolved.Profile); err == nil {
			margin = s.RefreshMargin
		}
	}
	for {
		if cur.Expiration.IsZero() {
			return // long-term keys: nothing to renew
		}
		wait := cur.Expiration.Sub(d.Now()) - margin + time.Second
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		next, err := renew(ctx, f, name, opt, cur)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			_, err = client.ServeCredentials(ctx, next)
		}
		if err == nil {
			cur = next
			continue
		}
		say(d.Stderr, "awsenv: could not renew the credentials of %s: %v. Still trying; the command keeps the old ones until %s.",
			name, err, cur.Expiration.Format(time.RFC3339))
		select {
		case <-ctx.Done():
			return
		case <-time.After(retryWait):
		}
	}
}

// renew gets the profile's credentials again, newer than cur.
func renew(ctx context.Context, f *credflow.Flow, name string, opt credflow.Options, cur profiles.Credentials) (profiles.Credentials, error) {
	res, err := f.Get(ctx, name, opt)
	if err != nil {
		return cur, err
	}
	if !res.Credentials.Expiration.After(cur.Expiration) {
		return cur, errors.New("the session cache gave back the same credentials")
	}
	return res.Credentials, nil
}

// childExit is the command's exit status as awsenv's: its code, or 128
// plus the signal that ended it, as a shell reports it.
func childExit(err error) error {
	if err == nil {
		return nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return exitStatus(128 + int(ws.Signal()))
		}
		return exitStatus(ee.ExitCode())
	}
	return &userError{code: exitNoExec, msg: "the command failed: " + err.Error() + "."}
}
