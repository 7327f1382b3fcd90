package doctor

import (
	"fmt"
	"slices"
	"strings"
)

// The MFA checks: the device in IAM, and the provider that gives codes.

func (r *run) mfaDevice() {
	serial := r.res.MFASerial()
	if serial == "" {
		r.add("mfa-device", Pass, "no mfa_serial: sessions are made without MFA", "")
		return
	}
	if !r.keyOK {
		r.add("mfa-device", Skip, "needs a working long-term key", "")
		return
	}
	devs, err := r.IAM.ListMFADevices(r.ctx, r.iamCall(), r.user)
	if isAccessDenied(err) {
		r.add("mfa-device", Skip, fmt.Sprintf("user %s may not call iam:ListMFADevices", r.user), "")
		return
	}
	if err != nil {
		what, fix := r.Explain(err, r.base)
		r.add("mfa-device", Fail, what, fix)
		return
	}
	var serials []string
	for _, d := range devs {
		serials = append(serials, d.Serial)
	}
	holder := r.res.Profile
	for x := r.res; x != nil; x = x.Source {
		if x.Profile.MFASerial != "" {
			holder = x.Profile
			break
		}
	}
	switch {
	case slices.Contains(serials, serial):
		r.add("mfa-device", Pass, fmt.Sprintf("%s is an MFA device of %s", serial, r.user), "")
	case len(serials) == 0:
		r.add("mfa-device", Fail, fmt.Sprintf("mfa_serial is %s, but %s has no MFA device", serial, r.user),
			"Assign one in the IAM console (Security credentials, Assign MFA device), then put its ARN in mfa_serial.")
	default:
		r.add("mfa-device", Fail, fmt.Sprintf("mfa_serial %s of [%s] is not a device of %s, whose devices are %s", serial, holder.Name, r.user, strings.Join(serials, ", ")),
			fmt.Sprintf("Set mfa_serial = %s in [%s] of %s.", serials[0], holder.Name, holder.Where()))
	}
}

func (r *run) mfaProvider() {
	if r.res.MFASerial() == "" {
		r.add("mfa-provider", Skip, "no MFA device, so no provider is needed", "")
		return
	}
	holder := r.res
	for x := r.res; x != nil; x = x.Source {
		if x.Profile.MFASerial != "" {
			holder = x
			break
		}
	}
	s, err := r.Global.Settings(holder.Profile)
	if err != nil {
		r.add("mfa-provider", Fail, err.Error(), "")
		return
	}
	if !r.trusted1("mfa-provider", s.MFAChoice()) {
		return
	}
	detail, problem := r.Provider(r.ctx, s)
	switch {
	case problem != "" && s.MFAProvider == "prompt":
		// Only a problem where nobody can type: scripts, cron, CI.
		r.add("mfa-provider", Warn, fmt.Sprintf("provider %s: %s", s.MFAProvider, problem), detail)
		return
	case problem != "":
		r.add("mfa-provider", Fail, fmt.Sprintf("provider %s: %s", s.MFAProvider, problem), detail)
		return
	}
	r.add("mfa-provider", Pass, fmt.Sprintf("provider %s: %s", s.MFAProvider, detail), "")
}
