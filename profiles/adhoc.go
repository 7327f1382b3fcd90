package profiles

import "fmt"

// AddProfile adds p to this run's view of the files, never to the files:
// an ad-hoc role (awsenv use --role-arn) is a role profile whose
// source_profile is one of the files', so Resolve treats it as any role.
// A name the files already use is refused, so that nothing is shadowed.
func (c *Config) AddProfile(p *Profile) error {
	if err := ValidateName(p.Name); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lookupLocked(p.Name) != nil {
		return &ProfileError{Profile: p.Name, File: c.Files.Config,
			Problem: "a profile of this name exists, so the ad-hoc role cannot take it",
			Fix:     fmt.Sprintf("Use [profile %s] itself, or rename it.", p.Name)}
	}
	if p.Awsenv == nil {
		p.Awsenv = map[string]string{}
	}
	if c.profiles == nil {
		c.profiles = map[string]*Profile{}
	}
	c.profiles[p.Name] = p
	return nil
}
