package profiles_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/profiles"
)

func TestDefaultFiles(t *testing.T) {
	const home = "/home/alice"
	tests := []struct {
		name      string
		env       map[string]string
		wantCfg   string
		wantCreds string
	}{
		{"unset", nil, "/home/alice/.aws/config", "/home/alice/.aws/credentials"},
		{"empty values are unset", map[string]string{"AWS_CONFIG_FILE": "", "AWS_SHARED_CREDENTIALS_FILE": ""},
			"/home/alice/.aws/config", "/home/alice/.aws/credentials"},
		{"absolute config", map[string]string{"AWS_CONFIG_FILE": "/etc/aws/config"},
			"/etc/aws/config", "/home/alice/.aws/credentials"},
		{"absolute credentials", map[string]string{"AWS_SHARED_CREDENTIALS_FILE": "/srv/creds"},
			"/home/alice/.aws/config", "/srv/creds"},
		{"both with ~/", map[string]string{"AWS_CONFIG_FILE": "~/aws/cfg", "AWS_SHARED_CREDENTIALS_FILE": "~/aws/creds"},
			"/home/alice/aws/cfg", "/home/alice/aws/creds"},
		{"bare ~", map[string]string{"AWS_CONFIG_FILE": "~"}, "/home/alice", "/home/alice/.aws/credentials"},
		{"~user is not expanded", map[string]string{"AWS_CONFIG_FILE": "~bob/cfg"}, "~bob/cfg", "/home/alice/.aws/credentials"},
		{"~ inside a path is not expanded", map[string]string{"AWS_CONFIG_FILE": "/x/~/cfg"}, "/x/~/cfg", "/home/alice/.aws/credentials"},
		{"relative path kept", map[string]string{"AWS_SHARED_CREDENTIALS_FILE": "rel/creds"}, "/home/alice/.aws/config", "rel/creds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var asked []string
			getenv := func(k string) string {
				asked = append(asked, k)
				return tt.env[k]
			}
			got := profiles.DefaultFiles(getenv, home)
			want := profiles.Files{Config: tt.wantCfg, Credentials: tt.wantCreds}
			// The variable that chose a path is kept, for fixes that say
			// which one to point back at a file.
			if tt.env["AWS_CONFIG_FILE"] != "" {
				want.ConfigVar = "AWS_CONFIG_FILE"
			}
			if tt.env["AWS_SHARED_CREDENTIALS_FILE"] != "" {
				want.CredentialsVar = "AWS_SHARED_CREDENTIALS_FILE"
			}
			if got != want {
				t.Errorf("DefaultFiles = %+v, want %+v", got, want)
			}
			for _, k := range asked {
				if k != "AWS_CONFIG_FILE" && k != "AWS_SHARED_CREDENTIALS_FILE" && k != "AWS_WEB_IDENTITY_TOKEN_FILE" {
					t.Errorf("DefaultFiles read unexpected variable %s", k)
				}
			}
		})
	}
}

// The environment's web identity (botocore's AWS_ROLE_ARN,
// AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_SESSION_NAME) is read only when
// the token file is named.
func TestDefaultFilesWebIdentity(t *testing.T) {
	env := map[string]string{"AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/ci", "AWS_WEB_IDENTITY_TOKEN_FILE": "/t", "AWS_ROLE_SESSION_NAME": "gh"}
	got := profiles.DefaultFiles(func(k string) string { return env[k] }, "/home/alice").WebIdentity
	want := profiles.WebIdentity{RoleARN: "arn:aws:iam::123456789012:role/ci", TokenFile: "/t", SessionName: "gh", FromEnv: true}
	if got != want {
		t.Errorf("WebIdentity = %+v, want %+v", got, want)
	}
}

// TestLoad checks which sections become profiles and how values are parsed.
func TestLoad(t *testing.T) {
	tests := []struct {
		name      string
		config    string // "-" for a missing file
		creds     string // "-" for a missing file
		wantNames []string
		check     func(t *testing.T, c *profiles.Config)
	}{
		{
			name:      "both files missing",
			config:    "-",
			creds:     "-",
			wantNames: []string{},
		},
		{
			name:      "empty files",
			config:    "",
			creds:     "",
			wantNames: []string{},
		},
		{
			name:      "config [default]",
			config:    lines("[default]", "region = us-east-1"),
			creds:     "-",
			wantNames: []string{"default"},
			check: func(t *testing.T, c *profiles.Config) {
				p := get(t, c, "default")
				if p.Region != "us-east-1" {
					t.Errorf("Region = %q", p.Region)
				}
				if p.ConfigFile != c.Files.Config || p.CredentialsFile != "" {
					t.Errorf("ConfigFile=%q CredentialsFile=%q", p.ConfigFile, p.CredentialsFile)
				}
			},
		},
		{
			name:      "config [profile x] and [profile default]",
			config:    lines("[profile x]", "region = eu-west-1", "[profile default]", "region = eu-central-1"),
			creds:     "-",
			wantNames: []string{"default", "x"},
			check: func(t *testing.T, c *profiles.Config) {
				if r := get(t, c, "x").Region; r != "eu-west-1" {
					t.Errorf("x Region = %q", r)
				}
				if r := get(t, c, "default").Region; r != "eu-central-1" {
					t.Errorf("default Region = %q", r)
				}
			},
		},
		{
			name:      "extra spaces in section headers",
			config:    lines("[profile   spaced  ]", "region = eu-west-1", "[profile\ttabbed]", "region = eu-west-2"),
			creds:     "-",
			wantNames: []string{"spaced", "tabbed"},
		},
		{
			name: "non-profile sections of the config file are ignored",
			config: lines(
				"[bare]", "region = eu-west-1",
				"[sso-session corp]", "sso_start_url = https://example.awsapps.com/start", "sso_region = us-east-1",
				"[services dev]", "s3 =", "  endpoint_url = http://localhost:4566",
				"[profilex]", "region = eu-west-1",
				"[profile]", "region = eu-west-1",
			),
			creds:     "-",
			wantNames: []string{},
		},
		{
			name:      "credentials [x] is a profile; [profile y] there is literally named",
			config:    "-",
			creds:     lines("[x]", "aws_access_key_id = "+exampleKeyID, "aws_secret_access_key = "+exampleSecret, "[default]", "aws_access_key_id = "+exampleKeyID2),
			wantNames: []string{"default", "x"},
			check: func(t *testing.T, c *profiles.Config) {
				p := get(t, c, "x")
				if p.AccessKeyID != exampleKeyID || p.SecretAccessKey.Reveal() != exampleSecret {
					t.Errorf("keys = %q %q", p.AccessKeyID, p.SecretAccessKey.Reveal())
				}
				if p.CredentialsFile != c.Files.Credentials || p.ConfigFile != "" {
					t.Errorf("ConfigFile=%q CredentialsFile=%q", p.ConfigFile, p.CredentialsFile)
				}
				if p.Where() != c.Files.Credentials || p.KeyFile() != c.Files.Credentials {
					t.Errorf("Where=%q KeyFile=%q", p.Where(), p.KeyFile())
				}
			},
		},
		{
			name: "both files merge and credentials win",
			config: lines("[profile x]",
				"region = eu-west-1",
				"aws_access_key_id = "+exampleKeyID2,
				"aws_secret_access_key = "+exampleSecret2,
				"mfa_serial = arn:aws:iam::123456789012:mfa/alice",
				"awsenv_mfa_provider = prompt",
				"awsenv_session_duration = 1h"),
			creds: lines("[x]",
				"aws_access_key_id = "+exampleKeyID,
				"aws_secret_access_key = "+exampleSecret,
				"awsenv_mfa_provider = yubikey"),
			wantNames: []string{"x"},
			check: func(t *testing.T, c *profiles.Config) {
				p := get(t, c, "x")
				if p.AccessKeyID != exampleKeyID || p.SecretAccessKey.Reveal() != exampleSecret {
					t.Errorf("credentials file did not win: %q %q", p.AccessKeyID, p.SecretAccessKey.Reveal())
				}
				if p.Region != "eu-west-1" || p.MFASerial != "arn:aws:iam::123456789012:mfa/alice" {
					t.Errorf("config-only keys lost: region %q serial %q", p.Region, p.MFASerial)
				}
				want := map[string]string{"mfa_provider": "yubikey", "session_duration": "1h"}
				if !reflect.DeepEqual(p.Awsenv, want) {
					t.Errorf("Awsenv = %v, want %v", p.Awsenv, want)
				}
				if w := c.Files.Config + " and " + c.Files.Credentials; p.Where() != w {
					t.Errorf("Where = %q, want %q", p.Where(), w)
				}
				if p.KeyFile() != c.Files.Credentials {
					t.Errorf("KeyFile = %q", p.KeyFile())
				}
			},
		},
		{
			name:   "comments on lines of their own; no inline comments, as in the AWS CLI",
			config: "-",
			creds: lines(
				"# a comment",
				"; another comment",
				"[x] # text after the header is ignored",
				"  # indented comment",
				"aws_access_key_id = "+exampleKeyID,
				"aws_secret_access_key = "+exampleSecret,
				"mfa_process = otp-cli ; echo done # all of it",
				"region = eu-west-1\t# tab, then comment",
			),
			wantNames: []string{"x"},
			check: func(t *testing.T, c *profiles.Config) {
				p := get(t, c, "x")
				if p.AccessKeyID != exampleKeyID {
					t.Errorf("AccessKeyID = %q", p.AccessKeyID)
				}
				if p.SecretAccessKey.Reveal() != exampleSecret {
					t.Errorf("SecretAccessKey = %q", p.SecretAccessKey.Reveal())
				}
				// botocore strips no inline comments: the value is all of
				// the line after '='.
				if p.MFAProcess != "otp-cli ; echo done # all of it" {
					t.Errorf("MFAProcess = %q", p.MFAProcess)
				}
				if p.Region != "eu-west-1\t# tab, then comment" {
					t.Errorf("Region = %q", p.Region)
				}
			},
		},
		{
			name:   "secrets keep # and ; not preceded by a space",
			config: "-",
			creds: lines("[x]",
				"aws_access_key_id = "+exampleKeyID,
				"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG#bPxRfiCY;EXAMPLEKEY#",
				"aws_session_token = ;AQoDYXdzEJr#EXAMPLE;TOKEN"),
			wantNames: []string{"x"},
			check: func(t *testing.T, c *profiles.Config) {
				p := get(t, c, "x")
				if s := p.SecretAccessKey.Reveal(); s != "wJalrXUtnFEMI/K7MDENG#bPxRfiCY;EXAMPLEKEY#" {
					t.Errorf("SecretAccessKey = %q", s)
				}
				if s := p.SessionToken.Reveal(); s != ";AQoDYXdzEJr#EXAMPLE;TOKEN" {
					t.Errorf("SessionToken = %q", s)
				}
			},
		},
		{
			name: "nested values do not leak into the profile",
			config: lines("[profile x]",
				"region = eu-west-1",
				"s3 =",
				"    max_concurrent_requests = 20",
				"    region = us-west-2",
				"    aws_access_key_id = "+exampleKeyID2,
				"awsenv_mfa_provider = yubikey",
				"output = json",
				"role_arn = arn:aws:iam::123456789012:role/admin"),
			creds:     "-",
			wantNames: []string{"x"},
			check: func(t *testing.T, c *profiles.Config) {
				p := get(t, c, "x")
				if p.Region != "eu-west-1" || p.AccessKeyID != "" {
					t.Errorf("nested keys leaked: region %q key %q", p.Region, p.AccessKeyID)
				}
				if p.RoleARN != "arn:aws:iam::123456789012:role/admin" {
					t.Errorf("key after the nested block lost: RoleARN = %q", p.RoleARN)
				}
				if !reflect.DeepEqual(p.Awsenv, map[string]string{"mfa_provider": "yubikey"}) {
					t.Errorf("Awsenv = %v", p.Awsenv)
				}
			},
		},
		{
			name: "CRLF line endings",
			config: strings.ReplaceAll(lines("[profile x]", "region = eu-west-1", "s3 =",
				"    max_concurrent_requests = 20", "role_arn = arn:aws:iam::123456789012:role/admin",
				"source_profile = x"), "\n", "\r\n"),
			creds: strings.ReplaceAll(lines("; comment", "[x]", "aws_access_key_id = "+exampleKeyID,
				"aws_secret_access_key = "+exampleSecret, "aws_session_token = "+exampleToken), "\n", "\r\n"),
			wantNames: []string{"x"},
			check: func(t *testing.T, c *profiles.Config) {
				p := get(t, c, "x")
				for what, v := range map[string]string{
					"region": p.Region, "role_arn": p.RoleARN, "source_profile": p.SourceProfile,
					"key": p.AccessKeyID, "secret": p.SecretAccessKey.Reveal(), "token": p.SessionToken.Reveal(),
				} {
					if strings.ContainsAny(v, "\r\n") {
						t.Errorf("%s = %q keeps a line ending", what, v)
					}
				}
				if p.Region != "eu-west-1" || p.SecretAccessKey.Reveal() != exampleSecret || p.SessionToken.Reveal() != exampleToken {
					t.Errorf("region %q secret %q token %q", p.Region, p.SecretAccessKey.Reveal(), p.SessionToken.Reveal())
				}
			},
		},
		{
			name:   "key names are case-insensitive, values keep their case",
			config: lines("[profile x]", "REGION = EU-West-1", "Role_ARN = arn:aws:iam::123456789012:role/Admin", "Source_Profile = Base"),
			creds: lines("[x]", "AWS_ACCESS_KEY_ID = "+exampleKeyID, "Aws_Secret_Access_Key = "+exampleSecret,
				"AWS_SECURITY_TOKEN = "+exampleToken),
			wantNames: []string{"x"},
			check: func(t *testing.T, c *profiles.Config) {
				p := get(t, c, "x")
				if p.AccessKeyID != exampleKeyID || p.SecretAccessKey.Reveal() != exampleSecret || p.SessionToken.Reveal() != exampleToken {
					t.Errorf("keys: %q %q %q", p.AccessKeyID, p.SecretAccessKey.Reveal(), p.SessionToken.Reveal())
				}
				if p.Region != "EU-West-1" || p.RoleARN != "arn:aws:iam::123456789012:role/Admin" || p.SourceProfile != "Base" {
					t.Errorf("region %q role %q source %q", p.Region, p.RoleARN, p.SourceProfile)
				}
			},
		},
		{
			name: "awsenv_ keys are collected without the prefix",
			config: lines("[profile x]",
				"awsenv_mfa_provider = yubikey",
				"AWSENV_MFA_Account = Alice@Example",
				"awsenv_session_duration = 8h",
				"awsenv_ = ignored",
				"awsenvfoo = ignored",
				"other_tool_key = ignored"),
			creds:     "-",
			wantNames: []string{"x"},
			check: func(t *testing.T, c *profiles.Config) {
				want := map[string]string{"mfa_provider": "yubikey", "mfa_account": "Alice@Example", "session_duration": "8h"}
				if got := get(t, c, "x").Awsenv; !reflect.DeepEqual(got, want) {
					t.Errorf("Awsenv = %v, want %v", got, want)
				}
			},
		},
		{
			name: "every known key",
			config: lines("[profile x]",
				"region = eu-west-1",
				"mfa_serial = arn:aws:iam::123456789012:mfa/alice",
				"role_arn = arn:aws:iam::123456789012:role/admin",
				"source_profile = base",
				"role_session_name = alice",
				"external_id = ext-123",
				"duration_seconds = 3600",
				"mfa_process = /usr/bin/get-otp",
				"credential_source = Environment",
				"credential_process = /usr/bin/creds",
				"sso_session = corp"),
			creds:     "-",
			wantNames: []string{"x"},
			check: func(t *testing.T, c *profiles.Config) {
				p := get(t, c, "x")
				want := profiles.Profile{
					Name: "x", Region: "eu-west-1", MFASerial: "arn:aws:iam::123456789012:mfa/alice",
					RoleARN: "arn:aws:iam::123456789012:role/admin", SourceProfile: "base", RoleSessionName: "alice",
					ExternalID: "ext-123", DurationSeconds: 3600, MFAProcess: "/usr/bin/get-otp",
					CredentialSource: "Environment", CredentialProcess: "/usr/bin/creds", SSOKeys: []string{"sso_session"}, SSOSession: "corp",
					Awsenv: map[string]string{}, ConfigFile: c.Files.Config,
					CommandFrom: map[string]string{"mfa_process": c.Files.Config, "credential_process": c.Files.Config},
				}
				if !reflect.DeepEqual(*p, want) {
					t.Errorf("profile\n got %+v\nwant %+v", *p, want)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := load(t, tt.config, tt.creds)
			if got := c.Names(); !reflect.DeepEqual(got, tt.wantNames) {
				t.Errorf("Names() = %q, want %q", got, tt.wantNames)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

func TestLoadSSOKeysMarkSSO(t *testing.T) {
	for _, key := range []string{"sso_start_url", "sso_session", "sso_account_id", "sso_role_name"} {
		c := load(t, lines("[profile x]", key+" = v"), "-")
		if got := get(t, c, "x").SSOKeys; !reflect.DeepEqual(got, []string{key}) {
			t.Errorf("%s did not mark the profile as SSO", key)
		}
	}
}

func TestLoadDurationSeconds(t *testing.T) {
	tests := []struct {
		val  string
		want int
	}{
		{"3600", 3600},
		{" 900 ", 900},
		{"", 0},
		{"1h", -1},
		{"3600.5", -1},
		{"0", -1},  // refused by Resolve: see TestResolve
		{"-5", -1}, // negative: refused by Resolve too
	}
	for _, tt := range tests {
		c := load(t, lines("[profile x]", "duration_seconds = "+tt.val), "-")
		if got := get(t, c, "x").DurationSeconds; got != tt.want {
			t.Errorf("duration_seconds = %q: DurationSeconds = %d, want %d", tt.val, got, tt.want)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	garbage := map[string]string{
		"text without =":   "this is not an ini file\n",
		"unclosed section": "[profile x\nregion = eu-west-1\n",
		"empty key":        "[profile x]\n= value\n",
		"binary":           "\x00\x01\x02\xff\n",
	}
	for name, content := range garbage {
		for _, which := range []string{"config", "credentials"} {
			t.Run(which+"/"+name, func(t *testing.T) {
				cfg, creds := "", ""
				if which == "config" {
					cfg = content
				} else {
					creds = content
				}
				files := testFiles(t, cfg, creds)
				c, err := profiles.Load(files)
				if err == nil {
					t.Fatalf("Load succeeded: %v", c.Names())
				}
				var fe *profiles.FileError
				if !errors.As(err, &fe) {
					t.Fatalf("error %T %v, want *FileError", err, err)
				}
				path := files.Config
				if which == "credentials" {
					path = files.Credentials
				}
				if fe.Path != path {
					t.Errorf("FileError.Path = %q, want %q", fe.Path, path)
				}
				mustContain(t, err.Error(), path, "INI format")
				if fe.Unwrap() == nil {
					t.Error("FileError does not wrap the parse error")
				}
			})
		}
	}

	t.Run("unreadable: a directory", func(t *testing.T) {
		files := testFiles(t, "-", "")
		if err := os.Mkdir(files.Config, 0o700); err != nil {
			t.Fatal(err)
		}
		_, err := profiles.Load(files)
		var fe *profiles.FileError
		if !errors.As(err, &fe) || fe.Path != files.Config {
			t.Fatalf("error %T %v, want *FileError for %s", err, err, files.Config)
		}
		mustContain(t, err.Error(), files.Config, "readable")
	})

	t.Run("unreadable: mode 000", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root reads mode 000 files")
		}
		files := testFiles(t, "", "[x]\n")
		if err := os.Chmod(files.Credentials, 0); err != nil {
			t.Fatal(err)
		}
		_, err := profiles.Load(files)
		var fe *profiles.FileError
		if !errors.As(err, &fe) || fe.Path != files.Credentials || !errors.Is(err, os.ErrPermission) {
			t.Fatalf("error %T %v, want *FileError wrapping ErrPermission", err, err)
		}
	})

	t.Run("missing parent directory is a missing file", func(t *testing.T) {
		dir := t.TempDir()
		c, err := profiles.Load(profiles.Files{
			Config:      filepath.Join(dir, "no", "such", "config"),
			Credentials: filepath.Join(dir, "no", "such", "credentials"),
		})
		if err != nil || len(c.Names()) != 0 {
			t.Fatalf("Load = %v, %v; want empty, nil", c, err)
		}
	})
}

// TestLoadLikeTheAWSCLI: files the AWS CLI (Python's configparser) reads
// one way and gopkg.in/ini.v1, which awsenv once used, another. configparser treats a line as a
// continuation only when it is indented more than its key line, and knows
// no backslash continuations.
func TestLoadLikeTheAWSCLI(t *testing.T) {
	tests := map[string]string{
		"indented keys": lines("[x]",
			"    aws_access_key_id = "+exampleKeyID,
			"    aws_secret_access_key = "+exampleSecret),
		"tab-indented keys": lines("[x]",
			"\taws_access_key_id = "+exampleKeyID,
			"\taws_secret_access_key = "+exampleSecret),
		"trailing backslash": lines("[x]",
			"region = eu-west-1\\",
			"aws_access_key_id = "+exampleKeyID,
			"aws_secret_access_key = "+exampleSecret),
	}
	for name, creds := range tests {
		t.Run(name, func(t *testing.T) {
			p := get(t, load(t, "-", creds), "x")
			if p.AccessKeyID != exampleKeyID || p.SecretAccessKey.Reveal() != exampleSecret {
				t.Errorf("AccessKeyID = %q, SecretAccessKey = %q", p.AccessKeyID, p.SecretAccessKey.Reveal())
			}
		})
	}
}

// TestLoadErrorDoesNotEchoSecrets: a malformed line in the credentials file
// is quoted whole in the parse error, secret included.
func TestLoadErrorDoesNotEchoSecrets(t *testing.T) {
	files := testFiles(t, "-", lines("[x]", "aws_access_key_id = "+exampleKeyID, "aws_secret_access_key "+exampleSecret))
	_, err := profiles.Load(files)
	if err == nil {
		t.Fatal("Load succeeded")
	}
	if strings.Contains(err.Error(), exampleSecret) {
		t.Errorf("error shows the secret: %v", err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error spans lines: %q", err.Error())
	}
}

func get(t *testing.T, c *profiles.Config, name string) *profiles.Profile {
	t.Helper()
	p, err := c.Get(name)
	if err != nil {
		t.Fatalf("Get(%q): %v", name, err)
	}
	return p
}
