//go:build !linux

package childproc

import "time"

// BecomeSubreaper does nothing where there are no subreapers (macOS, the
// BSDs): processes a child leaves behind go to init (launchd).
func BecomeSubreaper() error { return nil }

// EndOrphans does nothing where there are no subreapers.
func EndOrphans(time.Duration) int { return 0 }
