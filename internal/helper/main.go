package helper

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/awsenv/awsenv/plugins/childproc"
)

// OrphanWait bounds the time spent ending what providers and plugins left
// running.
const OrphanWait = 2 * time.Second

// Main is the main of both helpers, awsenv-helper and awsenv-helper-full:
// it serves awsenv's requests on stdin and stdout with h until stdin ends,
// and returns the exit code.
func Main(name string, h Handlers) int {
	// Before anything runs a program: see DropNoBus.
	DropNoBus()
	// Ctrl-C reaches the helper too (it shares awsenv's process group), but
	// awsenv decides what an interrupt stops: it kills the helper when it
	// gives up, and lets it finish when it must (a key rotation half done).
	// Caught, not ignored, so plugins started from here still get Ctrl-C.
	signal.Notify(make(chan os.Signal, 1), os.Interrupt)
	// What a provider leaves running (a plugin's background job, daemon or
	// setsid child; one of mfa_process's) becomes the helper's child when
	// its parent ends, and is ended after each provider call and here at
	// the end (Linux; see README "Processes").
	_ = childproc.BecomeSubreaper()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	err := Serve(ctx, os.Stdin, os.Stdout, h)
	stop()
	childproc.EndOrphans(OrphanWait)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v. This helper is run by awsenv; run awsenv instead.\n", name, err)
		return 2
	}
	return 0
}
