//go:build linux

// Command ratios measures awsenv as whole processes, each run next to an
// empty Go binary, and prints one table: median wall time, its ratio to the
// empty binary, median CPU time, peak memory, and for the cold path the
// processes each run started. It asserts nothing.
//
//	go run ./bench/ratios                       # this tree
//	go run ./bench/ratios -before /tmp/old/bin  # and binaries built from an older commit
//	go run ./bench/ratios -n 15 -only "2 profiles"  # only the cached use of the small config
//
// Runs are interleaved (empty, then each scenario, round after round, in a
// new order each round), so a
// busy machine slows them alike and the ratios stay meaningful. The cold
// role path runs against moto_server on 127.0.0.1 when it is installed.
// The cached `use` is measured with sessions sealed (the data key in the
// kernel keyring), in plain text (encryption off), and sealed with the key
// asked of the helper at each run (as without a kernel keyring).
// The helpers' bare starts and a role renewed on a valid MFA session are
// measured too, and the package initialisation of the front and the
// helpers is printed after the table (GODEBUG=inittrace=1).
// The cached path with hook plugins uses the end-to-end tests' plugin
// (cmd/awsenv/testdata/hookplugin), built into the run's temporary
// directory and installed as awsenv-plugin-h.
package main

import (
	"cmp"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/awsenv/awsenv/bench/internal/rss"
	"github.com/awsenv/awsenv/internal/helper"
	"github.com/awsenv/awsenv/internal/sessionkey"
	"github.com/awsenv/awsenv/internal/testsupport/fakeaws"
	"github.com/awsenv/awsenv/profiles"
)

const (
	keyID     = "AKIAIOSFODNN7EXAMPLE"
	secret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	mfaSecret = "JBSWY3DPEHPK3PXP"
	serial    = "arn:aws:iam::123456789012:mfa/alice"
	roleARN   = "arn:aws:iam::123456789012:role/admin"
)

func main() {
	rounds := flag.Int("n", 40, "runs of each scenario")
	before := flag.String("before", "", "a directory with awsenv and awsenv-helper built from another commit, measured alike")
	flag.StringVar(&only, "only", "", "measure only the runs whose name contains this `TEXT` (and the empty binary)")
	flag.Parse()
	if err := run(*rounds, *before); err != nil {
		fmt.Fprintln(os.Stderr, "ratios:", err)
		os.Exit(1)
	}
}

// only, if set, keeps the runs whose name contains it (-only).
var only string

// scenario is one command line, run in an environment.
type scenario struct {
	name  string
	argv  []string
	env   []string
	reset func() // before each run, untimed (the cold path empties the cache)
	note  string
	count bool // count its processes with strace for the note
	inits bool // print its package initialisation costs (GODEBUG=inittrace=1)
}

// sample is one run's cost.
type sample struct{ wall, cpu time.Duration }

func run(rounds int, before string) error {
	dir, err := os.MkdirTemp("", "awsenv-ratios-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "bin")
	build := exec.Command("go", "build", "-trimpath", "-tags", "urfave_cli_no_docs", "-ldflags", "-s -w", "-o", bin+"/",
		"github.com/awsenv/awsenv/cmd/awsenv", "github.com/awsenv/awsenv/cmd/awsenv-helper", "github.com/awsenv/awsenv/cmd/awsenv-helper-full", "github.com/awsenv/awsenv/bench/empty",
		"github.com/awsenv/awsenv/cmd/awsenv/testdata/hookplugin")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	defer func() {
		for _, f := range cleanups {
			f()
		}
	}()
	builds := []struct{ label, bin string }{{"now", bin}}
	if before != "" {
		builds = append(builds, struct{ label, bin string }{"before", before})
	}
	var all []scenario
	empty := scenario{name: "empty Go binary", argv: []string{filepath.Join(bin, "empty")}}
	for _, b := range builds {
		ss, err := scenarios(dir, b.label, b.bin, filepath.Join(bin, "hookplugin"))
		if err != nil {
			return err
		}
		all = append(all, ss...)
	}
	if only != "" {
		all = slices.DeleteFunc(all, func(s scenario) bool { return !strings.Contains(s.name, only) })
	}
	results := measure(rounds, empty, all)

	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "run\tmedian wall\tx empty\tmedian CPU\tpeak RSS\tnote\n")
	base := median(results[empty.name], func(s sample) time.Duration { return s.wall })
	row := func(s scenario) {
		w := median(results[s.name], func(x sample) time.Duration { return x.wall })
		c := median(results[s.name], func(x sample) time.Duration { return x.cpu })
		peak := "-"
		if kb, ok := rss.Peak(s.env, s.reset, s.argv...); ok {
			peak = fmt.Sprintf("%.1f MB", float64(kb)/1024)
		}
		fmt.Fprintf(tw, "%s\t%8s\t%6.2fx\t%8s\t%8s\t%s\n", s.name, ms(w), float64(w)/float64(base), ms(c), peak, s.note)
	}
	row(empty)
	for _, s := range all {
		row(s)
	}
	tw.Flush()
	fmt.Printf("(%d runs each, interleaved; %s)\n", rounds, time.Now().Format(time.RFC3339))
	for _, s := range all {
		if s.inits {
			printInits(s, 11)
		}
	}
	return nil
}

// printInits runs s n times with GODEBUG=inittrace=1 and prints the
// median of its packages' initialisation (clock time summed over every
// package, as the runtime reports it) and the costliest packages, each by
// its median. The runtime's own time before the first package and the
// page faults between packages are not in the sum.
func printInits(s scenario, n int) {
	perPkg := map[string][]time.Duration{}
	var totals []sample
	count := 0
	for range n {
		if s.reset != nil {
			s.reset()
		}
		cmd := exec.Command(s.argv[0], s.argv[1:]...)
		cmd.Env = append(slices.Clone(s.env), "GODEBUG=inittrace=1")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "ratios: %s with inittrace: %v\n", s.name, err)
			return
		}
		var total time.Duration
		count = 0
		for _, line := range strings.Split(stderr.String(), "\n") {
			// init PKG @0.52 ms, 0.011 ms clock, 624 bytes, 8 allocs
			f := strings.Fields(line)
			if len(f) < 7 || f[0] != "init" || f[6] != "clock," {
				continue
			}
			v, err := strconv.ParseFloat(f[4], 64)
			if err != nil {
				continue
			}
			d := time.Duration(v * float64(time.Millisecond))
			perPkg[f[1]] = append(perPkg[f[1]], d)
			total += d
			count++
		}
		totals = append(totals, sample{wall: total})
	}
	type cost struct {
		pkg string
		d   time.Duration
	}
	var costs []cost
	for pkg, ds := range perPkg {
		ss := make([]sample, len(ds))
		for i, d := range ds {
			ss[i] = sample{wall: d}
		}
		costs = append(costs, cost{pkg, median(ss, func(x sample) time.Duration { return x.wall })})
	}
	slices.SortFunc(costs, func(a, b cost) int { return cmp.Compare(b.d, a.d) })
	fmt.Printf("\npackage init of %s: %d packages, %.3f ms (median of %d runs); costliest:\n", s.name, count,
		float64(median(totals, func(x sample) time.Duration { return x.wall }))/float64(time.Millisecond), n)
	for _, c := range costs[:min(8, len(costs))] {
		fmt.Printf("  %.3f ms  %s\n", float64(c.d)/float64(time.Millisecond), c.pkg)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// scenarios builds the worlds for the binaries in bin; plugin is the hook
// plugin to install.
func scenarios(dir, label, bin, plugin string) ([]scenario, error) {
	awsenv := filepath.Join(bin, "awsenv")
	small, err := newHome(filepath.Join(dir, label, "small"), 0, fakeSTS())
	if err != nil {
		return nil, err
	}
	big, err := newHome(filepath.Join(dir, label, "big"), 2000, fakeSTS())
	if err != nil {
		return nil, err
	}
	huge, err := newHome(filepath.Join(dir, label, "huge"), hugeProfiles, fakeSTS())
	if err != nil {
		return nil, err
	}
	// Sessions sealed (the default) with the data key in the kernel
	// keyring; the same in plain text (encryption off); and sealed with
	// the key asked of the helper at each run, as where there is no kernel
	// keyring (macOS).
	generated, err := newHome(filepath.Join(dir, label, "generated"), 0, fakeSTS())
	if err != nil {
		return nil, err
	}
	if err := addGenerated(filepath.Join(generated.dir, "home", ".aws", "config")); err != nil {
		return nil, err
	}
	plain, err := newHome(filepath.Join(dir, label, "plain"), 0, fakeSTS())
	if err != nil {
		return nil, err
	}
	plain.env = append(plain.env, "AWSENV_SESSION_ENCRYPTION=off")
	viaHelper, err := newHome(filepath.Join(dir, label, "via-helper"), 0, fakeSTS())
	if err != nil {
		return nil, err
	}
	viaHelper.env = append(viaHelper.env, "AWSENV_SESSION_KEY_CACHE=off")
	for _, h := range []*home{small, big, huge, generated, plain, viaHelper} {
		if _, err := h.fill(awsenv, fakeaws.TOTPCode(mfaSecret, time.Now())); err != nil {
			return nil, err
		}
	}
	info, _ := os.Stat(filepath.Join(huge.dir, "home", ".aws", "config"))
	prompt := append(slices.Clone(small.env), "AWSENV_PROFILE=prod", "AWSENV_EXPIRES_AT="+strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
	ss := []scenario{
		{name: label + ": version", argv: []string{awsenv, "version"}, env: small.env},
		{name: label + ": prompt", argv: []string{awsenv, "prompt"}, env: prompt},
		{name: label + ": use prod, cached, 2 profiles", argv: []string{awsenv, "use", "prod"}, env: small.env, count: true, inits: true,
			note: "sealed, key in the kernel keyring"},
		{name: label + ": credential-process prod, cached, 2 profiles", argv: []string{awsenv, "credential-process", "prod"}, env: small.env,
			note: "sealed, key in the kernel keyring"},
		{name: label + ": use prod, cached, 2 profiles, encryption off", argv: []string{awsenv, "use", "prod"}, env: plain.env, count: true,
			note: "plain text"},
		{name: label + ": use prod, cached, 2 profiles, key through the helper", argv: []string{awsenv, "use", "prod"}, env: viaHelper.env, count: true,
			note: "sealed, no kernel keyring cache (as on macOS)"},
		{name: label + ": use prod, cached, 2,000 profiles", argv: []string{awsenv, "use", "prod"}, env: big.env},
		{name: label + ": use prod, cached, 3,000 generated SSO profiles", argv: []string{awsenv, "use", "prod"}, env: generated.env,
			note: "1,000 accounts x 3 roles as `awsenv sso populate` writes them"},
		{name: label + ": list, 2,000 profiles", argv: []string{awsenv, "list"}, env: big.env},
		{name: label + ": use prod, cached, 10 MB config", argv: []string{awsenv, "use", "prod"}, env: huge.env,
			note: fmt.Sprintf("%.1f MB, %d profiles", float64(info.Size())/1e6, hugeProfiles+2)},
	}
	hooks, err := hookScenarios(filepath.Join(dir, label), label, awsenv, plugin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ratios: no hook plugins for %s: %v\n", label, err)
	}
	ss = append(ss, hooks...)
	ss = append(ss, helperScenarios(label, bin, small.env)...)
	cold, err := coldScenarios(filepath.Join(dir, label, "cold"), label, awsenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ratios: no cold path for %s: %v\n", label, err)
	}
	ss = append(ss, cold...)
	for i := range ss {
		if ss[i].count {
			ss[i].note = strings.TrimPrefix(ss[i].note+"; "+execCount(ss[i]), "; ")
		}
	}
	return ss, nil
}

// hookScenarios are the cached `use prod` of a profile that exports one
// variable more: with the built-in awsenv_env_, and with one hook plugin
// as a plugin can be: serving no PreUse with a cacheable PostUse
// answer (kept with the session: nothing to start), the same not
// cacheable (the plugin once a switch, for PostUse), and a guard that
// serves PreUse with a cacheable PostUse (the plugin once, for PreUse).
// Each home is switched to once before it is measured, so the session and
// what the plugin answered are cached.
func hookScenarios(dir, label, awsenv, plugin string) ([]scenario, error) {
	var ss []scenario
	for _, k := range []struct{ name, keys string }{
		{"no plugin, one awsenv_env_ variable", "awsenv_env_HOOK_RAN = prod\n"},
		{"one hook plugin, cacheable", "awsenv_hooks = h\nawsenv_hook_h_preuse = unimplemented\nawsenv_hook_h_cacheable = true\n"},
		{"one hook plugin, not cacheable", "awsenv_hooks = h\nawsenv_hook_h_preuse = unimplemented\n"},
		{"one hook plugin, a guard (PreUse), cacheable", "awsenv_hooks = h\nawsenv_hook_h_cacheable = true\n"},
	} {
		h, err := newHome(filepath.Join(dir, "hook-"+strings.NewReplacer(" ", "-", "(", "", ")", "", ",", "").Replace(k.name)), 0, fakeSTS())
		if err != nil {
			return nil, err
		}
		cfg := filepath.Join(h.dir, "home", ".aws", "config")
		data, err := os.ReadFile(cfg)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(cfg, []byte(strings.Replace(string(data), "[profile prod]\n", "[profile prod]\n"+k.keys, 1)), 0o600); err != nil {
			return nil, err
		}
		plugins := filepath.Join(h.dir, "data", "awsenv", "plugins")
		if err := os.MkdirAll(plugins, 0o755); err != nil {
			return nil, err
		}
		bin, err := os.ReadFile(plugin)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(plugins, "awsenv-plugin-h"), bin, 0o755); err != nil {
			return nil, err
		}
		if out, err := h.fill(awsenv, fakeaws.TOTPCode(mfaSecret, time.Now())); err != nil {
			return nil, err
		} else if !strings.Contains(out, "HOOK_RAN=") {
			return nil, fmt.Errorf("%s: the hook set nothing (an awsenv without hook plugins?)", h.dir)
		}
		ss = append(ss, scenario{name: label + ": use prod, cached, " + k.name,
			argv: []string{awsenv, "use", "prod"}, env: h.env, count: true})
	}
	return ss, nil
}

// hugeProfiles makes a config of about 10 MB.
const hugeProfiles = 58000

// cleanups stop what the run started.
var cleanups []func()

// fakeSTS starts the in-repo STS double with alice and her role, and
// returns its URL: one per home, so each can use the same MFA code.
func fakeSTS() string {
	fake := fakeaws.New()
	if _, err := fake.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "ratios: start the STS double:", err)
		os.Exit(1)
	}
	cleanups = append(cleanups, fake.Close)
	u := fake.AddUser("123456789012", "alice")
	u.AddKey(keyID, secret)
	u.AddMFADevice(serial, mfaSecret)
	fake.AddRole(roleARN, fakeaws.RoleOptions{RequireMFA: true})
	return fake.URL()
}

// home is a HOME with AWS files, XDG directories and the environment to
// run awsenv in it.
type home struct {
	dir string
	env []string
}

// fill runs `awsenv use prod` once with code, so that h's sessions (and
// its session store's data key) exist before it is measured, and returns
// what it printed. The data key's kernel keyring entry is forgotten when
// the run ends.
func (h *home) fill(awsenv, code string) (string, error) {
	cleanups = append(cleanups, func() {
		sessionkey.Kernel{}.Forget(sessionkey.Name("", filepath.Join(h.dir, "state", "awsenv", "sessions")))
	})
	cmd := exec.Command(awsenv, "use", "prod", "--mfa-code", code)
	cmd.Env = h.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("fill the cache of %s: %v\n%s", h.dir, err, out)
	}
	return string(out), nil
}

func newHome(dir string, extra int, endpoint string) (*home, error) {
	aws := filepath.Join(dir, "home", ".aws")
	if err := os.MkdirAll(aws, 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(aws, "credentials"), []byte(fmt.Sprintf(
		"[alice]\naws_access_key_id = %s\naws_secret_access_key = %s\n", keyID, secret)), 0o600); err != nil {
		return nil, err
	}
	var b strings.Builder
	for i := 0; i < extra; i++ {
		// Profiles as people have them: roles in many accounts, with a
		// comment now and then.
		if i%10 == 0 {
			fmt.Fprintf(&b, "# team %d\n", i/10)
		}
		fmt.Fprintf(&b, "[profile team%05d]\nrole_arn = arn:aws:iam::%012d:role/developer-%d\nsource_profile = alice\nregion = eu-west-1\nrole_session_name = alice\nduration_seconds = 3600\n\n", i, 100000000000+i, i)
	}
	fmt.Fprintf(&b, "[profile alice]\nregion = eu-west-1\nmfa_serial = %s\n\n[profile prod]\nrole_arn = %s\nsource_profile = alice\n", serial, roleARN)
	if err := os.WriteFile(filepath.Join(aws, "config"), []byte(b.String()), 0o600); err != nil {
		return nil, err
	}
	return &home{dir: dir, env: []string{"HOME=" + filepath.Join(dir, "home"), "PATH=/usr/bin:/bin", "USER=alice",
		"XDG_STATE_HOME=" + filepath.Join(dir, "state"), "XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"XDG_RUNTIME_DIR=" + filepath.Join(dir, "run"), "XDG_DATA_HOME=" + filepath.Join(dir, "data"),
		"AWS_ENDPOINT_URL=" + endpoint}}, nil
}

// coldScenarios are `use prod` with an empty cache against moto_server:
// GetSessionToken with a code, then AssumeRole; with --mfa-code, and with
// an mfa_process.
func coldScenarios(dir, label, awsenv string) ([]scenario, error) {
	moto, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, err
	}
	if out, err := exec.Command("pyenv", "which", "moto_server").Output(); err == nil {
		moto = strings.TrimSpace(string(out)) // past pyenv's shim, so the server is the child
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(moto, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { cmd.Process.Kill(); cmd.Wait() })
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			break
		}
		if i > 300 {
			return nil, fmt.Errorf("moto_server did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	h, err := newHome(dir, 0, url)
	if err != nil {
		return nil, err
	}
	proc, err := newHome(dir+"-process", 0, url)
	if err != nil {
		return nil, err
	}
	cfg := filepath.Join(proc.dir, "home", ".aws", "config")
	data, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, []byte(strings.Replace(string(data), "[profile alice]\n", "[profile alice]\nmfa_process = echo 123456\n", 1)), 0o600)
	clear := func(h *home) func() {
		return func() { os.RemoveAll(filepath.Join(h.dir, "state")) }
	}
	renew, err := newHome(dir+"-renewal", 0, url)
	if err != nil {
		return nil, err
	}
	// Each home is used once first: its session store makes its data key
	// then (in the secret store, through awsenv-helper-full), as it does
	// once per machine; the runs measured find it in the kernel keyring.
	for _, h := range []*home{h, proc, renew} {
		if _, err := h.fill(awsenv, "123456"); err != nil {
			return nil, err
		}
	}
	// The role's session goes; alice's MFA session stays: what happens
	// every hour for every role (and at each refresh of one).
	clearRole := func() {
		c := exec.Command(awsenv, "sessions", "clear", "prod")
		c.Env = renew.env
		if out, err := c.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "ratios: sessions clear prod: %v\n%s", err, out)
			os.Exit(1)
		}
	}
	ss := []scenario{
		{name: label + ": use prod, cold, moto_server, --mfa-code", argv: []string{awsenv, "use", "prod", "--mfa-code", "123456"}, env: h.env, reset: clear(h)},
		{name: label + ": use prod, cold, moto_server, mfa_process", argv: []string{awsenv, "use", "prod"}, env: proc.env, reset: clear(proc)},
		{name: label + ": use prod, cold renewal (MFA session valid), moto_server", argv: []string{awsenv, "use", "prod"}, env: renew.env, reset: clearRole,
			note: "AssumeRole alone"},
	}
	for i := range ss {
		ss[i].count = true
	}
	return ss, nil
}

// helperScenarios are the helpers' bare starts: started with stdin at
// its end, as awsenv starts one and then needs nothing (the start-up every
// cold path pays). Older builds had awsenv-helper alone, which was then
// what awsenv-helper-full is now.
func helperScenarios(label, bin string, env []string) []scenario {
	var ss []scenario
	for _, h := range []struct{ file, note string }{
		{"awsenv-helper", "STS and the built-in providers"},
		{"awsenv-helper-full", "plugins, keyring, picker, other services"},
	} {
		path := filepath.Join(bin, h.file)
		if _, err := os.Stat(path); err != nil {
			continue
		}
		if _, err := os.Stat(filepath.Join(bin, "awsenv-helper-full")); err != nil {
			h.note = "the one helper of builds before the split"
		}
		// As awsenv starts them: the keyring library of the full helper
		// would otherwise launch a D-Bus daemon as it initialises.
		e := append(slices.Clone(env), "DBUS_SESSION_BUS_ADDRESS="+helper.NoBusAddress)
		ss = append(ss, scenario{name: label + ": " + h.file + ", bare start", argv: []string{path}, env: e, note: h.note, inits: true})
	}
	return ss
}

// execCount runs s once under strace and says how many programs it ran,
// and how many of them were awsenv-helper.
func execCount(s scenario) string {
	strace, err := exec.LookPath("strace")
	if err != nil {
		return "(install strace to count processes)"
	}
	if s.reset != nil {
		s.reset()
	}
	log, _ := os.CreateTemp("", "ratios-strace-")
	log.Close()
	defer os.Remove(log.Name())
	cmd := exec.Command(strace, append([]string{"-f", "-qq", "-e", "trace=execve", "-e", "signal=none", "-o", log.Name()}, s.argv...)...)
	cmd.Env = s.env
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Sprintf("(strace run failed: %v: %s)", err, out)
	}
	data, _ := os.ReadFile(log.Name())
	var progs []string
	for _, line := range strings.Split(string(data), "\n") {
		if _, call, ok := strings.Cut(line, " execve(\""); ok && strings.HasSuffix(line, " = 0") {
			prog, _, _ := strings.Cut(call, "\"")
			progs = append(progs, filepath.Base(prog))
		}
	}
	helpers := 0
	for _, p := range progs {
		if strings.HasPrefix(p, "awsenv-helper") {
			helpers++
		}
	}
	return fmt.Sprintf("%d processes (%s), %d helper", len(progs), strings.Join(progs, " "), helpers)
}

// measure runs every scenario rounds times, interleaved with the empty
// binary.
func measure(rounds int, empty scenario, all []scenario) map[string][]sample {
	out := map[string][]sample{}
	order := slices.Clone(all)
	for r := 0; r < rounds; r++ {
		// A new order each round: a scenario that always followed a heavy
		// one (a helper's 15 ms) would always start with cold caches.
		rand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, s := range order {
			for _, x := range []scenario{empty, s} {
				if x.reset != nil {
					x.reset()
				}
				out[x.name] = append(out[x.name], once(x))
			}
		}
	}
	return out
}

func once(s scenario) sample {
	cmd := exec.Command(s.argv[0], s.argv[1:]...)
	cmd.Env = s.env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ratios: %s: %v\n%s", s.name, err, out)
		os.Exit(1)
	}
	st := cmd.ProcessState
	return sample{wall: wall, cpu: st.UserTime() + st.SystemTime()}
}

func median(ss []sample, f func(sample) time.Duration) time.Duration {
	if len(ss) == 0 {
		return 0
	}
	v := make([]time.Duration, len(ss))
	for i, s := range ss {
		v[i] = f(s)
	}
	slices.SortFunc(v, func(a, b time.Duration) int { return cmp.Compare(a, b) })
	return v[len(v)/2]
}

// addGenerated adds what `awsenv sso populate` writes for 1,000 accounts
// with 3 roles each (profiles.PlanPopulate, the command's own edit) and
// their sso-session.
func addGenerated(config string) error {
	f, err := os.OpenFile(config, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString("\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	var gen []profiles.Generated
	for i := range 1000 {
		for _, role := range []string{"Admin", "ReadOnly", "Billing"} {
			id := fmt.Sprintf("%012d", 200000000000+i)
			gen = append(gen, profiles.Generated{Name: fmt.Sprintf("Team-%d-prod.%s", i, role),
				Keys: [][2]string{{"sso_session", "corp"}, {"sso_account_id", id}, {"sso_role_name", role}, {"region", "eu-west-1"}}})
		}
	}
	p, err := profiles.PlanPopulate(config, gen, "sso-session corp", false)
	if err != nil {
		return err
	}
	_, err = p.Write(profiles.PopulateWriteOptions{Now: time.Now})
	return err
}
