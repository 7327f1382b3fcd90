// Package childproctest holds what the tests of every kind of child
// share: a hostile program, the check of what reached the terminal from
// it, and a program that leaves a process behind. Only tests import it.
package childproctest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/awsenv/awsenv/plugins/childproc"
	"github.com/awsenv/awsenv/shell/shellquote"
)

// Hostile is what a hostile program writes on stderr before its flood:
// OSC 52 (sets the clipboard), OSC 0 (window title), CSI 2J and H (clears
// the screen), a bidi override, ESC c (resets the terminal), C1 CSI as a
// raw byte and in UTF-8, an OSC 8 link, and bytes that are not UTF-8.
const Hostile = "HOSTILE-START \x1b]52;c;cHduZWQ=\x07 \x1b]0;pwned-title\x07 \x1b[2J\x1b[H \u202egnp.exe \x1bc \x9b31m \u009b32m " +
	"\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\ \xff\xfe HOSTILE-END\n"

// FloodLine is the line a hostile program repeats for FloodBytes bytes
// after Hostile.
const (
	FloodLine  = "flood flood flood flood flood flood flood flood flood flood\n"
	FloodBytes = 1 << 20
)

// Printf is a POSIX shell command that writes s (any bytes) to stdout.
func Printf(s string) string {
	var b strings.Builder
	b.WriteString("printf '")
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "\\%03o", s[i])
	}
	b.WriteString("'")
	return b.String()
}

// HostileSh is a shell command that writes Hostile and the flood on
// stderr.
func HostileSh() string {
	return Printf(Hostile) + " >&2; yes " + strings.TrimSuffix(FloodLine, "\n") + " | head -c " + strconv.Itoa(FloodBytes) + " >&2"
}

// Script writes an executable shell script that writes Hostile and the
// flood on stderr, then runs body; it returns its path.
func Script(t testing.TB, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hostile")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+HostileSh()+"\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// Check fails t unless got, what reached the terminal from a hostile
// program, holds its visible words, nothing a terminal acts on, and no
// more than the cap and CutLine (once).
func Check(t testing.TB, got string) {
	t.Helper()
	if !strings.Contains(got, "HOSTILE-START") || !strings.Contains(got, "HOSTILE-END") || !strings.Contains(got, "flood flood") {
		t.Fatalf("the terminal did not get the hostile program's words: %.300q", got)
	}
	if strings.ContainsAny(got, "\x1b\x07\u009b\u202e\r") || strings.Contains(got, "pwned") || !utf8.ValidString(got) {
		t.Fatalf("the terminal got what it would act on: %.600q", got)
	}
	for _, r := range got {
		if r < 0x20 && r != '\n' && r != '\t' || r >= 0x7f && r <= 0x9f {
			t.Fatalf("the terminal got control character %U: %.600q", r, got)
		}
	}
	if len(got) > childproc.MaxStderr+len(childproc.CutLine)+1 || strings.Count(got, childproc.CutLine) != 1 || !strings.HasSuffix(got, childproc.CutLine) {
		t.Fatalf("the terminal got %d bytes, want at most %d and one %q at the end (tail %q)",
			len(got), childproc.MaxStderr, childproc.CutLine, got[max(0, len(got)-200):])
	}
}

// LeaveBehindSh is a shell command that starts a process in a session of
// its own (setsid) which outlives the shell: `sleep 300`, whose pid it
// writes to pidFile before the shell goes on.
func LeaveBehindSh(pidFile string) string {
	q := shellquote.Always(pidFile)
	return "setsid sh -c 'echo $$ > \"$1.tmp\"; mv \"$1.tmp\" \"$1\"; exec sleep 300' sh " + q + " </dev/null >/dev/null 2>&1 &" +
		" while [ ! -s " + q + " ]; do sleep 0.01; done"
}

// LeftPid reads the pid LeaveBehindSh wrote.
func LeftPid(t testing.TB, pidFile string) int {
	t.Helper()
	for i := 0; i < 500; i++ {
		if b, err := os.ReadFile(pidFile); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				return pid
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no pid in %s", pidFile)
	return 0
}

// Gone fails t unless pid is gone (not even a zombie) within a second; it
// kills it if not.
func Gone(t testing.TB, pid int, what string) {
	t.Helper()
	for i := 0; i < 100; i++ {
		p, err := os.FindProcess(pid)
		if err != nil || p.Signal(syscall.Signal(0)) != nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
	}
	t.Fatalf("%s (pid %d) outlived the call", what, pid)
}

// Alive fails t unless pid still runs (and is no zombie).
func Alive(t testing.TB, pid int, what string) {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil || strings.Contains(string(data), ") Z ") {
		t.Fatalf("%s (pid %d) was ended; it must be spared", what, pid)
	}
}
