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
	// KindSSO gets role credentials from IAM Identity Center (SSO) with
	// the sign-in token the AWS CLI keeps in ~/.aws/sso/cache.
	KindSSO Kind = "sso"
	// KindLogin takes the credentials of an `aws login` session
	// (login_session): the AWS CLI's login cache, renewed through the
	// sign-in service.
	KindLogin Kind = "login"
	// KindWebIdentity assumes role_arn with AssumeRoleWithWebIdentity and
	// the token in web_identity_token_file (EKS, GitHub Actions, GitLab):
	// the profile's keys, else the environment's AWS_ROLE_ARN and
	// AWS_WEB_IDENTITY_TOKEN_FILE (Resolved.WebIdentity holds them).
	KindWebIdentity Kind = "web_identity"
	// KindCredentialSource takes the credentials credential_source names
	// (Environment, Ec2InstanceMetadata, EcsContainer): only as the Source
	// of a role, as in botocore.
	KindCredentialSource Kind = "credential_source"
)

// The credential_source values botocore's CanonicalNameCredentialSourcer
// knows.
const (
	SourceEnvironment = "Environment"
	SourceEC2         = "Ec2InstanceMetadata"
	SourceECS         = "EcsContainer"
)

// WebIdentity is what AssumeRoleWithWebIdentity needs, from a profile or
// from the environment.
type WebIdentity struct {
	RoleARN     string
	TokenFile   string
	SessionName string // "" lets awsenv name the session
	// FromEnv: AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE, not the files.
	FromEnv bool
}

// Resolved is a profile with its source chain worked out: a role's Source
// is the profile whose credentials assume it, down to a profile with keys.
type Resolved struct {
	Profile *Profile
	Kind    Kind
	Source  *Resolved // set for KindRole
	SSO     *SSO      // set for KindSSO
	// WebIdentity is set for KindWebIdentity.
	WebIdentity *WebIdentity
}

// Base is the profile at the end of the chain, the one holding keys (or
// signing in to IAM Identity Center).
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

// MaxChainDepth is the most roles awsenv assumes one after the other for
// one profile: a role whose source_profile is a role, and so on, counts
// each role once. The AWS CLI has no limit, but every step is an AssumeRole
// call (and a file lock while awsenv makes it), AWS caps a chained role's
// session at one hour, and chains of more than a few roles are unheard of:
// 64 leaves room for any real organisation and stops a generated or
// mistaken chain of thousands before it costs thousands of calls.
const MaxChainDepth = 64

// Resolve follows source_profile links from name down to keys.
//
// A source profile with keys of its own (aws_access_key_id or
// aws_secret_access_key) is used for its keys, and its role_arn ignored, as
// the AWS CLI does (botocore's AssumeRoleProvider checks
// _has_static_credentials before following a source's role). The profile
// asked for is assumed through its role_arn even if it has keys, as there.
//
// A chain of more than MaxChainDepth roles is an error naming the profile
// and the depth.
//
// Each profile of a Config is resolved once and remembered, without
// recursion: resolving every profile (as `awsenv list` does) costs time in
// proportion to the number of profiles, however long the chains.
func (c *Config) Resolve(name string) (*Resolved, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if res, ok := c.resolved[name]; ok {
		return c.outcome(res, name)
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
		if len(path) > 0 {
			// cur is a source: with keys of its own, they are used.
			if p := c.lookupLocked(cur); p != nil && hasStaticKeys(p) {
				res = c.sourceKeysLocked(p)
				break
			}
		}
		if known, ok := c.resolved[cur]; ok {
			res = known
			break
		}
		p, err := c.getLocked(cur)
		if err != nil {
			// cur is the source_profile of the last profile on the path.
			parent := path[len(path)-1]
			path = path[:len(path)-1]
			res = &resolution{err: profileError(parent, fmt.Sprintf("source_profile %q does not exist", cur),
				fmt.Sprintf("Point source_profile at a profile that exists, or add [profile %s].", cur))}
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
		switch {
		case res.err != nil || res.loop != "":
		case res.depth >= MaxChainDepth:
			res = &resolution{depth: res.depth + 1, deep: path[j]}
		default:
			res = &resolution{r: &Resolved{Profile: path[j], Kind: KindRole, Source: res.r}, depth: res.depth + 1}
		}
		c.resolved[path[j].Name] = res
	}
	return c.outcome(c.resolved[name], name)
}

// outcome is what Resolve(name) gives: a profile whose region is no
// region (an inline comment kept in the value) is refused here, before
// any call, which would fail as if the network were down.
func (c *Config) outcome(res *resolution, name string) (*Resolved, error) {
	r, err := res.outcome(name)
	if err == nil {
		err = c.checkRegion(r)
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// hasStaticKeys is botocore's _has_static_credentials: either key; for
// awsenv, a credential-source plugin (awsenv_credential_source) counts too:
// it stands in for the keys.
func hasStaticKeys(p *Profile) bool {
	if name, _ := p.CredentialPlugin(); name != "" {
		return true
	}
	return p.AccessKeyID != "" || p.SecretAccessKey != ""
}

// sourceKeysLocked is a profile with keys resolved as a source: its keys,
// whatever else it has; remembered apart from its own resolution.
func (c *Config) sourceKeysLocked(p *Profile) *resolution {
	if res, ok := c.asSource[p.Name]; ok {
		return res
	}
	r, err := c.keys(p)
	res := &resolution{r: r, err: err}
	if c.asSource == nil {
		c.asSource = map[string]*resolution{}
	}
	c.asSource[p.Name] = res
	return res
}

// resolution is what resolving one profile gave.
type resolution struct {
	r     *Resolved
	err   error
	depth int      // roles assumed one after the other to reach keys
	deep  *Profile // set when depth is over MaxChainDepth: the error is made for each caller
	// A source_profile loop: the error names the profile Resolve was
	// asked for, so it is made for each caller.
	loopEntry *Profile // the first profile of the loop the chain reaches
	loop      string   // "b -> c -> b", from loopEntry
}

func (res *resolution) outcome(name string) (*Resolved, error) {
	if res.deep != nil {
		return nil, &ProfileError{Profile: name, File: res.deep.Where(),
			Problem: fmt.Sprintf("its source_profile chain assumes %d roles one after the other, more than the %d awsenv follows", res.depth, MaxChainDepth),
			Fix:     "Point source_profile at a profile with aws_access_key_id, or at a role nearer to one: each role in the chain is an AssumeRole call, and AWS limits a chained role's session to one hour."}
	}
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
		return fail(profileError(p, "duration_seconds is not a positive whole number of seconds",
			"Set duration_seconds to a number such as 3600."))
	}
	if p.RoleARN != "" {
		switch {
		case p.WebIdentityTokenFile != "":
			// botocore takes a profile with web_identity_token_file for
			// AssumeRoleWithWebIdentity, whatever else it has (as a source
			// too: it is not static keys).
			return "", &resolution{r: &Resolved{Profile: p, Kind: KindWebIdentity, WebIdentity: &WebIdentity{
				RoleARN: p.RoleARN, TokenFile: p.WebIdentityTokenFile, SessionName: p.RoleSessionName}}}
		case p.SourceProfile == p.Name && p.AccessKeyID != "":
			// The AWS CLI allows a profile to be its own source when it
			// holds the keys too.
			base, err := c.keys(p)
			if err != nil {
				return fail(err)
			}
			return "", &resolution{r: &Resolved{Profile: p, Kind: KindRole, Source: base}, depth: 1}
		case p.SourceProfile != "":
			return p.SourceProfile, nil
		case hasStaticKeys(p):
			// awsenv_credential_source on the role's own profile: the
			// source's credentials assume the role.
			base, err := c.keys(p)
			if err != nil {
				return fail(err)
			}
			return "", &resolution{r: &Resolved{Profile: p, Kind: KindRole, Source: base}, depth: 1}
		case p.CredentialSource != "":
			switch p.CredentialSource {
			case SourceEnvironment, SourceEC2, SourceECS:
				// botocore's CanonicalNameCredentialSourcer: the named
				// provider's credentials assume the role.
				return "", &resolution{r: &Resolved{Profile: p, Kind: KindRole,
					Source: &Resolved{Profile: p, Kind: KindCredentialSource}}, depth: 1}
			}
			return fail(profileError(p, fmt.Sprintf("credential_source = %s is not one the AWS CLI knows", p.CredentialSource),
				"Set credential_source to Environment, Ec2InstanceMetadata or EcsContainer (as written, case matters), or use source_profile."))
		case len(p.SSOKeys) > 0:
			// botocore's AssumeRoleProvider takes role_arn first and wants
			// source_profile or credential_source with it.
			return fail(profileError(p, fmt.Sprintf("it has role_arn and %s (IAM Identity Center) but no source_profile, and the AWS CLI assumes a role only with a source_profile's credentials, never with the same profile's IAM Identity Center ones",
				strings.Join(p.SSOKeys, ", ")),
				fmt.Sprintf("Move the sso_* keys into a profile of their own and set source_profile = that profile in [profile %s]; or remove role_arn to use the IAM Identity Center role itself.", p.Name)))
		case p.CredentialProcess != "":
			// botocore assumes a role only with source_profile's (or
			// credential_source's) credentials, never its own process's.
			return fail(profileError(p, "role_arn and credential_process without source_profile, and the AWS CLI assumes a role only with a source_profile's credentials",
				fmt.Sprintf("Move credential_process into a profile of its own and set source_profile = that profile in [profile %s].", p.Name)))
		default:
			return fail(profileError(p, "role_arn without source_profile",
				"Add source_profile = NAME, naming the profile whose keys assume this role."))
		}
	}
	r, err := c.keys(p)
	return "", &resolution{r: r, err: err}
}

// profileError is a problem with p as written. A profile that uses
// include_profile says that awsenv (like the AWS CLI) does not read it,
// since that is the likely cause.
func profileError(p *Profile, problem, fix string) *ProfileError {
	if p.IncludeProfile != "" {
		problem += fmt.Sprintf(" (it has include_profile = %s, an aws-vault setting that neither the AWS CLI nor awsenv reads: nothing of [profile %s] is taken)",
			p.IncludeProfile, p.IncludeProfile)
		fix += fmt.Sprintf(" Or copy the keys this profile needs from [profile %s] into it.", p.IncludeProfile)
	}
	file := p.Where()
	if strings.HasPrefix(problem, "aws_") {
		file = p.KeyFile()
	}
	return &ProfileError{Profile: p.Name, File: file, Problem: problem, Fix: fix}
}

func (c *Config) keys(p *Profile) (*Resolved, error) {
	if name, _ := p.CredentialPlugin(); name != "" {
		switch {
		case p.AccessKeyID != "" || p.SecretAccessKey != "" || p.SessionToken != "":
			return nil, profileError(p, fmt.Sprintf("it has both awsenv_credential_source = %s and keys of its own (aws_access_key_id...)", name),
				"Keep one: remove the keys from the file to take them from the credential source, or remove awsenv_credential_source.")
		case p.CredentialProcess != "":
			return nil, profileError(p, fmt.Sprintf("it has both awsenv_credential_source = %s and credential_process", name),
				"Keep one: remove credential_process to take the credentials from the plugin, or remove awsenv_credential_source.")
		case !ValidPluginName(name):
			return nil, profileError(p, fmt.Sprintf("awsenv_credential_source = %q is not a plugin name", name),
				"Name the plugin as installed (awsenv-plugin-NAME): lower-case letters, digits, '-' and '_'.")
		}
		// Whether the source hands out long-term keys or a session is known
		// only when it is asked; long-term keys are the usual case, and
		// credflow uses temporary ones as they are.
		return &Resolved{Profile: p, Kind: KindUser}, nil
	}
	if isSSO(p) {
		// botocore's profile providers try IAM Identity Center before the
		// keys in the files, so a profile with both signs in.
		return c.sso(p)
	}
	if p.LoginSession != "" && p.AccessKeyID == "" && p.SecretAccessKey == "" {
		// botocore's login provider comes after the credentials file's
		// keys and before credential_process.
		return &Resolved{Profile: p, Kind: KindLogin}, nil
	}
	if p.HasCredentialProcess() {
		// botocore's process provider, after the credentials file's keys.
		// Whether it hands out long-term keys or a session is known only
		// when it runs; credflow uses temporary ones as they are.
		return &Resolved{Profile: p, Kind: KindUser}, nil
	}
	switch {
	case p.Stored != nil:
		// The key is in awsenv's secret store (the key index says so).
		return &Resolved{Profile: p, Kind: KindUser}, nil
	case p.AccessKeyID != "" && p.SecretAccessKey == "":
		return nil, profileError(p, "aws_access_key_id without aws_secret_access_key",
			"Add the key's aws_secret_access_key; if it is lost, create a new access key in IAM.")
	case p.AccessKeyID == "" && p.SecretAccessKey != "":
		return nil, profileError(p, "aws_secret_access_key without aws_access_key_id",
			"Add the key's aws_access_key_id (AKIA...).")
	case p.AccessKeyID != "" && p.SessionToken != "":
		return &Resolved{Profile: p, Kind: KindSession}, nil
	case strings.HasPrefix(p.AccessKeyID, "ASIA"):
		// AWS would answer "The security token included in the request is
		// invalid" (or, from S3, InvalidAccessKeyId): say what is missing.
		return nil, profileError(p, fmt.Sprintf("aws_access_key_id %s is a temporary key (ASIA...) without its aws_session_token", p.AccessKeyID),
			"Add the aws_session_token that came with it, or better, put the user's long-term key (AKIA...) there and let awsenv make the sessions.")
	case p.AccessKeyID != "":
		return &Resolved{Profile: p, Kind: KindUser}, nil
	case len(p.SSOKeys) > 0:
		return nil, ssoLoginOnly(p)
	case c.indexErr != nil:
		// Its key may be in the store, but the index cannot say.
		return nil, c.indexErr
	case c.Files.WebIdentity.TokenFile != "" && p.CredentialSource == "":
		// Nothing of its own: botocore's web identity provider reads
		// AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE (CI, EKS).
		env := c.Files.WebIdentity
		if env.RoleARN == "" {
			return nil, profileError(p, "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not, and the profile has no credentials of its own",
				"Set AWS_ROLE_ARN to the role to assume with the token, or unset AWS_WEB_IDENTITY_TOKEN_FILE.")
		}
		return &Resolved{Profile: p, Kind: KindWebIdentity, WebIdentity: &env}, nil
	default:
		return nil, profileError(p, "no credentials: neither aws_access_key_id nor role_arn",
			fmt.Sprintf("Add aws_access_key_id and aws_secret_access_key under [%s] in %s (or keep them in the keyring: awsenv keys add %s), or role_arn and source_profile in %s.",
				p.Name, c.Files.Credentials, p.Name, c.Files.Config))
	}
}
