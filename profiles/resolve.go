package profiles

import (
	"fmt"
	"strings"
)

// Kind says where a profile's credentials come from.
type Kind string

const (
	// KindUser has long-term keys (AKIA...) of an IAM user.
	KindUser Kind = "user"
	// KindSession already holds temporary credentials in the file.
	KindSession Kind = "session"
	// KindRole assumes role_arn with the credentials of its source.
	KindRole Kind = "role"
)

// Resolved is a profile with its source chain worked out: a role's Source
// is the profile whose credentials assume it, down to a profile with keys.
type Resolved struct {
	Profile *Profile
	Kind    Kind
	Source  *Resolved // set for KindRole
}

// Base is the profile at the end of the chain, the one holding keys.
func (r *Resolved) Base() *Resolved {
	for r.Source != nil {
		r = r.Source
	}
	return r
}

// Region is the profile's own region, else the nearest one down its chain.
func (r *Resolved) Region() string {
	for x := r; x != nil; x = x.Source {
		if x.Profile.Region != "" {
			return x.Profile.Region
		}
	}
	return ""
}

// MFASerial is the MFA device to use for this profile: its own mfa_serial
// (the AWS CLI puts it on role profiles), else its source's.
func (r *Resolved) MFASerial() string {
	for x := r; x != nil; x = x.Source {
		if x.Profile.MFASerial != "" {
			return x.Profile.MFASerial
		}
	}
	return ""
}

// Resolve follows source_profile links from name down to keys.
func (c *Config) Resolve(name string) (*Resolved, error) {
	return c.resolve(name, nil)
}

func (c *Config) resolve(name string, seen []string) (*Resolved, error) {
	p, err := c.Get(name)
	if err != nil {
		if len(seen) > 0 {
			parent := c.profiles[seen[len(seen)-1]]
			return nil, &ProfileError{Profile: parent.Name, File: parent.Where(),
				Problem: fmt.Sprintf("source_profile %q does not exist", name),
				Fix:     fmt.Sprintf("Point source_profile at a profile that exists, or add [profile %s].", name)}
		}
		return nil, err
	}
	for i, s := range seen {
		if s == name {
			loop := append(append([]string{}, seen[i:]...), name)
			return nil, &ProfileError{Profile: seen[0], File: p.Where(),
				Problem: "source_profile loop: " + strings.Join(loop, " -> "),
				Fix:     "Make the last source_profile in the chain name a profile with aws_access_key_id."}
		}
	}
	if p.DurationSeconds < 0 {
		return nil, &ProfileError{Profile: name, File: p.Where(), Problem: "duration_seconds is not a positive whole number of seconds",
			Fix: "Set duration_seconds to a number such as 3600."}
	}

	if p.RoleARN != "" {
		switch {
		case p.SourceProfile == name && p.AccessKeyID != "":
			// The AWS CLI allows a profile to be its own source when it
			// holds the keys too.
			base, err := c.keys(p)
			if err != nil {
				return nil, err
			}
			return &Resolved{Profile: p, Kind: KindRole, Source: base}, nil
		case p.SourceProfile != "":
			src, err := c.resolve(p.SourceProfile, append(seen, name))
			if err != nil {
				return nil, err
			}
			return &Resolved{Profile: p, Kind: KindRole, Source: src}, nil
		case p.CredentialSource != "":
			return nil, &ProfileError{Profile: name, File: p.Where(),
				Problem: fmt.Sprintf("credential_source = %s is not supported by awsenv", p.CredentialSource),
				Fix:     "Use source_profile with a profile that has keys instead."}
		default:
			return nil, &ProfileError{Profile: name, File: p.Where(),
				Problem: "role_arn without source_profile",
				Fix:     "Add source_profile = NAME, naming the profile whose keys assume this role."}
		}
	}
	return c.keys(p)
}

func (c *Config) keys(p *Profile) (*Resolved, error) {
	switch {
	case p.AccessKeyID != "" && p.SecretAccessKey == "":
		return nil, &ProfileError{Profile: p.Name, File: p.KeyFile(),
			Problem: "aws_access_key_id without aws_secret_access_key",
			Fix:     "Add the key's aws_secret_access_key; if it is lost, create a new access key in IAM."}
	case p.AccessKeyID == "" && p.SecretAccessKey != "":
		return nil, &ProfileError{Profile: p.Name, File: p.KeyFile(),
			Problem: "aws_secret_access_key without aws_access_key_id",
			Fix:     "Add the key's aws_access_key_id (AKIA...)."}
	case p.AccessKeyID != "" && p.SessionToken != "":
		return &Resolved{Profile: p, Kind: KindSession}, nil
	case strings.HasPrefix(p.AccessKeyID, "ASIA"):
		// AWS would answer "The security token included in the request is
		// invalid" (or, from S3, InvalidAccessKeyId): say what is missing.
		return nil, &ProfileError{Profile: p.Name, File: p.KeyFile(),
			Problem: fmt.Sprintf("aws_access_key_id %s is a temporary key (ASIA...) without its aws_session_token", p.AccessKeyID),
			Fix:     "Add the aws_session_token that came with it, or better, put the user's long-term key (AKIA...) there and let awsenv make the sessions."}
	case p.AccessKeyID != "":
		return &Resolved{Profile: p, Kind: KindUser}, nil
	case p.SSO:
		return nil, &ProfileError{Profile: p.Name, File: p.Where(),
			Problem: "IAM Identity Center (SSO) profiles are not supported by awsenv",
			Fix:     fmt.Sprintf("Use `aws sso login --profile %s` and AWS_PROFILE for this one.", p.Name)}
	case p.CredentialProcess != "":
		return nil, &ProfileError{Profile: p.Name, File: p.Where(),
			Problem: "credentials come from credential_process, which awsenv does not run",
			Fix:     "Give awsenv a profile with aws_access_key_id, or a role profile whose source_profile has one."}
	default:
		return nil, &ProfileError{Profile: p.Name, File: p.Where(),
			Problem: "no credentials: neither aws_access_key_id nor role_arn",
			Fix: fmt.Sprintf("Add aws_access_key_id and aws_secret_access_key under [%s] in %s, or role_arn and source_profile in %s.",
				p.Name, c.Files.Credentials, c.Files.Config)}
	}
}
