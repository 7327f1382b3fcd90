package main

import (
	"fmt"
	"io"

	"github.com/awsenv/awsenv/plugins/termsafe"
)

// say writes one line of awsenv's to w (stderr): "awsenv: " and the text
// made safe with termsafe.Clean, since what it quotes (errors, answers of
// servers and plugins, values from the environment) comes from outside.
func say(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "awsenv: %s\n", termsafe.Clean(fmt.Sprintf(format, args...), termsafe.MaxMessage))
}
