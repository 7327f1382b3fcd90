// Command awsenv-helper is awsenv's helper: it reads one JSON request on
// stdin, makes the call with the AWS SDK and writes the answer on stdout.
// awsenv runs it only when it needs a new session, so the SDK's start-up
// cost is paid only then. It is not meant to be run by hand.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/awsenv/awsenv/internal/helper"
	"github.com/awsenv/awsenv/internal/stsclient"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	err := helper.Serve(ctx, os.Stdin, os.Stdout, stsclient.Client{})
	cancel()
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "awsenv-helper: %v. This helper is run by awsenv; run awsenv instead.\n", err)
		os.Exit(2)
	}
}
