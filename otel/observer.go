package clerkotel

import (
	"context"

	clerk "github.com/clerkkit/clerkkit/core"
	"go.opentelemetry.io/otel/trace"
)

// NewObserver returns a clerk.Observer that records spans and metrics
// through the configured providers. Hand it to clerk.WithObserver on the
// Client and the Authenticator. The error comes from creating the
// instruments.
func NewObserver(opts ...Option) (clerk.Observer, error) {
	cfg := newConfig(opts)
	m, err := newMeters(cfg.meterProvider)
	if err != nil {
		return clerk.Observer{}, err
	}
	s := &spans{tracer: cfg.tracerProvider.Tracer(ScopeName, trace.WithInstrumentationVersion(Version()))}
	return clerk.Observer{
		APICallStart: s.start,
		APIAttempt: func(ctx context.Context, c clerk.APICall, a clerk.APIAttempt) {
			s.attempt(ctx, c, a)
			m.attempt(ctx, c, a)
		},
		APICallEnd:     func(ctx context.Context, c clerk.APICall, r clerk.APICallResult) { m.callEnd(ctx, c, r); s.end(ctx, r) },
		Authentication: m.authentication,
		TokenCache:     m.tokenCache,
		JWKSFetch:      m.jwksFetch,
	}, nil
}
