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
	IgnoreContinuation:         true, // a value may end in a backslash
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
	f, err := ini.LoadSources(iniOptions, normalizeIndent(data))
	if err != nil {
		// The parser's message quotes the bad line, which may hold a
		// secret: name the line by number instead.
		return nil, false, &FileError{Path: path, Err: errors.New(badLine(data)),
			Fix: "Fix that line; the file uses the AWS CLI's INI format: [section], key = value, # comment."}
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

// normalizeIndent makes indentation mean what it means to the AWS CLI
// (Python's configparser): a line is a continuation of the value above only
// when it is indented deeper than that key; otherwise it is a key of its
// own, whatever its indentation.
func normalizeIndent(data []byte) []byte {
	lines := strings.Split(string(data), "\n")
	keyIndent := -1 // indentation of the current key, -1 outside any value
	for i, line := range lines {
		trimmed := strings.TrimLeft(line, " \t")
		indent := len(line) - len(trimmed)
		switch {
		case strings.TrimSpace(trimmed) == "":
			continue
		case keyIndent >= 0 && indent > keyIndent:
			continue // a continuation line, kept indented
		case strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, ";"):
			lines[i] = trimmed
		case strings.HasPrefix(trimmed, "["):
			lines[i], keyIndent = trimmed, -1
		default:
			lines[i], keyIndent = trimmed, indent
		}
	}
	return []byte(strings.Join(lines, "\n"))
}

// badLine finds the first line the parser cannot read, by number only.
func badLine(data []byte) string {
	for i, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		if t[0:min(1, len(t))] == "=" {
			return fmt.Sprintf("line %d is not valid INI", i+1)
		}
		if t == "" || t[0] == '#' || t[0] == ';' || strings.Contains(t, "=") ||
			(t[0] == '[' && strings.HasSuffix(t, "]")) || line[0] == ' ' || line[0] == '\t' {
			continue
		}
		return fmt.Sprintf("line %d is not valid INI", i+1)
	}
	return "the file is not valid INI"
}
