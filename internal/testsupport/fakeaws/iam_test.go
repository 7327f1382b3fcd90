package fakeaws

import (
	"encoding/xml"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// IAM requests are signed with the SDK's own signer, exactly as the SDK's
// IAM client sends them: POST / with a form body, scope us-east-1/iam.

func (w *world) iam(t *testing.T, c *stsCreds, action string, kv ...string) rawResponse {
	t.Helper()
	return w.do(t, iamRequest(c, action, kv...))
}

// iamRequest is an IAM call with parameters given as name, value pairs.
func iamRequest(c *stsCreds, action string, kv ...string) rawRequest {
	form := url.Values{"Action": {action}, "Version": {"2010-05-08"}}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Set(kv[i], kv[i+1])
	}
	return rawRequest{method: "POST", path: "/", body: form.Encode(),
		keyID: c.id, secret: c.secret, token: c.token, service: "iam"}
}

type iamKeyMeta struct{ UserName, AccessKeyId, Status, CreateDate string }

type iamListKeys struct {
	XMLName xml.Name `xml:"https://iam.amazonaws.com/doc/2010-05-08/ ListAccessKeysResponse"`
	Result  struct {
		UserName    string
		Keys        []iamKeyMeta `xml:"AccessKeyMetadata>member"`
		IsTruncated string
	} `xml:"ListAccessKeysResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

type iamCreateKey struct {
	XMLName xml.Name `xml:"https://iam.amazonaws.com/doc/2010-05-08/ CreateAccessKeyResponse"`
	Key     struct {
		UserName, AccessKeyId, Status, SecretAccessKey, CreateDate string
	} `xml:"CreateAccessKeyResult>AccessKey"`
}

type iamLastUsed struct {
	XMLName xml.Name `xml:"https://iam.amazonaws.com/doc/2010-05-08/ GetAccessKeyLastUsedResponse"`
	Result  struct {
		UserName string
		Used     struct {
			LastUsedDate *string
			ServiceName  string
			Region       string
		} `xml:"AccessKeyLastUsed"`
	} `xml:"GetAccessKeyLastUsedResult"`
}

type iamListMFA struct {
	XMLName xml.Name `xml:"https://iam.amazonaws.com/doc/2010-05-08/ ListMFADevicesResponse"`
	Result  struct {
		Devices     []struct{ UserName, SerialNumber, EnableDate string } `xml:"MFADevices>member"`
		IsTruncated string
	} `xml:"ListMFADevicesResult"`
}

// decodeOK checks a 200 answer with the request id in header and body, and
// decodes it into doc.
func decodeOK(t *testing.T, r rawResponse, doc any) {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, redact(r.body))
	}
	if err := xml.Unmarshal([]byte(r.body), doc); err != nil {
		t.Fatalf("body %s: %v", redact(r.body), err)
	}
	id := r.header.Get("X-Amzn-Requestid")
	if id == "" || !strings.Contains(r.body, "<ResponseMetadata><RequestId>"+id+"</RequestId></ResponseMetadata>") {
		t.Errorf("request id header %q not in body %s", id, redact(r.body))
	}
}

type iamWireError struct {
	XMLName xml.Name `xml:"https://iam.amazonaws.com/doc/2010-05-08/ ErrorResponse"`
	Error   struct{ Type, Code, Message string }
}

func wantIAMError(t *testing.T, r rawResponse, status int, code, message string) {
	t.Helper()
	var e iamWireError
	if err := xml.Unmarshal([]byte(r.body), &e); err != nil {
		t.Fatalf("error body %q: %v", r.body, err)
	}
	wantType := "Sender"
	if status >= 500 {
		wantType = "Receiver"
	}
	if r.status != status || e.Error.Type != wantType || e.Error.Code != code || e.Error.Message != message {
		t.Errorf("got %d %s/%s %q\nwant %d %s/%s %q", r.status, e.Error.Type, e.Error.Code, e.Error.Message, status, wantType, code, message)
	}
}

var (
	newKeyIDPattern  = regexp.MustCompile(`^AKIA[A-Z0-9]{16}$`)
	newSecretPattern = regexp.MustCompile(`^[A-Za-z0-9+/]{40}$`)
)

func TestIAMAccessKeyLifecycle(t *testing.T) {
	w := newWorld(t)
	iamDate := w.now.Format("2006-01-02T15:04:05Z")

	var list iamListKeys
	decodeOK(t, w.iam(t, aliceCreds, "ListAccessKeys"), &list)
	if got := list.Result.Keys; len(got) != 1 || got[0] != (iamKeyMeta{"alice", aliceKeyID, "Active", iamDate}) || list.Result.IsTruncated != "false" {
		t.Fatalf("ListAccessKeys = %+v", list.Result)
	}

	w.clock.Set(w.now.Add(time.Minute))
	var created iamCreateKey
	decodeOK(t, w.iam(t, aliceCreds, "CreateAccessKey"), &created)
	k := created.Key
	if !newKeyIDPattern.MatchString(k.AccessKeyId) || !newSecretPattern.MatchString(k.SecretAccessKey) ||
		k.Status != "Active" || k.UserName != "alice" || k.CreateDate != w.now.Add(time.Minute).Format("2006-01-02T15:04:05Z") {
		t.Fatalf("CreateAccessKey = %s %s %s %s (secret of %d chars)", k.UserName, k.AccessKeyId, k.Status, k.CreateDate, len(k.SecretAccessKey))
	}
	newKey := &stsCreds{k.AccessKeyId, k.SecretAccessKey, ""}

	// The new key signs requests at once (no propagation delay set).
	var again iamListKeys
	decodeOK(t, w.iam(t, newKey, "ListAccessKeys"), &again)
	if len(again.Result.Keys) != 2 || again.Result.Keys[0].AccessKeyId != aliceKeyID || again.Result.Keys[1].AccessKeyId != newKey.id {
		t.Fatalf("keys after create, oldest first: %+v", again.Result.Keys)
	}

	wantIAMError(t, w.iam(t, aliceCreds, "CreateAccessKey"), 409, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")

	// Deactivate: listed as Inactive, refused as a signing key.
	decodeOK(t, w.iam(t, aliceCreds, "UpdateAccessKey", "AccessKeyId", newKey.id, "Status", "Inactive"), &struct{}{})
	var updated iamListKeys
	decodeOK(t, w.iam(t, aliceCreds, "ListAccessKeys", "UserName", "alice"), &updated)
	if got := updated.Result.Keys[1]; got.Status != "Inactive" {
		t.Errorf("status after update = %s", got.Status)
	}
	_, err := w.client(t, newKey.id, newKey.secret, "").GetCallerIdentity(ctx, nil)
	wantAPIError(t, err, 403, "InvalidClientTokenId", "The security token included in the request is invalid.")
	if w.srv.KeyWorks(newKey.id) {
		t.Error("KeyWorks of an inactive key")
	}
	decodeOK(t, w.iam(t, aliceCreds, "UpdateAccessKey", "AccessKeyId", newKey.id, "Status", "Active"), &struct{}{})
	if !w.srv.KeyWorks(newKey.id) {
		t.Error("KeyWorks after reactivation = false")
	}

	// The new key deletes the old one, as a rotation does.
	r := w.iam(t, newKey, "DeleteAccessKey", "AccessKeyId", aliceKeyID)
	if r.status != 200 || !regexp.MustCompile(`^<DeleteAccessKeyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>[0-9a-f-]{36}</RequestId></ResponseMetadata></DeleteAccessKeyResponse>$`).MatchString(r.body) {
		t.Errorf("DeleteAccessKey: %d %s", r.status, r.body)
	}
	if keys := w.alice.Keys(); len(keys) != 1 || keys[0].ID != newKey.id || !keys[0].Active {
		t.Errorf("Keys() after delete = %+v", keys)
	}
	_, err = w.aliceClient(t).GetCallerIdentity(ctx, nil)
	wantAPIError(t, err, 403, "InvalidClientTokenId", "The security token included in the request is invalid.")
}

func TestIAMErrors(t *testing.T) {
	w := newWorld(t)
	bobCreds := &stsCreds{bobKeyID, bobSecret, ""}
	w.srv.AddRole("arn:aws:iam::123456789012:role/reader", RoleOptions{})
	role, err := w.aliceClient(t).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/reader"), RoleSessionName: aws.String("rr")})
	if err != nil {
		t.Fatal(err)
	}
	roleCreds := credsFrom(role.Credentials)
	plain, err := w.aliceClient(t).GetSessionToken(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	const noKey = "The Access Key with id AKIAJUNKNOWNEXAMPLE0 cannot be found."

	for _, tc := range []struct {
		name          string
		creds         *stsCreds
		action        string
		kv            []string
		status        int
		code, message string
	}{
		{"update unknown key", aliceCreds, "UpdateAccessKey", []string{"AccessKeyId", "AKIAJUNKNOWNEXAMPLE0", "Status", "Inactive"}, 404, "NoSuchEntity", noKey},
		{"delete unknown key", aliceCreds, "DeleteAccessKey", []string{"AccessKeyId", "AKIAJUNKNOWNEXAMPLE0"}, 404, "NoSuchEntity", noKey},
		{"last use of unknown key", aliceCreds, "GetAccessKeyLastUsed", []string{"AccessKeyId", "AKIAJUNKNOWNEXAMPLE0"}, 404, "NoSuchEntity", noKey},
		{"another user's key as one's own", aliceCreds, "DeleteAccessKey", []string{"AccessKeyId", bobKeyID}, 404, "NoSuchEntity", "The Access Key with id " + bobKeyID + " cannot be found."},
		{"another user's key under a third name", bobCreds, "UpdateAccessKey", []string{"UserName", "bob", "AccessKeyId", aliceKeyID, "Status", "Active"}, 404, "NoSuchEntity", "The Access Key with id " + aliceKeyID + " cannot be found."},
		{"unknown user", aliceCreds, "ListAccessKeys", []string{"UserName", "nobody"}, 404, "NoSuchEntity", "The user with name nobody cannot be found."},
		{"unknown user creating", aliceCreds, "CreateAccessKey", []string{"UserName", "nobody"}, 404, "NoSuchEntity", "The user with name nobody cannot be found."},
		{"unknown user's devices", aliceCreds, "ListMFADevices", []string{"UserName", "nobody"}, 404, "NoSuchEntity", "The user with name nobody cannot be found."},
		{"bad status", aliceCreds, "UpdateAccessKey", []string{"AccessKeyId", aliceKeyID, "Status", "Disabled"}, 400, "ValidationError",
			"1 validation error detected: Value 'Disabled' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"},
		{"no status", aliceCreds, "UpdateAccessKey", []string{"AccessKeyId", aliceKeyID}, 400, "ValidationError",
			"1 validation error detected: Value null at 'status' failed to satisfy constraint: Member must not be null"},
		{"no key id", aliceCreds, "DeleteAccessKey", nil, 400, "ValidationError",
			"1 validation error detected: Value null at 'accessKeyId' failed to satisfy constraint: Member must not be null"},
		{"short key id", aliceCreds, "DeleteAccessKey", []string{"AccessKeyId", "AKIA"}, 400, "ValidationError",
			"1 validation error detected: Value 'AKIA' at 'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16"},
		{"bad user name", aliceCreds, "ListAccessKeys", []string{"UserName", "a b"}, 400, "ValidationError",
			`1 validation error detected: Value 'a b' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"role without user name", roleCreds, "ListAccessKeys", nil, 400, "ValidationError", "Must specify userName when calling with non-User credentials"},
		{"session without MFA", credsFrom(plain.Credentials), "ListAccessKeys", nil, 403, "InvalidClientTokenId", "The security token included in the request is invalid."},
		{"unknown action", aliceCreds, "ListUsers", nil, 400, "InvalidAction", "Could not find operation ListUsers for version 2010-05-08"},
		{"unsigned", &stsCreds{}, "ListAccessKeys", nil, 403, "MissingAuthenticationToken", "Request is missing Authentication Token"},
		{"unknown signing key", &stsCreds{"AKIAJUNKNOWNEXAMPLE0", aliceSecret, ""}, "ListAccessKeys", nil, 403, "InvalidClientTokenId", "The security token included in the request is invalid."},
		{"wrong secret", &stsCreds{aliceKeyID, bobSecret, ""}, "ListAccessKeys", nil, 403, "SignatureDoesNotMatch", msgSignatureMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantIAMError(t, w.iam(t, tc.creds, tc.action, tc.kv...), tc.status, tc.code, tc.message)
		})
	}

	// A request for IAM signed for STS is told which service it should be
	// scoped to, and the other way round.
	form := "Action=ListAccessKeys&Version=2010-05-08"
	wantIAMError(t, w.do(t, aliceRequest("POST", "/", "", form)), 403, "SignatureDoesNotMatch", "Credential should be scoped to correct service: 'iam'. ")
	r := w.do(t, rawRequest{method: "POST", path: "/", body: "Action=GetCallerIdentity&Version=2011-06-15", keyID: aliceKeyID, secret: aliceSecret, service: "iam"})
	if e := wantWireError(t, r, 403, "SignatureDoesNotMatch"); e.Error.Message != "Credential should be scoped to correct service: 'sts'. " {
		t.Errorf("message %q", e.Error.Message)
	}
	wantIAMError(t, w.iam(t, aliceCreds, "ListAccessKeys", "Version", "2011-06-15"), 400, "InvalidAction", "Could not find operation ListAccessKeys for version 2011-06-15")

	// Nothing changed.
	if keys := w.alice.Keys(); len(keys) != 1 || !keys[0].Active {
		t.Errorf("alice's keys %+v", keys)
	}
	if keys := w.bob.Keys(); len(keys) != 1 || !keys[0].Active {
		t.Errorf("bob's keys %+v", keys)
	}
}

func TestIAMOtherUsersAndSessions(t *testing.T) {
	w := newWorld(t)
	// With no deny policy a user may manage another user's keys by name.
	var list iamListKeys
	decodeOK(t, w.iam(t, aliceCreds, "ListAccessKeys", "UserName", "bob"), &list)
	if len(list.Result.Keys) != 1 || list.Result.Keys[0].AccessKeyId != bobKeyID || list.Result.UserName != "bob" {
		t.Errorf("bob's keys listed by alice: %+v", list.Result)
	}
	var created iamCreateKey
	decodeOK(t, w.iam(t, aliceCreds, "CreateAccessKey", "UserName", "bob"), &created)
	if created.Key.UserName != "bob" || len(w.bob.Keys()) != 2 || len(w.alice.Keys()) != 1 {
		t.Errorf("key created for bob: %s; bob has %d keys, alice %d", created.Key.UserName, len(w.bob.Keys()), len(w.alice.Keys()))
	}

	// An MFA session of alice acts as alice.
	out, err := w.aliceClient(t).GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(aliceSerial), TokenCode: aws.String(w.code(aliceTOTP, 0))})
	if err != nil {
		t.Fatal(err)
	}
	var own iamListKeys
	decodeOK(t, w.iam(t, credsFrom(out.Credentials), "ListAccessKeys"), &own)
	if len(own.Result.Keys) != 1 || own.Result.Keys[0].AccessKeyId != aliceKeyID {
		t.Errorf("keys listed with alice's MFA session: %+v", own.Result.Keys)
	}
	// So does a role, given a user name.
	w.srv.AddRole("arn:aws:iam::123456789012:role/admin", RoleOptions{})
	role, err := w.aliceClient(t).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/admin"), RoleSessionName: aws.String("aa")})
	if err != nil {
		t.Fatal(err)
	}
	var byRole iamListKeys
	decodeOK(t, w.iam(t, credsFrom(role.Credentials), "ListAccessKeys", "UserName", "alice"), &byRole)
	if len(byRole.Result.Keys) != 1 {
		t.Errorf("keys listed by a role: %+v", byRole.Result.Keys)
	}
}

func TestGetAccessKeyLastUsed(t *testing.T) {
	w := newWorld(t)
	lastUsed := func(id string) iamLastUsed {
		t.Helper()
		var doc iamLastUsed
		// Asked with bob's key, so that asking does not use alice's.
		decodeOK(t, w.iam(t, &stsCreds{bobKeyID, bobSecret, ""}, "GetAccessKeyLastUsed", "AccessKeyId", id), &doc)
		return doc
	}
	never := lastUsed(aliceKeyID)
	if u := never.Result.Used; u.LastUsedDate != nil || u.ServiceName != "N/A" || u.Region != "N/A" || never.Result.UserName != "alice" {
		t.Errorf("never used: %+v (date %v)", never.Result, u.LastUsedDate)
	}
	if keys := w.alice.Keys(); !keys[0].LastUsed.IsZero() {
		t.Errorf("Keys().LastUsed of an unused key = %v", keys[0].LastUsed)
	}

	w.clock.Set(w.now.Add(2 * time.Minute))
	c := w.client(t, aliceKeyID, aliceSecret, "", func(o *sts.Options) { o.Region = "eu-west-3" })
	if _, err := c.GetCallerIdentity(ctx, nil); err != nil {
		t.Fatal(err)
	}
	used := lastUsed(aliceKeyID).Result.Used
	if used.LastUsedDate == nil || *used.LastUsedDate != w.now.Add(2*time.Minute).Format("2006-01-02T15:04:05Z") || used.ServiceName != "sts" || used.Region != "eu-west-3" {
		t.Errorf("after STS in eu-west-3: %+v (date %v)", used, aws.ToString(used.LastUsedDate))
	}

	// A failed signature is not a use; a request IAM then refuses is.
	w.clock.Set(w.now.Add(3 * time.Minute))
	_ = w.iam(t, &stsCreds{aliceKeyID, bobSecret, ""}, "ListAccessKeys")
	if k := w.alice.Keys()[0]; !k.LastUsed.Equal(w.now.Add(2*time.Minute)) || k.LastService != "sts" {
		t.Errorf("a bad signature counted as a use: %+v", k)
	}
	w.alice.Deny("iam:ListAccessKeys")
	_ = w.iam(t, aliceCreds, "ListAccessKeys")
	k := w.alice.Keys()[0]
	if !k.LastUsed.Equal(w.now.Add(3*time.Minute)) || k.LastService != "iam" || k.LastRegion != "us-east-1" {
		t.Errorf("Keys() after an IAM call = %+v", k)
	}
	// Session credentials do not touch the key they came from.
	out, err := w.aliceClient(t).GetSessionToken(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Set(w.now.Add(4 * time.Minute))
	if _, err := sessionClient(t, w, credsFrom(out.Credentials)).GetCallerIdentity(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if k := w.alice.Keys()[0]; !k.LastUsed.Equal(w.now.Add(3 * time.Minute)) {
		t.Errorf("a session's use was recorded on the long-term key: %+v", k)
	}
}

func TestListMFADevices(t *testing.T) {
	w := newWorld(t)
	w.clock.Set(w.now.Add(time.Hour))
	w.alice.AddMFADevice("arn:aws:iam::123456789012:mfa/alice-backup", bobTOTP)
	var doc iamListMFA
	decodeOK(t, w.iam(t, aliceCreds, "ListMFADevices"), &doc)
	d := doc.Result.Devices
	if len(d) != 2 || d[0].SerialNumber != aliceSerial || d[0].UserName != "alice" || d[0].EnableDate != w.now.Format("2006-01-02T15:04:05Z") ||
		d[1].SerialNumber != "arn:aws:iam::123456789012:mfa/alice-backup" || d[1].EnableDate != w.now.Add(time.Hour).Format("2006-01-02T15:04:05Z") ||
		doc.Result.IsTruncated != "false" {
		t.Errorf("ListMFADevices = %+v", doc.Result)
	}
	if got := w.alice.Devices(); len(got) != 2 || got[0].Serial != aliceSerial || !got[1].Enabled.Equal(w.now.Add(time.Hour)) {
		t.Errorf("Devices() = %+v", got)
	}

	w.srv.AddUser(account, "carol").AddKey("AKIAJ7CAROLEXAMPLE00", "k3yCarolEXAMPLEKEYxxxxxxxxxxxxxxxxxxxxxx")
	r := w.iam(t, &stsCreds{"AKIAJ7CAROLEXAMPLE00", "k3yCarolEXAMPLEKEYxxxxxxxxxxxxxxxxxxxxxx", ""}, "ListMFADevices")
	if r.status != 200 || !strings.Contains(r.body, "<ListMFADevicesResult><MFADevices></MFADevices><IsTruncated>false</IsTruncated></ListMFADevicesResult>") {
		t.Errorf("no devices: %d %s", r.status, r.body)
	}
	r = w.iam(t, &stsCreds{"AKIAJ7CAROLEXAMPLE00", "k3yCarolEXAMPLEKEYxxxxxxxxxxxxxxxxxxxxxx", ""}, "ListAccessKeys", "UserName", "carol")
	if !strings.Contains(r.body, "<ListAccessKeysResult><UserName>carol</UserName><AccessKeyMetadata><member>") {
		t.Errorf("ListAccessKeys document: %s", r.body)
	}
}

func TestKeyPropagation(t *testing.T) {
	w := newWorld(t)
	w.srv.SetKeyPropagationDelay(10 * time.Second)
	var created iamCreateKey
	decodeOK(t, w.iam(t, aliceCreds, "CreateAccessKey"), &created)
	newKey := &stsCreds{created.Key.AccessKeyId, created.Key.SecretAccessKey, ""}
	invalid := "The security token included in the request is invalid."

	if w.srv.KeyWorks(newKey.id) {
		t.Error("KeyWorks right after CreateAccessKey with a delay")
	}
	_, err := w.client(t, newKey.id, newKey.secret, "").GetCallerIdentity(ctx, nil)
	wantAPIError(t, err, 403, "InvalidClientTokenId", invalid)
	wantIAMError(t, w.iam(t, newKey, "ListAccessKeys"), 403, "InvalidClientTokenId", invalid)
	// It is listed all the same, and fixtures are not delayed.
	if keys := w.alice.Keys(); len(keys) != 2 || !w.srv.KeyWorks(aliceKeyID) {
		t.Errorf("Keys() = %+v, KeyWorks(old) = %v", keys, w.srv.KeyWorks(aliceKeyID))
	}

	w.clock.Set(w.now.Add(10 * time.Second))
	if !w.srv.KeyWorks(newKey.id) {
		t.Error("KeyWorks after the delay = false")
	}
	if _, err := w.client(t, newKey.id, newKey.secret, "").GetCallerIdentity(ctx, nil); err != nil {
		t.Errorf("after the delay: %v", err)
	}

	w.srv.SetKeyNeverWorks(true)
	_, err = w.client(t, newKey.id, newKey.secret, "").GetCallerIdentity(ctx, nil)
	wantAPIError(t, err, 403, "InvalidClientTokenId", invalid)
	if w.srv.KeyWorks(newKey.id) || !w.srv.KeyWorks(aliceKeyID) {
		t.Error("SetKeyNeverWorks: new key works or old key does not")
	}
	w.srv.SetKeyNeverWorks(false)
	if !w.srv.KeyWorks(newKey.id) {
		t.Error("KeyWorks after SetKeyNeverWorks(false) = false")
	}
	if w.srv.KeyWorks("AKIAJUNKNOWNEXAMPLE0") {
		t.Error("KeyWorks of an unknown key")
	}
}
