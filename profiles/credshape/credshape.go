// Package credshape holds the shapes AWS gives credential values: the one
// definition that the credential check (profiles.Credentials.Validate),
// the plugin host's check of a credential source's answer and the
// credentials writer share. It imports nothing of awsenv's, so every
// package may use it.
package credshape

import "strings"

// MaxSecret is the longest secret or session token awsenv takes: session
// tokens are a few KiB.
const MaxSecret = 64 << 10

// KeyID reports whether id is an access key id as AWS issues them:
// upper-case letters and digits (AKIA..., ASIA...), 16 to 128 of them.
func KeyID(id string) bool {
	return inAlphabet(id, 16, 128, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
}

// SecretText reports whether s is non-empty visible ASCII within
// MaxSecret: AWS secrets and tokens are base64 and a few more signs, and
// nothing a shell, a file format or a terminal would read as more than a
// value.
func SecretText(s string) bool {
	if s == "" || len(s) > MaxSecret {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// AccountID reports whether id is an AWS account id: 12 digits.
func AccountID(id string) bool { return inAlphabet(id, 12, 12, "0123456789") }

// MaxARN is the longest ARN awsenv takes: IAM's are at most 2,048.
const MaxARN = 2048

// ARN reports whether arn is text safe to hand to hooks and to show:
// visible ASCII within MaxARN. Its shape is awsapi.ParseARN's to judge.
func ARN(arn string) bool { return len(arn) <= MaxARN && SecretText(arn) }

// LongTermSecret reports whether s is a secret access key as IAM issues
// them with a new key: 16 to 128 characters of base64.
func LongTermSecret(s string) bool {
	return inAlphabet(s, 16, 128, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+=")
}

func inAlphabet(s string, least, most int, alphabet string) bool {
	if len(s) < least || len(s) > most {
		return false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(alphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}
