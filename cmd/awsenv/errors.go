package main

import (
	"errors"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/credflow"
	"github.com/awsenv/awsenv/internal/credproc"
	"github.com/awsenv/awsenv/internal/helper"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/sessions"
)

// classify maps the packages' typed errors to exit codes.
func classify(err error) int {
	var (
		nameErr   *profiles.NameError
		profErr   *profiles.ProfileError
		fileErr   *profiles.FileError
		setErr    *profiles.SettingError
		unsafeErr *sessions.UnsafeError
		cmdErr    *profiles.ChoiceFileError
		regionErr *profiles.RegionError
		mfaErr    *plugins.Error
		callErr   *credflow.CallError
		apiErr    *awsapi.APIError
		transErr  *awsapi.TransportError
		loginErr  *credflow.LoginError
		ssoErr    *credflow.SSOCallError
		credErr   *credflow.CredentialsError
		secErr    *helper.SecretError
		keyErr    *sessions.KeyError
	)
	if code := hookExit(err); code != 0 {
		return code
	}
	if code := processExit(err); code != 0 {
		return code
	}
	switch {
	case errors.As(err, &secErr):
		// No such item is a config problem (the index names a key the
		// store lacks); the rest is the store's.
		if secErr.NotFound() {
			return exitConfig
		}
		return exitKeyring
	case errors.As(err, &keyErr):
		return exitKeyring
	case errors.As(err, &nameErr):
		return exitUsage
	case errors.As(err, &profErr), errors.As(err, &fileErr), errors.As(err, &setErr), errors.As(err, &unsafeErr),
		errors.As(err, &cmdErr), errors.As(err, &regionErr):
		return exitConfig
	case errors.As(err, &mfaErr):
		return exitMFA
	case errors.As(err, &loginErr):
		// No sign-in could be had: none may start here, or it expired or
		// was denied. AWS failing to answer is AWS's.
		if errors.Is(err, credflow.ErrNeedsLogin) || errors.Is(err, awsapi.ErrExpired) || errors.Is(err, awsapi.ErrDenied) ||
			errors.Is(err, awsapi.ErrUnauthorized) || errors.Is(err, awsapi.ErrBadCallback) {
			return exitMFA
		}
		return exitAWS
	case errors.As(err, &ssoErr):
		return exitAWS
	case errors.As(err, &callErr), errors.As(err, &apiErr), errors.As(err, &transErr), errors.As(err, &credErr):
		// credErr: what answered for AWS gave no usable credentials.
		return exitAWS
	}
	return exitError
}

// processExit is the exit code of a credential_process failure: a loop is
// a config problem, a process that gave nothing usable fails like a
// credential-source plugin; 0 for other errors.
func processExit(err error) int {
	var loop *credproc.LoopError
	var pe *credflow.ProcessError
	switch {
	case errors.As(err, &loop):
		return exitConfig
	case errors.As(err, &pe):
		return exitPlugin
	}
	return 0
}
