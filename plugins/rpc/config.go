package rpc

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/awsenv/awsenv/plugins"
)

// LaunchConfig says which plugin to run and how.
type LaunchConfig struct {
	// Name is the provider's name in messages, e.g. "oathtool". Empty means
	// the executable's name without its "awsenv-plugin-" prefix.
	Name string

	// Path is the plugin executable. It is run directly, without a shell or
	// a PATH search (a relative path is taken from the working directory).
	// It must be a regular file, executable, owned by the user or root, and
	// neither it nor its directory writable by others.
	Path string

	// Args are the plugin's arguments, passed as a list.
	Args []string

	// Environ is the environment the plugin starts with (KEY=VALUE). Nil
	// means this process's environment. go-plugin's variables (PLUGIN_*,
	// AWSENV_PLUGIN, AWSENV_PLUGIN_LOG) are dropped from it and from Env and
	// set by Launch.
	Environ []string

	// Env holds extra KEY=VALUE pairs, added after Environ (so they win).
	Env []string

	// SocketDir is the directory for the plugin's Unix socket, normally
	// $XDG_RUNTIME_DIR/awsenv/plugins. Each launch makes a fresh
	// subdirectory there (go-plugin's plugin-dirNNN) and removes it
	// afterwards, with any socket a killed plugin left behind. SocketDir is created with mode 0700 if missing and
	// refused if it is a symbolic link, belongs to someone else or others may
	// use it. Empty means a fresh 0700 directory under os.TempDir(), and so
	// does a SocketDir too deep for a Unix socket path (about 70 bytes).
	SocketDir string

	// SHA256 optionally pins the executable: its SHA-256 checksum in hex
	// (what sha256sum prints). A file with another checksum is not run.
	SHA256 string

	// AutoMTLS has host and plugin authenticate each other with one-time
	// TLS certificates (go-plugin's AutoMTLS). The plugin must take part:
	// plugins served by Serve do; one that does not cannot be reached (the
	// host does not fall back to plain text). Off by default: the socket
	// directory is private to the user, which is what guards the channel.
	AutoMTLS bool

	// StartTimeout bounds the start: exec, handshake, health check and Info.
	// Zero means DefaultStartTimeout.
	StartTimeout time.Duration

	// CallTimeout bounds one call (GetCode, PreUse, ...). Zero means
	// DefaultCallTimeout for an MFA provider, DefaultHookTimeout for the
	// other services.
	CallTimeout time.Duration

	// Service is the service the caller will use: ServiceMFA (or empty),
	// ServiceHooks, ServiceCredentials, or ServiceAny to describe a plugin
	// whatever it serves (`awsenv plugins list`). A plugin whose health
	// service reports the services it serves, and not this one, is refused
	// at its start. It also says what errors call the plugin ("MFA provider
	// NAME", "hook NAME", "credential source NAME").
	Service string

	// Stderr receives what the plugin writes to its stderr, line by line
	// (nil: discarded). Nothing is written after Close returns. The plugin's
	// stdout never reaches anything: it carries the handshake, then it is
	// thrown away.
	Stderr io.Writer

	// Debug receives go-plugin's log and the plugin's own debug log (nil:
	// silent). Codes are never logged.
	Debug io.Writer
}

func (c LaunchConfig) name() string {
	if c.Name != "" {
		return c.Name
	}
	if c.Path == "" {
		return "plugin"
	}
	base := filepath.Base(c.Path)
	if n := strings.TrimPrefix(base, "awsenv-plugin-"); n != "" {
		return n
	}
	return base
}

// environ is the plugin's environment before go-plugin's variables:
// Environ and Env without them, and EnvLog.
func (p *Plugin) environ() []string {
	base := p.cfg.Environ
	if base == nil {
		base = os.Environ()
	}
	env := make([]string, 0, len(base)+len(p.cfg.Env)+2)
	for _, list := range [][]string{base, p.cfg.Env} {
		for _, kv := range list {
			if !reservedEnv(kv) {
				env = append(env, kv)
			}
		}
	}
	if p.cfg.Debug != nil {
		env = append(env, EnvLog+"=debug")
	}
	return env
}

func reservedEnv(kv string) bool {
	k, _, _ := strings.Cut(kv, "=")
	return strings.HasPrefix(k, "PLUGIN_") || k == Handshake.MagicCookieKey || k == EnvLog
}

// ServiceAny, as LaunchConfig.Service, starts a plugin whatever it serves.
const ServiceAny = "*"

// KindOf is plugins.Error.Kind for a plugin started for service.
func KindOf(service string) string {
	switch service {
	case ServiceHooks:
		return plugins.KindHook
	case ServiceCredentials:
		return plugins.KindCredentialSource
	case ServiceAny:
		return "plugin"
	}
	return ""
}
