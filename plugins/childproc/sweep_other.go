//go:build !linux

package childproc

import "time"

// BecomeSubreaper does nothing where there are no subreapers (macOS, the
// BSDs, Windows): processes a child leaves behind go to init (launchd).
func BecomeSubreaper() error { return nil }

func isSubreaper() bool { return false }

// EndOrphans does nothing where there are no subreapers.
func EndOrphans(time.Duration) int { return 0 }

// startTime is unknown here: the list of live children is kept, unused.
func startTime(int) uint64 { return 0 }
