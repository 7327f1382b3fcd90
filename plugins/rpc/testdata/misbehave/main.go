// Command misbehave is a test plugin that goes wrong in the way its first
// argument names. It writes its process id to TESTPLUGIN_PIDFILE.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/childproc/childproctest"
	"github.com/awsenv/awsenv/plugins/rpc"
)

type provider struct {
	mode   string
	stdout *os.File // the process's own stdout, the handshake channel
}

func (provider) Name() string { return "misbehave" }

func (p provider) Code(ctx context.Context, req plugins.Request) (string, error) {
	switch p.mode {
	case "crash":
		fmt.Fprintln(os.Stderr, "about to crash")
		panic("crash during the call")
	case "exit":
		os.Exit(3)
	case "hang":
		select {} // ignores its context, the worst case
	case "badcode":
		return "12ab56", nil
	case "refuse":
		return "", &plugins.Error{Provider: "misbehave", Problem: "no YubiKey\x1b[2J is plugged in",
			Fix: "Plug in your YubiKey and run the command again."}
	case "fail":
		return "", errors.New("something broke")
	case "hostile":
		// Everything a terminal acts on, through go-plugin's stderr stream
		// and straight to file descriptor 2.
		for _, w := range []*os.File{os.Stderr, os.NewFile(2, "fd2")} {
			fmt.Fprint(w, Hostile)
		}
		return answer(req), nil
	case "flood":
		// The hostile text every kind of child is tested with, and a
		// megabyte after it, straight to file descriptor 2.
		fd2 := os.NewFile(2, "fd2")
		fmt.Fprint(fd2, childproctest.Hostile)
		for n := 0; n < childproctest.FloodBytes; n += len(childproctest.FloodLine) {
			fmt.Fprint(fd2, childproctest.FloodLine)
		}
		return answer(req), nil
	case "peek-parent":
		peekParent()
		return answer(req), nil
	case "children":
		startChildren("call")
		return answer(req), nil
	case "junk-after":
		fmt.Fprintln(p.stdout, "JUNK on the handshake channel after the handshake")
		fmt.Fprintln(os.Stdout, "JUNK on os.Stdout during a call")
		return "654321", nil
	}
	return answer(req), nil
}

// answer is the option "answer" (awsenv_mfa_answer), else 111111.
func answer(req plugins.Request) string {
	if code := req.Options["answer"]; code != "" {
		return code
	}
	return "111111"
}

func serve(p provider, hs plugin.HandshakeConfig) {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  hs,
		VersionedPlugins: map[int]plugin.PluginSet{int(hs.ProtocolVersion): {rpc.PluginName: &rpc.GRPCPlugin{Provider: p}}},
		GRPCServer:       plugin.DefaultGRPCServer,
		Logger:           hclog.NewNullLogger(),
	})
}

func main() {
	testproc.FollowParent()
	if path := os.Getenv("TESTPLUGIN_PIDFILE"); path != "" {
		_ = os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())), 0o600)
	}
	p := provider{stdout: os.Stdout}
	if len(os.Args) > 1 {
		p.mode = os.Args[1]
	}
	switch p.mode {
	case "junk-before":
		fmt.Println("JUNK before the handshake")
	case "children":
		startChildren("before-handshake")
	case "slow-start":
		time.Sleep(time.Minute)
	case "v2":
		hs := rpc.Handshake
		hs.ProtocolVersion = 2
		serve(p, hs)
		return
	case "cookie":
		hs := rpc.Handshake
		hs.MagicCookieValue = "another program's cookie"
		serve(p, hs)
		return
	case "go-plugin-logs":
		// go-plugin's default logger: JSON trace lines on stderr.
		plugin.Serve(&plugin.ServeConfig{
			HandshakeConfig:  rpc.Handshake,
			VersionedPlugins: rpc.VersionedPlugins(p),
			GRPCServer:       plugin.DefaultGRPCServer,
		})
		return
	}
	rpc.Serve(p)
}

// Hostile is what the "hostile" mode writes to stderr: an OSC 0 window
// title, CSI 2J (clear the screen), a bidi override, ESC c (reset the
// terminal), an 8-bit CSI byte, and bytes that are not UTF-8, between the
// words HOSTILE-START and HOSTILE-END.
const Hostile = "HOSTILE-START \x1b]0;pwned-title\x07 \x1b[2J\x1b[H \u202egnp.exe \x1bc \x9b31m \xff\xfe HOSTILE-END\n"

// peekParent reports on stderr which AWS credentials the plugin's parent
// (awsenv-helper) has in its environment, as any process of the user
// could read them.
func peekParent() {
	ppid := os.Getppid()
	comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", ppid))
	env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", ppid))
	if err != nil {
		fmt.Fprintf(os.Stderr, "PEEK cannot read the parent's environment: %v\n", err)
		return
	}
	var found []string
	for _, kv := range strings.Split(string(env), "\x00") {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "AWS_") && strings.Contains(name, "KEY") || name == "AWS_SESSION_TOKEN" || name == "AWS_SECURITY_TOKEN" {
			found = append(found, name)
		}
	}
	if len(found) == 0 {
		found = []string{"none"}
	}
	fmt.Fprintf(os.Stderr, "PEEK parent=%s credentials=%s\n", strings.TrimSpace(string(comm)), strings.Join(found, ","))
}

// startChildren starts processes that outlive the plugin unless someone
// ends them: a background job, one in a session of its own, a daemon
// (double fork: its parent exits at once). Each is a "sleep 300" whose
// pid is appended to TESTPLUGIN_CHILDREN.
func startChildren(when string) {
	file := os.Getenv("TESTPLUGIN_CHILDREN")
	if file == "" {
		return
	}
	q := "'" + strings.ReplaceAll(file, "'", "'\\''") + "'"
	script := "sleep 300 & echo $! >> " + q + "\n" +
		"setsid sh -c 'echo $$ >> \"$1\"; exec sleep 300' sh " + q + " </dev/null >/dev/null 2>&1 &\n" +
		"( sh -c 'echo $$ >> \"$1\"; exec sleep 300' sh " + q + " </dev/null >/dev/null 2>&1 & ) \n"
	cmd := exec.Command("/bin/sh", "-c", script)
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "CHILDREN %s: %v\n", when, err)
	}
	// The three have written their pids once this returns? Not the
	// setsid one for sure: wait for three lines.
	for i := 0; i < 100; i++ {
		if data, _ := os.ReadFile(file); strings.Count(string(data), "\n") >= 3*countStarts(when) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func countStarts(when string) int {
	if when == "call" {
		return 2 // the three before the handshake and these three
	}
	return 1
}
