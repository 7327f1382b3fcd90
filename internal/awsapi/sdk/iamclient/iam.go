// Package iamclient is awsapi.IAM with the SDK's IAM client, configured
// by package sdk (World.Load), which links no IAM itself.
package iamclient

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/internal/awsapi/sdk"
	"github.com/awsenv/awsenv/profiles"
)

// IAM is awsapi.IAM through the SDK.
type IAM struct{ sdk.World }

var _ awsapi.IAM = IAM{}

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

func (c IAM) client(ctx context.Context, call awsapi.IAMCall) (*iam.Client, error) {
	cfg, err := c.Load(ctx, "IAM", call.Target, call.Credentials)
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
func (c IAM) ListAccessKeys(ctx context.Context, call awsapi.IAMCall, userName string) ([]awsapi.AccessKey, error) {
	ctx, cancel := c.Bound(ctx)
	defer cancel()
	cl, err := c.client(ctx, call)
	if err != nil {
		return nil, err
	}
	var keys []awsapi.AccessKey
	pages := iam.NewListAccessKeysPaginator(cl, &iam.ListAccessKeysInput{UserName: optional(userName)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, sdk.Convert("ListAccessKeys", err)
		}
		for _, k := range page.AccessKeyMetadata {
			keys = append(keys, awsapi.AccessKey{
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
func (c IAM) CreateAccessKey(ctx context.Context, call awsapi.IAMCall, userName string) (awsapi.NewKey, error) {
	ctx, cancel := c.Bound(ctx)
	defer cancel()
	cl, err := c.client(ctx, call)
	if err != nil {
		return awsapi.NewKey{}, err
	}
	out, err := cl.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: optional(userName)})
	if err != nil {
		return awsapi.NewKey{}, sdk.Convert("CreateAccessKey", err)
	}
	k := out.AccessKey
	if k == nil {
		// The key may exist all the same; only a listing can tell.
		return awsapi.NewKey{}, &awsapi.TransportError{Operation: "CreateAccessKey",
			Message: "IAM answered without the new key; list the user's keys and delete any you do not know"}
	}
	return awsapi.NewKey{
		ID:       aws.ToString(k.AccessKeyId),
		Secret:   profiles.Secret(aws.ToString(k.SecretAccessKey)),
		Status:   string(k.Status),
		Created:  aws.ToTime(k.CreateDate).UTC(),
		UserName: aws.ToString(k.UserName),
	}, nil
}

// UpdateAccessKey calls iam:UpdateAccessKey; status is awsapi.StatusActive
// or awsapi.StatusInactive.
func (c IAM) UpdateAccessKey(ctx context.Context, call awsapi.IAMCall, userName, keyID, status string) error {
	ctx, cancel := c.Bound(ctx)
	defer cancel()
	cl, err := c.client(ctx, call)
	if err != nil {
		return err
	}
	_, err = cl.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{
		UserName: optional(userName), AccessKeyId: aws.String(keyID), Status: types.StatusType(status)})
	if err != nil {
		return sdk.Convert("UpdateAccessKey", err)
	}
	return nil
}

// DeleteAccessKey calls iam:DeleteAccessKey.
func (c IAM) DeleteAccessKey(ctx context.Context, call awsapi.IAMCall, userName, keyID string) error {
	ctx, cancel := c.Bound(ctx)
	defer cancel()
	cl, err := c.client(ctx, call)
	if err != nil {
		return err
	}
	_, err = cl.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: optional(userName), AccessKeyId: aws.String(keyID)})
	if err != nil {
		return sdk.Convert("DeleteAccessKey", err)
	}
	return nil
}

// GetAccessKeyLastUsed calls iam:GetAccessKeyLastUsed.
func (c IAM) GetAccessKeyLastUsed(ctx context.Context, call awsapi.IAMCall, keyID string) (awsapi.LastUsed, error) {
	ctx, cancel := c.Bound(ctx)
	defer cancel()
	cl, err := c.client(ctx, call)
	if err != nil {
		return awsapi.LastUsed{}, err
	}
	out, err := cl.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(keyID)})
	if err != nil {
		return awsapi.LastUsed{}, sdk.Convert("GetAccessKeyLastUsed", err)
	}
	lu := awsapi.LastUsed{UserName: aws.ToString(out.UserName)}
	if u := out.AccessKeyLastUsed; u != nil {
		if u.LastUsedDate != nil {
			lu.Date = u.LastUsedDate.UTC()
		}
		lu.Service, lu.Region = aws.ToString(u.ServiceName), aws.ToString(u.Region)
	}
	return lu, nil
}

// ListMFADevices calls iam:ListMFADevices, every page of it.
func (c IAM) ListMFADevices(ctx context.Context, call awsapi.IAMCall, userName string) ([]awsapi.MFADevice, error) {
	ctx, cancel := c.Bound(ctx)
	defer cancel()
	cl, err := c.client(ctx, call)
	if err != nil {
		return nil, err
	}
	var devices []awsapi.MFADevice
	pages := iam.NewListMFADevicesPaginator(cl, &iam.ListMFADevicesInput{UserName: optional(userName)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, sdk.Convert("ListMFADevices", err)
		}
		for _, d := range page.MFADevices {
			devices = append(devices, awsapi.MFADevice{
				Serial:   aws.ToString(d.SerialNumber),
				Enabled:  aws.ToTime(d.EnableDate).UTC(),
				UserName: aws.ToString(d.UserName),
			})
		}
	}
	return devices, nil
}
