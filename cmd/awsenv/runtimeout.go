package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/awsenv/awsenv/profiles"
)

// timeoutFlag bounds a whole run: the shell hooks' renewal before a
// prompt passes it, so that no network, lock or plugin holds the prompt
// longer than that.
var timeoutFlag = &cli.StringFlag{Name: "timeout", Usage: "give up after `DURATION` in all (5s, 2m, or seconds), nothing changed; the shell hooks' renewal uses 5s"}

// withTimeout bounds c's run by --timeout, if given: c.Context ends then,
// which ends every wait of the run (the helper and its AWS calls, the
// plugins it runs, a session lock). The returned function ends the
// deadline; call it when the run is over.
func withTimeout(c *cli.Context) (time.Duration, context.CancelFunc, error) {
	v := c.String("timeout")
	if v == "" {
		return 0, func() {}, nil
	}
	limit, err := profiles.ParseDuration(v)
	if err != nil || limit <= 0 {
		return 0, nil, usageErrorf("--timeout %q is not a duration. Write it like 5s, 2m or 30 (seconds).", v)
	}
	ctx, cancel := context.WithTimeout(c.Context, limit)
	c.Context = ctx
	return limit, cancel, nil
}

// timedOut is err, or the plain statement that the run met --timeout when
// it did (what failed then is only that it was cut short).
func timedOut(c *cli.Context, limit time.Duration, err error) error {
	if err == nil || limit == 0 || !errors.Is(c.Context.Err(), context.DeadlineExceeded) {
		return err
	}
	return &userError{code: exitError, msg: fmt.Sprintf("%s did not finish within --timeout %s, so it stopped and changed nothing. Run `awsenv %s` without --timeout (and with --debug) to see what it waits on.",
		c.Command.Name, limit, c.Command.Name)}
}
