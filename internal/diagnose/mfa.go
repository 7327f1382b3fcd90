package diagnose

// Explanations of MFA failures: a serial that is not the device, a wrong or reused code.

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

func (c *call) serialExample() string {
	return or(c.f.Serial, "arn:aws:iam::"+c.account()+":mfa/"+c.user())
}

// 3. Wrong mfa_serial.
func (c *call) mfaSerial() Explanation {
	p, cfg := c.profile(), c.configFile()
	device := "the MFA device in mfa_serial (profile " + p + ")"
	if c.f.Serial != "" {
		device = "MFA device " + c.f.Serial + " (mfa_serial of profile " + p + ")"
	}
	x := Explanation{
		ID:    IDMFASerialInvalid,
		What:  "AWS could not match " + device + " to the user whose key signed " + c.opCall() + ".",
		Cause: "mfa_serial under " + configSection(p) + " in " + cfg + " is not the ARN of an MFA device assigned to " + c.user() + ".",
	}
	devs := c.f.Devices
	switch {
	case c.f.DevicesKnown && len(devs) == 0:
		x.Cause = c.userWho() + " has no MFA device assigned, so no serial can match."
		x.Fix = fmt.Sprintf("Assign one in the IAM console (Users > %s > Security credentials > Assign MFA device), then put its ARN under %s in %s:\n  mfa_serial = arn:aws:iam::%s:mfa/DEVICE-NAME",
			c.user(), configSection(p), cfg, c.account())
	case c.f.DevicesKnown && slices.Contains(devs, c.f.Serial):
		x.Cause = c.f.Serial + " is a device of " + c.user() + ", but the call was signed by a key of another user."
		x.Fix = fmt.Sprintf("Check that aws_access_key_id under %s in %s belongs to %s (%s), or set mfa_serial under %s in %s to the device of the key's own user.",
			credSection(p), c.keyFile(), c.user(), c.listKeysCmd(), configSection(p), cfg)
	case c.f.DevicesKnown && len(devs) == 1:
		x.Fix = fmt.Sprintf("%s has one MFA device; set it under %s in %s:\n  mfa_serial = %s", or(c.f.UserName, "The user"), configSection(p), cfg, devs[0])
		x.Repair, x.Subject = RepairSetSerial, devs[0]
	case c.f.DevicesKnown:
		x.Fix = fmt.Sprintf("%s has these MFA devices: %s. Set the one you have under %s in %s, e.g.:\n  mfa_serial = %s",
			or(c.f.UserName, "The user"), strings.Join(devs, ", "), configSection(p), cfg, devs[0])
	default:
		x.Fix = fmt.Sprintf("Copy the ARN shown under \"Assigned MFA device\" in the IAM console (Users > %s > Security credentials), or list the devices with `aws iam list-mfa-devices --user-name %s`, and set it under %s in %s:\n  mfa_serial = arn:aws:iam::%s:mfa/DEVICE-NAME",
			c.user(), c.user(), configSection(p), cfg, c.account())
	}
	return x
}

// 4. Wrong or reused MFA code.
func (c *call) mfaCode() Explanation {
	x := Explanation{
		ID:     IDMFACodeInvalid,
		What:   "AWS refused the MFA code" + c.forDevice() + c.opDesc() + ": it was wrong or already used.",
		Cause:  "A code is valid only in its 30-second window and only once; a mistyped, old or reused code is refused.",
		Fix:    "Wait for the next code from your device and run the command again (`awsenv use " + c.profile() + "` asks again by itself). If every code fails, resync the device in the IAM console (Users > " + c.user() + " > Security credentials > MFA > Resync).",
		Repair: RepairNewCode,
	}
	if skew, known := c.skew(); known && (skew >= 30*time.Second || skew <= -30*time.Second) {
		x.Fix += "\nThis computer's clock is " + skewWords(skew) + ": an authenticator on this machine makes wrong codes until it is synced with " + clockFix + "."
	}
	return x
}

func (c *call) forDevice() string {
	if c.f.Serial == "" {
		return ""
	}
	return " for " + c.f.Serial
}
