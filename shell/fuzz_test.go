package shell

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Each fuzz target checks that Quote round-trips through an independent
// re-parser of the shell's quoting rules (parse_test.go), and for its seed
// corpus in a plain `go test` also through the real shells. Run one for real
// with e.g. go test -fuzz=FuzzPOSIXQuote ./shell/

func addSeeds(f *testing.F) {
	for _, v := range hostile {
		f.Add(v.value)
	}
}

// checkRender checks what Render does with value for sh: an error that does
// not leak the value when it must refuse it, else exactly Export's output.
func checkRender(t *testing.T, sh Shell, value string, refuse bool) {
	t.Helper()
	out, err := Render(sh, []Change{{Name: "AWS_SECRET_ACCESS_KEY", Value: value}})
	if refuse {
		if err == nil || out != "" {
			t.Fatalf("Render accepted a value it must refuse: %q", truncate(out))
		}
		if len(value) >= 4 && strings.Contains(err.Error(), value) {
			t.Fatalf("error %q contains the value", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	if want := sh.Export("AWS_SECRET_ACCESS_KEY", value); out != want {
		t.Fatalf("Render = %q, want %q", truncate(out), truncate(want))
	}
}

func FuzzPOSIXQuote(f *testing.F) {
	addSeeds(f)
	realShells := realShellsForSeeds()
	sh, _ := Lookup("sh")
	f.Fuzz(func(t *testing.T, value string) {
		q := sh.Quote(value)
		got, err := unquotePOSIX(q)
		if err != nil {
			t.Fatalf("Quote(%q) = %q does not parse: %v", truncate(value), truncate(q), err)
		}
		if got != value {
			t.Fatalf("Quote(%q) = %q parses back as %q", truncate(value), truncate(q), truncate(got))
		}
		if want := "export X=" + q + "\n"; sh.Export("X", value) != want {
			t.Fatalf("Export does not use Quote")
		}
		hasNUL := strings.IndexByte(value, 0) >= 0
		checkRender(t, sh, value, hasNUL)
		if realShells && !hasNUL {
			t.Parallel() // only seeds get here; T.Parallel is a no-op while fuzzing
			seedShells(t, false, value)
		}
	})
}

func FuzzFishQuote(f *testing.F) {
	addSeeds(f)
	realShells := realShellsForSeeds()
	sh, _ := Lookup("fish")
	f.Fuzz(func(t *testing.T, value string) {
		q := sh.Quote(value)
		got, err := unquoteFish(q)
		if err != nil {
			t.Fatalf("Quote(%q) = %q does not parse: %v", truncate(value), truncate(q), err)
		}
		if got != value {
			t.Fatalf("Quote(%q) = %q parses back as %q", truncate(value), truncate(q), truncate(got))
		}
		if !utf8.ValidString(q) || strings.ContainsAny(q, "\n\r") {
			t.Fatalf("Quote(%q) = %q is not one line of UTF-8", truncate(value), truncate(q))
		}
		if want := "set -gx X " + q + ";\n"; sh.Export("X", value) != want {
			t.Fatalf("Export does not use Quote")
		}
		hasNUL := strings.IndexByte(value, 0) >= 0
		checkRender(t, sh, value, hasNUL)
		if realShells && !hasNUL {
			t.Parallel() // only seeds get here; T.Parallel is a no-op while fuzzing
			seedShells(t, true, value)
		}
	})
}

func FuzzPowerShellQuote(f *testing.F) {
	addSeeds(f)
	sh, _ := Lookup("powershell")
	f.Fuzz(func(t *testing.T, value string) {
		q := sh.Quote(value)
		for i := 0; i < len(q); i++ {
			if q[i] < 0x20 || q[i] > 0x7e {
				t.Fatalf("Quote(%q) = %q has byte %#x", truncate(value), truncate(q), q[i])
			}
		}
		got, err := parsePowerShellExpr(q)
		if err != nil {
			t.Fatalf("Quote(%q) = %q does not parse: %v", truncate(value), truncate(q), err)
		}
		// PowerShell holds UTF-16, where invalid UTF-8 becomes U+FFFD;
		// Render refuses such values rather than send the altered text.
		valid := utf8.ValidString(value)
		if valid && got != value {
			t.Fatalf("Quote(%q) = %q parses back as %q", truncate(value), truncate(q), truncate(got))
		}
		if want := "$Env:X = " + q + ";\n"; sh.Export("X", value) != want {
			t.Fatalf("Export does not use Quote")
		}
		checkRender(t, sh, value, !valid || strings.IndexByte(value, 0) >= 0)
	})
}
