package sdk

import (
	"errors"
	"fmt"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/awsenv/awsenv/internal/awsapi"
)

// errNoCredentials is an answer without credentials in it.
var errNoCredentials = errors.New("the answer held no credentials")

// Convert turns an SDK error from operation op into AWS's code and message
// (*awsapi.APIError), without the SDK's layers of operation and retry
// text, or into an *awsapi.TransportError when AWS gave no answer.
func Convert(op string, err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		e := &awsapi.APIError{Operation: op, Code: api.ErrorCode(), Message: api.ErrorMessage()}
		var re *awshttp.ResponseError
		if errors.As(err, &re) {
			e.HTTPStatus = re.HTTPStatusCode()
			e.RequestID = re.ServiceRequestID()
		}
		return e
	}
	return &awsapi.TransportError{Operation: op, Message: err.Error()}
}

// The range of times an answer may carry: what JSON and the session files
// can hold (RFC 3339 has four-digit years). A time outside it is not one
// AWS meant; saying so beats a helper that cannot encode its answer.
var (
	minTime = time.Unix(0, 0).UTC()
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// unixTime converts a Unix time in units (time.Second, time.Millisecond)
// from an answer of op, refusing one outside minTime..maxTime (2^63-1
// milliseconds is about 292 million years from now).
func unixTime(op, field string, v int64, unit time.Duration) (time.Time, error) {
	perSecond := int64(time.Second / unit)
	if v < minTime.Unix()*perSecond || v > maxTime.Unix()*perSecond {
		return time.Time{}, &awsapi.TransportError{Operation: op,
			Message: fmt.Sprintf("the answer's %s (%d) is not a time between %d and %d; the service answered something it should not, try again later", field, v, minTime.Year(), maxTime.Year())}
	}
	return time.Unix(v/perSecond, v%perSecond*int64(unit)).UTC(), nil
}
