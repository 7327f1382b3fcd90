package credflow

// Asking the MFA provider for a code: the provider's settings, a code AWS will take, and what to do when it cannot change.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/plugins"
	"github.com/awsenv/awsenv/profiles"
)

// mfaSettings are the settings of the profile whose mfa_serial is used:
// the role's own when it names the device, else its source's.
func (f *Flow) mfaSettings(r *profiles.Resolved, own profiles.Settings) (profiles.Settings, error) {
	if r.Profile.MFASerial != "" {
		return own, nil
	}
	return f.Global.Settings(r.Source.Profile)
}

// withMFA gets a code and makes the call, asking again (up to the prompt's
// tries) when AWS says the code was wrong, as a person mistypes.
func (f *Flow) withMFA(ctx context.Context, profile, serial string, settings profiles.Settings,
	call func(code string) (profiles.Credentials, error)) (profiles.Credentials, error) {
	prov, err := f.Provider(settings)
	if err != nil {
		return profiles.Credentials{}, err
	}
	if f.NoInput && !unattended(prov, settings) {
		return profiles.Credentials{}, &plugins.Error{Provider: "--no-input", Err: ErrNeedsCode,
			Problem: fmt.Sprintf("profile %s needs a new MFA code for device %s", profile, serial),
			Fix:     fmt.Sprintf("Run `awsenv use %s` and enter a code.", profile)}
	}
	// Under --no-input no one is there to answer, terminal or not.
	req := plugins.Request{Profile: profile, Serial: serial, Options: settings.MFAOptions,
		Terminal: !f.NoInput && f.Terminal != nil && f.Terminal()}
	var lastErr error
	waitedOut := "" // a code already waited out for a new window
	for try := 1; try <= 3; try++ {
		req.Accepted = ""
		last, at := f.Store.LastCode(serial)
		if last != "" && f.Now().Sub(at) < 2*totpStep {
			req.Accepted = last
		}
		code, err := prov.Code(ctx, req)
		if err != nil {
			if lastErr != nil {
				return profiles.Credentials{}, lastErr // AWS's no says more than "no second code"
			}
			return profiles.Credentials{}, err
		}
		if !plugins.ValidCode(code) {
			return profiles.Credentials{}, &plugins.Error{Provider: prov.Name(), Problem: "it returned something that is not a 6-digit code",
				Fix: "Check the provider's configuration (awsenv_mfa_* keys) and that it prints only the code."}
		}
		if code == req.Accepted {
			if err := f.cannotChange(prov, code, waitedOut, at); err != nil {
				return profiles.Credentials{}, err
			}
			// AWS would refuse the code as reused: wait for the next one.
			now := f.Now()
			next := windowStart(now).Add(totpStep + time.Second)
			f.Notef("%s gave the MFA code AWS accepted a moment ago; waiting %s for the next code.", prov.Name(), next.Sub(now).Round(time.Second))
			if err := f.Sleep(ctx, next.Sub(now)); err != nil {
				return profiles.Credentials{}, err
			}
			waitedOut, lastErr = code, nil
			continue
		}
		if code == req.Rejected {
			// Sending it again would only be refused again.
			f.Notef("%s gave the code AWS has just refused again; it cannot give another.", prov.Name())
			return profiles.Credentials{}, lastErr
		}
		creds, err := call(code)
		var api *awsapi.APIError
		if errors.As(err, &api) && api.Code == "AccessDenied" && strings.HasPrefix(api.Message, awsapi.MsgInvalidMFACode) {
			req.Rejected, lastErr = code, err
			continue
		}
		if err == nil {
			if serr := f.Store.SaveLastCode(serial, code, f.Now()); serr != nil {
				f.Debugf("could not remember the last MFA code: %v", serr)
			}
		}
		return creds, err
	}
	if lastErr == nil {
		lastErr = &plugins.Error{Provider: prov.Name(), Problem: "it kept giving the code AWS had already accepted",
			Fix: "Check that the provider reads the current code from your device."}
	}
	return profiles.Credentials{}, lastErr
}

// fixedProvider is a provider whose code can never change, such as the
// code given with --mfa-code.
type fixedProvider interface{ Fixed() bool }

// unattended reports a provider that needs no person, which --no-input
// lets run: mfa_process (the process provider, a command that prints the
// code) and a code given with --mfa-code. The prompt, ykman (a key to
// touch), op (an unlock) and third-party plugins, which declare nothing,
// may need one.
func unattended(prov plugins.Provider, s profiles.Settings) bool {
	if fp, ok := prov.(fixedProvider); ok && fp.Fixed() {
		return true
	}
	return s.MFAProvider == "process"
}

// windowStart is the start of the TOTP window t falls in.
func windowStart(t time.Time) time.Time {
	return t.Truncate(totpStep)
}

// cannotChange says why waiting for the next window would be pointless when
// a provider hands back code, the code AWS accepted at: a fixed code, a
// provider that gave the same code after such a wait, or one that still
// gives it after its window has passed (a device shows a new code then).
// Nil means waiting may help. A person at the prompt may have read the
// device just before it changed, so the prompt always gets the wait.
func (f *Flow) cannotChange(prov plugins.Provider, code, waitedOut string, at time.Time) error {
	when := at.Local().Format("15:04:05")
	if fp, ok := prov.(fixedProvider); ok && fp.Fixed() {
		return &plugins.Error{Provider: prov.Name(), Err: ErrCodeUsed,
			Problem: fmt.Sprintf("the code given is the one AWS accepted at %s", when),
			Fix:     "Pass the next code your device shows, or leave --mfa-code out to be asked for one."}
	}
	stale := f.Now().Sub(windowStart(at)) >= totpStep+2*time.Second
	if code == waitedOut || (stale && prov.Name() != "prompt") {
		return &plugins.Error{Provider: prov.Name(), Err: ErrCodeUsed,
			Problem: fmt.Sprintf("it gave the code AWS accepted at %s again after that code's 30-second window had passed, so it cannot give a new one", when),
			Fix:     "Make it print the current code of your device (a fixed code in mfa_process works only once), or pass --mfa-code with the next code."}
	}
	return nil
}
