package profiles

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/awsenv/awsenv/profiles/credshape"
)

// ClientKeys are the keys of a profile that set how the AWS clients call
// (endpoints, retries), what AssumeRole sends besides the role (aws-vault's
// session tags and source identity), and the account awsenv exports, as
// written. Each is honoured as the AWS CLI (or aws-vault) does; the
// environment's variables win over them, as in the SDKs.
type ClientKeys struct {
	STSRegionalEndpoints string // sts_regional_endpoints: regional (the default) or legacy
	UseFIPSEndpoint      string // use_fips_endpoint: true or false
	UseDualStackEndpoint string // use_dualstack_endpoint: true or false
	MaxAttempts          string // max_attempts: a whole number, at least 1
	RetryMode            string // retry_mode: legacy, standard or adaptive
	AccountID            string // aws_account_id: exported as AWS_ACCOUNT_ID

	// IMDS holds the instance metadata keys botocore reads for
	// credential_source = Ec2InstanceMetadata (ec2_metadata_service_endpoint
	// and the rest, IMDSKeys), as written: awsenv reads the environment's
	// AWS_EC2_METADATA_SERVICE_ENDPOINT only, so IMDSSettings refuses them.
	IMDS map[string]string

	// aws-vault's keys, sent with AssumeRole.
	SessionTags           string // session_tags = key1=value1,key2=value2
	TransitiveSessionTags string // transitive_session_tags = key1,key2
	SourceIdentity        string // source_identity
}

// set records key when it is one of ClientKeys'.
func (k *ClientKeys) set(key, val string) bool {
	switch key {
	case "sts_regional_endpoints":
		k.STSRegionalEndpoints = val
	case "use_fips_endpoint":
		k.UseFIPSEndpoint = val
	case "use_dualstack_endpoint":
		k.UseDualStackEndpoint = val
	case "max_attempts":
		k.MaxAttempts = val
	case "retry_mode":
		k.RetryMode = val
	case "aws_account_id":
		k.AccountID = val
	case "session_tags":
		k.SessionTags = val
	case "transitive_session_tags":
		k.TransitiveSessionTags = val
	case "source_identity":
		k.SourceIdentity = val
	default:
		if !slices.Contains(IMDSKeys, key) {
			return false
		}
		if k.IMDS == nil {
			k.IMDS = map[string]string{}
		}
		k.IMDS[key] = val
	}
	return true
}

// IMDSKeys are the profile keys botocore reads for the instance metadata
// service.
var IMDSKeys = []string{"ec2_metadata_service_endpoint", "ec2_metadata_service_endpoint_mode", "ec2_metadata_v1_disabled",
	"imds_use_ipv6", "metadata_service_num_attempts", "metadata_service_timeout"}

// IMDSSettings refuses the instance metadata keys of a profile whose
// credentials come from the instance (credential_source =
// Ec2InstanceMetadata): awsenv does not read them yet, and ignoring one
// would reach another endpoint than the one written.
func (p *Profile) IMDSSettings() error {
	for _, key := range IMDSKeys {
		if _, ok := p.Client.IMDS[key]; ok {
			return profileError(p, key+" is not read by awsenv yet",
				"Remove it and set the environment instead (AWS_EC2_METADATA_SERVICE_ENDPOINT for the endpoint; awsenv uses IMDSv2 over IPv4 always).")
		}
	}
	return nil
}

// ClientSettings are a profile's client keys, checked: what the helper's
// clients and AssumeRole are given.
type ClientSettings struct {
	// STSRegional is "regional" or "legacy"; "" when unset (regional).
	STSRegional string
	// FIPS and DualStack: nil when unset, else the value.
	FIPS, DualStack *bool
	// MaxAttempts: 0 when unset.
	MaxAttempts int
	// RetryMode is "legacy", "standard" or "adaptive"; "" when unset.
	RetryMode string
}

// Tags are the session tags and source identity AssumeRole sends for a
// role profile.
type Tags struct {
	Session        map[string]string // session_tags
	Transitive     []string          // transitive_session_tags, sorted
	SourceIdentity string            // source_identity
}

// Empty reports whether no tag nor source identity is set.
func (t Tags) Empty() bool {
	return len(t.Session) == 0 && len(t.Transitive) == 0 && t.SourceIdentity == ""
}

// botoBool is botocore's ensure_boolean for a value from a file: true
// when it is "true" in any case, else false.
func botoBool(v string) *bool {
	b := strings.EqualFold(strings.TrimSpace(v), "true")
	return &b
}

// ClientSettings checks the profile's client keys, as botocore would.
func (p *Profile) ClientSettings() (ClientSettings, error) {
	var s ClientSettings
	k := p.Client
	switch v := strings.ToLower(strings.TrimSpace(k.STSRegionalEndpoints)); v {
	case "":
	case "regional", "legacy":
		s.STSRegional = v
	default:
		return s, profileError(p, fmt.Sprintf("sts_regional_endpoints = %s is neither regional nor legacy", k.STSRegionalEndpoints),
			"Set sts_regional_endpoints = regional (the default), or remove it.")
	}
	if k.UseFIPSEndpoint != "" {
		s.FIPS = botoBool(k.UseFIPSEndpoint)
	}
	if k.UseDualStackEndpoint != "" {
		s.DualStack = botoBool(k.UseDualStackEndpoint)
	}
	if v := strings.TrimSpace(k.MaxAttempts); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return s, profileError(p, fmt.Sprintf("max_attempts = %s is not a whole number from 1 to 100", k.MaxAttempts),
				"Set max_attempts to a number such as 3, or remove it.")
		}
		s.MaxAttempts = n
	}
	if v := k.AccountID; v != "" && !credshape.AccountID(v) {
		return s, profileError(p, fmt.Sprintf("aws_account_id = %s is not a 12-digit AWS account id", v),
			"Write the account's 12 digits, or remove aws_account_id.")
	}
	switch v := strings.ToLower(strings.TrimSpace(k.RetryMode)); v {
	case "":
	case "legacy", "standard", "adaptive":
		s.RetryMode = v
	default:
		return s, profileError(p, fmt.Sprintf("retry_mode = %s is not legacy, standard or adaptive", k.RetryMode),
			"Set retry_mode = standard, or remove it.")
	}
	return s, nil
}

// Tags checks the profile's session_tags, transitive_session_tags and
// source_identity, written as aws-vault reads them:
// session_tags = key1=value1,key2=value2 and
// transitive_session_tags = key1,key2 (spaces around each part are
// trimmed). A transitive key must be one of the session tags: STS refuses
// it otherwise, and the message is clearer here.
func (p *Profile) Tags() (Tags, error) {
	var t Tags
	k := p.Client
	for _, part := range splitList(k.SessionTags) {
		key, val, ok := strings.Cut(part, "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !ok || key == "" {
			return t, profileError(p, fmt.Sprintf("session_tags holds %q, which is not KEY=VALUE", part),
				"Write session_tags = key1=value1,key2=value2.")
		}
		if t.Session == nil {
			t.Session = map[string]string{}
		}
		if _, dup := t.Session[key]; dup {
			return t, profileError(p, fmt.Sprintf("session_tags names the tag %s twice", key),
				"Name each tag once in session_tags.")
		}
		t.Session[key] = val
	}
	for _, key := range splitList(k.TransitiveSessionTags) {
		if _, ok := t.Session[key]; !ok {
			return t, profileError(p, fmt.Sprintf("transitive_session_tags names %s, which is not one of its session_tags", key),
				"Add "+key+"=VALUE to session_tags, or remove it from transitive_session_tags.")
		}
		t.Transitive = append(t.Transitive, key)
	}
	sort.Strings(t.Transitive)
	t.SourceIdentity = strings.TrimSpace(k.SourceIdentity)
	return t, nil
}

// splitList splits a comma-separated value, trimming each part and
// dropping empty ones.
func splitList(v string) []string {
	var out []string
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
