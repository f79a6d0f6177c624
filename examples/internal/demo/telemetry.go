package demo

import (
	"context"
	"fmt"
	"os"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	clerkotel "github.com/clerkkit/clerkkit/otel"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// EnvOTel switches on OpenTelemetry: "stdout" prints the spans of every
// call to Clerk as they end and the metrics every EnvOTelInterval, as JSON
// on standard output. Unset (or "off"): no telemetry.
const (
	EnvOTel         = "CLERK_OTEL"
	EnvOTelInterval = "CLERK_OTEL_INTERVAL"
)

// defaultOTelInterval is how often the metrics are printed.
const defaultOTelInterval = 30 * time.Second

// telemetry returns the option that reports the Client's and the
// Authenticator's work to OpenTelemetry as CLERK_OTEL asks, or nil when it
// is off. The providers are flushed and shut down by Close.
func (a *App) telemetry() (clerk.Option, error) {
	switch mode := os.Getenv(EnvOTel); mode {
	case "", "off":
		return nil, nil
	case "stdout":
	default:
		return nil, fmt.Errorf("%s must be stdout, off or unset, not %q", EnvOTel, mode)
	}
	interval := defaultOTelInterval
	if v := os.Getenv(EnvOTelInterval); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("%s must be a positive Go duration such as 10s", EnvOTelInterval)
		}
		interval = d
	}
	spans, err := stdouttrace.New(stdouttrace.WithPrettyPrint())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvOTel, err)
	}
	metrics, err := stdoutmetric.New(stdoutmetric.WithPrettyPrint())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvOTel, err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metrics, sdkmetric.WithInterval(interval))))
	a.closers = append(a.closers, shutdown(tp.Shutdown), shutdown(mp.Shutdown))
	obs, err := clerkotel.NewObserver(clerkotel.WithTracerProvider(tp), clerkotel.WithMeterProvider(mp))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvOTel, err)
	}
	return clerk.WithObserver(obs), nil
}

// shutdown adapts a provider's Shutdown to a closer, bounded so that a
// stuck exporter cannot hold the process at exit.
func shutdown(fn func(context.Context) error) func() error {
	return func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return fn(ctx)
	}
}
