package awsapi

import (
	"context"
	"time"
)

type skewObserverKey struct{}

// WithClockSkewObserver returns a context in which every AWS response that
// carries a Date header reports the server's clock minus the local one to
// observe, failed calls included. Like net/http/httptrace, it travels in the
// context because the client interfaces have no room for it; a call with no
// observer measures nothing.
func WithClockSkewObserver(ctx context.Context, observe func(skew time.Duration)) context.Context {
	return context.WithValue(ctx, skewObserverKey{}, observe)
}

// ClockSkewObserver returns the observer WithClockSkewObserver put in ctx,
// or nil.
func ClockSkewObserver(ctx context.Context) func(skew time.Duration) {
	f, _ := ctx.Value(skewObserverKey{}).(func(time.Duration))
	return f
}
