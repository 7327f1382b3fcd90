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
//
// Each profile of a Config is resolved once and remembered, without
// recursion: resolving every profile (as `awsenv list` does) costs time in
// proportion to the number of profiles, however long the chains.
func (c *Config) Resolve(name string) (*Resolved, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if res, ok := c.resolved[name]; ok {
		return res.outcome(name)
	}
	if _, err := c.getLocked(name); err != nil {
		return nil, err
	}
	if c.resolved == nil {
		c.resolved = map[string]*resolution{}
	}
	// Walk down the chain until a profile whose result is known or can be
	// worked out on its own; then fill in the results back up the path.
	var path []*Profile
	onPath := map[string]int{}
	cur := name
	var res *resolution
	for res == nil {
		if known, ok := c.resolved[cur]; ok {
			res = known
			break
		}
		p, err := c.getLocked(cur)
		if err != nil {
			// cur is the source_profile of the last profile on the path.
			parent := path[len(path)-1]
			path = path[:len(path)-1]
			res = &resolution{err: &ProfileError{Profile: parent.Name, File: parent.Where(),
				Problem: fmt.Sprintf("source_profile %q does not exist", cur),
				Fix:     fmt.Sprintf("Point source_profile at a profile that exists, or add [profile %s].", cur)}}
			c.resolved[parent.Name] = res
			break
		}
		if i, ok := onPath[cur]; ok {
			// A loop: path[i:] is its profiles, each of which gets the
			// loop as seen from itself; those before it lead into it.
			loop := path[i:]
			for j, q := range loop {
				c.resolved[q.Name] = &resolution{loopEntry: q, loop: loopText(loop, j)}
			}
			res = c.resolved[cur]
			path = path[:i]
			break
		}
		next, local := c.step(p)
		if next == "" {
			res = local
			c.resolved[cur] = res
			break
		}
		onPath[cur] = len(path)
		path = append(path, p)
		cur = next
	}
	for j := len(path) - 1; j >= 0; j-- {
		if res.err == nil && res.loop == "" {
			res = &resolution{r: &Resolved{Profile: path[j], Kind: KindRole, Source: res.r}}
		}
		c.resolved[path[j].Name] = res
	}
	return c.resolved[name].outcome(name)
}

// resolution is what resolving one profile gave.
type resolution struct {
	r   *Resolved
	err error
	// A source_profile loop: the error names the profile Resolve was
	// asked for, so it is made for each caller.
	loopEntry *Profile // the first profile of the loop the chain reaches
	loop      string   // "b -> c -> b", from loopEntry
}

func (res *resolution) outcome(name string) (*Resolved, error) {
	if res.loop != "" {
		return nil, &ProfileError{Profile: name, File: res.loopEntry.Where(),
			Problem: "source_profile loop: " + res.loop,
			Fix:     "Make the last source_profile in the chain name a profile with aws_access_key_id."}
	}
	return res.r, res.err
}

// loopText shows the loop of profiles starting at loop[start]; a loop of
// more than 20 profiles is shortened in the middle.
func loopText(loop []*Profile, start int) string {
	n := len(loop)
	name := func(k int) string { return loop[(start+k)%n].Name }
	var b strings.Builder
	for k := 0; k < n; k++ {
		if n > 20 && k == 10 {
			fmt.Fprintf(&b, "(%d more) -> ", n-15)
			k = n - 5
		}
		b.WriteString(name(k))
		b.WriteString(" -> ")
	}
	b.WriteString(name(0))
	return b.String()
}

// step looks at one profile on its own: either it names the source to
// follow, or its result is known without one.
func (c *Config) step(p *Profile) (next string, res *resolution) {
	fail := func(err error) (string, *resolution) { return "", &resolution{err: err} }
	if p.DurationSeconds < 0 {
		return fail(&ProfileError{Profile: p.Name, File: p.Where(), Problem: "duration_seconds is not a positive whole number of seconds",
			Fix: "Set duration_seconds to a number such as 3600."})
	}
	if p.RoleARN != "" {
		switch {
		case p.SourceProfile == p.Name && p.AccessKeyID != "":
			// The AWS CLI allows a profile to be its own source when it
			// holds the keys too.
			base, err := c.keys(p)
			if err != nil {
				return fail(err)
			}
			return "", &resolution{r: &Resolved{Profile: p, Kind: KindRole, Source: base}}
		case p.SourceProfile != "":
			return p.SourceProfile, nil
		case p.CredentialSource != "":
			return fail(&ProfileError{Profile: p.Name, File: p.Where(),
				Problem: fmt.Sprintf("credential_source = %s is not supported by awsenv", p.CredentialSource),
				Fix:     "Use source_profile with a profile that has keys instead."})
		default:
			return fail(&ProfileError{Profile: p.Name, File: p.Where(),
				Problem: "role_arn without source_profile",
				Fix:     "Add source_profile = NAME, naming the profile whose keys assume this role."})
		}
	}
	r, err := c.keys(p)
	return "", &resolution{r: r, err: err}
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
