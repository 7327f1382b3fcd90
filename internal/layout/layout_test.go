package layout

import (
	"os/exec"
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
// cost every cached `use` (README, "Design: two binaries").
func TestFrontLinksNoHeavyDependency(t *testing.T) {
	t.Parallel()
	banned := []string{
		"github.com/aws/aws-sdk-go-v2",
		"github.com/aws/smithy-go",
		"google.golang.org/grpc",
		"github.com/hashicorp/go-plugin",
		"google.golang.org/protobuf",
	}
	for _, dep := range goList(t, "-deps", "./cmd/awsenv") {
		for _, b := range banned {
			if dep == b || strings.HasPrefix(dep, b+"/") {
				t.Errorf("./cmd/awsenv links %s (through %s): move the code that needs it into awsenv-helper", b, dep)
			}
		}
	}
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
