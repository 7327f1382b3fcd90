package secretstore

import (
	"errors"
	"fmt"
	"io"

	"golang.org/x/term"
)

// PassphraseEnv names the variable the file backend's passphrase may come
// from when there is no terminal (CI, scripts). It is read by
// awsenv-helper and taken out of its environment at once, so no program
// the helper runs inherits it.
const PassphraseEnv = "AWSENV_KEYRING_PASSPHRASE"

// TTY is a terminal to ask on: the controlling terminal, opened by the
// caller (awsenv-helper's stdin and stdout are its pipe to awsenv).
type TTY interface {
	io.ReadWriter
	Fd() uintptr
}

// AskPassphrase asks for a passphrase on tty without echo.
func AskPassphrase(tty TTY, prompt string) (string, error) {
	if tty == nil {
		return "", &Error{Kind: KindNoPassphrase, Backend: File, Op: "unlock",
			Fix: "Run the command in a terminal, or set " + PassphraseEnv}
	}
	fmt.Fprintf(tty, "%s: ", prompt)
	b, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(tty)
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = errors.New("no answer")
		}
		return "", &Error{Kind: KindNoPassphrase, Backend: File, Op: "unlock", Err: err,
			Fix: "Type the passphrase on the terminal, or set " + PassphraseEnv}
	}
	return string(b), nil
}
