package diagnose

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Placeholders for facts awsenv does not know, in capitals so they read as
// "put yours here" in a command.
const (
	phProfile    = "PROFILE"
	phUser       = "USER"
	phAccount    = "ACCOUNT-ID"
	phKeyFile    = "~/.aws/credentials"
	phConfigFile = "~/.aws/config"
)

func or(s, placeholder string) string {
	if s == "" {
		return placeholder
	}
	return s
}

// configSection is the profile's section header in the config file.
func configSection(profile string) string {
	if profile == "default" {
		return "[default]"
	}
	return "[profile " + or(profile, phProfile) + "]"
}

// credSection is the profile's section header in the credentials file.
func credSection(profile string) string {
	return "[" + or(profile, phProfile) + "]"
}

// useCmd is the command that exports a profile's session into the shell.
func useCmd(profile string) string {
	return "`eval \"$(awsenv use " + or(profile, phProfile) + ")\"`"
}

const unsetCmd = "`eval \"$(awsenv unset)\"`"

const clockFix = "`sudo timedatectl set-ntp true` or `sudo ntpdate pool.ntp.org`"

// skewWords says how far the local clock is from AWS's: "7m12s behind AWS".
// skew is server time minus local time.
func skewWords(skew time.Duration) string {
	dir := "behind"
	if skew < 0 {
		dir, skew = "ahead of", -skew
	}
	return humanDuration(skew) + " " + dir + " AWS"
}

func humanDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d >= 48*time.Hour {
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	}
	d = d.Round(time.Second)
	if d >= time.Hour {
		return fmt.Sprintf("%dh%02dm%02ds", int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second))
	}
	return d.String()
}

func date(t time.Time) string { return t.UTC().Format("2006-01-02") }

// dateAge is "2026-03-01 (12 days ago)", or the date alone without a clock.
func dateAge(t, now time.Time) string {
	if now.IsZero() || now.Before(t) {
		return date(t)
	}
	days := int(now.Sub(t) / (24 * time.Hour))
	switch days {
	case 0:
		return date(t) + " (today)"
	case 1:
		return date(t) + " (1 day ago)"
	}
	return fmt.Sprintf("%s (%d days ago)", date(t), days)
}

// statement is one IAM policy statement, fields in the order AWS shows them.
type statement struct {
	Effect    string                       `json:"Effect"`
	Principal map[string]string            `json:"Principal,omitempty"`
	Action    string                       `json:"Action"`
	Resource  string                       `json:"Resource,omitempty"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

func (s statement) String() string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a struct of strings always encodes
	return strings.TrimRight(b.String(), "\n")
}

// compact is the statement as a one-line policy document, for a command line.
func (s statement) document() string {
	b, _ := json.Marshal(struct {
		Version   string      `json:"Version"`
		Statement []statement `json:"Statement"`
	}{"2012-10-17", []statement{s}})
	return string(b)
}

// isLongTermKey is an IAM user's access key id (AKIA...).
func isLongTermKey(id string) bool { return strings.HasPrefix(id, "AKIA") }

// isSessionKey is a temporary access key id from STS (ASIA...).
func isSessionKey(id string) bool { return strings.HasPrefix(id, "ASIA") }
