package profiles

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unsafe"

	"github.com/awsenv/awsenv/profiles/awsini"
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
var ErrTooLarge = errors.New("file too large")

// loadINI reads and parses one file of at most limit bytes. A missing file
// is an empty file: many people have only one of the two.
func loadINI(path string, limit int64) (*awsini.File, error) {
	text, err := readLimited(path, limit)
	if errors.Is(err, fs.ErrNotExist) {
		return awsini.Parse("")
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

// readLimited reads a whole file of at most limit bytes: the size is
// checked before reading, and the read stops one byte past the limit, so a
// file that grows meanwhile cannot get past it either.
func readLimited(path string, limit int64) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	size := int64(0)
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	if size > limit {
		return "", fmt.Errorf("the file is %s (%d bytes), over the limit of %s: %w", sizeString(size), size, sizeString(limit), ErrTooLarge)
	}
	// One buffer, read into directly and handed on as the file's one string.
	buf := make([]byte, 0, size+1) // +1: EOF is seen without growing
	r := io.LimitReader(f, limit+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
	}
	if int64(len(buf)) > limit {
		// It grew while being read, or it is not a regular file.
		return "", fmt.Errorf("the file holds more than %s, the limit: %w", sizeString(limit), ErrTooLarge)
	}
	if len(buf) == 0 {
		return "", nil
	}
	// buf is never written again: it can be the string without a copy.
	return unsafe.String(&buf[0], len(buf)), nil
}

// sizeString prints a size in MiB, KiB or bytes.
func sizeString(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
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
