package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/awsenv/awsenv/internal/picker"
	"github.com/awsenv/awsenv/internal/picker/tui"
)

// runPicker is `awsenv-helper-full picker`: the rows come as JSON on stdin,
// the list is drawn on /dev/tty, and the chosen name goes to stdout (a
// pipe to awsenv, never the shell). It lives here so that the terminal UI
// library is linked into the helper, not into awsenv's cached path.
func runPicker(stdin io.Reader, stdout io.Writer) int {
	var rows []picker.Row
	if err := json.NewDecoder(io.LimitReader(stdin, 64<<20)).Decode(&rows); err != nil {
		fmt.Fprintf(os.Stderr, "awsenv-helper: read the profiles to pick from: %v. This helper is run by awsenv; run awsenv instead.\n", err)
		return 2
	}
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		fmt.Fprintf(os.Stderr, "awsenv-helper: open the terminal: %v. Pass the profile name instead.\n", err)
		return 2
	}
	defer tty.Close()
	name, ok, err := tui.Pick(rows, tty, tty)
	if err != nil {
		fmt.Fprintf(os.Stderr, "awsenv-helper: %v\n", err)
		return 2
	}
	if !ok {
		return picker.ExitAborted
	}
	fmt.Fprintln(stdout, name)
	return picker.ExitChosen
}
