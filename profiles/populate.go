package profiles

// The config edit of `awsenv sso populate`: one section per account and
// role, found again by its marker key, and nothing else touched.

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/awsenv/awsenv/profiles/awsini"
	"github.com/awsenv/awsenv/profiles/safefile"
)

// GeneratedKey marks a section awsenv generated: its value names what it
// was generated from ("sso-session corp"). Sections without it are the
// person's and are never changed.
const GeneratedKey = "awsenv_generated"

// SSOSessionNames lists the [sso-session NAME] sections of the config
// file, sorted.
func (c *Config) SSOSessionNames() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	names := make([]string, 0, len(c.ssoSession))
	for n := range c.ssoSession {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// PopulateError is a config file PlanPopulate or Write refuses; the file
// is unchanged.
type PopulateError struct {
	Path, Problem, Fix string
	Err                error
}

func (e *PopulateError) Error() string {
	msg := fmt.Sprintf("cannot write the generated profiles into %s: %s", e.Path, e.Problem)
	if e.Err != nil && !strings.Contains(e.Problem, e.Err.Error()) {
		msg += ": " + e.Err.Error()
	}
	return msg + "; the file is unchanged. " + e.Fix
}

func (e *PopulateError) Unwrap() error { return e.Err }

// Generated is one profile to generate: its name and its keys in order
// (GeneratedKey is added first).
type Generated struct {
	Name string
	Keys [][2]string
}

// Populate is a planned edit of a config file: what changes, and the new
// bytes. PlanPopulate makes it; Write carries it out.
type Populate struct {
	Path   string // as named
	Old    []byte
	New    []byte
	Marker string // GeneratedKey's value

	Added, Updated, Removed []string
	// Unchanged are generated sections already as they should be.
	Unchanged []string
	// Stale are generated sections whose access is gone, kept without
	// prune.
	Stale []string
	// Taken are names of the person's own sections: not generated.
	Taken []string

	hunks  []hunk
	target string      // the regular file behind any links
	info   fs.FileInfo // nil when the file does not exist yet
}

// hunk replaces lines [from, to) of the old file (0-based) with lines.
type hunk struct {
	from, to int
	lines    []string
}

// Changed reports whether the file would change.
func (p *Populate) Changed() bool { return len(p.hunks) > 0 }

// PlanPopulate reads the config file at path and plans the edit that
// makes its sections marked marker the profiles gen: a marked section of
// a name in gen is rewritten where it is (untouched if already right), a
// marked section of a name not in gen is removed with prune (else kept,
// listed in Stale), and new names are appended at the end. Sections
// without the marker, comments, blank lines and line ends stay as they
// are, byte for byte; a name held by such a section is listed in Taken
// and not generated.
func PlanPopulate(path string, gen []Generated, marker string, prune bool) (*Populate, error) {
	p := &Populate{Path: path, Marker: marker, target: path}
	refuse := func(problem, fix string, cause error) error {
		return &PopulateError{Path: path, Problem: problem, Fix: fix, Err: cause}
	}
	if t, err := filepath.EvalSymlinks(path); err == nil {
		p.target = t
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, refuse("cannot follow its links", "Point the link at the real file (ls -l shows where it points).", err)
	}
	if fi, err := os.Lstat(p.target); err == nil {
		if !fi.Mode().IsRegular() {
			return nil, refuse("it is "+safefile.Kind(fi.Mode())+", not a regular file", "Name the config file itself (AWS_CONFIG_FILE).", nil)
		}
		if fi.Mode().Perm()&0o200 == 0 {
			return nil, refuse(fmt.Sprintf("it is read-only (mode %04o), which awsenv takes as \"do not touch\"", fi.Mode().Perm()),
				"Make it writable (chmod u+w) and run the command again.", nil)
		}
		p.info = fi
		if p.Old, _, err = safefile.ReadFile(p.target, 0, MaxAWSFileSize); err != nil {
			return nil, refuse("cannot read it", "Check that it is readable by you.", err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, refuse("cannot read it", "Check that it is readable by you.", err)
	}
	f, err := awsini.Parse(string(p.Old))
	if err != nil {
		return nil, refuse(err.Error(), "Fix that line; the file uses the AWS CLI's INI format: [section], key = value, # comment on a line of its own.", err)
	}
	lines := splitLines(p.Old)
	eol := "\n"
	if len(lines) > 0 && strings.HasSuffix(lines[0], "\r\n") {
		eol = "\r\n"
	}
	// Every header line bounds the block above it.
	var headers []int
	if d, ok := f.Section(awsini.DefaultSection); ok {
		headers = append(headers, d.Headers()...)
	}
	type owned struct {
		name     string
		from, to int // lines, 0-based, [from, to)
	}
	var mine []owned
	taken := map[string]bool{}
	for _, sec := range f.Sections() {
		headers = append(headers, sec.Headers()...)
		name, ok := configSectionProfile(sec.Name())
		if !ok {
			continue
		}
		for _, b := range sec.Blocks() {
			if blockMarked(b, marker) {
				mine = append(mine, owned{name: name, from: b.Line - 1})
			} else {
				taken[name] = true
			}
		}
	}
	sort.Ints(headers)
	for i := range mine {
		// The block runs to the next header; the comments and blank lines
		// just above that header are the next section's, not ours.
		end := len(lines)
		if j := sort.SearchInts(headers, mine[i].from+2); j < len(headers) {
			end = headers[j] - 1
		}
		for end > mine[i].from+1 && blankOrComment(lines[end-1]) {
			end--
		}
		mine[i].to = end
	}
	want := map[string]*Generated{}
	for i := range gen {
		g := &gen[i]
		if taken[g.Name] {
			p.Taken = append(p.Taken, g.Name)
			continue
		}
		want[g.Name] = g
	}
	done := map[string]bool{}
	for _, m := range mine {
		g, ok := want[m.name]
		switch {
		case ok && !done[m.name]:
			done[m.name] = true
			text := g.render(marker, eol)
			if strings.Join(lines[m.from:m.to], "") == strings.Join(text, "") {
				p.Unchanged = append(p.Unchanged, m.name)
				continue
			}
			// The last line keeps its own end (a file without a final
			// newline stays so).
			if m.to == len(lines) && !strings.HasSuffix(lines[m.to-1], "\n") {
				text[len(text)-1] = strings.TrimRight(text[len(text)-1], "\r\n")
			}
			p.Updated = append(p.Updated, m.name)
			p.hunks = append(p.hunks, hunk{from: m.from, to: m.to, lines: text})
		case !prune:
			p.Stale = append(p.Stale, m.name)
		default:
			// Removed with the blank line awsenv put above it.
			from := m.from
			if from > 0 && strings.TrimSpace(lines[from-1]) == "" {
				from--
			}
			p.Removed = append(p.Removed, m.name)
			p.hunks = append(p.hunks, hunk{from: from, to: m.to})
		}
	}
	var add []string
	for i := range gen {
		g := &gen[i]
		if want[g.Name] != g || done[g.Name] {
			continue
		}
		done[g.Name] = true
		if len(lines) > 0 || len(add) > 0 {
			add = append(add, eol)
		}
		add = append(add, g.render(marker, eol)...)
		p.Added = append(p.Added, g.Name)
	}
	if len(add) > 0 {
		n := len(lines)
		last := -1 // a hunk that already reaches the end
		for i, h := range p.hunks {
			if h.to == n && h.from < n {
				last = i
			}
		}
		if last >= 0 {
			h := &p.hunks[last]
			if k := len(h.lines) - 1; k >= 0 && !strings.HasSuffix(h.lines[k], "\n") {
				h.lines[k] += eol
			}
			h.lines = append(h.lines, add...)
		} else if n > 0 && !strings.HasSuffix(lines[n-1], "\n") {
			// The last line gains the end it lacked.
			p.hunks = append(p.hunks, hunk{from: n - 1, to: n, lines: append([]string{lines[n-1] + eol}, add...)})
		} else {
			p.hunks = append(p.hunks, hunk{from: n, to: n, lines: add})
		}
	}
	sort.Slice(p.hunks, func(i, j int) bool { return p.hunks[i].from < p.hunks[j].from })
	var out bytes.Buffer
	at := 0
	for _, h := range p.hunks {
		for _, l := range lines[at:h.from] {
			out.WriteString(l)
		}
		for _, l := range h.lines {
			out.WriteString(l)
		}
		at = h.to
	}
	for _, l := range lines[at:] {
		out.WriteString(l)
	}
	p.New = out.Bytes()
	if _, err := awsini.Parse(string(p.New)); err != nil {
		return nil, refuse("the edited file would not parse: "+err.Error(), "Report this; the file is unchanged.", err)
	}
	return p, nil
}

func blockMarked(b awsini.Block, marker string) bool {
	for _, k := range b.Keys {
		if k.Name == GeneratedKey && k.Value == marker {
			return true
		}
	}
	return false
}

func blankOrComment(line string) bool {
	t := strings.TrimSpace(line)
	return t == "" || t[0] == '#' || t[0] == ';'
}

// splitLines splits data after each "\n", keeping the ends.
func splitLines(data []byte) []string {
	var lines []string
	s := string(data)
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			lines = append(lines, s)
			break
		}
		lines = append(lines, s[:i+1])
		s = s[i+1:]
	}
	return lines
}

func (g *Generated) render(marker, eol string) []string {
	out := []string{ConfigFile.header(g.Name) + eol, GeneratedKey + " = " + marker + eol}
	for _, kv := range g.Keys {
		out = append(out, kv[0]+" = "+kv[1]+eol)
	}
	return out
}

// Diff is the change as a unified diff of the file, three lines of
// context around each change.
func (p *Populate) Diff() string {
	if !p.Changed() {
		return ""
	}
	old := splitLines(p.Old)
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s\n+++ %s\n", p.Path, p.Path)
	const ctx = 3
	shift := 0 // new line number minus old, before the hunk
	for i := 0; i < len(p.hunks); {
		// Hunks closer than twice the context share one header.
		j := i + 1
		for j < len(p.hunks) && p.hunks[j].from-p.hunks[j-1].to <= 2*ctx {
			j++
		}
		from := max(p.hunks[i].from-ctx, 0)
		to := min(p.hunks[j-1].to+ctx, len(old))
		var body strings.Builder
		at, added, removed := from, 0, 0
		for _, h := range p.hunks[i:j] {
			for _, l := range old[at:h.from] {
				body.WriteString(" " + diffLine(l))
			}
			for _, l := range old[h.from:h.to] {
				body.WriteString("-" + diffLine(l))
				removed++
			}
			for _, l := range h.lines {
				body.WriteString("+" + diffLine(l))
				added++
			}
			at = h.to
		}
		for _, l := range old[at:to] {
			body.WriteString(" " + diffLine(l))
		}
		n := to - from
		fmt.Fprintf(&b, "@@ -%d,%d +%d,%d @@\n", from+1, n, from+1+shift, n-removed+added)
		b.WriteString(body.String())
		shift += added - removed
		i = j
	}
	return b.String()
}

func diffLine(l string) string {
	return strings.TrimRight(l, "\r\n") + "\n"
}

// PopulateWriteOptions say how Write replaces the file.
type PopulateWriteOptions struct {
	// Now stamps the backup's name. Required.
	Now func() time.Time
	// BeforeRename runs once the new file and the backup are on disk,
	// just before the new file replaces the old (the kill tests' pause).
	BeforeRename func() error
}

// Write replaces the file with New (safefile.WriteAtomic, the old mode
// and owner kept, 0600 for a new file), after copying the old bytes to
// PATH.awsenv-backup-<UTC time>. It returns the backup's path ("" for a
// new file), and refuses a file that changed since PlanPopulate read it.
func (p *Populate) Write(opts PopulateWriteOptions) (backup string, err error) {
	if !p.Changed() {
		return "", nil
	}
	if opts.Now == nil {
		return "", errors.New("profiles.Populate.Write: Now is nil")
	}
	refuse := func(problem, fix string, cause error) error {
		return &PopulateError{Path: p.Path, Problem: problem, Fix: fix, Err: cause}
	}
	check := func(tmp string) error {
		if p.info != nil {
			if backup, err = writeBackup(p.Path, p.Old, opts.Now()); err != nil {
				return refuse("cannot write the backup", fmt.Sprintf("Check that %s is writable by you and has free space.", filepath.Dir(p.Path)), err)
			}
		}
		same, rerr := unchanged(p.target, p.Old)
		switch {
		case p.info == nil && !errors.Is(rerr, fs.ErrNotExist):
			return refuse("it appeared while awsenv was writing it", "Check the file, then run the command again.", rerr)
		case p.info != nil && !same:
			return refuse("it changed while awsenv was editing it", "Check the file, then run the command again.", rerr)
		}
		if opts.BeforeRename != nil {
			return opts.BeforeRename()
		}
		return nil
	}
	if p.info == nil {
		if err := os.MkdirAll(filepath.Dir(p.target), 0o700); err != nil {
			return "", refuse("cannot make its directory", fmt.Sprintf("Check that %s can be made by you.", filepath.Dir(p.target)), err)
		}
	}
	err = safefile.WriteAtomic(p.target, p.New, safefile.WriteOptions{Like: p.info, Check: check})
	if err == nil {
		return backup, nil
	}
	if backup != "" {
		os.Remove(backup) // nothing changed: the backup is noise
	}
	var pe *PopulateError
	if errors.As(err, &pe) {
		return "", err
	}
	return "", refuse("cannot replace it", fmt.Sprintf("Check that %s is writable by you and has free space.", filepath.Dir(p.target)), err)
}
