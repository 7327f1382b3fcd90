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
}
