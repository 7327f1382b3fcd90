package layout

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/awsenv/awsenv"

// goList runs `go list` from the module root with args and returns its lines.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, msg)
	}
	return strings.Fields(string(out))
}

// The front binary is what people run at every prompt: it must not link
// the SDK, gRPC, go-plugin or protobuf, whose package initialisation would
// cost every cached `use` (README, "Design: a front and two helpers"), nor the secret
// store's library and D-Bus: the front reaches the store only through the
// helper, and the data key of sessions through the kernel keyring first
// (internal/sessionkey).
func TestFrontLinksNoHeavyDependency(t *testing.T) {
	t.Parallel()
	banned := []string{
		"github.com/aws/aws-sdk-go-v2",
		"github.com/aws/smithy-go",
		"google.golang.org/grpc",
		"github.com/hashicorp/go-plugin",
		"google.golang.org/protobuf",
		// The secret store's library connects to D-Bus as it initialises
		// (and its backends pull in jose and gpg plumbing): the helper
		// alone links it (internal/secretstore).
		"github.com/99designs/keyring",
		"github.com/godbus/dbus",
		"github.com/gsterjov/go-libsecret",
		"github.com/dvsekhvalnov/jose2go",
		module + "/internal/secretstore",
		"github.com/99designs/go-keychain",
		"github.com/danieljoos/wincred",
		// An HTTP stack's initialisation is start-up every cached `use`
		// would pay: the credential endpoint of exec --server, like the
		// loopback sign-in, runs in the helper.
		"net/http",
		module + "/internal/credserver",
		module + "/internal/loopback",
		// The picker's terminal UI (bubbletea and what it pulls in:
		// termenv's terminal probing, lipgloss, terminfo) runs in the
		// helper (`awsenv-helper-full picker`): `use PROFILE` never loads it.
		"github.com/charmbracelet",
		"github.com/muesli",
		"github.com/erikgeiser",
		"github.com/xo/terminfo",
		"github.com/lucasb-eyer/go-colorful",
		module + "/internal/picker/tui",
	}
	// The network and certificate stacks, by exact name (net/url and
	// net/netip are light): every call over the network is the helper's
	// (internal/awsapi/sdk/http.go), and their initialisation would cost
	// every cached `use`.
	exact := []string{"net", "net/http", "crypto/x509", "crypto/ecdsa"}
	for _, dep := range linksAny(t, "./cmd/awsenv", banned, "move the code that needs it into awsenv-helper") {
		if slices.Contains(exact, dep) {
			t.Errorf("./cmd/awsenv links %s: move the code that needs it into awsenv-helper", dep)
		}
	}
}

// linksAny fails t for each package of banned (or under it; an entry
// ending in "/" bans only what is under it) that pkg links, saying fix,
// and returns everything pkg links.
func linksAny(t *testing.T, pkg string, banned []string, fix string) []string {
	t.Helper()
	deps := goList(t, "-deps", pkg)
	for _, dep := range deps {
		for _, b := range banned {
			if dep == b || strings.HasPrefix(dep, strings.TrimSuffix(b, "/")+"/") {
				t.Errorf("%s links %s (through %s): %s", pkg, b, dep, fix)
			}
		}
	}
	return deps
}

// Test doubles and process helpers live under internal/testsupport and are
// imported only by tests and by the benchmarks under bench/.
func TestTestSupportOnlyInTests(t *testing.T) {
	t.Parallel()
	lines := goList(t, "-f", `{{.ImportPath}}|{{join .Imports ","}}`, "./...")
	for _, line := range lines {
		pkg, imports, _ := strings.Cut(line, "|")
		if strings.HasPrefix(pkg, module+"/internal/testsupport") || strings.HasPrefix(pkg, module+"/bench") {
			continue
		}
		for _, imp := range strings.Split(imports, ",") {
			if strings.HasPrefix(imp, module+"/internal/testsupport") {
				t.Errorf("%s imports %s outside its tests: test-only code must stay out of the binaries", pkg, imp)
			}
		}
	}
}

// The AWS SDK lives in internal/awsapi/sdk (the core: World, STS) and its
// subpackages (one a service family), and only awsenv-helper uses them:
// everything else talks to AWS through internal/awsapi's interfaces, which
// link no SDK (README, "Design: a front and two helpers"). The subpackages build on
// the core. Tests and test support may use either.
func TestSDKOnlyInHelper(t *testing.T) {
	t.Parallel()
	sdkPkg := module + "/internal/awsapi/sdk"
	inSDK := func(pkg string) bool { return pkg == sdkPkg || strings.HasPrefix(pkg, sdkPkg+"/") }
	sdk := []string{"github.com/aws/aws-sdk-go-v2", "github.com/aws/smithy-go"}
	for _, line := range goList(t, "-f", `{{.ImportPath}}|{{join .Imports ","}}`, "./...") {
		pkg, imports, _ := strings.Cut(line, "|")
		if strings.HasPrefix(pkg, module+"/internal/testsupport") || strings.HasPrefix(pkg, module+"/bench") {
			continue
		}
		for _, imp := range strings.Split(imports, ",") {
			helpers := pkg == module+"/cmd/awsenv-helper" || pkg == module+"/cmd/awsenv-helper-full"
			if inSDK(imp) && !helpers && !(imp == sdkPkg && inSDK(pkg)) {
				t.Errorf("%s imports %s: only the helpers (cmd/awsenv-helper, cmd/awsenv-helper-full) may; use internal/awsapi's interfaces", pkg, imp)
			}
			for _, s := range sdk {
				if (imp == s || strings.HasPrefix(imp, s+"/")) && !inSDK(pkg) {
					t.Errorf("%s imports %s: the SDK is used only in internal/awsapi/sdk and its subpackages; add the call there", pkg, imp)
				}
			}
		}
	}
}

// The core of the AWS clients, internal/awsapi/sdk, links the STS client
// alone: every cold path of awsenv starts the helper for an STS call, and
// the other services' packages (and the SDK's config package, which
// imports sso, ssooidc and signin for its credential providers) compile
// endpoint tables and schemas as they initialise. Their clients live in
// the subpackages.
func TestSDKCoreLinksSTSOnly(t *testing.T) {
	t.Parallel()
	banned := []string{
		"github.com/aws/aws-sdk-go-v2/config",
		"github.com/aws/aws-sdk-go-v2/service/iam",
		"github.com/aws/aws-sdk-go-v2/service/sso",
		"github.com/aws/aws-sdk-go-v2/service/ssooidc",
		"github.com/aws/aws-sdk-go-v2/service/signin",
		"github.com/aws/aws-sdk-go-v2/feature/ec2/imds",
		// The credential providers: the core signs with the call's
		// credentials (package credentials' static provider).
		"github.com/aws/aws-sdk-go-v2/credentials/",
		module + "/internal/awsapi/sdk/",
	}
	deps := linksAny(t, "./internal/awsapi/sdk", banned,
		"keep that service's client in a subpackage (iamclient, ssoclient, signinclient, instanceclient) and build aws.Config without the SDK's config package")
	if !slices.Contains(deps, "github.com/aws/aws-sdk-go-v2/service/sts") {
		t.Fatalf("go list -deps ./internal/awsapi/sdk has no service/sts: is the test looking at the right package?")
	}
}

// ARNs are split in one place, awsapi.ParseARN: a copy elsewhere is how
// the rules drifted before. The test double under internal/testsupport
// keeps its own, as an independent model of AWS.
func TestOneARNParser(t *testing.T) {
	t.Parallel()
	copyOf := regexp.MustCompile(`SplitN\([^)]*":",\s*6\)|(CutPrefix|HasPrefix|TrimPrefix|Index)\([^)]*"arn:"\)`)
	forEachSourceLine(t, filepath.Join("internal", "awsapi"), func(rel string, n int, l string) {
		if copyOf.MatchString(l) {
			t.Errorf("%s:%d parses an ARN by hand: use awsapi.ParseARN", rel, n)
		}
	})
}

// POSIX quoting has one home, shell/shellquote: no other code writes the
// close-escape-reopen of a single quote itself.
func TestOneShellQuoting(t *testing.T) {
	t.Parallel()
	forEachSourceLine(t, filepath.Join("shell", "shellquote"), func(rel string, n int, l string) {
		if strings.Contains(l, "`'\\''`") || strings.Contains(l, `"'\\''"`) {
			t.Errorf("%s:%d quotes for a POSIX shell by hand: use shellquote.Word, Command or Always", rel, n)
		}
	})
}

// The secret store's library is imported by internal/secretstore alone,
// and that package only by awsenv-helper (and tests): every other part of
// awsenv reaches the store through the helper's Secret requests.
func TestSecretStoreOnlyInHelper(t *testing.T) {
	t.Parallel()
	store := module + "/internal/secretstore"
	for _, line := range goList(t, "-f", `{{.ImportPath}}|{{join .Imports ","}}`, "./...") {
		pkg, imports, _ := strings.Cut(line, "|")
		for _, imp := range strings.Split(imports, ",") {
			if imp == store && pkg != module+"/cmd/awsenv-helper-full" {
				t.Errorf("%s imports %s: only cmd/awsenv-helper-full may; use the helper's SecretGet/SecretSet requests", pkg, imp)
			}
			if (imp == "github.com/99designs/keyring" || strings.HasPrefix(imp, "github.com/godbus/")) && pkg != store {
				t.Errorf("%s imports %s: the keyring library is used only in internal/secretstore", pkg, imp)
			}
		}
	}
}

// forEachSourceLine calls f for every line of the module's non-test Go
// files, except those of home itself, internal/testsupport and testdata.
func forEachSourceLine(t *testing.T, home string, f func(rel string, n int, line string)) {
	t.Helper()
	root := "../.."
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel == ".git" || rel == filepath.Join("internal", "testsupport") || rel == "testdata" || strings.HasSuffix(rel, string(filepath.Separator)+"testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || filepath.Dir(rel) == home {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, l := range strings.Split(string(b), "\n") {
			f(rel, i+1, l)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The picker's UI is the full helper's (so the bans above are not
// vacuous): the front runs `awsenv-helper-full picker` and reads the
// chosen name back.
func TestPickerUIInHelper(t *testing.T) {
	t.Parallel()
	if !slices.Contains(goList(t, "-deps", "./cmd/awsenv-helper-full"), module+"/internal/picker/tui") {
		t.Fatal("./cmd/awsenv-helper-full does not link internal/picker/tui: `awsenv-helper-full picker` is where the picker runs")
	}
}

// awsenv-helper is the process every new session and every hourly role
// renewal starts: it links no SDK service but STS, and neither gRPC,
// go-plugin and protobuf (third-party plugins), the keyring library and
// D-Bus (the secret store), nor the picker's terminal UI, whose package
// initialisation would cost each of those starts; awsenv-helper-full links
// them (README, "Design: a front and two helpers").
func TestLeanHelperLinksOnlyWhatItServes(t *testing.T) {
	t.Parallel()
	banned := []string{
		"google.golang.org/grpc",
		"github.com/hashicorp/go-plugin",
		"google.golang.org/protobuf",
		"github.com/99designs/keyring",
		"github.com/godbus/dbus",
		"github.com/charmbracelet",
		"github.com/muesli",
		module + "/plugins/rpc",
		module + "/internal/secretstore",
		module + "/internal/picker",
		module + "/internal/credserver",
		module + "/internal/loopback",
		// Of the SDK, STS alone: the other services' packages compile
		// their endpoint tables and schemas as they initialise, and the
		// SDK's config loader links them all.
		"github.com/aws/aws-sdk-go-v2/config",
		"github.com/aws/aws-sdk-go-v2/service/iam",
		"github.com/aws/aws-sdk-go-v2/service/sso",
		"github.com/aws/aws-sdk-go-v2/service/ssooidc",
		"github.com/aws/aws-sdk-go-v2/service/signin",
		"github.com/aws/aws-sdk-go-v2/feature/ec2/imds",
		module + "/internal/awsapi/sdk/",
	}
	linksAny(t, "./cmd/awsenv-helper", banned, "serve that request in awsenv-helper-full")
}
