package awsapi

import (
	"context"
	"time"

	"github.com/awsenv/awsenv/profiles"
)

// Access key statuses as IAM spells them.
const (
	StatusActive   = "Active"
	StatusInactive = "Inactive"
)

// AccessKey is one access key of a user: never its secret.
type AccessKey struct {
	ID       string    `json:"id"`
	Status   string    `json:"status"` // StatusActive or StatusInactive
	Created  time.Time `json:"created"`
	UserName string    `json:"user_name,omitempty"`
}

// NewKey is a key just made by CreateAccessKey: the only time AWS ever
// shows its secret.
type NewKey struct {
	ID       string          `json:"id"`
	Secret   profiles.Secret `json:"secret"`
	Status   string          `json:"status"`
	Created  time.Time       `json:"created"`
	UserName string          `json:"user_name,omitempty"`
}

// LastUsed is GetAccessKeyLastUsed's answer. A zero Date means never used;
// AWS then reports service and region as "N/A".
type LastUsed struct {
	Date     time.Time `json:"date"`
	Service  string    `json:"service,omitempty"`
	Region   string    `json:"region,omitempty"`
	UserName string    `json:"user_name,omitempty"`
}

// MFADevice is one MFA device assigned to a user.
type MFADevice struct {
	Serial   string    `json:"serial"` // an ARN for virtual devices, a serial for hardware ones
	Enabled  time.Time `json:"enabled"`
	UserName string    `json:"user_name,omitempty"`
}

// IAMCall is who makes an IAM call: the profile whose endpoint settings and
// region apply, and the credentials that sign it.
type IAMCall struct {
	Target
	Credentials profiles.Credentials `json:"credentials"`
}

// IAM is the slice of AWS IAM awsenv uses to look after a user's own
// access keys and MFA devices (`awsenv keys`, `rotate`, `doctor`).
// userName may be empty to mean the user who signs the call (long-term
// keys only); awsenv passes it whenever it knows it.
type IAM interface {
	ListAccessKeys(ctx context.Context, c IAMCall, userName string) ([]AccessKey, error)
	CreateAccessKey(ctx context.Context, c IAMCall, userName string) (NewKey, error)
	UpdateAccessKey(ctx context.Context, c IAMCall, userName, keyID, status string) error
	DeleteAccessKey(ctx context.Context, c IAMCall, userName, keyID string) error
	GetAccessKeyLastUsed(ctx context.Context, c IAMCall, keyID string) (LastUsed, error)
	ListMFADevices(ctx context.Context, c IAMCall, userName string) ([]MFADevice, error)
}
