package iamclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awsenv/awsenv/internal/awsapi"
	"github.com/awsenv/awsenv/profiles"
)

// AWS's documented example key: nothing real.
var aliceIAM = awsapi.IAMCall{Credentials: profiles.Credentials{
	AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}}

// fakeIAM answers a few IAM actions in AWS's XML, with its Date header
// ahead of the real clock by ahead, and remembers each request's
// Authorization header.
type fakeIAM struct {
	ahead time.Duration
	mu    sync.Mutex
	auth  []string
}

const ns = `xmlns="https://iam.amazonaws.com/doc/2010-05-08/"`

func (f *fakeIAM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.mu.Unlock()
	w.Header().Set("Date", time.Now().Add(f.ahead).UTC().Format(http.TimeFormat))
	w.Header().Set("x-amzn-RequestId", "req-1")
	w.Header().Set("Content-Type", "text/xml")
	switch r.Form.Get("Action") {
	case "ListAccessKeys":
		// Two pages, to show they are all read.
		id, more := "AKIAFIRSTPAGEEXAMPLE", "<IsTruncated>true</IsTruncated><Marker>m1</Marker>"
		if r.Form.Get("Marker") == "m1" {
			id, more = "AKIASECONDPAGEXAMPLE", "<IsTruncated>false</IsTruncated>"
		}
		fmt.Fprintf(w, `<ListAccessKeysResponse %s><ListAccessKeysResult><AccessKeyMetadata><member>
<UserName>%s</UserName><AccessKeyId>%s</AccessKeyId><Status>Active</Status><CreateDate>2024-05-01T10:00:00Z</CreateDate>
</member></AccessKeyMetadata>%s</ListAccessKeysResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></ListAccessKeysResponse>`,
			ns, r.Form.Get("UserName"), id, more)
	case "GetAccessKeyLastUsed":
		fmt.Fprintf(w, `<GetAccessKeyLastUsedResponse %s><GetAccessKeyLastUsedResult><UserName>alice</UserName>
<AccessKeyLastUsed><Region>N/A</Region><ServiceName>N/A</ServiceName></AccessKeyLastUsed>
</GetAccessKeyLastUsedResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetAccessKeyLastUsedResponse>`, ns)
	default:
		w.WriteHeader(http.StatusConflict)
		fmt.Fprintf(w, `<ErrorResponse %s><Error><Type>Sender</Type><Code>LimitExceeded</Code>
<Message>Cannot exceed quota for AccessKeysPerUser: 2</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`, ns)
	}
}

func (f *fakeIAM) lastAuth() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.auth[len(f.auth)-1]
}

// start serves fakeIAM and returns it with a client whose environment
// has IAM, and only IAM, at its address.
func start(t *testing.T, ahead time.Duration) (*fakeIAM, IAM) {
	t.Helper()
	f := &fakeIAM{ahead: ahead}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, IAM{World: env{"AWS_ENDPOINT_URL_IAM": srv.URL}.world()}
}

func TestSigningRegion(t *testing.T) {
	t.Parallel()
	for region, want := range map[string]string{
		"":               "us-east-1",
		"us-east-1":      "us-east-1",
		"eu-west-1":      "us-east-1",
		"ap-south-2":     "us-east-1",
		"cn-north-1":     "cn-north-1",
		"cn-northwest-1": "cn-northwest-1",
		"us-gov-west-1":  "us-gov-west-1",
	} {
		if got := SigningRegion(region); got != want {
			t.Errorf("SigningRegion(%q) = %q, want %q", region, got, want)
		}
	}
}

// The region that reaches the wire is IAM's, whatever the profile's region;
// AWS_ENDPOINT_URL_IAM is honoured on its own.
func TestSignedForIAMsRegion(t *testing.T) {
	t.Parallel()
	f, c := start(t, 0)
	for _, region := range []string{"", "eu-west-1", "cn-north-1", "us-gov-west-1"} {
		call := aliceIAM
		call.Region = region
		if _, err := c.ListAccessKeys(context.Background(), call, "alice"); err != nil {
			t.Fatalf("ListAccessKeys in %q: %v", region, err)
		}
		scope := "/" + SigningRegion(region) + "/iam/aws4_request"
		if a := f.lastAuth(); !strings.Contains(a, scope) {
			t.Errorf("region %q: Authorization %q is not signed for %s", region, a, scope)
		}
	}
}

func TestListAccessKeysReadsEveryPage(t *testing.T) {
	t.Parallel()
	_, c := start(t, 0)
	keys, err := c.ListAccessKeys(context.Background(), aliceIAM, "alice")
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	want := []awsapi.AccessKey{
		{ID: "AKIAFIRSTPAGEEXAMPLE", Status: awsapi.StatusActive, Created: created, UserName: "alice"},
		{ID: "AKIASECONDPAGEXAMPLE", Status: awsapi.StatusActive, Created: created, UserName: "alice"},
	}
	if fmt.Sprint(keys) != fmt.Sprint(want) {
		t.Fatalf("keys = %+v, want %+v", keys, want)
	}
}

// A key never used has a zero date; AWS says N/A for the rest.
func TestLastUsedNever(t *testing.T) {
	t.Parallel()
	_, c := start(t, 0)
	lu, err := c.GetAccessKeyLastUsed(context.Background(), aliceIAM, "AKIAFIRSTPAGEEXAMPLE")
	if err != nil {
		t.Fatal(err)
	}
	if !lu.Date.IsZero() || lu.Service != "N/A" || lu.UserName != "alice" {
		t.Fatalf("last used = %+v", lu)
	}
}

// IAM's refusals become awsapi.APIError with IAM's operation name, and the
// skew of a refused call is measured all the same.
func TestErrorAndSkewOfARefusal(t *testing.T) {
	t.Parallel()
	_, c := start(t, 5*time.Minute)
	var skew time.Duration
	var seen bool
	ctx := awsapi.WithClockSkewObserver(context.Background(), func(d time.Duration) { skew, seen = d, true })
	_, err := c.CreateAccessKey(ctx, aliceIAM, "alice")
	var api *awsapi.APIError
	if !errors.As(err, &api) {
		t.Fatalf("err = %#v, want *awsapi.APIError", err)
	}
	want := awsapi.APIError{Operation: "CreateAccessKey", Code: "LimitExceeded",
		Message: "Cannot exceed quota for AccessKeysPerUser: 2", HTTPStatus: 409, RequestID: "req-1"}
	if *api != want {
		t.Fatalf("err = %+v, want %+v", *api, want)
	}
	if d := skew - 5*time.Minute; !seen || d < -3*time.Second || d > 3*time.Second {
		t.Fatalf("skew = %v (seen %v), want about 5m", skew, seen)
	}
}
