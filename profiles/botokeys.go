package profiles

// KeyUse says what awsenv does with a key botocore reads from a profile.
type KeyUse string

const (
	// Honoured: awsenv reads the key and acts on it as botocore does.
	Honoured KeyUse = "honoured"
	// Refused: a profile that needs the key is refused with a message
	// naming it.
	Refused KeyUse = "refused"
	// NotCredentials: a setting of the AWS clients that changes neither
	// where credentials come from nor awsenv's calls to STS, IAM, the
	// portal or the sign-in service; the tools that use the credentials
	// read it themselves.
	NotCredentials KeyUse = "not about credentials"
	// NotAKey: a name botocore's credentials.py uses internally (a
	// dictionary field, a cache entry), not a key of a profile.
	NotAKey KeyUse = "not a profile key"
)

// BotocoreKey is one key of TestBotocoreKeysTable's list (the keys the
// installed botocore reads for credentials and its session settings) and
// what awsenv does with it. README's table ("Every key botocore reads")
// shows the same.
type BotocoreKey struct {
	Use KeyUse
	How string
}

// BotocoreKeys are every key botocore reads for credentials (credentials.py)
// and every session setting it reads from a profile (configprovider.py),
// with what awsenv does. A key botocore starts to read that is missing
// here fails TestBotocoreKeysTable: none is ignored silently.
var BotocoreKeys = map[string]BotocoreKey{
	// Credentials.
	"aws_access_key_id":       {Honoured, "the profile's long-term or session key"},
	"aws_secret_access_key":   {Honoured, "with aws_access_key_id"},
	"aws_session_token":       {Honoured, "session credentials used as they are"},
	"aws_security_token":      {Honoured, "read before aws_session_token, as botocore does"},
	"aws_account_id":          {Honoured, "exported as AWS_ACCOUNT_ID when the credentials name no account"},
	"role_arn":                {Honoured, "AssumeRole with the source's credentials"},
	"source_profile":          {Honoured, "the role's source"},
	"role_session_name":       {Honoured, "sent with AssumeRole; default: the MFA device's user, else $USER"},
	"external_id":             {Honoured, "sent with AssumeRole"},
	"duration_seconds":        {Honoured, "the role session's length, clamped to AWS's limits"},
	"mfa_serial":              {Honoured, "MFA for GetSessionToken or AssumeRole"},
	"credential_process":      {Honoured, "run through awsenv's process runner"},
	"credential_source":       {Honoured, "Environment, Ec2InstanceMetadata (IMDSv2) or EcsContainer as the source of role_arn; any other value refused, naming the three"},
	"web_identity_token_file": {Honoured, "AssumeRoleWithWebIdentity, the file re-read on each renewal; a source for further roles"},
	"login_session":           {Honoured, "an `aws login` session, renewed through the sign-in service"},
	"sso_session":             {Honoured, "IAM Identity Center, the [sso-session] section"},
	"sso_start_url":           {Honoured, "IAM Identity Center (legacy form or in the sso-session)"},
	"sso_region":              {Honoured, "IAM Identity Center"},
	"sso_account_id":          {Honoured, "IAM Identity Center's GetRoleCredentials"},
	"sso_role_name":           {Honoured, "IAM Identity Center's GetRoleCredentials"},

	// botocore's own names in credentials.py, not profile keys.
	"access_key":        {NotAKey, "a field of botocore's credentials"},
	"secret_key":        {NotAKey, "a field of botocore's credentials"},
	"account_id":        {NotAKey, "a field of botocore's credentials"},
	"expiry_time":       {NotAKey, "a field of botocore's refreshable credentials"},
	"advisory_timeout":  {NotAKey, "botocore's refresh timing"},
	"mandatory_timeout": {NotAKey, "botocore's refresh timing"},
	"role_name":         {NotAKey, "an IMDS answer's field"},
	"sso_session_name":  {NotAKey, "an argument of botocore's SSO token provider"},
	"sso_sessions":      {NotAKey, "the parsed [sso-session] sections"},
	"token_provider":    {NotAKey, "an argument of botocore's SSO provider"},

	// Session settings (configprovider.py).
	"region":                          {Honoured, "the calls' region, and AWS_REGION exported"},
	"ca_bundle":                       {Honoured, "the helper's CA bundle (AWS_CA_BUNDLE wins)"},
	"ignore_configured_endpoint_urls": {Honoured, "endpoint_url and [services] ignored (the variable wins)"},
	"sts_regional_endpoints":          {Honoured, "legacy: botocore's global STS endpoint in its legacy regions; regional (the default, and the Go SDK's only way) otherwise; AWS_STS_REGIONAL_ENDPOINTS wins"},
	"use_fips_endpoint":               {Honoured, "the helper's clients (AWS_USE_FIPS_ENDPOINT wins)"},
	"use_dualstack_endpoint":          {Honoured, "the helper's clients (AWS_USE_DUALSTACK_ENDPOINT wins)"},
	"max_attempts":                    {Honoured, "the helper's clients (AWS_MAX_ATTEMPTS wins)"},
	"retry_mode":                      {Honoured, "the helper's clients (AWS_RETRY_MODE wins); legacy is taken as standard, the Go SDK having no legacy mode"},

	"ec2_metadata_service_endpoint":      {Refused, "refused, naming the key, in a profile whose credentials come from Ec2InstanceMetadata (AWS_EC2_METADATA_SERVICE_ENDPOINT is read instead)"},
	"ec2_metadata_service_endpoint_mode": {Refused, "refused, naming the key, in a profile whose credentials come from Ec2InstanceMetadata (AWS_EC2_METADATA_SERVICE_ENDPOINT is read instead)"},
	"ec2_metadata_v1_disabled":           {Refused, "refused, naming the key, in a profile whose credentials come from Ec2InstanceMetadata (AWS_EC2_METADATA_SERVICE_ENDPOINT is read instead)"},
	"imds_use_ipv6":                      {Refused, "refused, naming the key, in a profile whose credentials come from Ec2InstanceMetadata (AWS_EC2_METADATA_SERVICE_ENDPOINT is read instead)"},
	"metadata_service_num_attempts":      {Refused, "refused, naming the key, in a profile whose credentials come from Ec2InstanceMetadata (AWS_EC2_METADATA_SERVICE_ENDPOINT is read instead)"},
	"metadata_service_timeout":           {Refused, "refused, naming the key, in a profile whose credentials come from Ec2InstanceMetadata (AWS_EC2_METADATA_SERVICE_ENDPOINT is read instead)"},

	"account_id_endpoint_mode":           {NotCredentials, "account-based endpoints of DynamoDB; STS, IAM and SSO have none"},
	"api_versions":                       {NotCredentials, "the tools' API versions"},
	"auth_scheme_preference":             {NotCredentials, "signing schemes of other services; STS calls are SigV4"},
	"csm_client_id":                      {NotCredentials, "client-side monitoring of the tools"},
	"csm_enabled":                        {NotCredentials, "client-side monitoring of the tools"},
	"csm_host":                           {NotCredentials, "client-side monitoring of the tools"},
	"csm_port":                           {NotCredentials, "client-side monitoring of the tools"},
	"data_path":                          {NotCredentials, "botocore's model files"},
	"defaults_mode":                      {NotCredentials, "the tools' timeouts; awsenv's own are set in one place (internal/awsapi/sdk/http.go)"},
	"disable_host_prefix_injection":      {NotCredentials, "endpoint host prefixes of other services"},
	"disable_request_compression":        {NotCredentials, "request compression of other services"},
	"endpoint_discovery_enabled":         {NotCredentials, "endpoint discovery (DynamoDB, Timestream)"},
	"parameter_validation":               {NotCredentials, "the tools' client-side validation"},
	"request_checksum_calculation":       {NotCredentials, "S3-style checksums"},
	"request_min_compression_size_bytes": {NotCredentials, "request compression of other services"},
	"response_checksum_validation":       {NotCredentials, "S3-style checksums"},
	"s3_disable_express_session_auth":    {NotCredentials, "S3 Express sessions"},
	"sdk_ua_app_id":                      {NotCredentials, "the tools' user agent"},
	"sigv4a_signing_region_set":          {NotCredentials, "SigV4a signing of multi-region services"},
	"tcp_keepalive":                      {NotCredentials, "the tools' sockets"},
}
