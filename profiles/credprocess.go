package profiles

import (
	"fmt"
	"time"
)

// Limits of awsenv_credential_process_timeout: how long one run of a
// profile's credential_process may take. The default is the Go SDK's
// (processcreds.DefaultTimeout); botocore waits for ever.
const (
	DefaultCredentialProcessTimeout = time.Minute
	minCredentialProcessTimeout     = time.Second
	maxCredentialProcessTimeout     = 10 * time.Minute
)

// SplitCommand splits a credential_process value into the program and its
// arguments as the AWS CLI does on POSIX systems (botocore's
// compat_shell_split is Python's shlex.split there): no shell runs it, so
// `;`, `|`, `$VAR` and `~` are plain characters.
func SplitCommand(command string) ([]string, error) {
	words, ok := shlexSplit(command)
	switch {
	case !ok:
		return nil, fmt.Errorf("it has an unclosed quote or ends in a backslash")
	case len(words) == 0:
		return nil, fmt.Errorf("it is empty")
	}
	return words, nil
}

// HasCredentialProcess reports whether p's credentials come from its
// credential_process: it has one and no keys of its own (keys win, as the
// AWS CLI's credentials-file provider comes before its process provider).
func (p *Profile) HasCredentialProcess() bool {
	return p.CredentialProcess != "" && p.AccessKeyID == "" && p.SecretAccessKey == ""
}

// CredentialProcessFiles are the files that chose p's credential_process:
// the trust gate checks them before it runs (CredentialProcessChoice).
func (p *Profile) CredentialProcessFiles() []string {
	if f := p.CommandFrom["credential_process"]; f != "" {
		return []string{f}
	}
	return nil
}

// CredentialProcessTimeout is how long p's credential_process may run:
// awsenv_credential_process_timeout of the profile, else of the [default]
// section of awsenv's config, else a minute.
func (g *Global) CredentialProcessTimeout(p *Profile) (time.Duration, error) {
	v, ok := p.Awsenv["credential_process_timeout"]
	where, line := p.keyAt(CredentialProcessTimeout.Key)
	if !ok && g != nil {
		v, ok = g.values["credential_process_timeout"]
		where, line = g.keyAt("credential_process_timeout")
	}
	if !ok {
		return DefaultCredentialProcessTimeout, nil
	}
	return CredentialProcessTimeout.Parse(v, where, line)
}
