package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/awsenv/awsenv/internal/credflow"
	"github.com/awsenv/awsenv/internal/doctor"
	"github.com/awsenv/awsenv/internal/helper"
	"github.com/awsenv/awsenv/internal/sessionkey"
	"github.com/awsenv/awsenv/plugins/termsafe"
	"github.com/awsenv/awsenv/profiles"
	"github.com/awsenv/awsenv/profiles/logincache"
	"github.com/awsenv/awsenv/profiles/sessions"
	"github.com/awsenv/awsenv/profiles/ssocache"
)

func newDoctorCommand(d *Deps) *cli.Command {
	return &cli.Command{
		Name:      "doctor",
		Usage:     "check PROFILE end to end: files, key, clock, IAM, MFA device and provider, session, shell; with the fix for each problem",
		ArgsUsage: "[PROFILE]",
		Flags:     []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print JSON"}, debugFlag},
		Action: func(c *cli.Context) error {
			name, err := profileOrCurrent(c, d)
			if err != nil {
				return err
			}
			_, global, err := loadConfig(d)
			if err != nil && !isFileProblem(err) {
				return err
			}
			if global == nil {
				global = &profiles.Global{}
			}
			store, err := openSessions(d, global, nil)
			if err != nil {
				return err
			}
			// A bad awsenv_sso_token_storage is reported by the flow; here
			// the token is then looked for in the AWS CLI's cache.
			ssoTokens, _ := ssoTokenCache(d, global)
			client := d.Helper()
			var retired = map[string]time.Time{}
			if rs, err := rotateStore(d); err == nil {
				for id, r := range loadRetired(rs) {
					retired[id] = r.At
				}
			}
			listed := listPluginsOnce(client, global)
			cfg, _ := profiles.Load(awsFiles(d))
			flow := &credflow.Flow{Config: cfg, STS: client, IAM: client, ClockSkew: client.ClockSkew, Now: d.Now,
				Keyring: newKeyring(d, global), Debugf: func(string, ...any) {}, Notef: func(format string, args ...any) { say(d.Stderr, format, args...) },
				Signin: client, LoginCache: &logincache.Cache{Dir: logincache.Dir(d.Home, d.Getenv)}}
			rep := doctor.Run(c.Context, doctor.Inputs{
				Profile: name,
				Files:   awsFiles(d),
				Global:  global,
				STS:     client,
				IAM:     client,
				Skew:    client.ClockSkew,
				Store:   store,
				Explain: func(err error, p *profiles.Profile) (string, string) {
					var ce *credflow.CallError
					if errors.As(flow.Explain(err, p), &ce) && ce.Explanation.What != "" {
						x := ce.Explanation
						fix := x.Fix
						if x.Policy != "" {
							fix += " Policy statement: " + strings.Join(strings.Fields(x.Policy), " ")
						}
						return fmt.Sprintf("%s (%v)", strings.TrimRight(x.What, "."), ce.Err), fix
					}
					return err.Error(), ""
				},
				LongTermKey: flow.LongTermKey,
				Plugin: func(ctx context.Context, name, service string) (string, string) {
					return pluginStatus(ctx, listed, name, service)
				},
				Provider: func(ctx context.Context, s profiles.Settings) (string, string) {
					return providerStatus(ctx, d, listed, s)
				},
				Retired:  retired,
				Getenv:   d.Getenv,
				Now:      d.Now,
				UID:      os.Getuid(),
				SSOCache: ssocache.Dir(d.Home),
				SSO:      client,
				Login:    flow.LoginSession,

				SSOTokens:    ssoTokens,
				KeyringPlace: keyringPlace(d, global),
				DataKeyCache: dataKeyCache(store),
			})
			if c.Bool("json") {
				enc := json.NewEncoder(d.Stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else {
				printReport(d, rep)
			}
			if !rep.OK {
				return exitStatus(exitError)
			}
			return nil
		},
	}
}

// isFileProblem is a config problem doctor reports as a check rather than
// stopping on.
func isFileProblem(err error) bool {
	var fe *profiles.FileError
	return errors.As(err, &fe)
}

var marks = map[string]string{doctor.Pass: "ok  ", doctor.Warn: "WARN", doctor.Fail: "FAIL", doctor.Skip: "skip"}

func printReport(d *Deps, rep *doctor.Report) {
	// Details and fixes quote the environment, files and servers.
	fmt.Fprintf(d.Stdout, "awsenv doctor: profile %s\n", termsafe.Line(rep.Profile, termsafe.MaxValue))
	for _, ch := range rep.Checks {
		fmt.Fprintf(d.Stdout, "  [%s] %-16s %s\n", marks[ch.Status], ch.Name, termsafe.Clean(ch.Detail, termsafe.MaxMessage))
		if ch.Fix != "" && ch.Status != doctor.Pass {
			fmt.Fprintf(d.Stdout, "         %-16s fix: %s\n", "", termsafe.Clean(ch.Fix, termsafe.MaxMessage))
		}
	}
	if rep.OK {
		fmt.Fprintln(d.Stdout, "No problems found.")
	} else {
		fmt.Fprintln(d.Stdout, "Some checks failed: see the fixes above.")
	}
}

// providerStatus says whether the MFA provider can be used: built-ins by
// what they need, plugins by starting them once through the helper.
// pluginLister lists the plugins, starting each once for the whole run of
// doctor however many checks ask.
type pluginLister func(ctx context.Context) ([]helper.PluginInfo, error)

func listPluginsOnce(client *helper.Client, global *profiles.Global) pluginLister {
	var (
		once  sync.Once
		infos []helper.PluginInfo
		err   error
	)
	return func(ctx context.Context) ([]helper.PluginInfo, error) {
		once.Do(func() { infos, err = client.ListPlugins(ctx, helper.ListInput{Pins: global.PluginPins()}) })
		return infos, err
	}
}

// pluginStatus starts the plugin name (`awsenv plugins list` does, for
// every plugin) and says whether it serves service.
func pluginStatus(ctx context.Context, list pluginLister, name, service string) (detail, problem string) {
	infos, err := list(ctx)
	if err != nil {
		return "Reinstall awsenv with ./install.sh.", fmt.Sprintf("could not list plugins: %v", err)
	}
	for _, in := range infos {
		if in.Name != name || in.Kind != "plugin" {
			continue
		}
		if in.Status != "ok" {
			return in.Status, "it is not usable"
		}
		if !slices.Contains(in.Services, service) {
			return fmt.Sprintf("Install a release of awsenv-plugin-%s that serves %s, or use another plugin.", name, service),
				fmt.Sprintf("it does not serve %s (it serves %s)", service, strings.Join(in.Services, ", "))
		}
		return in.Path, ""
	}
	return "", "no such plugin is installed"
}

func providerStatus(ctx context.Context, d *Deps, list pluginLister, s profiles.Settings) (detail, problem string) {
	switch s.MFAProvider {
	case "prompt":
		if !hasTerminal(d) {
			return "Run on a terminal, pass --mfa-code, or set awsenv_mfa_provider to ykman, op or a plugin.", "it asks on the terminal, and there is none"
		}
		return "asks for the code on the terminal", ""
	case "ykman", "op":
		tools := map[string]string{
			"ykman": "Install YubiKey Manager (e.g. sudo apt install yubikey-manager, or pipx install yubikey-manager).",
			"op":    "Install the 1Password CLI (https://developer.1password.com/docs/cli/get-started/) and sign in with `op signin`.",
		}
		path, err := exec.LookPath(s.MFAProvider)
		if err != nil {
			return tools[s.MFAProvider], s.MFAProvider + " is not on your PATH"
		}
		return "runs " + path, ""
	case "process":
		cmd := strings.Fields(s.MFAProcess)
		if len(cmd) == 0 {
			return "Set mfa_process to the command that prints the code.", "mfa_process is empty"
		}
		if _, err := exec.LookPath(cmd[0]); err != nil {
			return "Install it or fix mfa_process.", fmt.Sprintf("the mfa_process command %s is not found", cmd[0])
		}
		return "runs " + cmd[0], ""
	}
	infos, err := list(ctx)
	if err != nil {
		return "Reinstall awsenv with ./install.sh.", fmt.Sprintf("could not list providers: %v", err)
	}
	for _, in := range infos {
		if in.Name == s.MFAProvider {
			if in.Status != "ok" {
				return in.Status, "it is not usable"
			}
			return fmt.Sprintf("%s %s (%s)", in.Kind, in.Path, firstNonEmpty(in.Version, "no version")), ""
		}
	}
	return fmt.Sprintf("Install awsenv-plugin-%s into the plugins directory (see `awsenv plugins list`), or fix awsenv_mfa_provider.", s.MFAProvider),
		"no such provider is installed"
}

// keyringPlace names awsenv's keyring as this run chose it, for doctor.
func keyringPlace(d *Deps, global *profiles.Global) string {
	if b := storeChoice(d, global).Backend; b != "" {
		return "awsenv's keyring (" + b + ")"
	}
	return "awsenv's keyring (the system's default; for the data key, the kernel keyring where the system has none)"
}

// dataKeyCache says where the data key of store is cached, "" for nowhere.
func dataKeyCache(store *sessions.Store) string {
	if c, ok := store.Keys.(*sessionkey.Chain); ok && c.Cache != nil {
		return "the kernel keyring for the login session"
	}
	return ""
}
