package sessionkey

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// kernelName is a cache entry of this test alone, forgotten at its end.
func kernelName(t *testing.T) string {
	t.Helper()
	if _, err := unix.KeyctlGetKeyringID(unix.KEY_SPEC_SESSION_KEYRING, false); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the kernel keyring is not usable here (%v); CI must allow keyctl", err)
		}
		t.Skipf("no kernel keyring: %v", err)
	}
	name := Name("test", fmt.Sprintf("%s/%d/%d", t.Name(), os.Getpid(), time.Now().UnixNano()))
	t.Cleanup(func() { Kernel{}.Forget(name) })
	return name
}

func TestKernelRoundTrip(t *testing.T) {
	t.Parallel()
	name := kernelName(t)
	if _, ok := (Kernel{}).Get(name); ok {
		t.Fatal("a fresh name is cached")
	}
	key := bytes.Repeat([]byte{0xa5}, 32)
	if err := (Kernel{}).Put(name, key); err != nil {
		t.Fatal(err)
	}
	got, ok := Kernel{}.Get(name)
	if !ok || !bytes.Equal(got, key) {
		t.Fatalf("Get: %x, %v", got, ok)
	}
	// Only its possessor may do anything with it; it expires.
	id, err := unix.KeyctlSearch(unix.KEY_SPEC_SESSION_KEYRING, "user", name, 0)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := unix.KeyctlString(unix.KEYCTL_DESCRIBE, id)
	if err != nil {
		t.Fatal(err)
	}
	// user;uid;gid;perm;description
	if f := strings.Split(desc, ";"); len(f) != 5 || f[3] != "3f000000" || f[4] != name {
		t.Errorf("describe: %s", desc)
	}
	line := procKeysLine(t, name)
	if f := strings.Fields(line); len(f) < 4 || (f[3] != "11h" && f[3] != "12h") {
		t.Errorf("/proc/keys: %q; want an expiry in 12h", line)
	}
	// Put again replaces it.
	key2 := bytes.Repeat([]byte{0x5a}, 32)
	if err := (Kernel{}).Put(name, key2); err != nil {
		t.Fatal(err)
	}
	if got, _ := (Kernel{}).Get(name); !bytes.Equal(got, key2) {
		t.Fatalf("after a second Put: %x", got)
	}
	Kernel{}.Forget(name)
	if _, ok := (Kernel{}).Get(name); ok {
		t.Fatal("Forget left it")
	}
}

// The key is reachable by a new process of this login session: what the
// next awsenv run is.
func TestKernelSeenByAnotherProcess(t *testing.T) {
	t.Parallel()
	name := kernelName(t)
	key := bytes.Repeat([]byte{0x42}, 32)
	if err := (Kernel{}).Put(name, key); err != nil {
		t.Fatal(err)
	}
	// keyctl(1) may not be installed: the test binary reads it instead.
	cmd := testBinary(t, "TestKernelChildReads", "AWSENV_SESSIONKEY_CHILD="+name)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), fmt.Sprintf("%x", key)) {
		t.Fatalf("the child did not read the key: %v\n%s", err, out)
	}
}

func TestKernelChildReads(t *testing.T) {
	name := os.Getenv("AWSENV_SESSIONKEY_CHILD")
	if name == "" {
		t.Skip("run by TestKernelSeenByAnotherProcess")
	}
	k, ok := Kernel{}.Get(name)
	if !ok {
		t.Fatal("not found")
	}
	fmt.Printf("%x\n", k)
}

func procKeysLine(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile("/proc/keys")
	if err != nil {
		t.Skipf("no /proc/keys: %v", err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, name) {
			return l
		}
	}
	t.Fatalf("%s not in /proc/keys", name)
	return ""
}
