package shell

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/testsupport/testproc"
)

// KeepUniversal changes only fish's code: the global is erased, the
// universal is not. Other shells have one scope and render Unset.
func TestKeepUniversalRender(t *testing.T) {
	for _, name := range Names() {
		sh, _ := Lookup(name)
		got, err := Render(sh, []Change{{Name: "KUBECONFIG", Unset: true, KeepUniversal: true}, {Name: "AWS_PROFILE", Unset: true}})
		if err != nil {
			t.Fatal(err)
		}
		want := sh.Unset("AWS_PROFILE") + sh.Unset("KUBECONFIG")
		if name == "fish" {
			want = "set -e -g AWS_PROFILE; set -e -U AWS_PROFILE; or true;\nset -e -g KUBECONFIG; or true;\n"
		}
		if got != want {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
	}
}

// In real fish, with fish_variables in a temporary XDG_CONFIG_HOME: the
// user's universal KUBECONFIG survives a KeepUniversal removal of the
// global that shadowed it (in view again in this shell, in a child's
// environment and in a fresh fish), while awsenv's own AWS_PROFILE is
// erased in both scopes, so a stale universal cannot pick credentials.
func TestRealFishKeepUniversal(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("fish is a Unix program")
	}
	bin := lookShell(t, realShell{bin: "fish", required: true})
	dir := t.TempDir()
	env := []string{"HOME=" + dir, "XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"XDG_DATA_HOME=" + filepath.Join(dir, "data"), "PATH=/usr/bin:/bin"}
	run := func(script string) string {
		t.Helper()
		cmd := testproc.Command(bin, "-c", script)
		cmd.Env, cmd.Dir = env, dir
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := runWithTimeout(cmd, 30*time.Second); err != nil {
			t.Fatalf("fish %q: %v\n%s", script, err, out.String())
		}
		return out.String()
	}
	run("set -Ux KUBECONFIG /user/kube; set -Ux AWS_PROFILE stale")

	sh, _ := Lookup("fish")
	set, err := Render(sh, []Change{{Name: "KUBECONFIG", Value: "/hook/kube"}, {Name: "AWS_PROFILE", Unset: true}})
	must(t, err)
	unset, err := Render(sh, []Change{{Name: "KUBECONFIG", Unset: true, KeepUniversal: true}, {Name: "AWS_PROFILE", Unset: true}})
	must(t, err)
	for name, code := range map[string]string{"set": set, "unset": unset} {
		must(t, os.WriteFile(filepath.Join(dir, name+".fish"), []byte(code), 0o600))
	}
	got := run(`source ./set.fish; printf 'use: %s\n' "$KUBECONFIG"
source ./unset.fish; printf 'unset: %s\n' "$KUBECONFIG"
env | string match -r '^(?:KUBECONFIG|AWS_PROFILE)=.*'`)
	if want := "use: /hook/kube\nunset: /user/kube\nKUBECONFIG=/user/kube\n"; got != want {
		t.Errorf("in the shell: got\n%s\nwant\n%s", got, want)
	}
	if got := run("set -U | string match -r '^(?:KUBECONFIG|AWS_PROFILE) .*'"); got != "KUBECONFIG /user/kube\n" {
		t.Errorf("a fresh fish's universals: %q, want KUBECONFIG /user/kube alone", got)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
