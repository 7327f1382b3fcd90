package main

import (
	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
)

// deviceLimitsEnv shortens the longest wait of a sign-in, for the tests
// that show every sign-in ends; it never lengthens it.
const deviceLimitsEnv = "AWSENV_TEST_DEVICE_MAX_WAIT"

// deviceLimits are the bounds of this run's device flows:
// awsapi.DefaultDeviceLimits, with MaxExpiry lowered by $deviceLimitsEnv
// (a Go duration such as 3s) when it is shorter.
func deviceLimits(d *Deps) awsapi.DeviceLimits {
	l := awsapi.DefaultDeviceLimits
	if v, err := profiles.ParseDuration(d.Getenv(deviceLimitsEnv)); err == nil && v > 0 && v < l.MaxExpiry {
		l.MaxExpiry = v
	}
	return l
}
