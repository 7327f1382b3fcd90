package profiles

import (
	"fmt"
	"strings"
)

// ValidRegion reports whether name can be a region: botocore's rule
// (validate_region_name), a DNS host label of letters, digits and hyphens,
// at most 63, neither starting nor ending with a hyphen, not all digits.
// It takes every AWS region (us-east-1, us-gov-west-1, cn-north-1,
// il-central-1, us-isob-east-1, eu-isoe-west-1) and the made-up names of
// local stand-ins, and refuses what the AWS CLI refuses before any call,
// such as "us-east-1 # prod": an inline comment kept in the value.
func ValidRegion(name string) bool {
	if name == "" || len(name) > 63 || name[0] == '-' || name[len(name)-1] == '-' {
		return false
	}
	digits := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case '0' <= c && c <= '9':
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == '-':
			digits = false
		default:
			return false
		}
	}
	return !digits
}

// RegionError is a region setting (region, sso_region, AWS_REGION,
// AWS_DEFAULT_REGION) that is no region: refused before any call, which
// would otherwise fail as if the network were down.
type RegionError struct {
	Key   string // "region", "sso_region", "AWS_REGION", "AWS_DEFAULT_REGION"
	Value string
	// Where it is written: "[profile prod] in FILE, line 3"; empty for a
	// variable of the environment.
	Where string
}

func (e *RegionError) Error() string {
	where := "in the environment"
	if e.Where != "" {
		where = "in " + e.Where
	}
	msg := fmt.Sprintf("%s %s %s is not a region name", e.Key, shown(e.Value), where)
	region, comment, ok := inlineComment(e.Value)
	switch {
	case ok && e.Where != "":
		return fmt.Sprintf("%s: the AWS CLI, like awsenv, keeps an inline comment (%s) as part of the value. Move the comment to a line of its own, starting with #, and leave %s = %s.",
			msg, shown(comment), e.Key, region)
	case ok:
		return fmt.Sprintf("%s: it holds %s after the region. Set it to the region alone: export %s=%s (or unset it).", msg, shown(comment), e.Key, region)
	case e.Where != "":
		return fmt.Sprintf("%s (region names are letters, digits and hyphens, such as us-east-1 or eu-central-2). Set %s to one.", msg, e.Key)
	}
	return fmt.Sprintf("%s (region names are letters, digits and hyphens, such as us-east-1 or eu-central-2). Set it to one (export %s=us-east-1) or unset it.", msg, e.Key)
}

// inlineComment splits "us-east-1 # prod" into the region and the
// comment, when the value is a valid region followed by one.
func inlineComment(v string) (region, comment string, ok bool) {
	i := strings.IndexAny(v, "#;")
	if i <= 0 {
		return "", "", false
	}
	region = strings.TrimRight(v[:i], " \t")
	if !ValidRegion(region) {
		return "", "", false
	}
	return region, v[len(region):], true
}

// CheckRegion refuses value of key (a region setting) if it is set and no
// region; where names the file, section and line, empty for a variable of
// the environment.
func CheckRegion(key, value, where string) error {
	if value == "" || ValidRegion(value) {
		return nil
	}
	return &RegionError{Key: key, Value: value, Where: where}
}

// checkRegion refuses the region r would use (Resolved.Region), naming
// the profile, file and line that hold it.
func (c *Config) checkRegion(r *Resolved) error {
	for x := r; x != nil; x = x.Source {
		p := x.Profile
		if p.Region == "" {
			continue
		}
		if ValidRegion(p.Region) {
			return nil
		}
		return CheckRegion("region", p.Region, c.keyWhere(p, "region"))
	}
	return nil
}

// keyWhere names where p's key is written, for messages: "[profile p] in
// FILE, line N" (the credentials file's key wins, as in keyValues).
func (c *Config) keyWhere(p *Profile, key string) string {
	cfg, creds := c.sectionKeys(c.index[p.Name])
	section := "[profile " + p.Name + "]"
	if p.Name == "default" {
		section = "[default]"
	}
	where := ""
	for _, k := range cfg {
		if k.Name == key {
			where = fmt.Sprintf("%s in %s, line %d", section, c.Files.Config, k.Line)
		}
	}
	for _, k := range creds {
		if k.Name == key {
			where = fmt.Sprintf("[%s] in %s, line %d", p.Name, c.Files.Credentials, k.Line)
		}
	}
	if where == "" {
		where = fmt.Sprintf("%s in %s", section, p.Where())
	}
	return where
}
