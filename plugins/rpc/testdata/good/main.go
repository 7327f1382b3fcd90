// Command good is a well-behaved test plugin. It records what it is asked
// (TESTPLUGIN_RECORD: a JSON file), its process id (TESTPLUGIN_PIDFILE),
// says something on stderr and answers with the option "code" (default
// 123456). With the argument --exit it exits at once, for timing the bare
// start of a binary that links go-plugin and gRPC.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/rpc"
)

type provider struct{}

func (provider) Name() string        { return "good" }
func (provider) Version() string     { return "1.2.3" }
func (provider) Description() string { return "a test plugin\x1b[31m that behaves" }

func (provider) Code(_ context.Context, req plugins.Request) (string, error) {
	if path := os.Getenv("TESTPLUGIN_RECORD"); path != "" {
		rec := map[string]any{"request": req, "echo": os.Getenv("TESTPLUGIN_ECHO"),
			"cookie": os.Getenv("AWSENV_PLUGIN") != "", "log": os.Getenv(rpc.EnvLog),
			"socket_dir": os.Getenv("PLUGIN_UNIX_SOCKET_DIR"), "args": os.Args[1:], "stdin_null": stdinIsNull()}
		b, _ := json.Marshal(rec)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return "", err
		}
	}
	fmt.Fprintf(os.Stderr, "Touch your key for %s\n", req.Profile)
	if code := req.Options["code"]; code != "" {
		return code, nil
	}
	return "123456", nil
}

// stdinIsNull reports whether stdin is /dev/null.
func stdinIsNull() bool {
	in, err1 := os.Stdin.Stat()
	null, err2 := os.Stat(os.DevNull)
	return err1 == nil && err2 == nil && os.SameFile(in, null)
}

func main() {
	testproc.FollowParent()
	if len(os.Args) > 1 && os.Args[1] == "--exit" {
		return
	}
	if path := os.Getenv("TESTPLUGIN_PIDFILE"); path != "" {
		_ = os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())), 0o600)
	}
	rpc.Serve(provider{})
}
