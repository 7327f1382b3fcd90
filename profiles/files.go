package profiles

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/ini.v1"
)

// Files names the two shared AWS files, as the AWS CLI and SDKs find them.
type Files struct {
	Config      string
	Credentials string
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
		f.Config = expandHome(v, home)
	}
	if v := getenv("AWS_SHARED_CREDENTIALS_FILE"); v != "" {
		f.Credentials = expandHome(v, home)
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

// iniOptions follow what botocore accepts: indented continuation lines for
// nested values (s3 = ...), and inline comments only after whitespace, since
// secrets may contain '#' or ';' characters next to other characters.
var iniOptions = ini.LoadOptions{
	AllowPythonMultilineValues: true,
	SpaceBeforeInlineComment:   true,
	SkipUnrecognizableLines:    false,
}

// loadINI reads one INI file. A missing file is an empty file: many people
// have only one of the two.
func loadINI(path string) (*ini.File, bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return ini.Empty(iniOptions), false, nil
	}
	if err != nil {
		return nil, false, &FileError{Path: path, Err: err, Fix: "Check that the file is readable by you."}
	}
	f, err := ini.LoadSources(iniOptions, data)
	if err != nil {
		return nil, false, &FileError{Path: path, Err: err, Fix: "Fix the line it names; the format is the AWS CLI's INI format."}
	}
	return f, true, nil
}

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
