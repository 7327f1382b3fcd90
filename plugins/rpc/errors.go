package rpc

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/plugins/proto/mfav1"
	"github.com/awsenv/awsenv/shell/shellquote"
)

// The messages go-plugin v1.8.0 fails Start with. It has no error types
// for them; errors_test.go checks each of them against the real thing.
const (
	gpTimeout      = "timeout while waiting for plugin to start"
	gpExited       = "plugin exited before we could connect"
	gpGarbage      = "Unrecognized remote plugin message"
	gpNoLines      = "Failed to read any lines from plugin's stdout"
	gpAPIVersion   = "incompatible API version with plugin"
	gpCoreVersion  = "incompatible core API version"
	gpBadProtocol  = "unsupported plugin protocol"
	gpPluginVerKey = "Plugin version: "
)

const fixReadme = "see plugins/examples/README.md in awsenv's source for the protocol"

// startError explains a failed go-plugin Start (exec and handshake).
func (p *Plugin) startError(ctx context.Context, err error) error {
	p.log.Debug("plugin start failed", "error", err)
	p.stop(true)
	if ctx.Err() != nil {
		return p.interrupted(ctx.Err())
	}
	path := p.cfg.Path
	msg := err.Error()
	exit := p.exitStatus()
	var own *plugins.Error
	switch {
	case errors.As(err, &own):
		return own
	case errors.Is(err, syscall.ENOEXEC):
		return p.fail(path+" is not a program this system can run",
			"Install the plugin built for this system; a script needs a #! line.", nil)
	case isExecError(err):
		return p.fail("could not run "+path, "Check that the file is a program you may run, e.g. "+shellquote.Word(path)+
			" by hand (a plugin run by hand says it must be started by awsenv).", err)
	case strings.Contains(msg, gpTimeout):
		return p.fail(fmt.Sprintf("%s did not complete the plugin handshake within %s", path, p.cfg.StartTimeout),
			"A plugin must print its handshake line at once; run "+shellquote.Word(path)+
				" by hand to see whether it is an awsenv plugin and whether it hangs.", nil)
	case strings.Contains(msg, gpExited), strings.Contains(msg, gpNoLines):
		return p.fail(path+" exited before the plugin handshake"+paren(exit),
			"Its messages, if any, say why. Run "+shellquote.Word(path)+" by hand: an awsenv plugin says it must be "+
				"started by awsenv; anything else is not an awsenv plugin.", nil)
	case strings.Contains(msg, gpGarbage):
		// The message holds the line the program printed: debug log only.
		return p.fail(path+" is not an awsenv plugin: the first line it printed was not the plugin handshake",
			"Check that the file is an awsenv plugin (awsenv-plugin-NAME). A plugin must print the handshake "+
				"line first and nothing else before it; "+fixReadme+".", nil)
	case strings.Contains(msg, gpAPIVersion):
		return p.fail(fmt.Sprintf("the plugin speaks plugin protocol version %s; this awsenv speaks version %d",
			pluginVersion(msg), ProtocolVersion),
			fmt.Sprintf("Install a release of the plugin made for plugin protocol %d, or an awsenv that speaks "+
				"the plugin's version.", ProtocolVersion), nil)
	case strings.Contains(msg, gpCoreVersion):
		return p.fail("the plugin speaks another go-plugin core protocol than 1",
			"Install a release of the plugin built with hashicorp/go-plugin (core protocol 1).", nil)
	case strings.Contains(msg, gpBadProtocol):
		return p.fail("the plugin speaks go-plugin's net/rpc, not gRPC",
			"awsenv plugins speak gRPC; install a release of the plugin made for awsenv.", nil)
	}
	return p.fail("could not start "+path+paren(exit),
		"Run "+shellquote.Word(path)+" by hand to see whether it is an awsenv plugin; "+fixReadme+".", err)
}

// startCallError explains a failed health check or Info call.
func (p *Plugin) startCallError(ctx, callCtx context.Context, call string, err error) error {
	p.log.Debug("plugin start call failed", "call", call, "error", err)
	p.stop(true)
	if ctx.Err() != nil {
		return p.interrupted(ctx.Err())
	}
	st := status.Convert(err)
	switch {
	case errors.Is(callCtx.Err(), context.DeadlineExceeded) || st.Code() == codes.DeadlineExceeded:
		return p.fail(fmt.Sprintf("the plugin did not answer its %s call within %s of its start", call, p.cfg.StartTimeout),
			"A plugin must answer the health check and Info at once; report this to the plugin's author.", nil)
	case errors.Is(err, errNotServing):
		return p.fail(`the plugin's health service does not report "plugin" as SERVING`,
			"Report this to the plugin's author; "+fixReadme+".", nil)
	case st.Code() == codes.Unimplemented && call == "health":
		return p.fail("the plugin does not serve the gRPC health service (grpc.health.v1.Health)",
			`A plugin must serve it, with "plugin" SERVING; report this to the plugin's author, or `+fixReadme+".", nil)
	case st.Code() == codes.Unimplemented:
		return p.fail("the plugin is not an awsenv MFA provider (it has no awsenv.mfa.v1.MFAProvider service)",
			"Check the plugin's name in awsenv_mfa_provider: "+p.cfg.Path+" is a plugin for another program "+
				"or for another version of awsenv.", nil)
	case st.Code() == codes.Unavailable && p.cfg.AutoMTLS && isTLSFailure(st.Message()):
		return p.fail("the plugin does not take part in AutoMTLS (the TLS handshake with it failed)",
			"Turn AutoMTLS off for this plugin, or use a release that answers PLUGIN_CLIENT_CERT with a "+
				"certificate of its own (every plugin built with awsenv's rpc.Serve does).", nil)
	case st.Code() == codes.Unavailable:
		if exit := p.exitStatus(); exit != "" {
			return p.fail("the plugin exited right after the handshake ("+exit+")",
				"Its messages, if any, say why; report this to the plugin's author.", nil)
		}
		return p.fail("could not connect to the plugin after the handshake",
			"Run awsenv again; if this persists, report it with the output of --debug.", errors.New(clean(st.Message(), 300)))
	}
	return p.fail("the plugin's "+call+" call failed",
		"Report this to the plugin's author, with the output of --debug.", errors.New(clean(st.Message(), 300)))
}

// callError explains a failed GetCode call.
func (p *Plugin) callError(ctx, callCtx context.Context, err error) error {
	st := status.Convert(err)
	if c := st.Code(); (c == codes.Canceled || c == codes.DeadlineExceeded) && ctx.Err() == nil {
		// The plugin's side of gRPC ends the call on the same deadline and
		// may say so a moment before this side's context does.
		select {
		case <-callCtx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
	switch {
	case ctx.Err() != nil:
		p.stop(true)
		return p.interrupted(ctx.Err())
	case errors.Is(callCtx.Err(), context.DeadlineExceeded):
		p.stop(true)
		return p.fail(fmt.Sprintf("no code after %s", p.cfg.CallTimeout),
			"If the plugin waits for you (a key to touch, a request to approve), answer it sooner; "+
				"otherwise it hangs: report this to the plugin's author.", nil)
	case st.Code() == codes.Unavailable:
		p.stop(true)
		if exit := p.exitStatus(); exit != "" {
			return p.fail("the plugin exited while it was asked for a code ("+exit+")",
				"Its messages, if any, say why; this is a fault in the plugin: report it to the plugin's author.", nil)
		}
		return p.fail("the connection to the plugin broke while it was asked for a code",
			"Run awsenv again; if this persists, report it to the plugin's author.", errors.New(clean(st.Message(), 300)))
	case st.Code() == codes.Unimplemented:
		return p.fail("the plugin does not implement GetCode of awsenv.mfa.v1",
			"Install a complete release of the plugin; report this to the plugin's author.", nil)
	}
	return p.refusal(st, "the plugin gave no code")
}

// refusal is the error a plugin answered with on purpose: its message, or
// the problem and fix of its Failure detail, made safe for a terminal.
func (p *Plugin) refusal(st *status.Status, noMessage string) error {
	problem, fix := clean(st.Message(), 300), ""
	for _, d := range st.Details() {
		if f, ok := d.(*mfav1.Failure); ok {
			if f.GetProblem() != "" {
				problem = clean(f.GetProblem(), 300)
			}
			fix = clean(f.GetFix(), 500)
		}
	}
	if strings.TrimSpace(problem) == "" {
		problem = noMessage + " (" + st.Code().String() + ")"
	}
	if fix == "" {
		fix = "Its messages, if any, say more; see the plugin's documentation."
	}
	return p.fail(problem, fix, nil)
}

// notServed: the plugin's health service does not list service.
func (p *Plugin) notServed(service string) error {
	serves := "none of awsenv's services"
	if list := p.Services(); len(list) > 0 {
		short := make([]string, len(list))
		for i, s := range list {
			short[i] = ShortName(s)
		}
		serves = strings.Join(short, ", ")
	}
	return p.fail(fmt.Sprintf("the plugin does not serve %s (it serves %s)", ShortName(service), serves),
		"Check the plugin's name in "+settingOf(service)+", or install a release of the plugin that serves "+
			ShortName(service)+".", nil)
}

// settingOf names the profile key that chooses a plugin for service.
func settingOf(service string) string {
	switch service {
	case ServiceHooks:
		return "awsenv_hooks"
	case ServiceCredentials:
		return "awsenv_credential_source"
	}
	return "awsenv_mfa_provider"
}

// serviceCallError explains a failed call of awsenv.hooks.v1 or
// awsenv.credentials.v1. After anything but an answer of the plugin's
// own, the process is stopped.
func (p *Plugin) serviceCallError(ctx, callCtx context.Context, service, method string, err error) error {
	st := status.Convert(err)
	if c := st.Code(); (c == codes.Canceled || c == codes.DeadlineExceeded) && ctx.Err() == nil {
		select { // as in callError
		case <-callCtx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
	short := ShortName(service)
	switch {
	case ctx.Err() != nil:
		p.stop(true)
		return p.interrupted(ctx.Err())
	case errors.Is(callCtx.Err(), context.DeadlineExceeded):
		p.stop(true)
		return p.fail(fmt.Sprintf("no answer to %s after %s", method, p.cfg.CallTimeout),
			"If the plugin waits for you, answer it sooner; otherwise it hangs: report this to the plugin's author.", nil)
	case st.Code() == codes.Unavailable:
		p.stop(true)
		if exit := p.exitStatus(); exit != "" {
			return p.fail("the plugin exited during its "+method+" call ("+exit+")",
				"Its messages, if any, say why; this is a fault in the plugin: report it to the plugin's author.", nil)
		}
		return p.fail("the connection to the plugin broke during its "+method+" call",
			"Run awsenv again; if this persists, report it to the plugin's author.", errors.New(clean(st.Message(), 300)))
	case st.Code() == codes.Unimplemented:
		// Wrapping ErrUnimplemented lets awsenv treat a method a hook
		// does not serve as nothing to do.
		return p.fail(fmt.Sprintf("the plugin does not serve %s (%s answered Unimplemented)", short, method),
			"Check the plugin's name in "+settingOf(service)+", or install a release of the plugin that serves "+
				short+".", plugins.ErrUnimplemented)
	}
	return p.refusal(st, "the plugin's "+method+" call failed")
}

func isExecError(err error) bool {
	var pe *fs.PathError
	var ee *exec.Error
	return errors.As(err, &pe) || errors.As(err, &ee)
}

func isTLSFailure(msg string) bool {
	return strings.Contains(msg, "tls:") || strings.Contains(msg, "authentication handshake failed")
}

// pluginVersion picks N out of go-plugin's "Plugin version: N, ...".
func pluginVersion(msg string) string {
	_, rest, ok := strings.Cut(msg, gpPluginVerKey)
	if !ok {
		return "unknown"
	}
	v, _, _ := strings.Cut(rest, ",")
	if _, err := strconv.Atoi(v); err != nil {
		return "unknown"
	}
	return v
}

func paren(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

func (p *Plugin) fail(problem, fix string, err error) *plugins.Error {
	return &plugins.Error{Provider: p.name, Kind: p.kind, Problem: problem, Fix: fix, Err: err}
}

func (p *Plugin) interrupted(err error) *plugins.Error {
	if p.cfg.Service != ServiceMFA {
		return p.fail("stopped before the plugin answered", "Run the command again.", err)
	}
	return p.fail("stopped before the plugin gave a code", "Run the command again.", err)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
