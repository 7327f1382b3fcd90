// Command hookplugin is the hook and credential-source plugin of awsenv's
// end-to-end tests, installed as awsenv-plugin-NAME. Each call's options
// (awsenv_hook_NAME_<option>) choose what it does:
//
//   - preuse: "" allows; "refuse" refuses with a reason holding escape
//     sequences and a newline; "unimplemented", "crash", "hang" (ignoring
//     its context, the worst case);
//   - postuse: "" sets the variables in the JSON file named by the option
//     vars ([{"name":..., "value":...}], default HOOK_RAN=profile), with
//     cacheable = true marking the answer cacheable; "unimplemented",
//     "crash", "hang"; with the option record (a path) it writes the
//     request it received there as JSON, and with message it answers
//     that message (Go-quoted, so a test can put escapes in it);
//   - Unset answers "bye PROFILE".
//
// GetCredentials hands out AWS's documented example keys (nothing real);
// the options key_id and expires (Unix seconds) replace the key id and
// the expiry, for answers awsenv must refuse.
// With TESTPLUGIN_PIDDIR set, each start leaves a file named after its
// process id there, so a test can check that none is left running.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/rpc"
)

// AWS's documented example keys, as in the tests' harness.
const (
	keyID  = "AKIAIOSFODNN7EXAMPLE"
	secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

type hook struct{}

// misbehave does what mode asks for the failing modes; ok reports that
// the call should answer normally.
func misbehave(mode string) (ok bool, err error) {
	switch mode {
	case "crash":
		panic("hookplugin: crash during the call")
	case "hang":
		select {}
	case "unimplemented":
		return false, fmt.Errorf("hookplugin: %w", plugins.ErrUnimplemented)
	}
	return true, nil
}

func (hook) PreUse(_ context.Context, req plugins.PreUseRequest) (plugins.PreUseResponse, error) {
	if ok, err := misbehave(req.Options["preuse"]); !ok {
		return plugins.PreUseResponse{}, err
	}
	if req.Options["preuse"] == "refuse" {
		return plugins.PreUseResponse{Reason: "production\x1b]0;pwned\x07 needs a change ticket\nsee the wiki"}, nil
	}
	return plugins.PreUseResponse{Allow: true}, nil
}

func (hook) PostUse(_ context.Context, req plugins.PostUseRequest) (plugins.PostUseResponse, error) {
	if ok, err := misbehave(req.Options["postuse"]); !ok {
		return plugins.PostUseResponse{}, err
	}
	if path := req.Options["record"]; path != "" {
		data, err := json.Marshal(req)
		if err != nil {
			return plugins.PostUseResponse{}, err
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return plugins.PostUseResponse{}, err
		}
	}
	resp := plugins.PostUseResponse{Cacheable: req.Options["cacheable"] == "true",
		Set: []plugins.Variable{{Name: "HOOK_RAN", Value: req.Profile}}}
	if m := req.Options["message"]; m != "" {
		text, err := strconv.Unquote(m)
		if err != nil {
			return resp, err
		}
		resp.Messages = []string{text}
	}
	if path := req.Options["vars"]; path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return resp, err
		}
		var vars []struct{ Name, Value string }
		if err := json.Unmarshal(data, &vars); err != nil {
			return resp, err
		}
		resp.Set = nil
		for _, v := range vars {
			resp.Set = append(resp.Set, plugins.Variable{Name: v.Name, Value: v.Value})
		}
	}
	return resp, nil
}

func (hook) Unset(_ context.Context, req plugins.UnsetRequest) (plugins.UnsetResponse, error) {
	return plugins.UnsetResponse{Messages: []string{"bye " + req.Profile}}, nil
}

func (hook) GetCredentials(_ context.Context, req plugins.CredentialsRequest) (plugins.CredentialsResponse, error) {
	resp := plugins.CredentialsResponse{AccessKeyID: keyID, SecretAccessKey: secret}
	if v := req.Options["key_id"]; v != "" {
		resp.AccessKeyID = v
	}
	if v := req.Options["expires"]; v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return resp, err
		}
		resp.ExpiresUnix = n
	}
	return resp, nil
}

func main() {
	testproc.FollowParent()
	if dir := os.Getenv("TESTPLUGIN_PIDDIR"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, strconv.Itoa(os.Getpid())), nil, 0o600)
	}
	rpc.ServeAll(rpc.Services{Hooks: hook{}, Credentials: hook{}})
}
