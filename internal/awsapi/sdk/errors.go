package sdk

import (
	"errors"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/awsenv/awsenv/internal/awsapi"
)

// ErrNoCredentials is an answer without credentials in it.
var ErrNoCredentials = errors.New("the answer held no credentials")

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
