package awsapi

// Target says which profile a call is for, its region and its endpoint
// settings. awsenv reads them from the AWS files itself: the helper never
// lets the SDK parse the user's files. For Identity Center calls Region is
// the sso_region (the portal and OIDC service live there, whatever the
// profile's region).
type Target struct {
	Profile   string    `json:"profile,omitempty"`
	Region    string    `json:"region,omitempty"`
	Endpoints Endpoints `json:"endpoints,omitzero"`
	Retries   Retries   `json:"retries,omitzero"`
}

// Retries are a profile's retry settings (max_attempts, retry_mode); the
// environment's (AWS_MAX_ATTEMPTS, AWS_RETRY_MODE) win over them, as in
// the SDKs. Zero values are unset.
type Retries struct {
	MaxAttempts int    `json:"max_attempts,omitempty"`
	Mode        string `json:"mode,omitempty"` // legacy, standard or adaptive
}

// Endpoints are the endpoint settings of a profile in the AWS config, as
// the SDKs define them ("service-specific endpoints"); the environment's
// (AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, AWS_CA_BUNDLE, ...) are
// read by the helper itself.
type Endpoints struct {
	URL      string            `json:"url,omitempty"`       // endpoint_url
	Services map[string]string `json:"services,omitempty"`  // from the profile's [services NAME] section: service id (sts, iam) -> endpoint_url
	Ignore   bool              `json:"ignore,omitempty"`    // ignore_configured_endpoint_urls = true
	CABundle string            `json:"ca_bundle,omitempty"` // ca_bundle

	// The profile's endpoint variants; nil when unset. The environment's
	// AWS_USE_FIPS_ENDPOINT and AWS_USE_DUALSTACK_ENDPOINT win over them.
	FIPS      *bool `json:"use_fips_endpoint,omitempty"`      // use_fips_endpoint
	DualStack *bool `json:"use_dualstack_endpoint,omitempty"` // use_dualstack_endpoint
	// STSRegional is sts_regional_endpoints ("regional", "legacy" or ""
	// for unset); AWS_STS_REGIONAL_ENDPOINTS wins over it.
	STSRegional string `json:"sts_regional_endpoints,omitempty"`
}
