package credflow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/diagnose"
	"github.com/awsenv/awsenv/profiles"
)

// Explain turns an AWS error met for profile p into its catalogue entry,
// with the user's own names in the fix. The key that signed is taken to be
// the profile's long-term key.
func (f *Flow) Explain(err error, p *profiles.Profile) error {
	return f.explainCall(context.Background(), err, p, profiles.Credentials{})
}

// explainCall explains an error of a call signed with creds (zero: the
// profile's own key).
func (f *Flow) explainCall(ctx context.Context, err error, p *profiles.Profile, creds profiles.Credentials) error {
	var api *awsapi.APIError
	if !errors.As(err, &api) {
		var tr *awsapi.TransportError
		if errors.As(err, &tr) {
			return &CallError{Profile: p.Name, Err: err,
				Explanation: diagnose.Explanation{Fix: "Check your network connection and any AWS_ENDPOINT_URL* settings, then try again."}}
		}
		return err
	}
	facts := f.Facts(p)
	if creds.AccessKeyID != "" {
		facts.KeyID, facts.Temporary = creds.AccessKeyID, creds.SessionToken != ""
	} else {
		facts.KeyID = facts.FileKeyID
	}
	if api.Code == "AccessDenied" && strings.HasPrefix(api.Message, awsapi.MsgInvalidMFASerial) {
		f.addDevices(ctx, p, &facts)
	}
	return &CallError{Profile: p.Name, Err: err, Explanation: diagnose.Explain(api, facts)}
}

// Facts are what the flow knows of profile p, for the catalogue.
func (f *Flow) Facts(p *profiles.Profile) diagnose.Facts {
	var facts diagnose.Facts
	if f.Config != nil {
		if r, err := f.Config.Resolve(p.Name); err == nil {
			facts = diagnose.FromProfile(r, f.Config.Files)
		}
	}
	if facts.Profile == "" {
		facts = diagnose.Facts{Profile: p.Name, KeyFile: p.KeyFile(), ConfigFile: p.ConfigFile, FileKeyID: p.AccessKeyID, Serial: p.MFASerial}
	}
	if f.ClockSkew != nil {
		facts.Skew, facts.SkewKnown = f.ClockSkew()
	}
	if f.Now != nil {
		facts.Now = f.Now()
	}
	return facts
}

// addDevices looks up the user's real MFA devices, so a wrong mfa_serial
// comes with the right one. IAM allows iam:ListMFADevices even under the
// usual "MFA or nothing" policy; if it is refused anyway, the fix says
// where to look instead.
func (f *Flow) addDevices(ctx context.Context, p *profiles.Profile, facts *diagnose.Facts) {
	if f.IAM == nil || f.Config == nil {
		return
	}
	r, err := f.Config.Resolve(p.Name)
	if err != nil || r.Base().Kind != profiles.KindUser {
		return
	}
	base := r.Base().Profile
	creds, err := f.LongTermKey(ctx, base)
	if err != nil {
		return
	}
	call := awsapi.IAMCall{Target: f.target(r.Base()), Credentials: creds}
	id, err := f.STS.GetCallerIdentity(ctx, call.Target, call.Credentials)
	if err != nil {
		return
	}
	facts.UserARN = id.ARN
	facts.UserName = awsapi.ParseARN(id.ARN).UserName()
	devs, err := f.IAM.ListMFADevices(ctx, call, facts.UserName)
	if err != nil {
		f.Debugf("could not list the MFA devices of %s: %v", facts.UserName, err)
		return
	}
	facts.DevicesKnown = true
	for _, d := range devs {
		facts.Devices = append(facts.Devices, d.Serial)
	}
}

// CallError is an AWS call that failed, explained.
type CallError struct {
	Profile     string
	Err         error
	Explanation diagnose.Explanation
}

// Fix is the catalogue's fix, for callers that show only that.
func (e *CallError) Fix() string { return e.Explanation.Fix }

func (e *CallError) Error() string {
	x := e.Explanation
	var b strings.Builder
	if x.What != "" {
		fmt.Fprintf(&b, "profile %s: %s", e.Profile, strings.TrimRight(x.What, ". "))
		// AWS's own words follow in parentheses; an error of awsenv's own
		// (two keys already, say) is what the explanation just said.
		var api *awsapi.APIError
		var tr *awsapi.TransportError
		if errors.As(e.Err, &api) || errors.As(e.Err, &tr) {
			fmt.Fprintf(&b, " (%s).", strings.TrimRight(e.Err.Error(), ". "))
		} else {
			b.WriteString(".")
		}
	} else {
		fmt.Fprintf(&b, "profile %s: %s.", e.Profile, strings.TrimRight(e.Err.Error(), ". "))
	}
	if x.Cause != "" {
		fmt.Fprintf(&b, "\n  Likely cause: %s", x.Cause)
	}
	if x.Fix != "" {
		if x.What != "" {
			fmt.Fprintf(&b, "\n  Fix: %s", indent(x.Fix))
		} else {
			fmt.Fprintf(&b, " %s", x.Fix)
		}
	}
	if x.Policy != "" {
		fmt.Fprintf(&b, "\n  Policy statement to attach:\n%s", indentAll(x.Policy, "    "))
	}
	return b.String()
}

func (e *CallError) Unwrap() error { return e.Err }

func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n       ") }

func indentAll(s, pre string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = pre + l
	}
	return strings.Join(lines, "\n")
}
