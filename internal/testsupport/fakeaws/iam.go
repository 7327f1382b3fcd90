package fakeaws

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// The slice of the IAM Query API (version 2010-05-08) that looks after a
// user's own access keys and MFA devices.

const (
	iamAPIVersion = "2010-05-08"
	// maxKeysPerUser is IAM's fixed quota of access keys per user.
	maxKeysPerUser = 2
	// iamDateFormat is how IAM writes CreateDate, EnableDate, LastUsedDate.
	iamDateFormat = "2006-01-02T15:04:05Z"
)

// iamActions are the Actions of the IAM Query API the server knows.
var iamActions = map[string]bool{
	"ListAccessKeys":       true,
	"CreateAccessKey":      true,
	"UpdateAccessKey":      true,
	"DeleteAccessKey":      true,
	"GetAccessKeyLastUsed": true,
	"ListMFADevices":       true,
}

// dispatchIAM runs an authenticated IAM action and returns its <ActionResult>
// (nil for actions whose response has none).
func (s *Server) dispatchIAM(action string, p url.Values, who *principal, now time.Time) (any, *apiError) {
	if v := p.Get("Version"); v != "" && v != iamAPIVersion {
		return nil, newError(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", action, v)
	}
	// AWS: credentials from GetSessionToken without MFA cannot call IAM.
	if who.session != nil && who.session.kind == kindSessionToken && !who.session.mfa {
		return nil, errInvalidClientToken(reasonNone)
	}
	switch action {
	case "ListAccessKeys":
		return s.listAccessKeys(p, who)
	case "CreateAccessKey":
		return s.createAccessKey(p, who, now)
	case "UpdateAccessKey":
		return nil, s.updateAccessKey(p, who)
	case "DeleteAccessKey":
		return nil, s.deleteAccessKey(p, who)
	case "GetAccessKeyLastUsed":
		return s.getAccessKeyLastUsed(p, who)
	case "ListMFADevices":
		return s.listMFADevices(p, who)
	case "":
		return nil, newError(http.StatusBadRequest, "MissingAction", "Missing Action")
	default:
		return nil, newError(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", action, iamAPIVersion)
	}
}

var userNamePattern = regexp.MustCompile(`^[\w+=,.@-]+$`)

// targetUser resolves the UserName parameter (the caller's own user when
// absent) and checks that the caller may perform action on it.
func (s *Server) targetUser(p url.Values, who *principal, action string) (*User, *apiError) {
	name := p.Get("UserName")
	if name == "" {
		if who.user == nil {
			return nil, errValidation("Must specify userName when calling with non-User credentials")
		}
		if err := authorize(who, action, who.user.arn); err != nil {
			return nil, err
		}
		return who.user, nil
	}
	switch {
	case len(name) > 128:
		return nil, errValidation("1 validation error detected: Value '%s' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 128", name)
	case !userNamePattern.MatchString(name):
		return nil, errValidation(`1 validation error detected: Value '%s' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`, name)
	}
	arn := "arn:aws:iam::" + who.account + ":user/" + name
	// Permissions are checked on the ARN before IAM looks the user up.
	if err := authorize(who, action, arn); err != nil {
		return nil, err
	}
	u, ok := s.users[arn]
	if !ok {
		return nil, errNoSuchEntity("The user with name %s cannot be found.", name)
	}
	return u, nil
}

var accessKeyIDPattern = regexp.MustCompile(`^\w+$`)

// accessKeyParam reads and validates the AccessKeyId parameter.
func accessKeyParam(p url.Values) (string, *apiError) {
	id := p.Get("AccessKeyId")
	switch {
	case id == "":
		return "", errValidation("1 validation error detected: Value null at 'accessKeyId' failed to satisfy constraint: Member must not be null")
	case len(id) < 16:
		return "", errValidation("1 validation error detected: Value '%s' at 'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16", id)
	case len(id) > 128:
		return "", errValidation("1 validation error detected: Value '%s' at 'accessKeyId' failed to satisfy constraint: Member must have length less than or equal to 128", id)
	case !accessKeyIDPattern.MatchString(id):
		return "", errValidation(`1 validation error detected: Value '%s' at 'accessKeyId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w]+`, id)
	}
	return id, nil
}

// userKey finds a key of u. A key of another user is as unknown as a key
// that does not exist, as in IAM.
func (s *Server) userKey(u *User, id string) (*AccessKey, *apiError) {
	k, ok := s.keys[id]
	if !ok || k.user != u {
		return nil, errNoSuchEntity("The Access Key with id %s cannot be found.", id)
	}
	return k, nil
}

// keysOf returns u's keys, oldest first.
func (s *Server) keysOf(u *User) []*AccessKey {
	var keys []*AccessKey
	for _, k := range s.keys {
		if k.user == u {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b *AccessKey) int {
		if c := a.created.Compare(b.created); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	return keys
}

func statusOf(k *AccessKey) string {
	if k.active {
		return "Active"
	}
	return "Inactive"
}

func (s *Server) listAccessKeys(p url.Values, who *principal) (any, *apiError) {
	u, err := s.targetUser(p, who, "iam:ListAccessKeys")
	if err != nil {
		return nil, err
	}
	res := listAccessKeysResult{UserName: u.name}
	for _, k := range s.keysOf(u) {
		res.AccessKeyMetadata.Members = append(res.AccessKeyMetadata.Members, accessKeyMetadata{
			UserName:    u.name,
			AccessKeyID: k.id,
			Status:      statusOf(k),
			CreateDate:  k.created.UTC().Format(iamDateFormat),
		})
	}
	return res, nil
}

func (s *Server) createAccessKey(p url.Values, who *principal, now time.Time) (any, *apiError) {
	u, err := s.targetUser(p, who, "iam:CreateAccessKey")
	if err != nil {
		return nil, err
	}
	if len(s.keysOf(u)) >= maxKeysPerUser {
		return nil, newError(http.StatusConflict, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: %d", maxKeysPerUser)
	}
	id := "AKIA" + randomString(upperAlnum, 16)
	for s.keys[id] != nil || s.sessions[id] != nil {
		id = "AKIA" + randomString(upperAlnum, 16)
	}
	k := &AccessKey{s: s, user: u, id: id, secret: randomBase64(30), active: true, created: now, viaAPI: true}
	s.keys[id] = k
	s.made = append(s.made, k.secret)
	return createAccessKeyResult{AccessKey: xmlAccessKey{
		UserName:        u.name,
		AccessKeyID:     k.id,
		Status:          statusOf(k),
		SecretAccessKey: k.secret,
		CreateDate:      k.created.UTC().Format(iamDateFormat),
	}}, nil
}

func (s *Server) updateAccessKey(p url.Values, who *principal) *apiError {
	id, err := accessKeyParam(p)
	if err != nil {
		return err
	}
	status := p.Get("Status")
	switch status {
	case "Active", "Inactive":
	case "":
		return errValidation("1 validation error detected: Value null at 'status' failed to satisfy constraint: Member must not be null")
	default:
		return errValidation("1 validation error detected: Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]", status)
	}
	u, err := s.targetUser(p, who, "iam:UpdateAccessKey")
	if err != nil {
		return err
	}
	k, err := s.userKey(u, id)
	if err != nil {
		return err
	}
	k.active = status == "Active"
	return nil
}

func (s *Server) deleteAccessKey(p url.Values, who *principal) *apiError {
	id, err := accessKeyParam(p)
	if err != nil {
		return err
	}
	u, err := s.targetUser(p, who, "iam:DeleteAccessKey")
	if err != nil {
		return err
	}
	if _, err := s.userKey(u, id); err != nil {
		return err
	}
	delete(s.keys, id)
	return nil
}

// getAccessKeyLastUsed answers for any key of the caller's account; it takes
// no UserName, and permission is checked on the key's owner.
func (s *Server) getAccessKeyLastUsed(p url.Values, who *principal) (any, *apiError) {
	id, err := accessKeyParam(p)
	if err != nil {
		return nil, err
	}
	k, ok := s.keys[id]
	if !ok || k.user.account != who.account {
		return nil, errNoSuchEntity("The Access Key with id %s cannot be found.", id)
	}
	if err := authorize(who, "iam:GetAccessKeyLastUsed", k.user.arn); err != nil {
		return nil, err
	}
	used := xmlAccessKeyLastUsed{ServiceName: "N/A", Region: "N/A"}
	if !k.lastUsed.IsZero() {
		used = xmlAccessKeyLastUsed{
			Region:       k.lastRegion,
			LastUsedDate: k.lastUsed.UTC().Format(iamDateFormat),
			ServiceName:  k.lastService,
		}
	}
	return getAccessKeyLastUsedResult{AccessKeyLastUsed: used, UserName: k.user.name}, nil
}

func (s *Server) listMFADevices(p url.Values, who *principal) (any, *apiError) {
	u, err := s.targetUser(p, who, "iam:ListMFADevices")
	if err != nil {
		return nil, err
	}
	var res listMFADevicesResult
	for _, d := range s.devicesOf(u) {
		res.MFADevices.Members = append(res.MFADevices.Members, xmlMFADevice{
			UserName:     u.name,
			SerialNumber: d.serial,
			EnableDate:   d.enabled.UTC().Format(iamDateFormat),
		})
	}
	return res, nil
}

// devicesOf returns u's MFA devices, oldest first.
func (s *Server) devicesOf(u *User) []*mfaDevice {
	var devs []*mfaDevice
	for _, d := range s.devices {
		if d.user == u {
			devs = append(devs, d)
		}
	}
	slices.SortFunc(devs, func(a, b *mfaDevice) int {
		if c := a.enabled.Compare(b.enabled); c != 0 {
			return c
		}
		return strings.Compare(a.serial, b.serial)
	})
	return devs
}

// Response documents, in the element order IAM uses. Lists are written
// even when empty (<AccessKeyMetadata></AccessKeyMetadata>), as IAM does.

type accessKeyMetadata struct {
	UserName    string `xml:"UserName"`
	AccessKeyID string `xml:"AccessKeyId"`
	Status      string `xml:"Status"`
	CreateDate  string `xml:"CreateDate"`
}

type listAccessKeysResult struct {
	XMLName           xml.Name `xml:"ListAccessKeysResult"`
	UserName          string   `xml:"UserName"`
	AccessKeyMetadata struct {
		Members []accessKeyMetadata `xml:"member"`
	} `xml:"AccessKeyMetadata"`
	IsTruncated bool `xml:"IsTruncated"`
}

type xmlAccessKey struct {
	UserName        string `xml:"UserName"`
	AccessKeyID     string `xml:"AccessKeyId"`
	Status          string `xml:"Status"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	CreateDate      string `xml:"CreateDate"`
}

type createAccessKeyResult struct {
	XMLName   xml.Name     `xml:"CreateAccessKeyResult"`
	AccessKey xmlAccessKey `xml:"AccessKey"`
}

type xmlAccessKeyLastUsed struct {
	Region       string `xml:"Region"`
	LastUsedDate string `xml:"LastUsedDate,omitempty"` // absent when never used
	ServiceName  string `xml:"ServiceName"`
}

type getAccessKeyLastUsedResult struct {
	XMLName           xml.Name             `xml:"GetAccessKeyLastUsedResult"`
	AccessKeyLastUsed xmlAccessKeyLastUsed `xml:"AccessKeyLastUsed"`
	UserName          string               `xml:"UserName"`
}

type xmlMFADevice struct {
	UserName     string `xml:"UserName"`
	SerialNumber string `xml:"SerialNumber"`
	EnableDate   string `xml:"EnableDate"`
}

type listMFADevicesResult struct {
	XMLName    xml.Name `xml:"ListMFADevicesResult"`
	MFADevices struct {
		Members []xmlMFADevice `xml:"member"`
	} `xml:"MFADevices"`
	IsTruncated bool `xml:"IsTruncated"`
}
