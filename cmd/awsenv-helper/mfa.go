package main

import (
	"context"
	"io"
	"time"

	"github.com/awsenv/awsenv/internal/helper"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/builtin/op"
	"github.com/awsenv/awsenv/plugins/builtin/process"
	"github.com/awsenv/awsenv/plugins/builtin/prompt"
	"github.com/awsenv/awsenv/plugins/builtin/ykman"
)

// defaultCallTimeout bounds one code request: a person may be touching a
// key or approving a request on their phone.
const defaultCallTimeout = 2 * time.Minute

// builtin returns the provider built into awsenv under name.
func builtin(name string, stderr io.Writer) (plugins.Provider, bool) {
	switch name {
	case "prompt":
		return prompt.New(), true
	case "process":
		return &process.Provider{Stderr: stderr}, true
	case "ykman":
		return &ykman.Provider{Stderr: stderr}, true
	case "op":
		return &op.Provider{Stderr: stderr}, true
	}
	return nil, false
}

// mfaCode answers a code request from awsenv.
func mfaCode(stderr io.Writer) helper.MFAFunc {
	return func(ctx context.Context, in helper.MFAInput) (string, error) {
		p, ok := builtin(in.Provider, stderr)
		if !ok {
			return "", &plugins.Error{Provider: in.Provider, Problem: "no such MFA provider",
				Fix: "Set awsenv_mfa_provider to prompt, ykman, op or process, or pass --mfa-code CODE."}
		}
		timeout := in.Timeout
		if timeout <= 0 {
			timeout = defaultCallTimeout
		}
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		return p.Code(ctx, in.Request)
	}
}
