//go:build unix

package sessions

import (
	"path/filepath"
	"testing"
)

// BenchmarkLoad is the cached path's read of one session, sealed and
// plain: what encryption adds, the data key aside.
func BenchmarkLoad(b *testing.B) {
	for _, sealed := range []bool{false, true} {
		name := "plain"
		if sealed {
			name = "sealed"
		}
		b.Run(name, func(b *testing.B) {
			s, err := Open(filepath.Join(b.TempDir(), "sessions"))
			if err != nil {
				b.Fatal(err)
			}
			if sealed {
				s.Keys = &fakeKeys{key: newKey(7)}
			}
			key := mfaKey("alice")
			if err := s.Save(key, hookedSession()); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if sess, err := s.Load(key); err != nil || sess == nil {
					b.Fatal(sess, err)
				}
			}
		})
	}
}
