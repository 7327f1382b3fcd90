package fakeaws

import (
	"crypto/subtle"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Virtual MFA devices use RFC 6238 with the parameters AWS uses.
const totpPeriod = 30 // seconds

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

type mfaDevice struct {
	serial  string
	secret  string // base32
	user    *User
	enabled time.Time
}

// otpUse identifies one time window of one device: AWS accepts each code once.
type otpUse struct {
	serial  string
	counter int64
}

// TOTPCode returns the 6-digit code of base32Secret at time t, as an
// authenticator app would show it. It panics on an invalid secret.
func TOTPCode(base32Secret string, t time.Time) string {
	code, err := totp.GenerateCodeCustom(base32Secret, t, totpOpts)
	if err != nil {
		panic("fakeaws: TOTPCode: invalid base32 secret: " + err.Error())
	}
	return code
}

// AddMFADevice attaches a virtual MFA device to the user, enabled at the
// server clock's time. It panics on an invalid base32 secret, which is a bug
// in the calling test.
func (u *User) AddMFADevice(serial, base32Secret string) {
	TOTPCode(base32Secret, time.Unix(0, 0)) // validate early, with a clear panic
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	u.s.devices[serial] = &mfaDevice{serial: serial, secret: base32Secret, user: u, enabled: u.s.now()}
}

// acceptTOTP accepts the code of the current window or of an adjacent one
// (AWS tolerates that much drift), unless that window was already used.
func (s *Server) acceptTOTP(dev *mfaDevice, code string, now time.Time) bool {
	counter := now.Unix() / totpPeriod
	for _, c := range []int64{counter, counter - 1, counter + 1} {
		use := otpUse{dev.serial, c}
		if s.usedOTP[use] {
			continue
		}
		want := TOTPCode(dev.secret, time.Unix(c*totpPeriod, 0))
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			s.usedOTP[use] = true
			return true
		}
	}
	return false
}
