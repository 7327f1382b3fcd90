package sdk

import (
	"context"
	"time"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/awsenv/awsenv/internal/awsapi"
)

// skewID names the middleware in the stack.
const skewID = "awsenv.MeasureClockSkew"

// MeasureClockSkew is an API option that reports, for every attempt that
// got an HTTP response, the response's Date header minus the local clock
// when the response arrived to the observer in the call's context (see
// awsapi.WithClockSkewObserver). It sits in the deserialize step, under the
// operation's error handling, so it sees failed calls too, and every retry:
// the last report is the last attempt's.
func MeasureClockSkew(now func() time.Time) func(*middleware.Stack) error {
	if now == nil {
		now = time.Now
	}
	return func(s *middleware.Stack) error {
		return s.Deserialize.Add(middleware.DeserializeMiddlewareFunc(skewID, func(
			ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler,
		) (middleware.DeserializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleDeserialize(ctx, in)
			arrived := now()
			observe := awsapi.ClockSkewObserver(ctx)
			if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && observe != nil {
				if date := resp.Header.Get("Date"); date != "" {
					if server, perr := smithyhttp.ParseTime(date); perr == nil {
						observe(server.Sub(arrived))
					}
				}
			}
			return out, md, err
		}), middleware.After)
	}
}
