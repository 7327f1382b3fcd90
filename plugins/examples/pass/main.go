// Command awsenv-plugin-pass is an awsenv credential source: a profile's
// long-term AWS keys live in pass (the standard Unix password manager,
// passwordstore.org), encrypted with gpg, instead of in plain text in
// ~/.aws/credentials.
//
// The pass entry holds the secret access key on its first line (pass's
// convention for the password) and the access key ID on a line of its own:
//
//	wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
//	aws_access_key_id: AKIAIOSFODNN7EXAMPLE
//
// Profile options (in ~/.aws/config):
//
//	awsenv_credential_source       = pass
//	awsenv_credential_source_entry = aws/alice
//	awsenv_credential_source_pass  = /usr/bin/pass   (optional; default: pass on PATH)
//
// The secret goes from pass's stdout to awsenv and nowhere else: it is
// never printed, logged or put in an error.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/rpc"
)

type pass struct{}

func (pass) GetCredentials(ctx context.Context, req plugins.CredentialsRequest) (plugins.CredentialsResponse, error) {
	entry := strings.TrimSpace(req.Options["entry"])
	if entry == "" {
		return plugins.CredentialsResponse{}, &plugins.Error{Problem: "no pass entry is set for profile " + req.Profile,
			Fix: "Add to the profile: awsenv_credential_source_entry = NAME (the name `pass ls` shows, e.g. aws/" +
				req.Profile + ")."}
	}
	if strings.HasPrefix(entry, "-") {
		return plugins.CredentialsResponse{}, &plugins.Error{Problem: "the pass entry " + entry + " starts with -",
			Fix: "Name the entry as `pass ls` shows it."}
	}
	tool := req.Options["pass"]
	if tool == "" {
		tool = "pass"
	}
	out, err := show(ctx, tool, entry)
	if err != nil {
		var ee *exec.Error
		if errors.As(err, &ee) || errors.Is(err, fs.ErrNotExist) {
			return plugins.CredentialsResponse{}, &plugins.Error{Problem: "cannot run " + tool, Err: err,
				Fix: "Install pass (apt install pass, brew install pass), or set awsenv_credential_source_pass to its path."}
		}
		return plugins.CredentialsResponse{}, &plugins.Error{Problem: "pass show " + entry + " failed", Err: err,
			Fix: "Run `pass show " + entry + "` to see why (its message is above)."}
	}
	creds, problem := parse(out)
	if problem != "" {
		return plugins.CredentialsResponse{}, &plugins.Error{Problem: "the pass entry " + entry + " " + problem,
			Fix: "Edit it with `pass edit " + entry + "`: the secret access key on the first line, " +
				"then a line `aws_access_key_id: AKIA...`."}
	}
	return creds, nil
}

// show runs `pass show ENTRY` and returns its stdout, the decrypted entry.
// Its stderr (gpg's and pass's messages, never the secret) reaches the
// person; it is killed when awsenv gives up on the call.
func show(ctx context.Context, tool, entry string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, tool, "show", entry)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %w", tool, err) // never the output: it holds the secret
	}
	return out.Bytes(), nil
}

// parse reads an entry: the secret on the first line, the key ID on a line
// "aws_access_key_id: ID" (or "aws_access_key_id = ID", as in
// ~/.aws/credentials). The problem it reports never quotes the entry.
func parse(entry []byte) (plugins.CredentialsResponse, string) {
	var c plugins.CredentialsResponse
	sc := bufio.NewScanner(bytes.NewReader(entry))
	first := true
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if first {
			c.SecretAccessKey, first = line, false
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			key, value, ok = strings.Cut(line, "=")
		}
		if ok && strings.EqualFold(strings.TrimSpace(key), "aws_access_key_id") {
			c.AccessKeyID = strings.TrimSpace(value)
		}
	}
	switch {
	case c.SecretAccessKey == "":
		return c, "has no secret access key on its first line"
	case c.AccessKeyID == "":
		return c, "has no line aws_access_key_id: ..."
	}
	return c, ""
}

func main() { rpc.ServeAll(rpc.Services{Credentials: pass{}}) }
