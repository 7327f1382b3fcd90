package awsapi

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

func TestUnixTime(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v    int64
		unit time.Duration
		want time.Time
	}{
		{1700000000000, time.Millisecond, time.UnixMilli(1700000000000).UTC()},
		{-1, time.Millisecond, time.UnixMilli(-1).UTC()},
		{253402300800000, time.Millisecond, MaxTime},
		{math.MaxInt64, time.Millisecond, MaxTime},
		{math.MinInt64, time.Millisecond, MinTime},
		{math.MaxInt64, time.Second, MaxTime},
		{1700000000, time.Second, time.Unix(1700000000, 0).UTC()},
	} {
		got := UnixTime(tc.v, tc.unit)
		if !got.Equal(tc.want) {
			t.Errorf("UnixTime(%d, %v) = %v, want %v", tc.v, tc.unit, got, tc.want)
		}
		if _, err := json.Marshal(got); err != nil {
			t.Errorf("UnixTime(%d, %v) = %v cannot cross the pipe: %v", tc.v, tc.unit, got, err)
		}
	}
}
