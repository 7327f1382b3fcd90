package awsini

import (
	"fmt"
	"strings"
	"testing"
)

// genConfig is a config file of n role profiles, 5 lines each.
func genConfig(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "[profile p%d]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/r%d\nsource_profile = alice\n\n", i, i)
	}
	return b.String()
}

// BenchmarkParse is the parser alone, on text already in memory.
//
//	go test -run '^$' -bench . -benchmem ./profiles/awsini/
func BenchmarkParse(b *testing.B) {
	for _, n := range []int{2, 2000} {
		text := genConfig(n)
		b.Run(fmt.Sprintf("profiles=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(text); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	text := genConfig(2)
	for i := 0; len(text) < 10<<20; i++ {
		text += genConfig(20000)
	}
	b.Run("size=10MB", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Parse(text); err != nil {
				b.Fatal(err)
			}
		}
	})
}
