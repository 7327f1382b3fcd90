package main

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/urfave/cli/v2"
)

// processOutput is the JSON that credential_process in ~/.aws/config expects.
type processOutput struct {
	Version         int    `json:"Version"`
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	SessionToken    string `json:"SessionToken,omitempty"`
	Expiration      string `json:"Expiration,omitempty"`
}

// credentialProcessMinLeft is how long credentials handed to an SDK must
// still last. botocore (the aws CLI, boto3) runs the process again on every
// call once its credentials have less than 15 minutes left; renewing below
// 20 keeps it at one run per session. SDKs that refresh later (the Go SDK
// at expiry, the JavaScript SDK 5 minutes and the Java SDK 15 seconds
// before) are served by the same rule.
const credentialProcessMinLeft = 20 * time.Minute

func newCredentialProcessCommand(d *Deps) *cli.Command {
	return &cli.Command{
		Name:      "credential-process",
		Usage:     "print PROFILE's credentials as the JSON credential_process expects",
		ArgsUsage: "PROFILE",
		Description: `Lets SDKs and tools use awsenv's cached sessions directly:
   [profile prod-tools]
   credential_process = awsenv credential-process prod`,
		Flags: credentialFlags(),
		Action: func(c *cli.Context) error {
			name, err := profileArg(c)
			if err != nil {
				return err
			}
			opt, err := credentialOptions(c)
			if err != nil {
				return err
			}
			opt.MinLeft = credentialProcessMinLeft
			res, err := getCredentialsWith(c, d, name, opt)
			if err != nil {
				return err
			}
			cr := res.Credentials
			out := processOutput{Version: 1, AccessKeyID: cr.AccessKeyID,
				SecretAccessKey: cr.SecretAccessKey.Reveal(), SessionToken: cr.SessionToken.Reveal()}
			if !cr.Expiration.IsZero() {
				out.Expiration = cr.Expiration.UTC().Format(time.RFC3339)
			}
			_, err = d.Stdout.Write(append(out.appendJSON(nil), '\n'))
			return err
		},
	}
}

// appendJSON appends o as json.Marshal writes it, without its reflection
// (a tenth of a cached run). TestProcessOutputAsJSON holds it to
// json.Marshal.
func (o processOutput) appendJSON(b []byte) []byte {
	b = append(b, `{"Version":`...)
	b = strconv.AppendInt(b, int64(o.Version), 10)
	b = append(b, `,"AccessKeyId":`...)
	b = appendJSONString(b, o.AccessKeyID)
	b = append(b, `,"SecretAccessKey":`...)
	b = appendJSONString(b, o.SecretAccessKey)
	if o.SessionToken != "" {
		b = append(b, `,"SessionToken":`...)
		b = appendJSONString(b, o.SessionToken)
	}
	if o.Expiration != "" {
		b = append(b, `,"Expiration":`...)
		b = appendJSONString(b, o.Expiration)
	}
	return append(b, '}')
}

// appendJSONString appends s quoted as encoding/json quotes a string: HTML
// characters, controls, U+2028 and U+2029 escaped, invalid UTF-8 as
// U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c == '\b':
				b = append(b, '\\', 'b')
			case c == '\f':
				b = append(b, '\\', 'f')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
