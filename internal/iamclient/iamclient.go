// Package iamclient implements iamapi.Client with aws-sdk-go-v2, so the
// SDK's endpoint settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_IAM,
// endpoint_url in the profile), CA bundle and retries all apply.
package iamclient

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsenv/awsenv/internal/awssdk"
	"github.com/awsenv/awsenv/internal/iamapi"
	"github.com/awsenv/awsenv/internal/stsapi"
	"github.com/awsenv/awsenv/profiles"
)

// Client is IAM through the SDK.
type Client struct {
	// Now is the local clock the clock skew is measured against (see
	// stsapi.WithClockSkewObserver); nil means time.Now.
	Now func() time.Time
}

var _ iamapi.Client = Client{}

// SigningRegion is the region IAM calls are signed for, given the
// profile's region: IAM is global, served from us-east-1 in the aws
// partition, and from a region of their own in the China and GovCloud
// partitions, which the SDK resolves from any region of the partition.
func SigningRegion(region string) string {
	if strings.HasPrefix(region, "cn-") || strings.HasPrefix(region, "us-gov-") {
		return region
	}
	return "us-east-1"
}

func (c Client) client(ctx context.Context, call iamapi.Call) (*iam.Client, error) {
	cfg, err := awssdk.Load(ctx, "IAM", call.Target, call.Credentials, c.Now)
	if err != nil {
		return nil, err
	}
	cfg.Region = SigningRegion(cfg.Region)
	return iam.NewFromConfig(cfg), nil
}

// optional is nil for "", so an empty user name means the signer.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// ListAccessKeys calls iam:ListAccessKeys, every page of it.
func (c Client) ListAccessKeys(ctx context.Context, call iamapi.Call, userName string) ([]iamapi.AccessKey, error) {
	cl, err := c.client(ctx, call)
	if err != nil {
		return nil, err
	}
	var keys []iamapi.AccessKey
	pages := iam.NewListAccessKeysPaginator(cl, &iam.ListAccessKeysInput{UserName: optional(userName)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, awssdk.Convert("ListAccessKeys", err)
		}
		for _, k := range page.AccessKeyMetadata {
			keys = append(keys, iamapi.AccessKey{
				ID:       aws.ToString(k.AccessKeyId),
				Status:   string(k.Status),
				Created:  aws.ToTime(k.CreateDate).UTC(),
				UserName: aws.ToString(k.UserName),
			})
		}
	}
	return keys, nil
}

// CreateAccessKey calls iam:CreateAccessKey.
func (c Client) CreateAccessKey(ctx context.Context, call iamapi.Call, userName string) (iamapi.NewKey, error) {
	cl, err := c.client(ctx, call)
	if err != nil {
		return iamapi.NewKey{}, err
	}
	out, err := cl.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: optional(userName)})
	if err != nil {
		return iamapi.NewKey{}, awssdk.Convert("CreateAccessKey", err)
	}
	k := out.AccessKey
	if k == nil {
		// The key may exist all the same; only a listing can tell.
		return iamapi.NewKey{}, &stsapi.TransportError{Operation: "CreateAccessKey",
			Message: "IAM answered without the new key; list the user's keys and delete any you do not know"}
	}
	return iamapi.NewKey{
		ID:       aws.ToString(k.AccessKeyId),
		Secret:   profiles.Secret(aws.ToString(k.SecretAccessKey)),
		Status:   string(k.Status),
		Created:  aws.ToTime(k.CreateDate).UTC(),
		UserName: aws.ToString(k.UserName),
	}, nil
}

// UpdateAccessKey calls iam:UpdateAccessKey; status is iamapi.StatusActive
// or iamapi.StatusInactive.
func (c Client) UpdateAccessKey(ctx context.Context, call iamapi.Call, userName, keyID, status string) error {
	cl, err := c.client(ctx, call)
	if err != nil {
		return err
	}
	_, err = cl.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{
		UserName: optional(userName), AccessKeyId: aws.String(keyID), Status: types.StatusType(status)})
	if err != nil {
		return awssdk.Convert("UpdateAccessKey", err)
	}
	return nil
}

// DeleteAccessKey calls iam:DeleteAccessKey.
func (c Client) DeleteAccessKey(ctx context.Context, call iamapi.Call, userName, keyID string) error {
	cl, err := c.client(ctx, call)
	if err != nil {
		return err
	}
	_, err = cl.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: optional(userName), AccessKeyId: aws.String(keyID)})
	if err != nil {
		return awssdk.Convert("DeleteAccessKey", err)
	}
	return nil
}

// GetAccessKeyLastUsed calls iam:GetAccessKeyLastUsed.
func (c Client) GetAccessKeyLastUsed(ctx context.Context, call iamapi.Call, keyID string) (iamapi.LastUsed, error) {
	cl, err := c.client(ctx, call)
	if err != nil {
		return iamapi.LastUsed{}, err
	}
	out, err := cl.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(keyID)})
	if err != nil {
		return iamapi.LastUsed{}, awssdk.Convert("GetAccessKeyLastUsed", err)
	}
	lu := iamapi.LastUsed{UserName: aws.ToString(out.UserName)}
	if u := out.AccessKeyLastUsed; u != nil {
		if u.LastUsedDate != nil {
			lu.Date = u.LastUsedDate.UTC()
		}
		lu.Service, lu.Region = aws.ToString(u.ServiceName), aws.ToString(u.Region)
	}
	return lu, nil
}

// ListMFADevices calls iam:ListMFADevices, every page of it.
func (c Client) ListMFADevices(ctx context.Context, call iamapi.Call, userName string) ([]iamapi.MFADevice, error) {
	cl, err := c.client(ctx, call)
	if err != nil {
		return nil, err
	}
	var devices []iamapi.MFADevice
	pages := iam.NewListMFADevicesPaginator(cl, &iam.ListMFADevicesInput{UserName: optional(userName)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, awssdk.Convert("ListMFADevices", err)
		}
		for _, d := range page.MFADevices {
			devices = append(devices, iamapi.MFADevice{
				Serial:   aws.ToString(d.SerialNumber),
				Enabled:  aws.ToTime(d.EnableDate).UTC(),
				UserName: aws.ToString(d.UserName),
			})
		}
	}
	return devices, nil
}
