package profiles

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"unsafe"

	"github.com/awsenv/awsenv/profiles/awsini"
	"github.com/awsenv/awsenv/profiles/safefile"
)

// Files names the two shared AWS files, as the AWS CLI and SDKs find them.
// ConfigVar and CredentialsVar name the variable that chose each path
// (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE), empty for the default: a
// fix then says which variable to point back at a file.
type Files struct {
	Config      string
	Credentials string

	ConfigVar, CredentialsVar string
	// KeyIndex is awsenv's index of the profiles whose long-term keys are
	// in its secret store (keyindex.go); "" reads none.
	KeyIndex string
	// WebIdentity is the environment's AWS_ROLE_ARN,
	// AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_SESSION_NAME: a profile with
	// no credentials of its own assumes that role (botocore's web identity
	// provider; TokenFile "" when unset).
	WebIdentity WebIdentity
}

// DefaultFiles returns the paths the AWS CLI uses: AWS_CONFIG_FILE and
// AWS_SHARED_CREDENTIALS_FILE when set, else ~/.aws/config and
// ~/.aws/credentials.
func DefaultFiles(getenv func(string) string, home string) Files {
	f := Files{
		Config:      filepath.Join(home, ".aws", "config"),
		Credentials: filepath.Join(home, ".aws", "credentials"),
	}
	if v := getenv("AWS_CONFIG_FILE"); v != "" {
		f.Config, f.ConfigVar = expandHome(v, home), "AWS_CONFIG_FILE"
	}
	if v := getenv("AWS_SHARED_CREDENTIALS_FILE"); v != "" {
		f.Credentials, f.CredentialsVar = expandHome(v, home), "AWS_SHARED_CREDENTIALS_FILE"
	}
	if v := getenv("AWS_WEB_IDENTITY_TOKEN_FILE"); v != "" {
		f.WebIdentity = WebIdentity{RoleARN: getenv("AWS_ROLE_ARN"), TokenFile: v,
			SessionName: getenv("AWS_ROLE_SESSION_NAME"), FromEnv: true}
	}
	return f
}

func expandHome(p, home string) string {
	if p == "~" {
		return home
	}
	if strings.HasPrefix(p, "~/") {
		return filepath.Join(home, p[2:])
	}
	return p
}

// Size limits. An AWS config or credentials file is a few kilobytes, and a
// large organisation's generated config a few megabytes; a file beyond the
// limit is more likely the wrong file (AWS_CONFIG_FILE naming a log or a
// disk image) than a config, and awsenv refuses it rather than read it all.
const (
	// MaxAWSFileSize bounds ~/.aws/config and ~/.aws/credentials.
	MaxAWSFileSize = 32 << 20
	// MaxGlobalFileSize bounds awsenv's own config file.
	MaxGlobalFileSize = 1 << 20
)

// ErrTooLarge is a file over its size limit (see MaxAWSFileSize).
var ErrTooLarge = safefile.ErrTooLarge

// loadINI reads and parses one file of at most limit bytes. A missing file
// is an empty file: many people have only one of the two. The file is
// opened without blocking and must be a regular file (or /dev/null): a
// FIFO in its place would otherwise hang awsenv in open(2). setting names
// the variable that chose path, if one did.
func loadINI(path, setting string, limit int64) (*awsini.File, error) {
	text, err := readLimited(path, limit)
	if errors.Is(err, fs.ErrNotExist) {
		return awsini.Parse("")
	}
	var notReg *safefile.NotRegularError
	if errors.As(err, &notReg) {
		notReg.Setting = setting
		return nil, &FileError{Path: path, Err: notReg,
			Fix: notReg.Fix(", then put the file you meant there (or point " + envFor(limit) + " at it)")}
	}
	if errors.Is(err, ErrTooLarge) {
		fix := fmt.Sprintf("awsenv reads AWS files of up to %s: check that AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE name the files you meant, and move what is not configuration out of this one.", sizeString(limit))
		if limit == MaxGlobalFileSize {
			fix = fmt.Sprintf("awsenv reads its own config file up to %s: move what is not awsenv's configuration out of it.", sizeString(limit))
		}
		return nil, &FileError{Path: path, Err: err, Fix: fix}
	}
	if err != nil {
		return nil, &FileError{Path: path, Err: err, Fix: "Check that the file is readable by you."}
	}
	f, err := awsini.Parse(text)
	if err != nil {
		// awsini names the bad line by number, never by its text, which
		// may hold a secret.
		return nil, &FileError{Path: path, Err: err,
			Fix: "Fix that line; the file uses the AWS CLI's INI format: [section], key = value, # comment on a line of its own, and indented lines continue the value above."}
	}
	return f, nil
}

func envFor(limit int64) string {
	if limit == MaxGlobalFileSize {
		return "XDG_CONFIG_HOME at another directory"
	}
	return "AWS_CONFIG_FILE or AWS_SHARED_CREDENTIALS_FILE"
}

// readLimited reads a whole regular file of at most limit bytes (see
// safefile.ReadFile).
func readLimited(path string, limit int64) (string, error) {
	buf, _, err := safefile.ReadFile(path, 0, limit)
	if err != nil {
		var tl *safefile.TooLargeError
		if errors.As(err, &tl) {
			if tl.Size < 0 {
				return "", fmt.Errorf("the file holds more than %s, the limit: %w", sizeString(limit), ErrTooLarge)
			}
			return "", fmt.Errorf("the file is %s (%d bytes), over the limit of %s: %w", sizeString(tl.Size), tl.Size, sizeString(limit), ErrTooLarge)
		}
		return "", err
	}
	if len(buf) == 0 {
		return "", nil
	}
	// buf is never written again: it can be the string without a copy.
	return unsafe.String(&buf[0], len(buf)), nil
}

// sizeString prints a size in GiB, MiB, KiB or bytes.
func sizeString(n int64) string { return safefile.Size(n) }

// FileError is a config or credentials file that cannot be read or parsed.
type FileError struct {
	Path string
	Err  error
	Fix  string
}

func (e *FileError) Error() string {
	return fmt.Sprintf("read %s: %v. %s", e.Path, e.Err, e.Fix)
}

func (e *FileError) Unwrap() error { return e.Err }
