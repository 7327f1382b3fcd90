//go:build unix

package main

// install.sh's rc file editing, end to end: the script runs in a throwaway
// HOME with PREFIX inside it and AWSENV_BIN pointing at the binaries
// TestMain built, so no Go build happens here. Nothing runs `awsenv init`:
// these tests check the block install.sh writes, not what init prints.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

const (
	rcBegin = "# >>> awsenv >>>"
	rcEnd   = "# <<< awsenv <<<"
)

// installer is one user's machine for install.sh.
type installer struct {
	t      *testing.T
	home   string
	prefix string
	env    map[string]string
}

func newInstaller(t *testing.T, shell string) *installer {
	t.Helper()
	home := t.TempDir()
	in := &installer{t: t, home: home, prefix: filepath.Join(home, "my prefix")}
	in.env = map[string]string{
		"HOME":       home,
		"PATH":       "/usr/local/bin:/usr/bin:/bin",
		"LANG":       "C.UTF-8",
		"SHELL":      shell,
		"PREFIX":     in.prefix,
		"AWSENV_BIN": binDir,
	}
	return in
}

func (in *installer) bindir() string { return filepath.Join(in.prefix, "bin") }

func (in *installer) run(args ...string) result {
	in.t.Helper()
	script, err := filepath.Abs(filepath.Join("..", "..", "install.sh"))
	must(in.t, err)
	cmd := testproc.Command("bash", append([]string{script}, args...)...)
	for k, v := range in.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Dir = in.home
	setNoTTY(cmd)
	return runCmd(in.t, cmd)
}

// ok runs install.sh, which must succeed and print nothing on stdout.
func (in *installer) ok(args ...string) result {
	in.t.Helper()
	r := in.run(args...)
	if r.code != 0 || r.stdout != "" {
		in.t.Fatalf("install.sh %s: want exit 0 and an empty stdout: %s", strings.Join(args, " "), r)
	}
	return r
}

func (in *installer) path(rel string) string { return filepath.Join(in.home, rel) }

func (in *installer) write(rel, content string, mode os.FileMode) {
	in.t.Helper()
	p := in.path(rel)
	must(in.t, os.MkdirAll(filepath.Dir(p), 0o755))
	must(in.t, os.WriteFile(p, []byte(content), mode))
	must(in.t, os.Chmod(p, mode))
}

func (in *installer) read(rel string) string {
	in.t.Helper()
	b, err := os.ReadFile(in.path(rel))
	must(in.t, err)
	return string(b)
}

func (in *installer) exists(rel string) bool {
	_, err := os.Lstat(in.path(rel))
	return err == nil
}

// backups lists the backups install.sh made of the rc file at rel.
func (in *installer) backups(rel string) []string {
	in.t.Helper()
	m, err := filepath.Glob(in.path(rel) + ".awsenv-backup-*")
	must(in.t, err)
	return m
}

func (in *installer) binariesInstalled(want bool) {
	in.t.Helper()
	for _, b := range []string{"awsenv", "awsenv-helper", "awsenv-helper-full"} {
		fi, err := os.Stat(filepath.Join(in.bindir(), b))
		switch {
		case want && (err != nil || fi.Mode().Perm() != 0o755):
			in.t.Fatalf("%s not installed 0755: %v", b, err)
		case !want && err == nil:
			in.t.Fatalf("%s still installed", b)
		}
	}
}

// oneBlock checks that content has exactly one awsenv block, whose init line
// is initLine, and returns content without the block's lines.
func oneBlock(t *testing.T, content, initLine string) string {
	t.Helper()
	if strings.Count(content, rcBegin+"\n") != 1 || strings.Count(content, "\n"+rcEnd) != 1 {
		t.Fatalf("want exactly one awsenv block:\n%s", content)
	}
	i, j := strings.Index(content, rcBegin), strings.Index(content, rcEnd)+len(rcEnd)
	block := content[i:j]
	if strings.HasPrefix(content[j:], "\n") {
		j++
	}
	if !strings.Contains(block, "\n"+initLine+"\n") {
		t.Fatalf("block lacks the line %s:\n%s", initLine, block)
	}
	return content[:i] + content[j:]
}

const bashInit = `eval "$("$HOME/my prefix/bin/awsenv" init bash)"`

// Twice installed, the rc file changes once; --uninstall gives back its
// exact bytes, whether or not it ended in a newline, was empty, or did not
// exist (then an empty file stays).
func TestInstallRCBashOnceAndUninstall(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, original string
		exists         bool
	}{
		{"newline at end", "# my bashrc\nalias ll='ls -l'\n\nexport EDITOR=vi\n", true},
		{"no newline at end", "alias ll='ls -l'\nexport EDITOR=vi", true},
		{"empty", "", true},
		{"missing", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := newInstaller(t, "/bin/bash")
			if c.exists {
				in.write(".bashrc", c.original, 0o640)
			}
			r := in.ok()
			in.binariesInstalled(true)
			after := in.read(".bashrc")
			rest := oneBlock(t, after, bashInit)
			if !strings.HasPrefix(after, c.original) {
				t.Fatalf("the original content must stay in front:\n%q", after)
			}
			// The file ends in a newline afterwards exactly when it did before.
			wantRest := c.original
			if c.original != "" && !strings.HasSuffix(c.original, "\n") {
				wantRest += "\n"
			}
			if rest != wantRest {
				t.Fatalf("without the block, .bashrc is %q, want %q", rest, wantRest)
			}
			if !strings.Contains(r.stderr, in.path(".bashrc")) || !strings.Contains(r.stderr, "+ "+bashInit) {
				t.Fatalf("install.sh must say which file got which lines: %s", r)
			}
			backups := in.backups(".bashrc")
			if c.exists {
				if len(backups) != 1 || !strings.Contains(r.stderr, backups[0]) {
					t.Fatalf("want one backup, named on stderr; have %q: %s", backups, r)
				}
				if b, _ := os.ReadFile(backups[0]); string(b) != c.original {
					t.Fatalf("backup holds %q, want %q", b, c.original)
				}
				if fi, _ := os.Stat(in.path(".bashrc")); fi.Mode().Perm() != 0o640 {
					t.Fatalf(".bashrc mode %v, want 0640 kept", fi.Mode().Perm())
				}
			} else if len(backups) != 0 || !strings.Contains(r.stderr, "created") {
				t.Fatalf("a new rc file has nothing to back up; want it reported as created: %q %s", backups, r)
			}

			r = in.ok()
			if got := in.read(".bashrc"); got != after {
				t.Fatalf("second run changed .bashrc:\n%q\nwant\n%q", got, after)
			}
			if n := len(in.backups(".bashrc")); n != len(backups) || !strings.Contains(r.stderr, "not changed") {
				t.Fatalf("second run: want no new backup and 'not changed': %d backups: %s", n, r)
			}

			r = in.ok("--uninstall")
			in.binariesInstalled(false)
			if got := in.read(".bashrc"); got != c.original {
				t.Fatalf("--uninstall left %q, want the original %q", got, c.original)
			}
			if !strings.Contains(r.stderr, "- "+bashInit) {
				t.Fatalf("--uninstall must say what it removed: %s", r)
			}
			if in.exists(".zshrc") || in.exists(".config/fish/config.fish") {
				t.Fatal("--uninstall created rc files of other shells")
			}
		})
	}
}

// zsh honours ZDOTDIR and --shell over $SHELL; fish's config.fish is
// created along with its directories.
func TestInstallRCZshAndFish(t *testing.T) {
	t.Parallel()
	t.Run("zsh", func(t *testing.T) {
		in := newInstaller(t, "/bin/bash")
		in.env["ZDOTDIR"] = in.path("zdot")
		in.write("zdot/.zshrc", "setopt autocd\n", 0o600)
		in.ok("--shell", "zsh")
		oneBlock(t, in.read("zdot/.zshrc"), `eval "$("$HOME/my prefix/bin/awsenv" init zsh)"`)
		if in.exists(".zshrc") || in.exists(".bashrc") {
			t.Fatal("--shell zsh with ZDOTDIR must change only $ZDOTDIR/.zshrc")
		}
		in.ok("--uninstall")
		if got := in.read("zdot/.zshrc"); got != "setopt autocd\n" {
			t.Fatalf("--uninstall left %q", got)
		}
	})
	t.Run("fish", func(t *testing.T) {
		in := newInstaller(t, "/usr/bin/fish")
		in.ok()
		oneBlock(t, in.read(".config/fish/config.fish"), `"$HOME/my prefix/bin/awsenv" init fish | source`)
		if in.exists(".bashrc") {
			t.Fatal("fish install touched .bashrc")
		}
		in.ok("--uninstall")
		if got := in.read(".config/fish/config.fish"); got != "" {
			t.Fatalf("--uninstall left %q in the config.fish it created (want it empty, not removed)", got)
		}
	})
	t.Run("fish XDG_CONFIG_HOME", func(t *testing.T) {
		in := newInstaller(t, "/usr/bin/fish")
		in.env["XDG_CONFIG_HOME"] = in.path("xdg")
		in.ok()
		oneBlock(t, in.read("xdg/fish/config.fish"), `"$HOME/my prefix/bin/awsenv" init fish | source`)
	})
}

// A dotfile manager's symlinked .bashrc stays a symlink: its target gets
// the block, and the backup sits beside the link.
func TestInstallRCSymlink(t *testing.T) {
	t.Parallel()
	in := newInstaller(t, "/bin/bash")
	original := "# managed by my dotfiles\nexport PAGER=less\n"
	in.write("dotfiles/bashrc", original, 0o644)
	must(t, os.Symlink(filepath.Join("dotfiles", "bashrc"), in.path(".bashrc")))
	isLink := func() {
		t.Helper()
		if dest, err := os.Readlink(in.path(".bashrc")); err != nil || dest != filepath.Join("dotfiles", "bashrc") {
			t.Fatalf(".bashrc is no longer the symlink to dotfiles/bashrc: %q %v", dest, err)
		}
	}
	r := in.ok()
	isLink()
	oneBlock(t, in.read("dotfiles/bashrc"), bashInit)
	if !strings.Contains(r.stderr, in.path("dotfiles/bashrc")) {
		t.Fatalf("install.sh must name the link's target: %s", r)
	}
	backups := in.backups(".bashrc")
	if len(backups) != 1 {
		t.Fatalf("want one backup beside the link, have %q", backups)
	}
	if fi, err := os.Lstat(backups[0]); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("backup must be a plain copy: %v %v", fi, err)
	}
	if b, _ := os.ReadFile(backups[0]); string(b) != original {
		t.Fatalf("backup holds %q", b)
	}
	if m, _ := filepath.Glob(in.path("dotfiles/*")); len(m) != 1 {
		t.Fatalf("the dotfiles directory must hold only bashrc: %q", m)
	}
	in.ok("--uninstall")
	isLink()
	if got := in.read("dotfiles/bashrc"); got != original {
		t.Fatalf("--uninstall left %q", got)
	}
}

// --no-modify-rc installs and uninstalls the binaries only, and prints the
// line to add by hand.
func TestInstallRCNoModify(t *testing.T) {
	t.Parallel()
	in := newInstaller(t, "/bin/bash")
	in.write(".bashrc", "export A=1\n", 0o644)
	r := in.ok("--no-modify-rc")
	in.binariesInstalled(true)
	if got := in.read(".bashrc"); got != "export A=1\n" || len(in.backups(".bashrc")) != 0 {
		t.Fatalf("--no-modify-rc changed .bashrc: %q", got)
	}
	if !strings.Contains(r.stderr, bashInit) {
		t.Fatalf("--no-modify-rc must print the line to add: %s", r)
	}
	in.ok()
	withBlock := in.read(".bashrc")
	in.ok("--uninstall", "--no-modify-rc")
	in.binariesInstalled(false)
	if got := in.read(".bashrc"); got != withBlock {
		t.Fatalf("--uninstall --no-modify-rc changed .bashrc: %q", got)
	}
}

// An unknown shell gets the lines to add by hand and no rc file changes.
func TestInstallRCUnknownShell(t *testing.T) {
	t.Parallel()
	in := newInstaller(t, "/bin/tcsh")
	in.write(".bashrc", "export A=1\n", 0o644)
	r := in.ok()
	in.binariesInstalled(true)
	if got := in.read(".bashrc"); got != "export A=1\n" || len(in.backups(".bashrc")) != 0 {
		t.Fatalf("unknown shell: .bashrc changed: %q", got)
	}
	if in.exists(".zshrc") || in.exists(".config") {
		t.Fatal("unknown shell: an rc file was created")
	}
	for _, want := range []string{"unknown shell 'tcsh'", bashInit, `"$HOME/my prefix/bin/awsenv" init fish | source`} {
		if !strings.Contains(r.stderr, want) {
			t.Fatalf("unknown shell: stderr lacks %q: %s", want, r)
		}
	}
	if r := in.run("--shell", "tcsh"); r.code != 2 || r.stdout != "" || in.exists(".zshrc") {
		t.Fatalf("--shell tcsh is a usage error: %s", r)
	}
}

// Set-ups already there: a block from another PREFIX is updated in place, a
// hand-written init line is left alone, a broken block is not touched.
func TestInstallRCExisting(t *testing.T) {
	t.Parallel()
	in := newInstaller(t, "/bin/bash")
	in.write(".bashrc", "export A=1\n", 0o644)
	in.ok()
	in.env["PREFIX"] = in.path("other")
	r := in.ok()
	got := in.read(".bashrc")
	if rest := oneBlock(t, got, `eval "$("$HOME/other/bin/awsenv" init bash)"`); rest != "export A=1\n" {
		t.Fatalf("after a second PREFIX: %q", got)
	}
	if !strings.Contains(r.stderr, "updated") || !strings.Contains(r.stderr, "- "+bashInit) {
		t.Fatalf("an updated block is reported with its old and new lines: %s", r)
	}

	in = newInstaller(t, "/bin/bash")
	manual := "export A=1\neval \"$(awsenv init bash)\"\n"
	in.write(".bashrc", manual, 0o644)
	r = in.ok()
	if got := in.read(".bashrc"); got != manual || !strings.Contains(r.stderr, "already runs awsenv init") {
		t.Fatalf("a hand-written init line: want .bashrc unchanged and a note: %q %s", got, r)
	}

	in = newInstaller(t, "/bin/bash")
	broken := "export A=1\n" + rcBegin + "\neval stuff\n"
	in.write(".bashrc", broken, 0o644)
	r = in.run()
	if got := in.read(".bashrc"); r.code == 0 || r.stdout != "" || got != broken || !strings.Contains(r.stderr, "fix that by hand") {
		t.Fatalf("an unterminated block: want an error and .bashrc unchanged: %q %s", got, r)
	}
	// The rc file is checked first: nothing is installed, and no "done".
	in.binariesInstalled(false)
	if strings.Contains(r.stderr, "done") || len(in.backups(".bashrc")) != 0 {
		t.Fatalf("an unterminated block: want no 'done' and no backup: %s", r)
	}
}

// The block, sourced by the real shells, runs the installed binary by its
// path (spaces, a quote and a dollar in it) with `init SHELL` and evaluates
// what it prints, and puts the install directory on PATH once. A stub
// stands in for awsenv: these tests do not depend on `awsenv init`.
func TestInstallRCLinesRunInShells(t *testing.T) {
	t.Parallel()
	stub := t.TempDir()
	script := `#!/bin/sh
if [ "$2" = fish ]; then echo "set -g STUB_ARGS '$*'"; else echo "STUB_ARGS='$*'"; fi
`
	for _, b := range []string{"awsenv", "awsenv-helper", "awsenv-helper-full"} {
		must(t, os.WriteFile(filepath.Join(stub, b), []byte(script), 0o755))
	}
	for _, c := range []struct{ shell, rc, check string }{
		{"bash", ".bashrc", `. "$HOME/.bashrc"; . "$HOME/.bashrc"; echo "$STUB_ARGS"; command -v awsenv; echo "$PATH"`},
		{"zsh", "zdot/.zshrc", `. "$ZDOTDIR/.zshrc"; . "$ZDOTDIR/.zshrc"; echo "$STUB_ARGS"; command -v awsenv; echo "$PATH"`},
		{"fish", ".config/fish/config.fish", `source "$HOME/.config/fish/config.fish"; source "$HOME/.config/fish/config.fish"; echo $STUB_ARGS; command -v awsenv; string join : $PATH`},
	} {
		for _, underHome := range []bool{true, false} {
			name := c.shell + " prefix under HOME"
			if !underHome {
				name = c.shell + " prefix elsewhere"
			}
			t.Run(name, func(t *testing.T) {
				shellPath := requireTool(t, c.shell)
				in := newInstaller(t, shellPath)
				in.home = filepath.Join(in.home, `h o'm$e`)
				in.prefix = filepath.Join(in.home, `pre "fix"`) // written "$HOME/..."
				if !underHome {
					in.prefix = filepath.Join(t.TempDir(), `it's \ "$x"`) // single-quoted
				}
				in.env["HOME"], in.env["PREFIX"], in.env["AWSENV_BIN"] = in.home, in.prefix, stub
				if c.shell == "zsh" {
					in.env["ZDOTDIR"] = in.path("zdot")
				}
				in.write(c.rc, "", 0o644)
				in.ok()
				args := []string{"-c", c.check}
				if c.shell == "fish" {
					args = append([]string{"--no-config"}, args...)
				}
				cmd := testproc.Command(shellPath, args...)
				cmd.Env = []string{"HOME=" + in.home, "PATH=/usr/bin:/bin", "ZDOTDIR=" + in.path("zdot"), "LANG=C.UTF-8"}
				setNoTTY(cmd)
				r := runCmd(t, cmd)
				want := "init " + c.shell + "\n" + filepath.Join(in.bindir(), "awsenv") + "\n" + in.bindir() + ":/usr/bin:/bin\n"
				if r.code != 0 || r.stdout != want {
					t.Fatalf("sourcing %s twice: want\n%s%s\nrc file:\n%s", c.rc, want, r, in.read(c.rc))
				}
			})
		}
	}
}

func TestInstallScriptHelpAndShellcheck(t *testing.T) {
	t.Parallel()
	in := newInstaller(t, "/bin/bash")
	r := in.run("--help")
	for _, want := range []string{"--shell", "--no-modify-rc", "--uninstall", "--help", "PREFIX", "AWSENV_BIN", "ZDOTDIR", "backup"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Fatalf("--help lacks %q: %s", want, r)
		}
	}
	if r := in.run("--bogus"); r.code != 2 || r.stdout != "" || in.exists("my prefix") {
		t.Fatalf("an unknown option is a usage error and installs nothing: %s", r)
	}
	sc := requireTool(t, "shellcheck")
	out, err := testproc.Command(sc, filepath.Join("..", "..", "install.sh")).CombinedOutput()
	if err != nil {
		t.Fatalf("shellcheck install.sh: %v\n%s", err, out)
	}
}

// A read-only rc file (no write permission for its owner) is the user's
// "do not touch", also for root, who could write it anyway: install.sh says
// so with the fix, before it installs or removes anything, leaves no backup,
// never says "done", and exits 1. An rc file that needs no change may be
// read-only. (It once printed a raw "line 226: Permission denied", left a
// backup, and said "done"; as root it rewrote the file.)
func TestInstallRCReadOnly(t *testing.T) {
	t.Parallel()
	const original = "export A=1\n"
	refused := func(t *testing.T, in *installer, r result, rel, what string) {
		t.Helper()
		if r.code != 1 || r.stdout != "" || strings.Contains(r.stderr, "done") {
			t.Fatalf("%s: want exit 1, nothing on stdout, no 'done': %s", what, r)
		}
		for _, want := range []string{in.path(rel), "read-only", `chmod u+w "$HOME/` + rel + `"`, "--no-modify-rc", "no file was changed"} {
			if !strings.Contains(r.stderr, want) {
				t.Fatalf("%s: stderr lacks %q: %s", what, want, r)
			}
		}
		if strings.Contains(r.stderr, "Permission denied") {
			t.Fatalf("%s: a raw shell error: %s", what, r)
		}
	}
	for _, mode := range []os.FileMode{0o444, 0o400, 0o040} {
		t.Run(mode.String(), func(t *testing.T) {
			in := newInstaller(t, "/bin/bash")
			in.write(".bashrc", original, mode)
			r := in.run()
			refused(t, in, r, ".bashrc", "install")
			if !strings.Contains(r.stderr, bashInit) {
				t.Fatalf("install: want the line to add by hand: %s", r)
			}
			in.binariesInstalled(false)
			unchanged := func() {
				t.Helper()
				fi, err := os.Stat(in.path(".bashrc"))
				must(t, err)
				if got := in.read(".bashrc"); got != original || fi.Mode().Perm() != mode || len(in.backups(".bashrc")) != 0 {
					t.Fatalf(".bashrc: want it untouched (%q, %v) and no backup: %q %v %q", original, mode, got, fi.Mode().Perm(), in.backups(".bashrc"))
				}
			}
			unchanged()
			in.ok("--no-modify-rc")
			unchanged()

			// Writable: the block goes in. Read-only again: --uninstall
			// refuses before it removes the binaries.
			must(t, os.Chmod(in.path(".bashrc"), 0o644))
			in.ok()
			withBlock := in.read(".bashrc")
			for _, b := range in.backups(".bashrc") {
				must(t, os.Remove(b))
			}
			must(t, os.Chmod(in.path(".bashrc"), mode))
			r = in.ok() // already there: nothing to change, no complaint
			if !strings.Contains(r.stderr, "not changed") {
				t.Fatalf("read-only and up to date: %s", r)
			}
			r = in.run("--uninstall")
			refused(t, in, r, ".bashrc", "--uninstall")
			in.binariesInstalled(true)
			if got := in.read(".bashrc"); got != withBlock || len(in.backups(".bashrc")) != 0 {
				t.Fatalf("--uninstall changed a read-only .bashrc or left a backup: %q", got)
			}
		})
	}
	t.Run("symlink to a read-only file", func(t *testing.T) {
		in := newInstaller(t, "/usr/bin/fish")
		in.write("dotfiles/config.fish", original, 0o444)
		must(t, os.MkdirAll(in.path(".config/fish"), 0o755))
		must(t, os.Symlink(in.path("dotfiles/config.fish"), in.path(".config/fish/config.fish")))
		r := in.run()
		refused(t, in, r, "dotfiles/config.fish", "install")
		in.binariesInstalled(false)
		if got := in.read("dotfiles/config.fish"); got != original || len(in.backups(".config/fish/config.fish")) != 0 {
			t.Fatalf("changed: %q", got)
		}
	})
}

// Lines the user added inside awsenv's block are theirs: --uninstall and an
// update keep them, moved out of the block in their order, and say so. (They
// were once removed with the block.)
func TestInstallRCUserLinesInBlock(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ shell, rc, mine string }{
		{"bash", ".bashrc", "export MINE=1\neval \"$(zoxide init bash)\"\ncase \":$PATH:\" in *:/a:*) ;; *) export PATH=/b:\"$PATH\" ;; esac\n"},
		{"fish", ".config/fish/config.fish", "set -gx MINE 1\nstarship init fish | source\n"},
	} {
		t.Run(c.shell, func(t *testing.T) {
			in := newInstaller(t, "/bin/"+c.shell)
			in.write(c.rc, "# top\n", 0o644)
			in.ok()
			withBlock := in.read(c.rc)
			// The user's lines go just before the end marker.
			edited := strings.Replace(withBlock, rcEnd, c.mine+rcEnd, 1)
			in.write(c.rc, edited, 0o644)

			in.env["PREFIX"] = in.path("other")
			r := in.ok()
			got := in.read(c.rc)
			if rest := strings.TrimPrefix(got, "# top\n"); !strings.HasSuffix(rest, rcEnd+"\n"+c.mine) || strings.Count(rest, rcBegin) != 1 {
				t.Fatalf("update: want the new block, then the user's lines:\n%s\n%s", got, r)
			}
			for _, l := range strings.Split(strings.TrimSuffix(c.mine, "\n"), "\n") {
				if !strings.Contains(r.stderr, "      "+l+"\n") || strings.Contains(r.stderr, "- "+l) {
					t.Fatalf("update: want %q reported as kept, not removed: %s", l, r)
				}
			}

			in.write(c.rc, strings.Replace(got, rcEnd+"\n"+c.mine, c.mine+rcEnd+"\n", 1), 0o644)
			r = in.ok("--uninstall")
			if got := in.read(c.rc); got != "# top\n"+c.mine {
				t.Fatalf("--uninstall: want the user's lines kept where the block was: %q\n%s", got, r)
			}
			if !strings.Contains(r.stderr, "kept the lines you had added inside the awsenv block") {
				t.Fatalf("--uninstall: want the kept lines reported: %s", r)
			}
			for _, l := range strings.Split(strings.TrimSuffix(c.mine, "\n"), "\n") {
				if strings.Contains(r.stderr, "- "+l) {
					t.Fatalf("--uninstall: %q reported as removed: %s", l, r)
				}
			}
		})
	}
}

// After --uninstall the awsenv binary is gone: the advice about the cached
// sessions must not need it, and must work as printed.
func TestInstallUninstallStateAdvice(t *testing.T) {
	t.Parallel()
	in := newInstaller(t, "/bin/bash")
	in.home = filepath.Join(in.home, `h o'm$e`)
	in.prefix = filepath.Join(in.home, "p")
	in.env["HOME"], in.env["PREFIX"] = in.home, in.prefix
	must(t, os.MkdirAll(in.home, 0o755))
	in.ok("--no-modify-rc")
	r := in.ok("--uninstall", "--no-modify-rc")
	if strings.Contains(r.stderr, "awsenv sessions clear") || strings.Contains(r.stderr, ".local/state") {
		t.Fatalf("no state directory: want no advice about it: %s", r)
	}
	in.write(".local/state/awsenv/sessions/alice.json", "{}", 0o600)
	in.ok("--no-modify-rc")
	r = in.ok("--uninstall", "--no-modify-rc")
	if strings.Contains(r.stderr, "awsenv sessions clear") {
		t.Fatalf("advice that needs the removed binary: %s", r)
	}
	const lead = "to delete them: "
	i := strings.Index(r.stderr, lead)
	if i < 0 {
		t.Fatalf("want the command that deletes the sessions: %s", r)
	}
	advice := strings.SplitN(r.stderr[i+len(lead):], "\n", 2)[0]
	cmd := testproc.Command("sh", "-c", advice)
	cmd.Env = []string{"HOME=" + in.home, "PATH=/usr/bin:/bin"}
	if out, err := cmd.CombinedOutput(); err != nil || in.exists(".local/state/awsenv") {
		t.Fatalf("running the advice %q: %v %s", advice, err, out)
	}
}
