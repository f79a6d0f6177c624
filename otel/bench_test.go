package clerkotel_test

import (
	"context"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	clerkotel "github.com/clerkkit/clerkkit/otel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// benchObserver is an Observer on real SDK providers (a span recorder is
// not needed: verification makes no span) with a manual reader.
func benchObserver(b *testing.B) clerk.Observer {
	b.Helper()
	obs, err := clerkotel.NewObserver(
		clerkotel.WithTracerProvider(sdktrace.NewTracerProvider()),
		clerkotel.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))))
	if err != nil {
		b.Fatal(err)
	}
	return obs
}

// BenchmarkVerifyFresh verifies a token in full every time (the verified
// token cache off), without and with the Observer.
func BenchmarkVerifyFresh(b *testing.B) {
	srv := clerktest.Start(b)
	if _, err := srv.AddUser(clerktest.User{ID: "user_bench"}); err != nil {
		b.Fatal(err)
	}
	sess := srv.CreateSession("user_bench")
	token, err := srv.SessionToken(sess.ID, clerktest.TokenLifetime(time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"observer=off", "observer=on"} {
		b.Run(mode, func(b *testing.B) {
			opts := []clerk.AuthenticatorOption{clerk.WithJWTKey(srv.PublicKeyPEM()), clerk.WithVerificationCache(0, time.Minute)}
			if mode == "observer=on" {
				opts = append(opts, clerk.WithObserver(benchObserver(b)))
			}
			a, err := clerk.NewAuthenticator(opts...)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := a.VerifyToken(ctx, token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGetTokenCacheHit is a GetToken answered by the memory cache,
// without and with the Observer.
func BenchmarkGetTokenCacheHit(b *testing.B) {
	srv := clerktest.Start(b)
	if _, err := srv.AddUser(clerktest.User{ID: "user_bench"}); err != nil {
		b.Fatal(err)
	}
	sess := srv.CreateSession("user_bench", clerktest.WithSessionLifetime(time.Hour))
	for _, mode := range []string{"observer=off", "observer=on"} {
		b.Run(mode, func(b *testing.B) {
			cache, err := clerk.NewMemoryTokenCache(16)
			if err != nil {
				b.Fatal(err)
			}
			opts := []clerk.ClientOption{clerk.WithAPIURL(srv.URL), clerk.WithTokenCache(cache)}
			if mode == "observer=on" {
				opts = append(opts, clerk.WithObserver(benchObserver(b)))
			}
			c, err := clerk.NewClient(srv.SecretKey(), opts...)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			if _, err := c.GetToken(ctx, sess.ID, ""); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.GetToken(ctx, sess.ID, ""); err != nil {
					b.Fatal(err)
				}
			}
			if s := c.TokenStats(); s.UpstreamCalls != 1 {
				b.Fatalf("%d upstream calls", s.UpstreamCalls)
			}
		})
	}
}
