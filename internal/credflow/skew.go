package credflow

// The clock: telling the person when theirs is off from AWS's.

import (
	"fmt"
	"time"
)

// SkewWarn is the clock offset worth telling the user about: AWS refuses
// signatures 15 minutes off, and the SDK's quiet correction hides the
// problem from awsenv but not from every other tool on the machine.
const SkewWarn = time.Minute

// noteSkew tells the user once when their clock is off, even though the
// call went through.
func (f *Flow) noteSkew() {
	if f.ClockSkew == nil || f.skewTold {
		return
	}
	d, ok := f.ClockSkew()
	if !ok || (d < SkewWarn && d > -SkewWarn) {
		return
	}
	f.skewTold = true
	f.Notef("your clock is %s; AWS refuses requests signed more than 15 minutes off. Sync it: sudo timedatectl set-ntp true (or sudo ntpdate pool.ntp.org).", DescribeSkew(d))
}

// DescribeSkew says which way and how far the local clock is off, given
// AWS's clock minus ours. The Date header it is measured from has whole
// seconds, so past two minutes it is given in whole minutes.
func DescribeSkew(d time.Duration) string {
	way := "behind"
	if d < 0 {
		way, d = "ahead of", -d
	}
	amount := d.Round(time.Second).String()
	if d >= 2*time.Minute {
		amount = fmt.Sprintf("about %d minutes", int(d.Round(time.Minute).Minutes()))
	}
	return fmt.Sprintf("%s %s AWS's", amount, way)
}
