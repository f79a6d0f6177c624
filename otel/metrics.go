package clerkotel

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// meters holds the instruments and the key set's load time.
type meters struct {
	authentications metric.Int64Counter
	authDuration    metric.Float64Histogram
	reuse           metric.Int64Counter
	calls           metric.Int64Counter
	requestDuration metric.Float64Histogram
	jwksFetches     metric.Int64Counter

	// jwksLoadedAt is the Unix ns of the key set in use; 0 before one loaded.
	jwksLoadedAt atomic.Int64

	// authAttrs caches the attribute sets of authentications: there are
	// few (outcome × token type × reason), and building one per request
	// would cost an allocation on every verification.
	authAttrs sync.Map // authKey → authOptions
	// reuseAttrs has the options of each reuse outcome, built up front
	// as a slice so that Add allocates none.
	reuseAttrs map[clerk.TokenCacheOutcome][]metric.AddOption
}

// authOptions are the attribute sets of one kind of authentication: the
// counter's, and the histogram's, which leaves the reason out (it adds
// little to a latency and would multiply the histogram's series).
type authOptions struct {
	count    []metric.AddOption
	duration []metric.RecordOption
}

type authKey struct {
	outcome clerk.AuthOutcome
	kind    clerk.TokenType
	reason  clerk.Reason
}

// Latency buckets, in seconds: a verification from the cache takes
// microseconds, a fresh one a fraction of a millisecond, one that calls
// Clerk tens of milliseconds or more.
func durationBuckets() []float64 {
	return []float64{0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
}

func newMeters(mp metric.MeterProvider) (*meters, error) {
	meter := mp.Meter(ScopeName, metric.WithInstrumentationVersion(Version()))
	m := &meters{}
	var err error
	if m.authentications, err = meter.Int64Counter("clerk.authentications",
		metric.WithDescription("Request authentications, by outcome, token type and reason."),
		metric.WithUnit("{authentication}")); err != nil {
		return nil, err
	}
	if m.authDuration, err = meter.Float64Histogram("clerk.authentication.duration",
		metric.WithDescription("Time to verify a request's token."),
		metric.WithUnit("s"), metric.WithExplicitBucketBoundaries(durationBuckets()...)); err != nil {
		return nil, err
	}
	if m.reuse, err = meter.Int64Counter("clerk.get_token.reuse",
		metric.WithDescription("getToken cache hits and misses, calls that joined one in flight, and token requests sent to Clerk."),
		metric.WithUnit("{event}")); err != nil {
		return nil, err
	}
	if m.calls, err = meter.Int64Counter("clerk.api.calls",
		metric.WithDescription("Calls to Clerk, retries included in one call, by endpoint and status class."),
		metric.WithUnit("{call}")); err != nil {
		return nil, err
	}
	if m.requestDuration, err = meter.Float64Histogram("http.client.request.duration",
		metric.WithDescription("Duration of HTTP client requests to Clerk, one per attempt."),
		metric.WithUnit("s"), metric.WithExplicitBucketBoundaries(durationBuckets()...)); err != nil {
		return nil, err
	}
	if m.jwksFetches, err = meter.Int64Counter("clerk.jwks.fetches",
		metric.WithDescription("Fetches of the key set tokens are verified with, by outcome."),
		metric.WithUnit("{fetch}")); err != nil {
		return nil, err
	}
	if _, err = meter.Float64ObservableGauge("clerk.jwks.age",
		metric.WithDescription("Time since the key set in use was loaded."),
		metric.WithUnit("s"),
		metric.WithFloat64Callback(m.observeAge)); err != nil {
		return nil, err
	}
	m.reuseAttrs = make(map[clerk.TokenCacheOutcome][]metric.AddOption)
	for _, o := range []clerk.TokenCacheOutcome{clerk.TokenCacheHit, clerk.TokenCacheMiss, clerk.TokenCacheCoalesced, clerk.TokenCacheUpstream} {
		m.reuseAttrs[o] = []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(keyReuse.String(string(o))))}
	}
	return m, nil
}

func (m *meters) authentication(ctx context.Context, e clerk.AuthenticationEvent) {
	key := authKey{e.Outcome, e.TokenType, e.Reason}
	cached, ok := m.authAttrs.Load(key)
	if !ok {
		base := []attribute.KeyValue{keyOutcome.String(string(e.Outcome)), keyTokenType.String(string(e.TokenType))}
		counted := base
		if e.Reason != "" {
			counted = append(counted[:len(base):len(base)], keyReason.String(string(e.Reason)))
		}
		cached, _ = m.authAttrs.LoadOrStore(key, authOptions{
			count:    []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(counted...))},
			duration: []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(base...))},
		})
	}
	opts := cached.(authOptions)
	m.authentications.Add(ctx, 1, opts.count...)
	m.authDuration.Record(ctx, e.Duration.Seconds(), opts.duration...)
}

func (m *meters) tokenCache(ctx context.Context, o clerk.TokenCacheOutcome) {
	opts, ok := m.reuseAttrs[o]
	if !ok {
		opts = []metric.AddOption{metric.WithAttributes(keyReuse.String(string(o)))}
	}
	m.reuse.Add(ctx, 1, opts...)
}

func (m *meters) attempt(ctx context.Context, c clerk.APICall, a clerk.APIAttempt) {
	attrs := callAttributes(c)
	if a.StatusCode != 0 {
		attrs = append(attrs, keyStatus.Int(a.StatusCode))
	}
	if t := errorType(a.Err); t != "" {
		attrs = append(attrs, keyErrorType.String(t))
	}
	m.requestDuration.Record(ctx, a.Duration.Seconds(), metric.WithAttributes(attrs...))
}

func (m *meters) callEnd(ctx context.Context, c clerk.APICall, r clerk.APICallResult) {
	m.calls.Add(ctx, 1, metric.WithAttributes(
		keyEndpoint.String(string(c.Endpoint)),
		keyStatusClass.String(statusClass(r.StatusCode, r.Err))))
}

func (m *meters) jwksFetch(ctx context.Context, e clerk.JWKSFetchEvent) {
	outcome := "success"
	if e.Err != nil {
		outcome = "failure"
	}
	m.jwksFetches.Add(ctx, 1, metric.WithAttributes(keyJWKSOutcome.String(outcome)))
	if !e.LoadedAt.IsZero() {
		m.jwksLoadedAt.Store(e.LoadedAt.UnixNano())
	}
}

func (m *meters) observeAge(_ context.Context, o metric.Float64Observer) error {
	if at := m.jwksLoadedAt.Load(); at != 0 {
		o.Observe(time.Since(time.Unix(0, at)).Seconds())
	}
	return nil
}
