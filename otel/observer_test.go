package clerkotel_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	clerkotel "github.com/clerkkit/clerkkit/otel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// TestScriptedRun drives a Client and an Authenticator against the
// emulator through a success, a retry after 429, a 404 and a key set
// refresh for an unknown kid, and checks every span and count.
func TestScriptedRun(t *testing.T) {
	clk := &clock{t: time.Now().Add(-time.Minute)} // so the key set's age comes out positive
	srv := clerktest.Start(t, clerktest.WithClock(clk.Now))
	if _, err := srv.AddUser(clerktest.User{ID: "user_otel"}); err != nil {
		t.Fatal(err)
	}
	sess := srv.CreateSession("user_otel")

	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	obs, err := clerkotel.NewObserver(clerkotel.WithTracerProvider(tp), clerkotel.WithMeterProvider(mp))
	if err != nil {
		t.Fatal(err)
	}
	client, err := clerk.NewClient(srv.SecretKey(), clerk.WithAPIURL(srv.URL), clerk.WithObserver(obs),
		clerk.WithRetry(clerk.RetryPolicy{MaxAttempts: 3, MaxRetryAfter: 2 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	auth, err := clerk.NewAuthenticator(clerk.WithClient(client), clerk.WithClock(clk.Now), clerk.WithObserver(obs))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var secrets []string

	// 1. A success.
	tok, err := client.GetToken(ctx, sess.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, tok.JWT)
	// 2. A 429 with Retry-After: 1, then a success.
	srv.RateLimitNext(1, "1", clerktest.EndpointTokens)
	if tok, err = client.GetToken(ctx, sess.ID, ""); err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, tok.JWT)
	// 3. A 404: no such session.
	_, err = client.GetToken(ctx, "sess_missing", "")
	var notFound *clerk.APIError
	if !errors.As(err, &notFound) || notFound.StatusCode != http.StatusNotFound || notFound.TraceID == "" {
		t.Fatalf("unknown session: %v", err)
	}
	// 4. Verification loads the key set; an expired token is refused
	// without a fetch; a token signed by a new key refreshes the set.
	verify := func(opts ...clerktest.TokenOption) error {
		token, err := srv.SessionToken(sess.ID, opts...)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, token)
		_, err = auth.VerifyToken(ctx, token)
		return err
	}
	if err := verify(); err != nil {
		t.Fatal(err)
	}
	if err := verify(clerktest.TokenExpired()); err == nil {
		t.Fatal("expired token accepted")
	}
	srv.RotateKey()
	clk.Advance(31 * time.Second) // past the gap between unknown-kid fetches
	if err := verify(); err != nil {
		t.Fatal(err)
	}

	host, port := hostPort(t, srv)
	call := func(method, endpoint string) string {
		return "clerk.api.endpoint=" + endpoint + " http.request.method=" + method
	}
	server := "server.address=" + host + " server.port=" + port
	tokens := "/v1/sessions/{session_id}/tokens"
	var got []string
	for _, s := range spans.Ended() {
		got = append(got, renderSpan(s)...)
	}
	want := []string{
		"POST " + tokens + " client status=Unset/ clerk.api.attempts=1 " + call("POST", "get_token") + " http.response.status_code=200 " + server + " url.template=" + tokens,
		"  event clerk.api.attempt http.request.resend_count=0 http.response.status_code=200",
		"POST " + tokens + " client status=Unset/ clerk.api.attempts=2 " + call("POST", "get_token") + " http.response.status_code=200 " + server + " url.template=" + tokens,
		"  event clerk.api.attempt clerk.retry.wait=1 clerk.trace_id=" + traceIDOf429(t, spans) + " error.type=429 http.request.resend_count=0 http.response.status_code=429",
		"  event clerk.api.attempt http.request.resend_count=1 http.response.status_code=200",
		"POST " + tokens + " client status=Error/404 clerk.api.attempts=1 clerk.api.endpoint=get_token clerk.trace_id=" + notFound.TraceID + " error.type=404 http.request.method=POST http.response.status_code=404 " + server + " url.template=" + tokens,
		"  event clerk.api.attempt clerk.trace_id=" + notFound.TraceID + " error.type=404 http.request.resend_count=0 http.response.status_code=404",
		"GET /v1/jwks client status=Unset/ clerk.api.attempts=1 " + call("GET", "jwks") + " http.response.status_code=200 " + server + " url.template=/v1/jwks",
		"  event clerk.api.attempt http.request.resend_count=0 http.response.status_code=200",
		"GET /v1/jwks client status=Unset/ clerk.api.attempts=1 " + call("GET", "jwks") + " http.response.status_code=200 " + server + " url.template=/v1/jwks",
		"  event clerk.api.attempt http.request.resend_count=0 http.response.status_code=200",
	}
	if !slices.Equal(got, want) {
		t.Errorf("spans:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	text := strings.Join(got, "\n")
	for _, s := range append(secrets, srv.SecretKey(), sess.ID) {
		if strings.Contains(text, s) {
			t.Errorf("a span holds a token, the key or the session id")
		}
	}

	counts, gauges := collect(t, reader)
	tokensAttempt := "clerk.api.endpoint=get_token http.request.method=POST "
	tokensFailed := func(status string) string {
		return "clerk.api.endpoint=get_token error.type=" + status + " http.request.method=POST http.response.status_code=" + status + " "
	}
	jwksAttempt := "clerk.api.endpoint=jwks http.request.method=GET "
	wantCounts := map[string]int64{
		"clerk.api.calls{clerk.api.endpoint=get_token clerk.api.status_class=2xx}":                                                    2,
		"clerk.api.calls{clerk.api.endpoint=get_token clerk.api.status_class=4xx}":                                                    1,
		"clerk.api.calls{clerk.api.endpoint=jwks clerk.api.status_class=2xx}":                                                         2,
		"http.client.request.duration{" + tokensAttempt + "http.response.status_code=200 " + server + " url.template=" + tokens + "}": 2,
		"http.client.request.duration{" + tokensFailed("429") + server + " url.template=" + tokens + "}":                              1,
		"http.client.request.duration{" + tokensFailed("404") + server + " url.template=" + tokens + "}":                              1,
		"http.client.request.duration{" + jwksAttempt + "http.response.status_code=200 " + server + " url.template=/v1/jwks}":         2,
		"clerk.get_token.reuse{clerk.reuse.outcome=upstream}":                                                                         3,
		"clerk.authentications{clerk.auth.outcome=signed_in clerk.token.type=session_token}":                                          2,
		"clerk.authentications{clerk.auth.outcome=signed_out clerk.auth.reason=token-expired clerk.token.type=session_token}":         1,
		"clerk.authentication.duration{clerk.auth.outcome=signed_in clerk.token.type=session_token}":                                  2,
		"clerk.authentication.duration{clerk.auth.outcome=signed_out clerk.token.type=session_token}":                                 1,
		"clerk.jwks.fetches{clerk.jwks.outcome=success}":                                                                              2,
	}
	for k, v := range wantCounts {
		if counts[k] != v {
			t.Errorf("%s = %d, want %d", k, counts[k], v)
		}
	}
	for k, v := range counts {
		if _, ok := wantCounts[k]; !ok {
			t.Errorf("unexpected %s = %d", k, v)
		}
	}
	// The set in use was loaded 29 s ago by the Authenticator's clock.
	if age, ok := gauges["clerk.jwks.age{}"]; !ok || age < 28 || age > 60 || len(gauges) != 1 {
		t.Errorf("gauges %v, want clerk.jwks.age about 29 s", gauges)
	}
}

// traceIDOf429 finds the trace id the emulator gave the 429, which the
// test cannot know in advance.
func traceIDOf429(t *testing.T, spans *tracetest.SpanRecorder) string {
	t.Helper()
	for _, s := range spans.Ended() {
		for _, e := range s.Events() {
			for _, kv := range e.Attributes {
				if kv.Key == "clerk.trace_id" && strings.Contains(attrs(e.Attributes), "status_code=429") {
					return kv.Value.AsString()
				}
			}
		}
	}
	t.Error("no 429 attempt with a trace id")
	return ""
}
