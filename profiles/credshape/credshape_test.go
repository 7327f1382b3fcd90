package credshape

import (
	"strings"
	"testing"
)

func TestShapes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		fn   func(string) bool
		in   string
		want bool
	}{
		{"KeyID", KeyID, "AKIAIOSFODNN7EXAMPLE", true},
		{"KeyID", KeyID, "ASIAIOSFODNN7EXAMPLE", true},
		{"KeyID", KeyID, "akiaiosfodnn7example", false},
		{"KeyID", KeyID, "AKIA\x1b[31mEXAMPLE00", false},
		{"KeyID", KeyID, "AKIA", false},
		{"KeyID", KeyID, strings.Repeat("A", 129), false},
		{"SecretText", SecretText, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", true},
		{"SecretText", SecretText, "", false},
		{"SecretText", SecretText, "a b", false},
		{"SecretText", SecretText, "ab\ncd", false},
		{"SecretText", SecretText, "ab\x7fcd", false},
		{"SecretText", SecretText, strings.Repeat("x", MaxSecret+1), false},
		{"LongTermSecret", LongTermSecret, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", true},
		{"LongTermSecret", LongTermSecret, "wJalrXUtnFEMI/K7MDENG/bPxRfiCY!EXAMPLEKEY", false},
	} {
		if got := tc.fn(tc.in); got != tc.want {
			t.Errorf("%s(%q) = %v, want %v", tc.name, tc.in, got, tc.want)
		}
	}
}
