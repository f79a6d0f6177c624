package clerkotel

import (
	"context"

	clerk "github.com/clerkkit/clerkkit/core"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// spans turns each call to Clerk into a client span, and each attempt
// into an event on it.
type spans struct {
	tracer trace.Tracer
}

// start opens the call's span; the context carries it to the other hooks
// and to the HTTP client, whose own spans become its children.
func (s *spans) start(ctx context.Context, c clerk.APICall) context.Context {
	name := c.Method
	if c.Route != "" {
		name += " " + c.Route // the HTTP client span name: "{method} {url.template}"
	}
	ctx, _ = s.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(callAttributes(c)...))
	return ctx
}

func (s *spans) attempt(ctx context.Context, _ clerk.APICall, a clerk.APIAttempt) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	attrs := []attribute.KeyValue{keyResendCount.Int(a.Number - 1)}
	if a.StatusCode != 0 {
		attrs = append(attrs, keyStatus.Int(a.StatusCode))
	}
	if t := errorType(a.Err); t != "" {
		attrs = append(attrs, keyErrorType.String(t))
	}
	if a.TraceID != "" {
		attrs = append(attrs, keyTraceID.String(a.TraceID))
	}
	if a.Retry {
		attrs = append(attrs, keyRetryWait.Float64(a.Wait.Seconds()))
	}
	span.AddEvent("clerk.api.attempt", trace.WithAttributes(attrs...))
}

func (s *spans) end(ctx context.Context, r clerk.APICallResult) {
	span := trace.SpanFromContext(ctx)
	if span.IsRecording() {
		attrs := []attribute.KeyValue{keyAttempts.Int(r.Attempts)}
		if r.StatusCode != 0 {
			attrs = append(attrs, keyStatus.Int(r.StatusCode))
		}
		if r.TraceID != "" {
			attrs = append(attrs, keyTraceID.String(r.TraceID))
		}
		if t := errorType(r.Err); t != "" {
			attrs = append(attrs, keyErrorType.String(t))
			// The description is the type: the message may name the path.
			span.SetStatus(codes.Error, t)
		}
		span.SetAttributes(attrs...)
	}
	span.End()
}
