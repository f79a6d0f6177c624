// Package clerkotel reports what clerkkit's Client and Authenticator do as
// OpenTelemetry traces and metrics. The core depends on no telemetry
// library: it exposes clerk.Observer, a struct of hooks, and NewObserver
// fills one in.
//
//	obs, err := clerkotel.NewObserver() // the global providers; see WithTracerProvider, WithMeterProvider
//	if err != nil {
//		return err
//	}
//	client, err := clerk.NewClientFromEnv(clerk.WithObserver(obs))
//	…
//	auth, err := clerk.NewAuthenticatorFromEnv(client, clerk.WithObserver(obs))
//
// # Traces
//
// Every call to Clerk (getToken, the key set, machine token verification,
// M2M tokens) is a client span named after its method and route template,
// such as "POST /v1/sessions/{session_id}/tokens/{template}", with
// OpenTelemetry's HTTP client attributes (http.request.method,
// server.address, server.port, url.template, http.response.status_code,
// error.type), clerk.api.endpoint, clerk.api.attempts and Clerk's trace id
// (clerk.trace_id). Each attempt is an event "clerk.api.attempt" with its
// number, status, error type and, when the call is retried, the wait
// before the next attempt (clerk.retry.wait, seconds). A span never holds
// a token, a key or a session id: the route template stands for the path,
// and errors are recorded by type, not by message.
//
// # Metrics
//
//	clerk.authentications         counter    clerk.auth.outcome, clerk.token.type, clerk.auth.reason
//	clerk.authentication.duration histogram  s; clerk.auth.outcome, clerk.token.type
//	clerk.get_token.reuse         counter    clerk.reuse.outcome: hit, miss, coalesced, upstream
//	clerk.api.calls               counter    clerk.api.endpoint, clerk.api.status_class: 2xx, 3xx, 4xx, 5xx, error
//	http.client.request.duration  histogram  s, one per attempt; the HTTP client attributes above
//	clerk.jwks.fetches            counter    clerk.jwks.outcome: success, failure
//	clerk.jwks.age                gauge      s since the key set in use was loaded
//
// Every attribute value comes from a fixed set (Clerk's reasons, the token
// types, the endpoints), so no metric grows a series per user or token.
// The key set's age is measured from the Authenticator's clock (see
// clerk.WithClock) and is reported once a set has loaded; give each
// Authenticator its own Observer if a process verifies tokens of several
// Clerk instances.
package clerkotel
